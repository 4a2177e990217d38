/* test_config.c — presets, layer layout, parameter counts, config.json
 * parsing and writing, validation errors, attention:Mamba ratios. */
#include "hy_config.h"
#include "hy_json.h"
#include "hy_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A v0.1-style config.json (the keys of ai21labs/Jamba-v0.1, including
 * ones hybench does not use).  One line per key so tests can drop one. */
static const char *const v01_lines[] = {
    "\"architectures\": [\"JambaForCausalLM\"]",
    "\"attention_dropout\": 0.0",
    "\"attn_layer_offset\": 4",
    "\"attn_layer_period\": 8",
    "\"bos_token_id\": 1",
    "\"eos_token_id\": 2",
    "\"expert_layer_offset\": 1",
    "\"expert_layer_period\": 2",
    "\"hidden_act\": \"silu\"",
    "\"hidden_size\": 4096",
    "\"initializer_range\": 0.02",
    "\"intermediate_size\": 14336",
    "\"mamba_conv_bias\": true",
    "\"mamba_d_conv\": 4",
    "\"mamba_d_state\": 16",
    "\"mamba_dt_rank\": 256",
    "\"mamba_expand\": 2",
    "\"mamba_proj_bias\": false",
    "\"max_position_embeddings\": 262144",
    "\"model_type\": \"jamba\"",
    "\"num_attention_heads\": 32",
    "\"num_experts\": 16",
    "\"num_experts_per_tok\": 2",
    "\"num_hidden_layers\": 32",
    "\"num_key_value_heads\": 8",
    "\"num_logits_to_keep\": 1",
    "\"output_router_logits\": false",
    "\"pad_token_id\": 0",
    "\"rms_norm_eps\": 1e-06",
    "\"router_aux_loss_coef\": 0.001",
    "\"sliding_window\": null",
    "\"tie_word_embeddings\": false",
    "\"torch_dtype\": \"bfloat16\"",
    "\"transformers_version\": \"4.40.1\"",
    "\"use_cache\": true",
    "\"use_mamba_kernels\": true",
    "\"vocab_size\": 65536",
};

/* The v0.1 text with key `omit` left out and `first` (one or more
 * "key": value members) put in front; JSON readers take the first of
 * repeated keys, so `first` overrides. */
static char *v01_text(const char *omit, const char *first)
{
    static char buf[8192];
    size_t used = 0;
    used += (size_t)snprintf(buf + used, sizeof buf - used, "{");
    int n = 0;
    if (first) used += (size_t)snprintf(buf + used, sizeof buf - used, "%s", first), n++;
    for (size_t i = 0; i < sizeof v01_lines / sizeof v01_lines[0]; i++) {
        if (omit) {
            char key[80];
            snprintf(key, sizeof key, "\"%s\":", omit);
            if (strncmp(v01_lines[i], key, strlen(key)) == 0) continue;
        }
        used += (size_t)snprintf(buf + used, sizeof buf - used, "%s\n  %s", n ? "," : "",
                                 v01_lines[i]);
        n++;
    }
    snprintf(buf + used, sizeof buf - used, "\n}\n");
    return buf;
}

static int parse(const char *text, hy_config *c, hy_error *err)
{
    return hy_config_from_json(text, strlen(text), c, err);
}

static int same_shape(const hy_config *a, const hy_config *b)
{
    return a->vocab == b->vocab && a->hidden == b->hidden && a->n_layers == b->n_layers &&
           a->n_heads == b->n_heads && a->n_kv_heads == b->n_kv_heads &&
           a->head_dim == b->head_dim && a->intermediate == b->intermediate &&
           a->n_experts == b->n_experts && a->top_k == b->top_k && a->d_state == b->d_state &&
           a->d_conv == b->d_conv && a->expand == b->expand && a->d_inner == b->d_inner &&
           a->dt_rank == b->dt_rank && a->attn_period == b->attn_period &&
           a->attn_offset == b->attn_offset && a->expert_period == b->expert_period &&
           a->expert_offset == b->expert_offset && a->rms_eps == b->rms_eps &&
           a->tie_embeddings == b->tie_embeddings && a->conv_bias == b->conv_bias &&
           a->proj_bias == b->proj_bias && a->sliding_window == b->sliding_window &&
           a->max_positions == b->max_positions;
}

