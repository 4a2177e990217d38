/* hy_config.c — validation, Hugging Face config.json (Jamba keys) in and
 * out, parameter counts and attention:Mamba ratios.
 *
 * config.json keys and the defaults used when a key is absent (those of
 * transformers' JambaConfig; see model/README.md):
 *   required: hidden_size, num_hidden_layers, num_attention_heads,
 *             intermediate_size, vocab_size
 *   num_key_value_heads 8, num_experts 16, num_experts_per_tok 2 (1 when
 *   num_experts is 1), mamba_d_state 16, mamba_d_conv 4, mamba_expand 2,
 *   mamba_dt_rank "auto" (= ceil(hidden/16)), attn_layer_period 8,
 *   attn_layer_offset 4, expert_layer_period 2, expert_layer_offset 1,
 *   rms_norm_eps 1e-6, tie_word_embeddings false, mamba_conv_bias true,
 *   mamba_proj_bias false, sliding_window null, max_position_embeddings
 *   262144, head_dim hidden/heads. */
#include "hy_config.h"

#include "hy_json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Upper bounds that keep every parameter count inside int64 (the largest
 * product, layers x experts x 3 x I x H, stays below 2^61). */
#define MAX_HIDDEN ((int64_t)1 << 18)
#define MAX_LAYERS ((int64_t)1 << 10)
#define MAX_VOCAB ((int64_t)1 << 22)
#define MAX_INTERMEDIATE ((int64_t)1 << 20)
#define MAX_EXPERTS ((int64_t)1 << 10)
#define MAX_D_STATE ((int64_t)1 << 12)
#define MAX_D_CONV ((int64_t)1 << 10)
#define MAX_EXPAND ((int64_t)64)
#define MAX_POSITIONS ((int64_t)1 << 40)

static int check_range(const char *key, int64_t v, int64_t lo, int64_t hi, hy_error *err)
{
    if (v < lo || v > hi)
        return hy_fail(err, "%s = %lld is out of range (must be %lld..%lld)", key, (long long)v,
                       (long long)lo, (long long)hi);
    return 0;
}

int hy_config_validate(hy_config *c, hy_error *err)
{
    if (check_range("hidden_size", c->hidden, 1, MAX_HIDDEN, err)) return -1;
    if (check_range("num_hidden_layers", c->n_layers, 1, MAX_LAYERS, err)) return -1;
    if (check_range("num_attention_heads", c->n_heads, 1, c->hidden, err)) return -1;
    if (check_range("num_key_value_heads", c->n_kv_heads, 1, c->n_heads, err)) return -1;
    if (check_range("vocab_size", c->vocab, 1, MAX_VOCAB, err)) return -1;
    if (check_range("intermediate_size", c->intermediate, 1, MAX_INTERMEDIATE, err)) return -1;
    if (check_range("num_experts", c->n_experts, 1, MAX_EXPERTS, err)) return -1;
    if (c->top_k < 1 || c->top_k > c->n_experts)
        return hy_fail(err, "num_experts_per_tok = %lld must be in 1..num_experts (%lld)",
                       (long long)c->top_k, (long long)c->n_experts);
    if (check_range("mamba_d_state", c->d_state, 1, MAX_D_STATE, err)) return -1;
    if (check_range("mamba_d_conv", c->d_conv, 1, MAX_D_CONV, err)) return -1;
    if (check_range("mamba_expand", c->expand, 1, MAX_EXPAND, err)) return -1;

    if (c->head_dim == 0) {
        if (c->hidden % c->n_heads != 0)
            return hy_fail(err,
                           "num_attention_heads = %lld does not divide hidden_size = %lld "
                           "(and no head_dim is given)",
                           (long long)c->n_heads, (long long)c->hidden);
        c->head_dim = c->hidden / c->n_heads;
    }
    if (check_range("head_dim", c->head_dim, 1, MAX_HIDDEN, err)) return -1;
    if (c->n_heads % c->n_kv_heads != 0)
        return hy_fail(err, "num_key_value_heads = %lld does not divide num_attention_heads = %lld",
                       (long long)c->n_kv_heads, (long long)c->n_heads);
    if (c->d_inner == 0) c->d_inner = c->expand * c->hidden;
    if (c->d_inner != c->expand * c->hidden)
        return hy_fail(err, "d_inner = %lld differs from mamba_expand x hidden_size = %lld",
                       (long long)c->d_inner, (long long)(c->expand * c->hidden));
    if (c->dt_rank == 0) c->dt_rank = (c->hidden + 15) / 16;
    if (check_range("mamba_dt_rank", c->dt_rank, 1, MAX_HIDDEN, err)) return -1;

    if (c->attn_period < 1)
        return hy_fail(err, "attn_layer_period = %lld must be at least 1", (long long)c->attn_period);
    if (c->attn_offset < 0 || c->attn_offset >= c->attn_period)
        return hy_fail(err, "attn_layer_offset = %lld must be in 0..attn_layer_period-1 (period %lld)",
                       (long long)c->attn_offset, (long long)c->attn_period);
    if (c->expert_period < 1)
        return hy_fail(err, "expert_layer_period = %lld must be at least 1",
                       (long long)c->expert_period);
    if (c->expert_offset < 0 || c->expert_offset >= c->expert_period)
        return hy_fail(err,
                       "expert_layer_offset = %lld must be in 0..expert_layer_period-1 (period %lld)",
                       (long long)c->expert_offset, (long long)c->expert_period);
    if (!(c->rms_eps > 0.0) || !isfinite(c->rms_eps))
        return hy_fail(err, "rms_norm_eps = %g must be a positive finite number", c->rms_eps);
    if (c->sliding_window < 0)
        return hy_fail(err, "sliding_window = %lld must be null or positive",
                       (long long)c->sliding_window);
    if (check_range("max_position_embeddings", c->max_positions, 1, MAX_POSITIONS, err)) return -1;
    c->tie_embeddings = !!c->tie_embeddings;
    c->conv_bias = !!c->conv_bias;
    c->proj_bias = !!c->proj_bias;
    if (c->name[0] == 0) snprintf(c->name, sizeof c->name, "%s", "config.json");
    return 0;
}

