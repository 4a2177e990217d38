#!/usr/bin/env bash
# cli_errors.sh — hybench on bad input: every case must exit non-zero with
# a "hybench: <command>: ..." message on stderr, and never crash (no
# signal: exit status below 128).  Usage errors must exit 2.
# usage: bash cli_errors.sh <path to hybench> <scratch dir>
# Prints one line per check and "N passed, N failed"; exit 1 on any failure.
set -u
HYBENCH=${1:?usage: cli_errors.sh HYBENCH SCRATCH}
SCRATCH=${2:?usage: cli_errors.sh HYBENCH SCRATCH}
rm -rf "$SCRATCH" && mkdir -p "$SCRATCH" || exit 1
pass=0
fail=0
n=0

ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }

# expect_error NAME WANT_RC NEEDLE CMD...: exits WANT_RC (or any failure
# below 128 when WANT_RC is "fail"), stderr has "hybench:" and NEEDLE.
expect_error() {
    local name=$1 want=$2 needle=$3
    shift 3
    n=$((n + 1))
    local err="$SCRATCH/case$n.err"
    "$HYBENCH" "$@" >"$SCRATCH/case$n.out" 2>"$err"
    local rc=$?
    local msg
    msg=$(head -n 1 "$err")
    if [ "$rc" -ge 128 ]; then
        bad "$name: crashed (exit $rc) $msg"
    elif [ "$rc" -eq 0 ]; then
        bad "$name: exit 0, expected an error"
    elif [ "$want" != fail ] && [ "$rc" -ne "$want" ]; then
        bad "$name: exit $rc, expected $want ($msg)"
    elif ! grep -q '^hybench: ' "$err"; then
        bad "$name: no 'hybench:' message on stderr (got: $msg)"
    elif ! grep -qiF -- "$needle" "$err"; then
        bad "$name: message lacks '$needle' (got: $msg)"
    else
        ok "$name (exit $rc): $msg"
    fi
}

# A good model to break in various ways.
M=$SCRATCH/tiny
if ! "$HYBENCH" make-model --preset tiny --out "$M" >/dev/null 2>"$SCRATCH/make.err"; then
    echo "FAIL could not make the tiny model: $(cat "$SCRATCH/make.err")"
    echo "0 passed, 1 failed"
    exit 1
fi
# copy_model NAME: a fresh copy of the model to break
copy_model() {
    rm -rf "$SCRATCH/$1" && cp -r "$M" "$SCRATCH/$1" && echo "$SCRATCH/$1"
}

# --- dispatch and options -------------------------------------------------------
expect_error "no command" 2 "no command"
expect_error "unknown command" 2 "unknown command" frobnicate
expect_error "unknown option" 2 "unknown option '--bogus'" info --bogus
expect_error "unknown option with value" 2 "unknown option" memory --preset tiny --context 1 --colour=red
expect_error "positional argument" 2 "unexpected argument" validate cpu
expect_error "missing value" 2 "needs a value" make-model --out "$SCRATCH/x" --preset
expect_error "empty value" 2 "non-empty" forward --model "$M" --tokens=
expect_error "value given to a flag" 2 "takes no value" validate --quick=yes
expect_error "option given twice" 2 "twice" memory --preset tiny --preset tiny --context 1
expect_error "unknown family" 2 "unknown family" validate --family convolution
expect_error "bad cache mode" 2 "is not auto, warm, cold or streamed" bench --shape 'scan:T=1,D=8,N=4' --cache lukewarm
expect_error "two cache modes" 2 "exclude each other" bench --shape 'scan:T=1,D=8,N=4' --cold --cache streamed
expect_error "bad seed" 2 "seed" make-model --preset tiny --out "$SCRATCH/x" --seed 12x
expect_error "bad dtype" 2 "dtype" make-model --preset tiny --out "$SCRATCH/x" --dtype f8
expect_error "missing --out" 2 "--out" make-model --preset tiny

# --- presets and backends ----------------------------------------------------------
expect_error "unknown preset (make-model)" 2 "nope" make-model --preset nope --out "$SCRATCH/x"
expect_error "unknown preset (memory)" 2 "nope" memory --preset nope --context 10
expect_error "backend not compiled in (validate)" 2 "not compiled in" validate --backend warp-drive
expect_error "backend not compiled in (forward)" 2 "not compiled in" forward --model "$M" --tokens 1 --backend warp-drive
# A backend that is compiled in but unavailable, where this build has one.
unavailable=$("$HYBENCH" info 2>/dev/null | sed -n 's/^  \([a-z0-9_]*\) .*: not available.*/\1/p' | head -n 1)
if [ -n "$unavailable" ]; then
    expect_error "unavailable backend $unavailable (validate)" 1 "not available" validate --backend "$unavailable"
    expect_error "unavailable backend $unavailable (forward)" 1 "not available" forward --model "$M" --tokens 1 --backend "$unavailable"