static void test_presets(void)
{
    hy_error err = {{0}};
    size_t n = 0;
    const char *const *names = hy_preset_names(&n);
    CHECK(n >= 22);
    for (size_t i = 0; i < n; i++) {
        hy_config c;
        CHECK_OK(hy_config_preset(names[i], &c, &err), &err);
        CHECK(strcmp(c.name, names[i]) == 0);
        const char *src = hy_preset_source(names[i]);
        CHECK(src && strlen(src) > 10);
        size_t len = strlen(names[i]);
        if (len > 6 && strcmp(names[i] + len - 6, "-mamba") == 0)
            CHECK(src && strstr(src, "pure-Mamba twin") != NULL &&
                  hy_config_count_attention_layers(&c) == 0);
        if (len > 12 && strcmp(names[i] + len - 12, "-transformer") == 0)
            CHECK(src && strstr(src, "pure-transformer twin") != NULL &&
                  hy_config_count_attention_layers(&c) == c.n_layers);
        CHECK(c.rms_eps == 1e-6);
        hy_config again = c;
        CHECK_OK(hy_config_validate(&again, &err), &err);
        CHECK(same_shape(&c, &again));
    }
    hy_config c;
    CHECK_FAILS(hy_config_preset("jamba-v9", &c, &err), &err, "jamba-v9");
    CHECK(hy_preset_source("nope") == NULL);
    CHECK(strstr(hy_preset_source("hybrid-3b"), "unconfirmed") != NULL);
}

static void test_v01_layout(void)
{
    hy_error err = {{0}};
    hy_config c;
    CHECK_OK(hy_config_preset("jamba-v0.1", &c, &err), &err);
    CHECK(c.head_dim == 128 && c.d_inner == 8192 && c.dt_rank == 256);
    for (int64_t i = 0; i < 32; i++) {
        int attn = (i == 4 || i == 12 || i == 20 || i == 28);
        CHECK(hy_layer_is_attention(&c, i) == attn);
        CHECK(hy_layer_experts(&c, i) == (i % 2 == 1 ? 16 : 1));
    }
    CHECK(hy_config_count_attention_layers(&c) == 4);

    hy_config t, m;
    CHECK_OK(hy_config_preset("jamba-v0.1-transformer", &t, &err), &err);
    CHECK_OK(hy_config_preset("jamba-v0.1-mamba", &m, &err), &err);
    CHECK(hy_config_count_attention_layers(&t) == 32);
    CHECK(hy_config_count_attention_layers(&m) == 0);
    CHECK(m.attn_period == 33 && m.attn_offset == 32);
    for (int64_t i = 0; i < 32; i++)
        CHECK(hy_layer_experts(&t, i) == hy_layer_experts(&c, i) &&
              hy_layer_experts(&m, i) == hy_layer_experts(&c, i));

    hy_config large;
    CHECK_OK(hy_config_preset("jamba-1.5-large", &large, &err), &err);
    CHECK(large.dt_rank == 512 && large.n_layers == 72 && large.head_dim == 128);
    CHECK(hy_config_count_attention_layers(&large) == 9);

    hy_config tr;
    CHECK_OK(hy_config_preset("jamba-tiny-random", &tr, &err), &err);
    CHECK(tr.hidden == 128 && tr.head_dim == 64 && tr.dt_rank == 8 && tr.intermediate == 14336);
    CHECK(hy_layer_is_attention(&tr, 2) && hy_layer_is_attention(&tr, 6) &&
          hy_config_count_attention_layers(&tr) == 2);

    hy_config h3;
    CHECK_OK(hy_config_preset("hybrid-3b", &h3, &err), &err);
    CHECK(h3.n_experts == 1 && h3.head_dim == 128 && hy_config_count_attention_layers(&h3) == 4);
    hy_param_count p3 = hy_config_params(&h3);
    CHECK(p3.total > 2.5e9 && p3.total < 3.5e9 && p3.active == p3.total);
}