/* ---- config.json in --------------------------------------------------- */

/* Reads an integer key; absent → *out keeps its default (returns 0). */
static int get_int(const hy_json *root, const char *key, int64_t *out, int *present, hy_error *err)
{
    const hy_json *v = hy_json_get(root, key);
    if (present) *present = v != NULL;
    if (!v) return 0;
    if (v->type != HY_JSON_NUMBER)
        return hy_fail(err, "%s must be an integer, found %s", key, hy_json_type_name(v->type));
    if (!v->is_integer) {
        /* 4096.0 is accepted as 4096; 4096.5 or 1e30 are not. */
        if (v->number == floor(v->number) && fabs(v->number) < 9.0e15) {
            *out = (int64_t)v->number;
            return 0;
        }
        return hy_fail(err, "%s must be an integer, found %g", key, v->number);
    }
    *out = v->integer;
    return 0;
}

static int get_bool(const hy_json *root, const char *key, int *out, hy_error *err)
{
    const hy_json *v = hy_json_get(root, key);
    if (!v) return 0;
    if (v->type != HY_JSON_BOOL)
        return hy_fail(err, "%s must be true or false, found %s", key, hy_json_type_name(v->type));
    *out = v->boolean;
    return 0;
}

static int require(const hy_json *root, const char *key, hy_error *err)
{
    if (!hy_json_get(root, key)) return hy_fail(err, "config.json lacks the required key %s", key);
    return 0;
}