else
    echo "note: every backend compiled in is available here; the unavailable-backend case is covered by the not-compiled-in one"
fi

# --- tokens -----------------------------------------------------------------------
expect_error "non-numeric token" 2 "not a non-negative integer" forward --model "$M" --tokens 1,x,3
expect_error "negative token" 2 "not a non-negative integer" forward --model "$M" --tokens 1,-2
expect_error "empty token" 2 "empty token" forward --model "$M" --tokens 1,,3
expect_error "trailing comma" 2 "empty token" forward --model "$M" --tokens 1,2,
expect_error "token with spaces" 2 "not a non-negative integer" forward --model "$M" --tokens "1, 2"
expect_error "huge token" 2 "too large" forward --model "$M" --tokens 99999999999999999999
expect_error "out-of-vocab token" 2 "outside the vocabulary" forward --model "$M" --tokens 1,256
expect_error "bad mode" 2 "mode" forward --model "$M" --tokens 1 --mode sideways
expect_error "missing --tokens" 2 "required" forward --model "$M"

# --- broken model directories -------------------------------------------------------
expect_error "missing model dir" 1 "no-such-dir" forward --model "$SCRATCH/no-such-dir" --tokens 1
B=$(copy_model malformed_config)
printf '{"vocab_size": 256, "hidden_size": ' >"$B/config.json"
expect_error "malformed config.json" 1 "config" forward --model "$B" --tokens 1
expect_error "malformed config.json (memory)" 1 "config" memory --model "$B" --context 10
B=$(copy_model no_config)
rm -f "$B/config.json"
expect_error "missing config.json" 1 "config" forward --model "$B" --tokens 1
B=$(copy_model truncated)
head -c 100000 "$M/model.safetensors" >"$B/model.safetensors"
expect_error "truncated model.safetensors" 1 "safetensors" forward --model "$B" --tokens 1
B=$(copy_model truncated_header)
head -c 5 "$M/model.safetensors" >"$B/model.safetensors"
expect_error "model.safetensors shorter than its header" 1 "safetensors" forward --model "$B" --tokens 1
B=$(copy_model no_weights)
rm -f "$B/model.safetensors"
expect_error "missing model.safetensors" 1 "safetensors" forward --model "$B" --tokens 1
# Wrong shape, same size: conv1d weight [128,1,4] relabelled [1,128,4] in
# the header (same length, so the file stays consistent).
B=$(copy_model wrong_shape)
LC_ALL=C sed -i '0,/"shape":\[128,1,4\]/s//"shape":[1,128,4]/' "$B/model.safetensors"
if cmp -s "$M/model.safetensors" "$B/model.safetensors"; then
    bad "wrong-shape tensor: could not rewrite the header"
else
    expect_error "wrong-shape tensor" 1 "conv1d.weight" forward --model "$B" --tokens 1
fi
# A config that disagrees with the tensors (vocab 300 against a [256, 64] embedding).
B=$(copy_model config_mismatch)
sed -i 's/"vocab_size": *256/"vocab_size": 300/' "$B/config.json"
expect_error "config disagrees with tensor shapes" 1 "embed_tokens" forward --model "$B" --tokens 1
B=$(copy_model bad_value)
sed -i 's/"num_attention_heads": *4/"num_attention_heads": 0/' "$B/config.json"
expect_error "impossible config value" 1 "num_attention_heads" forward --model "$B" --tokens 1

# --- memory -----------------------------------------------------------------------
expect_error "memory without --context" 2 "--context" memory --preset tiny
expect_error "memory with two sources" 2 "exactly one" memory --preset tiny --model "$M" --context 1
expect_error "memory bad context" 2 "not an integer" memory --preset tiny --context 1e6
expect_error "memory negative context" 2 "context" memory --preset tiny --context -5
expect_error "memory missing config file" 1 "no-such.json" memory --config "$SCRATCH/no-such.json" --context 1

# --- output -----------------------------------------------------------------------
expect_error "forward into a missing directory" 1 "no-such-dir" forward --model "$M" --tokens 1 --out "$SCRATCH/no-such-dir/logits.f32"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