static void test_params(void)
{
    hy_error err = {{0}};
    hy_config c;
    /* Published: 51.57B total, 12.11B active (jamba-semantics §8). */
    CHECK_OK(hy_config_preset("jamba-v0.1", &c, &err), &err);
    hy_param_count p = hy_config_params(&c);
    CHECK_NEAR(p.total / 1e9, 51.57, 0.01);
    CHECK_NEAR(p.active / 1e9, 12.11, 0.01);
    /* Jamba-1.5-Large: 398.6B / 94.1B by the same table (semantics §12). */
    CHECK_OK(hy_config_preset("jamba-1.5-large", &c, &err), &err);
    p = hy_config_params(&c);
    CHECK_NEAR(p.total / 1e9, 398.6, 0.1);
    CHECK_NEAR(p.active / 1e9, 94.1, 0.1);

    /* tiny by hand: V256 H64 L8 nH4 nKV2 hd16 I96 E4 k2 N16 K4 Di128 R4,
     * attention at 2 and 6, MoE at 1,3,5,7, conv bias, untied.
     *   embed + lm_head + final norm   16384 + 16384 + 64        =  32832
     *   layer norms                    8 x 128                   =   1024
     *   attention (q 4096, k/v 2048 each, o 4096) x 2             =  24576
     *   mamba (in 16384, conv 512 + 128, x_proj 4608, dt 512 + 128,
     *          A 2048, D 128, out 8192, norms 36 = 32676) x 6     = 196056
     *   dense MLP 3 x 96 x 64 = 18432, x 4                        =  73728
     *   MoE (router 256 + 4 x 18432) x 4                          = 295936
     *   total 624152; active = total - 4 layers x 2 x 18432 = 476696 */
    CHECK_OK(hy_config_preset("tiny", &c, &err), &err);
    p = hy_config_params(&c);
    CHECK(p.total == 624152);
    CHECK(p.active == 476696);
    /* tiny-bias: + (2 x 128 + 64) x 6 projection biases, - 16384 tied lm_head. */
    CHECK_OK(hy_config_preset("tiny-bias", &c, &err), &err);
    CHECK(hy_config_params(&c).total == 624152 + 1920 - 16384);
    /* tiny-dense: MoE layers become dense: 8 x 18432 MLP, nothing inactive. */
    CHECK_OK(hy_config_preset("tiny-dense", &c, &err), &err);
    p = hy_config_params(&c);
    CHECK(p.total == 32832 + 1024 + 24576 + 196056 + 8 * 18432);
    CHECK(p.active == p.total);

    /* Every preset's spec list agrees with its parameter count. */
    size_t n = 0;
    const char *const *names = hy_preset_names(&n);
    for (size_t i = 0; i < n; i++) {
        CHECK_OK(hy_config_preset(names[i], &c, &err), &err);
        CHECK(hy_config_params(&c).active <= hy_config_params(&c).total);
    }
}

static void test_from_json(void)
{
    hy_error err = {{0}};
    hy_config c, v01;
    CHECK_OK(hy_config_preset("jamba-v0.1", &v01, &err), &err);
    CHECK_OK(parse(v01_text(NULL, NULL), &c, &err), &err);
    CHECK(same_shape(&c, &v01));
    CHECK(strcmp(c.name, "config.json") == 0);

    /* "auto" dt_rank = ceil(H / 16): 4096 -> 256, 100 -> 7. */
    CHECK_OK(parse(v01_text("mamba_dt_rank", "\"mamba_dt_rank\": \"auto\""), &c, &err), &err);
    CHECK(c.dt_rank == 256);
    CHECK_OK(parse(v01_text(NULL, "\"mamba_dt_rank\": \"auto\", \"hidden_size\": 100, "
                                  "\"num_attention_heads\": 4, \"num_key_value_heads\": 2"),
                   &c, &err),
             &err);
    CHECK(c.dt_rank == 7 && c.head_dim == 25 && c.d_inner == 200);

    /* Only the required keys: JambaConfig's defaults fill the rest. */
    const char *minimal = "{\"hidden_size\": 512, \"num_hidden_layers\": 16, "
                          "\"num_attention_heads\": 8, \"intermediate_size\": 1024, "
                          "\"vocab_size\": 1000}";
    CHECK_OK(parse(minimal, &c, &err), &err);
    CHECK(c.n_kv_heads == 8 && c.n_experts == 16 && c.top_k == 2 && c.d_state == 16 &&
          c.d_conv == 4 && c.expand == 2 && c.dt_rank == 32 && c.attn_period == 8 &&
          c.attn_offset == 4 && c.expert_period == 2 && c.expert_offset == 1 &&
          c.rms_eps == 1e-6 && !c.tie_embeddings && c.conv_bias && !c.proj_bias &&
          c.sliding_window == 0 && c.max_positions == 262144 && c.head_dim == 64);

    /* num_experts 1 without num_experts_per_tok: a dense model, top_k 1. */
    CHECK_OK(parse(v01_text("num_experts_per_tok", "\"num_experts\": 1"), &c, &err), &err);
    CHECK(c.n_experts == 1 && c.top_k == 1);

    /* Explicit head_dim, sliding window, 4096.0 as an integer, legacy keys. */
    CHECK_OK(parse(v01_text(NULL, "\"head_dim\": 64, \"sliding_window\": 4096, "
                                  "\"hidden_size\": 4096.0, \"mamba_inner_layernorms\": true, "
                                  "\"n_ctx\": 262144, \"_name_or_path\": \"my/jamba\""),
                   &c, &err),
             &err);
    CHECK(c.head_dim == 64 && c.sliding_window == 4096 && c.hidden == 4096);
    CHECK(strcmp(c.name, "my/jamba") == 0);

    /* From a file. */
    char path[1200];
    snprintf(path, sizeof path, "%s/config.json", hy_test_tmpdir("test_config"));
    const char *text = v01_text(NULL, NULL);
    CHECK_OK(hy_write_file_atomic(path, text, strlen(text), &err), &err);
    CHECK_OK(hy_config_load(path, &c, &err), &err);
    CHECK(same_shape(&c, &v01));
    snprintf(path, sizeof path, "%s/absent.json", hy_test_tmpdir("test_config"));
    CHECK(hy_config_load(path, &c, &err) != 0);
}