int hy_config_from_json(const char *text, size_t len, hy_config *out, hy_error *err)
{
    hy_json *root = NULL;
    if (hy_json_parse(text, len, &root, err) != 0) return hy_fail_prefix(err, "config.json");
    int rc = -1;
    hy_config c;
    memset(&c, 0, sizeof c);
    if (root->type != HY_JSON_OBJECT) {
        hy_fail(err, "config.json must be a JSON object, found %s", hy_json_type_name(root->type));
        goto done;
    }
    static const char *const required[] = {"hidden_size", "num_hidden_layers",
                                           "num_attention_heads", "intermediate_size",
                                           "vocab_size"};
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
        if (require(root, required[i], err)) goto done;

    const hy_json *mt = hy_json_get(root, "model_type");
    if (mt && (mt->type != HY_JSON_STRING || strcmp(mt->string, "jamba") != 0)) {
        hy_fail(err, "model_type must be \"jamba\", found %s%s%s",
                mt->type == HY_JSON_STRING ? "\"" : "",
                mt->type == HY_JSON_STRING ? mt->string : hy_json_type_name(mt->type),
                mt->type == HY_JSON_STRING ? "\"" : "");
        goto done;
    }
    const hy_json *inner = hy_json_get(root, "mamba_inner_layernorms");
    if (inner && inner->type == HY_JSON_BOOL && !inner->boolean) {
        hy_fail(err, "mamba_inner_layernorms = false is not supported (Jamba's dt/B/C norms are "
                     "always applied)");
        goto done;
    }

    /* Defaults: transformers' JambaConfig. */
    c.n_kv_heads = 8;
    c.n_experts = 16;
    c.top_k = 2;
    c.d_state = 16;
    c.d_conv = 4;
    c.expand = 2;
    c.dt_rank = 0; /* "auto" */
    c.attn_period = 8;
    c.attn_offset = 4;
    c.expert_period = 2;
    c.expert_offset = 1;
    c.rms_eps = 1e-6;
    c.tie_embeddings = 0;
    c.conv_bias = 1;
    c.proj_bias = 0;
    c.sliding_window = 0;
    c.max_positions = 262144;

    int have_top_k = 0, have_head_dim = 0;
    if (get_int(root, "hidden_size", &c.hidden, NULL, err) ||
        get_int(root, "num_hidden_layers", &c.n_layers, NULL, err) ||
        get_int(root, "num_attention_heads", &c.n_heads, NULL, err) ||
        get_int(root, "num_key_value_heads", &c.n_kv_heads, NULL, err) ||
        get_int(root, "intermediate_size", &c.intermediate, NULL, err) ||
        get_int(root, "vocab_size", &c.vocab, NULL, err) ||
        get_int(root, "num_experts", &c.n_experts, NULL, err) ||
        get_int(root, "num_experts_per_tok", &c.top_k, &have_top_k, err) ||
        get_int(root, "mamba_d_state", &c.d_state, NULL, err) ||
        get_int(root, "mamba_d_conv", &c.d_conv, NULL, err) ||
        get_int(root, "mamba_expand", &c.expand, NULL, err) ||
        get_int(root, "attn_layer_period", &c.attn_period, NULL, err) ||
        get_int(root, "attn_layer_offset", &c.attn_offset, NULL, err) ||
        get_int(root, "expert_layer_period", &c.expert_period, NULL, err) ||
        get_int(root, "expert_layer_offset", &c.expert_offset, NULL, err) ||
        get_int(root, "max_position_embeddings", &c.max_positions, NULL, err) ||
        get_bool(root, "tie_word_embeddings", &c.tie_embeddings, err) ||
        get_bool(root, "mamba_conv_bias", &c.conv_bias, err) ||
        get_bool(root, "mamba_proj_bias", &c.proj_bias, err))
        goto done;
    if (!have_top_k && c.n_experts == 1) c.top_k = 1;

    const hy_json *hd = hy_json_get(root, "head_dim");
    if (hd && hd->type != HY_JSON_NULL) {
        if (get_int(root, "head_dim", &c.head_dim, &have_head_dim, err)) goto done;
        if (c.head_dim < 1) {
            hy_fail(err, "head_dim = %lld must be positive", (long long)c.head_dim);
            goto done;
        }
    }

    const hy_json *dt = hy_json_get(root, "mamba_dt_rank");
    if (dt) {
        if (dt->type == HY_JSON_STRING) {
            if (strcmp(dt->string, "auto") != 0) {
                hy_fail(err, "mamba_dt_rank must be an integer or \"auto\", found \"%s\"",
                        dt->string);
                goto done;
            }
            c.dt_rank = 0;
        } else if (dt->type == HY_JSON_NUMBER) {
            if (get_int(root, "mamba_dt_rank", &c.dt_rank, NULL, err)) goto done;
            if (c.dt_rank < 1) {
                hy_fail(err, "mamba_dt_rank = %lld must be positive", (long long)c.dt_rank);
                goto done;
            }
        } else {
            hy_fail(err, "mamba_dt_rank must be an integer or \"auto\", found %s",
                    hy_json_type_name(dt->type));
            goto done;
        }
    }

    const hy_json *eps = hy_json_get(root, "rms_norm_eps");
    if (eps) {
        if (eps->type != HY_JSON_NUMBER) {
            hy_fail(err, "rms_norm_eps must be a number, found %s", hy_json_type_name(eps->type));
            goto done;
        }
        c.rms_eps = eps->number;
    }

    const hy_json *sw = hy_json_get(root, "sliding_window");
    if (sw && sw->type != HY_JSON_NULL) {
        if (sw->type != HY_JSON_NUMBER) {
            hy_fail(err, "sliding_window must be null or an integer, found %s",
                    hy_json_type_name(sw->type));
            goto done;
        }
        if (get_int(root, "sliding_window", &c.sliding_window, NULL, err)) goto done;
        if (c.sliding_window < 1) {
            hy_fail(err, "sliding_window = %lld must be null or positive",
                    (long long)c.sliding_window);
            goto done;
        }
    }

    const hy_json *nm = hy_json_get(root, "_name_or_path");
    if (nm && nm->type == HY_JSON_STRING && nm->len > 0)
        snprintf(c.name, sizeof c.name, "%s", nm->string);
    else
        snprintf(c.name, sizeof c.name, "%s", "config.json");

    if (hy_config_validate(&c, err) != 0) goto done;
    *out = c;
    rc = 0;
done:
    hy_json_free(root);
    return rc;
}

