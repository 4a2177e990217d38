#!/usr/bin/env python3
"""Writes the committed seed corpus for the JSON and safetensors fuzzers:
corpus/json/ and corpus/safetensors/.  A file named ok_* must be accepted,
bad_* must be rejected (tests/test_fuzz_corpus.c checks both).  Run from
any directory; it rewrites the corpus in place."""
import json
import os
import shutil
import struct

HERE = os.path.dirname(os.path.abspath(__file__))

JSON_SEEDS = {
    "ok_null": b"null",
    "ok_true": b"true",
    "ok_false": b" false ",
    "ok_int": b"42",
    "ok_negative": b"-17",
    "ok_int64_max": b"9223372036854775807",
    "ok_int64_min": b"-9223372036854775808",
    "ok_big": b"18446744073709551616",
    "ok_float": b"-1.25e-3",
    "ok_exp": b"6.02E+23",
    "ok_string": b'"hello"',
    "ok_escapes": b'"\\" \\\\ \\/ \\b \\f \\n \\r \\t"',
    "ok_unicode": b'"\\u00e9\\u20ac\\ud83d\\ude00 caf\xc3\xa9 \xf0\x9f\x98\x80"',
    "ok_nul": b'"a\\u0000b"',
    "ok_array": b"[1, 2.5, \"x\", true, false, null, [], {}]",
    "ok_nested": b'{"a": {"b": [[1], [2, [3]]]}, "c": "d"}',
    "ok_config": json.dumps({
        "model_type": "jamba", "hidden_size": 64, "num_hidden_layers": 4,
        "num_attention_heads": 4, "num_key_value_heads": 2, "attn_layer_period": 2,
        "attn_layer_offset": 1, "expert_layer_period": 2, "expert_layer_offset": 1,
        "num_experts": 4, "num_experts_per_tok": 2, "mamba_d_state": 16,
        "mamba_d_conv": 4, "mamba_expand": 2, "rms_norm_eps": 1e-6,
        "tie_word_embeddings": False, "vocab_size": 256}, indent=2).encode(),
    "ok_index": json.dumps({"metadata": {"total_size": 24}, "weight_map": {
        "a": "model-00001-of-00002.safetensors",
        "b": "model-00002-of-00002.safetensors"}}).encode(),
    "ok_dup_keys": b'{"a": 1, "a": 2}',
    "ok_whitespace": b" \t\r\n[ 1 ,\n 2 ] \n",
    "bad_trailing_comma": b"[1, 2,]",
    "bad_leading_zero": b"012",
    "bad_unterminated": b'"abc',
    "bad_lone_surrogate": b'"\\ud800"',
    "bad_low_surrogate": b'"\\udc00"',
    "bad_escape": b'"\\x41"',
    "bad_control": b'"a\tb"',
    "bad_utf8": b'"\xc0\xaf"',
    "bad_nan": b"NaN",
    "bad_huge": b"1e999",
    "bad_garbage": b"{} x",
    "bad_key": b"{a: 1}",
    "bad_colon": b'{"a" 1}',
    "bad_deep": b"[" * 300 + b"]" * 300,
    "bad_empty": b"",
    "bad_comment": b"/* c */ 1",
}


def safetensors(header, data=b"", raw_header=None):
    h = raw_header if raw_header is not None else json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    return struct.pack("<Q", len(h)) + h + data


def tensor(dtype, shape, begin, end):
    return {"dtype": dtype, "shape": shape, "data_offsets": [begin, end]}


F32_2 = struct.pack("<2f", 1.0, -2.0)
BF16_2 = struct.pack("<2H", 0x3FC0, 0xBF80)
F16_1 = struct.pack("<H", 0x3E00)

ST_SEEDS = {
    "ok_empty": safetensors({}),
    "ok_metadata": safetensors({"__metadata__": {"format": "pt"}}),
    "ok_f32": safetensors({"w": tensor("F32", [2], 0, 8)}, F32_2),
    "ok_mixed": safetensors({"__metadata__": {"format": "pt"}, "a": tensor("F32", [1, 2], 0, 8),
                             "b": tensor("BF16", [2], 8, 12), "c": tensor("F16", [], 12, 14)},
                            F32_2 + BF16_2 + F16_1),
    "ok_zero_size": safetensors({"z": tensor("F32", [0, 4], 0, 0), "w": tensor("F32", [2], 0, 8)},
                                F32_2),
    "ok_gap": safetensors({"w": tensor("F16", [1], 4, 6)}, b"\0" * 4 + F16_1),
    "ok_unaligned": safetensors({"s": tensor("F16", [1], 0, 2), "w": tensor("F32", [2], 2, 10)},
                                F16_1 + F32_2),
    "ok_8d": safetensors({"t": tensor("BF16", [1, 1, 1, 1, 1, 1, 1, 2], 0, 4)}, BF16_2),
    "bad_short": b"\x08\0\0\0",
    "bad_header_past_end": struct.pack("<Q", 1000) + b"{}",
    "bad_not_object": safetensors(None, raw_header=b"[1,2]"),
    "bad_json": safetensors(None, raw_header=b'{"a":{"dtype":'),
    "bad_overlap": safetensors({"a": tensor("F32", [2], 0, 8), "b": tensor("F32", [1], 4, 8)}, F32_2),
    "bad_range": safetensors({"a": tensor("F32", [4], 0, 16)}, F32_2),
    "bad_begin_end": safetensors({"a": tensor("F32", [0], 8, 0)}, F32_2),
    "bad_size": safetensors({"a": tensor("F32", [3], 0, 8)}, F32_2),
    "bad_dtype": safetensors({"a": tensor("F64", [1], 0, 8)}, F32_2),
    "bad_unknown_dtype": safetensors({"a": tensor("Q4_K", [1], 0, 8)}, F32_2),
    "bad_duplicate": safetensors(None, raw_header=(
        b'{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},'
        b'"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}'), data=F32_2),
    "bad_negative_dim": safetensors({"a": tensor("F32", [-1], 0, 4)}, F32_2),
    "bad_overflow": safetensors({"a": tensor("F32", [2**32, 2**32], 0, 8)}, F32_2),
    "bad_metadata": safetensors({"__metadata__": {"n": 1}}),
}


def write(folder, seeds, ext):
    path = os.path.join(HERE, "corpus", folder)
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    for name, data in sorted(seeds.items()):
        with open(os.path.join(path, name + ext), "wb") as f:
            f.write(data)


write("json", JSON_SEEDS, ".json")
write("safetensors", ST_SEEDS, ".safetensors")
print(f"{len(JSON_SEEDS)} JSON seeds, {len(ST_SEEDS)} safetensors seeds")