static void test_invalid(void)
{
    hy_error err = {{0}};
    hy_config c;
    static const char *const required[] = {"hidden_size", "num_hidden_layers",
                                           "num_attention_heads", "intermediate_size",
                                           "vocab_size"};
    for (size_t i = 0; i < 5; i++)
        CHECK_FAILS(parse(v01_text(required[i], NULL), &c, &err), &err, required[i]);

    struct { const char *first, *needle; } bad[] = {
        {"\"attn_layer_offset\": 8", "attn_layer_offset"},
        {"\"attn_layer_offset\": -1", "attn_layer_offset"},
        {"\"attn_layer_period\": 0", "attn_layer_period"},
        {"\"expert_layer_offset\": 2", "expert_layer_offset"},
        {"\"num_key_value_heads\": 3", "num_key_value_heads"},
        {"\"num_key_value_heads\": 64", "num_key_value_heads"},
        {"\"num_attention_heads\": 3, \"num_key_value_heads\": 1", "num_attention_heads"}, /* 4096 % 3 */
        {"\"hidden_size\": 0", "hidden_size"},
        {"\"hidden_size\": -4096", "hidden_size"},
        {"\"num_hidden_layers\": 0", "num_hidden_layers"},
        {"\"intermediate_size\": 0", "intermediate_size"},
        {"\"vocab_size\": 0", "vocab_size"},
        {"\"num_experts\": 0", "num_experts"},
        {"\"mamba_d_state\": 0", "mamba_d_state"},
        {"\"mamba_d_conv\": 0", "mamba_d_conv"},
        {"\"mamba_expand\": 0", "mamba_expand"},
        {"\"mamba_dt_rank\": 0", "mamba_dt_rank"},
        {"\"num_experts_per_tok\": 17", "num_experts_per_tok"},
        {"\"num_experts_per_tok\": 0", "num_experts_per_tok"},
        {"\"rms_norm_eps\": 0", "rms_norm_eps"},
        {"\"rms_norm_eps\": -1e-6", "rms_norm_eps"},
        {"\"rms_norm_eps\": \"1e-6\"", "rms_norm_eps"},
        {"\"hidden_size\": \"4096\"", "hidden_size"},
        {"\"hidden_size\": \"4096\"", "string"},
        {"\"hidden_size\": 4096.5", "hidden_size"},
        {"\"num_hidden_layers\": true", "num_hidden_layers"},
        {"\"vocab_size\": null", "vocab_size"},
        {"\"tie_word_embeddings\": 1", "tie_word_embeddings"},
        {"\"mamba_conv_bias\": \"yes\"", "mamba_conv_bias"},
        {"\"mamba_dt_rank\": \"big\"", "mamba_dt_rank"},
        {"\"mamba_dt_rank\": [256]", "mamba_dt_rank"},
        {"\"mamba_dt_rank\": 2.5", "mamba_dt_rank"},
        {"\"sliding_window\": 0", "sliding_window"},
        {"\"sliding_window\": \"4k\"", "sliding_window"},
        {"\"head_dim\": 0", "head_dim"},
        {"\"max_position_embeddings\": 0", "max_position_embeddings"},
        {"\"model_type\": \"llama\"", "model_type"},
        {"\"mamba_inner_layernorms\": false", "mamba_inner_layernorms"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_FAILS(parse(v01_text(NULL, bad[i].first), &c, &err), &err, bad[i].needle);

    /* Malformed JSON and a non-object top level. */
    const char *junk = "{\"hidden_size\": 4096,, }";
    CHECK_FAILS(parse(junk, &c, &err), &err, "config.json");
    CHECK_FAILS(parse("[1, 2]", &c, &err), &err, "object");
    CHECK_FAILS(parse("", &c, &err), &err, "config.json");
    char *truncated = strdup(v01_text(NULL, NULL));
    truncated[strlen(truncated) / 2] = 0;
    CHECK_FAILS(parse(truncated, &c, &err), &err, "config.json");
    free(truncated);

    /* Direct validation of a struct. */
    CHECK_OK(hy_config_preset("tiny", &c, &err), &err);
    c.top_k = 5;
    CHECK_FAILS(hy_config_validate(&c, &err), &err, "num_experts_per_tok");
    CHECK_OK(hy_config_preset("tiny", &c, &err), &err);
    c.d_inner = 100;
    CHECK_FAILS(hy_config_validate(&c, &err), &err, "d_inner");
}

static void test_round_trip(void)
{
    hy_error err = {{0}};
    size_t n = 0;
    const char *const *names = hy_preset_names(&n);
    for (size_t i = 0; i < n; i++) {
        hy_config c, back;
        CHECK_OK(hy_config_preset(names[i], &c, &err), &err);
        char *text = NULL;
        CHECK_OK(hy_config_to_json(&c, &text, &err), &err);
        if (!text) continue;
        CHECK(strstr(text, "\"model_type\": \"jamba\"") != NULL);
        CHECK(strstr(text, "\"JambaForCausalLM\"") != NULL);
        CHECK_OK(parse(text, &back, &err), &err);
        CHECK(same_shape(&c, &back));
        CHECK(strcmp(c.name, back.name) == 0);
        free(text);
    }
    /* Odd values survive too: explicit head_dim, sliding window, eps. */
    hy_config c, back;
    CHECK_OK(hy_config_preset("tiny", &c, &err), &err);
    c.head_dim = 24;
    c.sliding_window = 1000;
    c.rms_eps = 1.0 / 3.0;
    c.rms_eps *= 1e-5;
    char *text = NULL;
    CHECK_OK(hy_config_to_json(&c, &text, &err), &err);
    if (text) {
        CHECK_OK(parse(text, &back, &err), &err);
        CHECK(same_shape(&c, &back));
        free(text);
    }
}

static void test_ratio(void)
{
    hy_error err = {{0}};
    hy_config v01, r;
    CHECK_OK(hy_config_preset("jamba-v0.1", &v01, &err), &err);

    CHECK_OK(hy_config_with_ratio(&v01, "0:1", &r, &err), &err);
    CHECK(hy_config_count_attention_layers(&r) == 0);
    CHECK(r.attn_offset < r.attn_period);
    CHECK_OK(hy_config_with_ratio(&v01, "1:0", &r, &err), &err);
    CHECK(hy_config_count_attention_layers(&r) == 32);
    CHECK_OK(hy_config_with_ratio(&v01, "1:7", &r, &err), &err);
    CHECK(r.attn_period == 8 && r.attn_offset == 4 && same_shape(&r, &v01));
    CHECK_OK(hy_config_with_ratio(&v01, "1:3", &r, &err), &err);
    CHECK(r.attn_period == 4 && r.attn_offset == 2 && hy_config_count_attention_layers(&r) == 8);
    CHECK_OK(hy_config_with_ratio(&v01, "1:1", &r, &err), &err);
    CHECK(r.attn_period == 2 && r.attn_offset == 1 && hy_config_count_attention_layers(&r) == 16);
    CHECK_OK(hy_config_with_ratio(&v01, "2:14", &r, &err), &err); /* = 1:7 */
    CHECK(r.attn_period == 8 && r.attn_offset == 4);
    /* Only the layout changes. */
    CHECK(r.hidden == v01.hidden && r.n_experts == v01.n_experts &&
          r.expert_period == v01.expert_period && strcmp(r.name, v01.name) == 0);

    CHECK_FAILS(hy_config_with_ratio(&v01, "2:3", &r, &err), &err, "2:3");
    CHECK_FAILS(hy_config_with_ratio(&v01, "0:0", &r, &err), &err, "0:0");
    CHECK_FAILS(hy_config_with_ratio(&v01, "17", &r, &err), &err, "17");
    CHECK_FAILS(hy_config_with_ratio(&v01, "1:x", &r, &err), &err, "1:x");
    CHECK_FAILS(hy_config_with_ratio(&v01, "-1:7", &r, &err), &err, "-1:7");
    CHECK_FAILS(hy_config_with_ratio(&v01, "1:7:1", &r, &err), &err, "1:7:1");
    hy_config tiny;
    CHECK_OK(hy_config_preset("tiny", &tiny, &err), &err);
    CHECK_FAILS(hy_config_with_ratio(&tiny, "1:15", &r, &err), &err, "no attention layer");
}

int main(void)
{
    test_presets();
    test_v01_layout();
    test_params();
    test_from_json();
    test_invalid();
    test_round_trip();
    test_ratio();
    return hy_test_finish();
}