int hy_config_load(const char *path, hy_config *out, hy_error *err)
{
    char *text = NULL;
    size_t len = 0;
    if (hy_read_file(path, &text, &len, err) != 0) return -1;
    int rc = hy_config_from_json(text, len, out, err);
    free(text);
    if (rc != 0) return hy_fail_prefix(err, "%s", path);
    return 0;
}

/* ---- config.json out -------------------------------------------------- */

/* The shortest %.*g text that reads back as exactly x. */
static void print_double(hy_strbuf *b, double x)
{
    char buf[64];
    for (int prec = 6; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, x);
        if (strtod(buf, NULL) == x) break;
    }
    /* JSON has no bare integers-as-doubles problem, but keep a number that
     * a reader sees as a float: "1e-06" and "0.5" are fine; "1" becomes "1.0". */
    if (!strpbrk(buf, ".eEn")) {
        hy_strbuf_printf(b, "%s.0", buf);
        return;
    }
    hy_strbuf_printf(b, "%s", buf);
}

int hy_config_to_json(const hy_config *c, char **text, hy_error *err)
{
    hy_config v = *c;
    if (hy_config_validate(&v, err) != 0) return hy_fail_prefix(err, "writing config.json");
    hy_strbuf b = {0};
    hy_strbuf_printf(&b, "{\n  \"_name_or_path\": ");
    hy_strbuf_json_string(&b, v.name);
    hy_strbuf_printf(&b, ",\n  \"architectures\": [\"JambaForCausalLM\"],\n");
    hy_strbuf_printf(&b, "  \"model_type\": \"jamba\",\n");
#define PUT_INT(key, val) hy_strbuf_printf(&b, "  \"%s\": %lld,\n", key, (long long)(val))
#define PUT_BOOL(key, val) hy_strbuf_printf(&b, "  \"%s\": %s,\n", key, (val) ? "true" : "false")
    PUT_INT("vocab_size", v.vocab);
    PUT_INT("hidden_size", v.hidden);
    PUT_INT("num_hidden_layers", v.n_layers);
    PUT_INT("num_attention_heads", v.n_heads);
    PUT_INT("num_key_value_heads", v.n_kv_heads);
    if (v.head_dim * v.n_heads != v.hidden || v.hidden % v.n_heads != 0)
        PUT_INT("head_dim", v.head_dim);
    PUT_INT("intermediate_size", v.intermediate);
    PUT_INT("num_experts", v.n_experts);
    PUT_INT("num_experts_per_tok", v.top_k);
    PUT_INT("mamba_d_state", v.d_state);
    PUT_INT("mamba_d_conv", v.d_conv);
    PUT_INT("mamba_expand", v.expand);
    PUT_INT("mamba_dt_rank", v.dt_rank);
    PUT_BOOL("mamba_conv_bias", v.conv_bias);
    PUT_BOOL("mamba_proj_bias", v.proj_bias);
    PUT_INT("attn_layer_period", v.attn_period);
    PUT_INT("attn_layer_offset", v.attn_offset);
    PUT_INT("expert_layer_period", v.expert_period);
    PUT_INT("expert_layer_offset", v.expert_offset);
    PUT_BOOL("tie_word_embeddings", v.tie_embeddings);
    PUT_INT("max_position_embeddings", v.max_positions);
    if (v.sliding_window > 0)
        PUT_INT("sliding_window", v.sliding_window);
    else
        hy_strbuf_printf(&b, "  \"sliding_window\": null,\n");
#undef PUT_INT
#undef PUT_BOOL
    hy_strbuf_printf(&b, "  \"hidden_act\": \"silu\",\n  \"use_mamba_kernels\": false,\n");
    hy_strbuf_printf(&b, "  \"rms_norm_eps\": ");
    print_double(&b, v.rms_eps);
    hy_strbuf_printf(&b, "\n}\n");
    if (b.failed || !b.data) {
        hy_strbuf_free(&b);
        return hy_fail(err, "writing config.json: out of memory");
    }
    *text = b.data; /* ownership passes to the caller */
    return 0;
}

/* ---- parameter counts ------------------------------------------------- */

static int64_t mamba_layer_params(const hy_config *c)
{
    int64_t H = c->hidden, Di = c->d_inner, N = c->d_state, K = c->d_conv, R = c->dt_rank;
    int64_t n = 2 * Di * H                   /* in_proj          */
                + Di * K                     /* conv1d.weight    */
                + (R + 2 * N) * Di           /* x_proj           */
                + Di * R + Di                /* dt_proj + bias   */
                + Di * N + Di                /* A_log, D         */
                + H * Di                     /* out_proj         */
                + R + 2 * N;                 /* dt/b/c layernorms */
    if (c->proj_bias) n += 2 * Di + H;
    if (c->conv_bias) n += Di;
    return n;
}

hy_param_count hy_config_params(const hy_config *c0)
{
    hy_param_count pc = {0, 0};
    hy_config cfg = *c0;
    if (hy_config_validate(&cfg, NULL) != 0) return pc;
    const hy_config *c = &cfg;
    int64_t H = c->hidden, V = c->vocab, I = c->intermediate, hd = c->head_dim;
    int64_t attn = c->n_heads * hd * H * 2 + c->n_kv_heads * hd * H * 2;
    int64_t expert = 3 * I * H;
    int64_t total = V * H + H + (c->tie_embeddings ? 0 : V * H);
    int64_t inactive = 0;
    for (int64_t i = 0; i < c->n_layers; i++) {
        total += 2 * H;
        total += hy_layer_is_attention(c, i) ? attn : mamba_layer_params(c);
        int64_t E = hy_layer_experts(c, i);
        if (E > 1) {
            total += E * H + E * expert;
            inactive += (E - c->top_k) * expert;
        } else {
            total += expert;
        }
    }
    pc.total = total;
    pc.active = total - inactive;
    return pc;
}

/* ---- attention:Mamba ratios ------------------------------------------- */

static int64_t gcd64(int64_t a, int64_t b)
{
    while (b) {
        int64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

int hy_config_with_ratio(const hy_config *base, const char *ratio, hy_config *out, hy_error *err)
{
    hy_config c = *base;
    if (hy_config_validate(&c, err) != 0) return -1;
    if (!ratio) return hy_fail(err, "ratio: missing (want \"a:m\", e.g. 1:7)");
    char *end = NULL;
    long long a = strtoll(ratio, &end, 10);
    if (end == ratio || *end != ':' || a < 0 || ratio[0] == '-' || ratio[0] == '+')
        return hy_fail(err, "ratio \"%s\": want \"attention:mamba\" such as 1:7", ratio);
    const char *ms = end + 1;
    long long m = strtoll(ms, &end, 10);
    if (end == ms || *end != 0 || m < 0 || ms[0] == '-' || ms[0] == '+')
        return hy_fail(err, "ratio \"%s\": want \"attention:mamba\" such as 1:7", ratio);
    if (a == 0 && m == 0) return hy_fail(err, "ratio \"%s\": both parts are zero", ratio);
    if (a > MAX_LAYERS * 2 || m > MAX_LAYERS * 2)
        return hy_fail(err, "ratio \"%s\": parts larger than any model's layer count", ratio);
    if (a == 0) { /* pure Mamba: no layer index reaches offset L */
        c.attn_period = c.n_layers + 1;
        c.attn_offset = c.n_layers;
    } else if (m == 0) { /* pure transformer */
        c.attn_period = 1;
        c.attn_offset = 0;
    } else {
        int64_t g = gcd64(a, m);
        int64_t ra = a / g, rm = m / g;
        if (ra != 1)
            return hy_fail(err,
                           "ratio \"%s\" is not supported: only 0:1, 1:0 and 1:m layouts (one "
                           "attention layer per period of 1+m) can be written as a Jamba "
                           "period/offset",
                           ratio);
        c.attn_period = 1 + rm;
        c.attn_offset = c.attn_period / 2; /* 1:7 -> 8/4 as in Jamba */
        if (c.attn_offset >= c.n_layers)
            return hy_fail(err, "ratio \"%s\" puts no attention layer in a %lld-layer model", ratio,
                           (long long)c.n_layers);
    }
    if (hy_config_validate(&c, err) != 0) return -1;
    *out = c;
    return 0;
}
