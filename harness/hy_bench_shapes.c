/* hy_bench_shapes.c — benchmark shapes: derived from a model config,
 * parsed from --shape strings, and reduced for validation.  See hy_bench.h. */
#include "hy_bench.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *hy_phase_name(hy_phase p)
{
    return p == HY_PHASE_DECODE ? "decode" : "prefill";
}

static const char *state_name(hy_val_state s)
{
    switch (s) {
    case HY_VAL_STATE_NULL: return "null";
    case HY_VAL_STATE_ZERO: return "zero";
    default: return "random";
    }
}

void hy_bench_shape_params(const hy_val_shape *v, char *buf, size_t len)
{
#define L(x) ((long long)(x))
    switch (v->family) {
    case HY_FAM_LINEAR: {
        const hy_linear_shape *s = &v->s.linear;
        /* the storage key only when it is not f32, so fp32 names (baseline keys) stay as they were */
        snprintf(buf, len, "T=%lld,in=%lld,out=%lld,bias=%d%s%s", L(s->T), L(s->in), L(s->out),
                 s->has_bias, s->w_dtype != HY_F32 ? ",w=" : "",
                 s->w_dtype != HY_F32 ? hy_dtype_name(s->w_dtype) : "");
        break;
    }
    case HY_FAM_RMSNORM:
        snprintf(buf, len, "T=%lld,D=%lld", L(v->s.rmsnorm.T), L(v->s.rmsnorm.D));
        break;
    case HY_FAM_CONV1D: {
        const hy_conv1d_shape *s = &v->s.conv1d;
        snprintf(buf, len, "T=%lld,C=%lld,K=%lld,bias=%d,silu=%d,state=%s", L(s->T), L(s->C), L(s->K),
                 s->has_bias, s->silu, state_name(v->state));
        break;
    }
    case HY_FAM_SCAN: {
        const hy_scan_shape *s = &v->s.scan;
        snprintf(buf, len, "T=%lld,D=%lld,N=%lld,z=%d,dt_bias=%d,state=%s", L(s->T), L(s->D), L(s->N),
                 s->has_z, s->has_dt_bias, state_name(v->state));
        break;
    }
    case HY_FAM_SSD: {
        const hy_ssd_shape *s = &v->s.ssd;
        snprintf(buf, len, "T=%lld,H=%lld,P=%lld,G=%lld,N=%lld,chunk=%lld,z=%d,D=%d,dt_bias=%d,state=%s",
                 L(s->T), L(s->H), L(s->P), L(s->G), L(s->N), L(s->chunk), s->has_z, s->has_D,
                 s->has_dt_bias, state_name(v->state));
        break;
    }
    case HY_FAM_ATTENTION: {
        const hy_attention_shape *s = &v->s.attention;
        snprintf(buf, len, "T=%lld,nH=%lld,nKV=%lld,hd=%lld,pos0=%lld,cap=%lld,window=%lld%s%s",
                 L(s->T), L(s->nH), L(s->nKV), L(s->hd), L(s->pos0), L(s->cap), L(s->window),
                 s->kv_dtype != HY_F32 ? ",kv=" : "",
                 s->kv_dtype != HY_F32 ? hy_dtype_name(s->kv_dtype) : "");
        break;
    }
    case HY_FAM_MOE: {
        const hy_moe_shape *s = &v->s.moe;
        snprintf(buf, len, "T=%lld,H=%lld,I=%lld,E=%lld,k=%lld", L(s->T), L(s->H), L(s->I), L(s->E),
                 L(s->k));
        break;
    }
    case HY_FAM_MLP:
        snprintf(buf, len, "T=%lld,H=%lld,I=%lld", L(v->s.mlp.T), L(v->s.mlp.H), L(v->s.mlp.I));
        break;
    default: snprintf(buf, len, "?"); break;
    }
#undef L
}

/* ---- derivation --------------------------------------------------------------- */

typedef struct derive_ctx {
    const hy_config *c;
    const char *preset;
    hy_phase phase;
    int64_t L, T;
    hy_bench_shape *out;
    size_t max, n;
} derive_ctx;

static void emit(derive_ctx *d, const char *role, hy_val_shape v)
{
    if (d->n >= d->max) {
        d->n++;
        return;
    }
    hy_bench_shape *s = &d->out[d->n++];
    memset(s, 0, sizeof *s);
    v.quick = 0;
    v.strided = 0;
    snprintf(v.label, sizeof v.label, "%s", role);
    s->v = v;
    s->phase = d->phase;
    snprintf(s->role, sizeof s->role, "%s", role);
    char params[160];
    hy_bench_shape_params(&v, params, sizeof params);
    snprintf(s->name, sizeof s->name, "%s/%s/L=%lld/%s/%s", d->preset, hy_phase_name(d->phase),
             (long long)d->L, role, params);
}

static void linear(derive_ctx *d, const char *role, int64_t in, int64_t out, int bias)
{
    hy_val_shape v = {.family = HY_FAM_LINEAR};
    v.s.linear = (hy_linear_shape){.T = d->T, .in = in, .out = out, .has_bias = bias};
    emit(d, role, v);
}

static void rmsnorm(derive_ctx *d, const char *role, int64_t D)
{
    hy_val_shape v = {.family = HY_FAM_RMSNORM};
    v.s.rmsnorm = (hy_rmsnorm_shape){.T = d->T, .D = D, .eps = (float)d->c->rms_eps};
    emit(d, role, v);
}

int hy_bench_derive(const hy_config *cfg, const char *preset, hy_family f, hy_phase phase,
                    int64_t L, hy_bench_shape *out, size_t max, size_t *n, char *why,
                    size_t why_len, hy_error *err)
{
    *n = 0;
    if (why_len) why[0] = 0;
    if (L < 1) return hy_fail(err, "sequence length %lld must be >= 1", (long long)L);
    hy_config c = *cfg;
    if (hy_config_validate(&c, err)) return -1;
    derive_ctx d = {.c = &c, .preset = preset ? preset : c.name, .phase = phase, .L = L,
                    .T = phase == HY_PHASE_DECODE ? 1 : L, .out = out, .max = max};
    int64_t attn = hy_config_count_attention_layers(&c);
    int64_t mamba = c.n_layers - attn, moe_layers = 0;
    for (int64_t i = 0; i < c.n_layers; i++) moe_layers += hy_layer_experts(&c, i) > 1;
    int64_t dense_layers = c.n_layers - moe_layers;
    hy_val_state state = phase == HY_PHASE_DECODE ? HY_VAL_STATE_RANDOM : HY_VAL_STATE_ZERO;
    int64_t H = c.hidden, Di = c.d_inner, R = c.dt_rank, N = c.d_state;
    const char *absent = NULL;
    switch (f) {
    case HY_FAM_LINEAR:
        if (mamba > 0) {
            linear(&d, "in_proj", H, 2 * Di, c.proj_bias);
            linear(&d, "x_proj", Di, R + 2 * N, 0);
            linear(&d, "dt_proj", R, Di, 0);
            linear(&d, "out_proj", Di, H, c.proj_bias);
        }
        if (attn > 0) {
            linear(&d, "q_proj", H, c.n_heads * c.head_dim, 0);
            linear(&d, "kv_proj", H, c.n_kv_heads * c.head_dim, 0);
            linear(&d, "o_proj", c.n_heads * c.head_dim, H, 0);
        }
        break;
    case HY_FAM_RMSNORM:
        rmsnorm(&d, "layernorm", H);
        if (mamba > 0) {
            rmsnorm(&d, "dt_layernorm", R);
            rmsnorm(&d, "bc_layernorm", N);
        }
        break;
    case HY_FAM_CONV1D:
        if (mamba == 0) absent = "it has no Mamba layers";
        else {
            hy_val_shape v = {.family = HY_FAM_CONV1D, .state = state};
            v.s.conv1d = (hy_conv1d_shape){.T = d.T, .C = Di, .K = c.d_conv, .has_bias = c.conv_bias,
                                           .silu = 1};
            emit(&d, "conv1d", v);
        }
        break;
    case HY_FAM_SCAN:
        if (mamba == 0) absent = "it has no Mamba layers";
        else {
            hy_val_shape v = {.family = HY_FAM_SCAN, .state = state};
            v.s.scan = (hy_scan_shape){.T = d.T, .D = Di, .N = N, .has_z = 1, .has_dt_bias = 1};
            emit(&d, "scan", v);
        }
        break;
    case HY_FAM_SSD: absent = "Jamba's Mamba layers are Mamba-1 (scan); ssd is Mamba-2"; break;
    case HY_FAM_ATTENTION:
        if (attn == 0) absent = "it has no attention layers";
        else {
            hy_val_shape v = {.family = HY_FAM_ATTENTION};
            int64_t pos0 = phase == HY_PHASE_DECODE ? L : 0;
            v.s.attention = (hy_attention_shape){
                .T = d.T, .nH = c.n_heads, .nKV = c.n_kv_heads, .hd = c.head_dim, .pos0 = pos0,
                .cap = pos0 + d.T, .window = c.sliding_window,
                .scale = (float)(1.0 / sqrt((double)c.head_dim))};
            emit(&d, "attention", v);
        }
        break;
    case HY_FAM_MOE:
        if (moe_layers == 0) absent = "it has no MoE layers (num_experts 1 or no expert layer)";
        else {
            hy_val_shape v = {.family = HY_FAM_MOE};
            v.s.moe = (hy_moe_shape){.T = d.T, .H = H, .I = c.intermediate, .E = c.n_experts,
                                     .k = c.top_k};
            emit(&d, "moe", v);
        }
        break;
    case HY_FAM_MLP:
        if (dense_layers == 0) absent = "every FFN layer is a MoE layer";
        else {
            hy_val_shape v = {.family = HY_FAM_MLP};
            v.s.mlp = (hy_mlp_shape){.T = d.T, .H = H, .I = c.intermediate};
            emit(&d, "mlp", v);
        }
        break;
    default: return hy_fail(err, "unknown kernel family %d", (int)f);
    }
    if (d.n > max) return hy_fail(err, "%zu shapes do not fit in %zu", d.n, max);
    *n = d.n;
    if (absent && why_len) snprintf(why, why_len, "%s: %s", d.preset, absent);
    return 0;
}

/* ---- --shape parsing ---------------------------------------------------------------- */

typedef struct key_def {
    const char *key;
    int required;
    int64_t def;
    int64_t min, max;
} key_def;

#define BIG ((int64_t)1 << 40)
#define FLAG(k, d) {k, 0, d, 0, 1}
#define STATE_KEY "state"
#define MAX_KEYS 10

typedef struct family_keys {
    hy_family f;
    key_def keys[MAX_KEYS];
    int n;
    int has_state;
    const char *storage_key; /* the storage dtype key (f32 default, bf16), or NULL */
} family_keys;

static const family_keys family_key_table[] = {
    {HY_FAM_LINEAR, {{"T", 1, 0, 1, BIG}, {"in", 1, 0, 1, BIG}, {"out", 1, 0, 1, BIG}, FLAG("bias", 0)}, 4, 0,
     "w"},
    {HY_FAM_RMSNORM, {{"T", 1, 0, 1, BIG}, {"D", 1, 0, 1, BIG}}, 2, 0, NULL},
    {HY_FAM_CONV1D, {{"T", 1, 0, 1, BIG}, {"C", 1, 0, 1, BIG}, {"K", 1, 0, 1, 64}, FLAG("bias", 0),
                     FLAG("silu", 1)}, 5, 1, NULL},
    {HY_FAM_SCAN, {{"T", 1, 0, 1, BIG}, {"D", 1, 0, 1, BIG}, {"N", 1, 0, 1, 4096}, FLAG("z", 1),
                   FLAG("dt_bias", 1)}, 5, 1, NULL},
    {HY_FAM_SSD, {{"T", 1, 0, 1, BIG}, {"H", 1, 0, 1, BIG}, {"P", 1, 0, 1, BIG}, {"G", 1, 0, 1, BIG},
                  {"N", 1, 0, 1, 4096}, {"chunk", 0, 64, 1, BIG}, FLAG("z", 1), FLAG("D", 1),
                  FLAG("dt_bias", 1)}, 9, 1, NULL},
    {HY_FAM_ATTENTION, {{"T", 1, 0, 1, BIG}, {"nH", 1, 0, 1, 4096}, {"nKV", 1, 0, 1, 4096},
                        {"hd", 1, 0, 1, 4096}, {"pos0", 0, 0, 0, BIG}, {"cap", 0, -1, 1, BIG},
                        {"window", 0, 0, 0, BIG}}, 7, 0, "kv"},
    {HY_FAM_MOE, {{"T", 1, 0, 1, BIG}, {"H", 1, 0, 1, BIG}, {"I", 1, 0, 1, BIG}, {"E", 1, 0, 1, 4096},
                  {"k", 1, 0, 1, 4096}}, 5, 0, NULL},
    {HY_FAM_MLP, {{"T", 1, 0, 1, BIG}, {"H", 1, 0, 1, BIG}, {"I", 1, 0, 1, BIG}}, 3, 0, NULL},
};

static int parse_value(const char *key, const char *s, size_t len, const key_def *k, int64_t *out,
                       hy_error *err)
{
    char buf[32];
    if (len == 0) return hy_fail(err, "key '%s' has no value", key);
    if (len >= sizeof buf) return hy_fail(err, "value of '%s' is too long", key);
    memcpy(buf, s, len);
    buf[len] = 0;
    for (size_t i = 0; i < len; i++)
        if (buf[i] < '0' || buf[i] > '9')
            return hy_fail(err, "value of '%s' is '%s', not a non-negative decimal integer", key, buf);
    errno = 0;
    long long v = strtoll(buf, NULL, 10);
    if (errno == ERANGE || v < k->min || v > k->max)
        return hy_fail(err, "value of '%s' is %s, outside [%lld, %lld]", key, buf, (long long)k->min,
                       (long long)k->max);
    *out = v;
    return 0;
}

int hy_bench_parse_shape(const char *text, hy_bench_shape *out, hy_error *err)
{
    memset(out, 0, sizeof *out);
    const char *colon = text ? strchr(text, ':') : NULL;
    if (!colon)
        return hy_fail(err, "shape '%s': expected family:key=value,... (e.g. scan:T=2048,D=8192,N=16)",
                       text ? text : "");
    char fam[32];
    size_t flen = (size_t)(colon - text);
    if (flen == 0 || flen >= sizeof fam) return hy_fail(err, "shape '%s': no family before ':'", text);
    memcpy(fam, text, flen);
    fam[flen] = 0;
    hy_family f;
    if (hy_family_parse(fam, &f)) return hy_fail(err, "shape '%s': unknown family '%s'", text, fam);
    const family_keys *fk = NULL;
    for (size_t i = 0; i < sizeof family_key_table / sizeof family_key_table[0]; i++)
        if (family_key_table[i].f == f) fk = &family_key_table[i];
    if (!fk) return hy_fail(err, "shape '%s': family %s has no shape keys", text, fam);
    int64_t val[MAX_KEYS];
    int seen[MAX_KEYS] = {0}, state_seen = 0, storage_seen = 0;
    hy_val_state state = HY_VAL_STATE_ZERO;
    hy_dtype storage = HY_F32;
    const char *p = colon + 1;
    if (!*p) return hy_fail(err, "shape '%s': no keys after '%s:'", text, fam);
    while (*p) {
        const char *end = strchr(p, ',');
        if (!end) end = p + strlen(p);
        const char *eq = memchr(p, '=', (size_t)(end - p));
        if (!eq || eq == p)
            return hy_fail(err, "shape '%s': '%.*s' is not key=value", text, (int)(end - p), p);
        char key[16];
        size_t klen = (size_t)(eq - p);
        if (klen >= sizeof key) return hy_fail(err, "shape '%s': key '%.*s' is unknown", text, (int)klen, p);
        memcpy(key, p, klen);
        key[klen] = 0;
        const char *vs = eq + 1;
        size_t vlen = (size_t)(end - vs);
        if (fk->has_state && strcmp(key, STATE_KEY) == 0) {
            if (state_seen) return hy_fail(err, "shape '%s': key 'state' given twice", text);
            state_seen = 1;
            if (vlen == 4 && strncmp(vs, "null", 4) == 0) state = HY_VAL_STATE_NULL;
            else if (vlen == 4 && strncmp(vs, "zero", 4) == 0) state = HY_VAL_STATE_ZERO;
            else if (vlen == 6 && strncmp(vs, "random", 6) == 0) state = HY_VAL_STATE_RANDOM;
            else return hy_fail(err, "shape '%s': state is '%.*s'; expected null, zero or random", text,
                                (int)vlen, vs);
        } else if (fk->storage_key && strcmp(key, fk->storage_key) == 0) {
            if (storage_seen) return hy_fail(err, "shape '%s': key '%s' given twice", text, key);
            storage_seen = 1;
            char name[16];
            snprintf(name, sizeof name, "%.*s", (int)(vlen < sizeof name ? vlen : sizeof name - 1), vs);
            if (vlen >= sizeof name || hy_dtype_parse(name, &storage) ||
                (storage != HY_F32 && storage != HY_BF16))
                return hy_fail(err, "shape '%s': %s is '%.*s'; expected f32 or bf16", text, key,
                               (int)vlen, vs);
        } else {
            int idx = -1;
            for (int i = 0; i < fk->n; i++)
                if (strcmp(fk->keys[i].key, key) == 0) idx = i;
            if (idx < 0) {
                char known[160] = "";
                for (int i = 0; i < fk->n; i++) {
                    strcat(known, i ? ", " : "");
                    strcat(known, fk->keys[i].key);
                }
                if (fk->has_state) strcat(known, ", state");
                if (fk->storage_key) strcat(strcat(known, ", "), fk->storage_key);
                return hy_fail(err, "shape '%s': unknown key '%s' for %s (keys: %s)", text, key, fam, known);
            }
            if (seen[idx]) return hy_fail(err, "shape '%s': key '%s' given twice", text, key);
            seen[idx] = 1;
            if (parse_value(key, vs, vlen, &fk->keys[idx], &val[idx], err))
                return hy_fail_prefix(err, "shape '%s'", text);
        }
        p = *end ? end + 1 : end;
        if (*end && !*p) return hy_fail(err, "shape '%s': trailing ','", text);
    }
    for (int i = 0; i < fk->n; i++) {
        if (seen[i]) continue;
        if (fk->keys[i].required)
            return hy_fail(err, "shape '%s': missing required key '%s'", text, fk->keys[i].key);
        val[i] = fk->keys[i].def;
    }
    hy_val_shape v = {.family = f};
    int64_t T = val[0];
    if (fk->has_state && !state_seen) state = T == 1 ? HY_VAL_STATE_RANDOM : HY_VAL_STATE_ZERO;
    v.state = state;
    switch (f) {
    case HY_FAM_LINEAR:
        v.s.linear = (hy_linear_shape){.T = T, .in = val[1], .out = val[2], .has_bias = (int)val[3],
                                       .w_dtype = storage};
        break;
    case HY_FAM_RMSNORM: v.s.rmsnorm = (hy_rmsnorm_shape){.T = T, .D = val[1], .eps = 1e-6f}; break;
    case HY_FAM_CONV1D:
        v.s.conv1d = (hy_conv1d_shape){.T = T, .C = val[1], .K = val[2], .has_bias = (int)val[3],
                                       .silu = (int)val[4]};
        break;
    case HY_FAM_SCAN:
        v.s.scan = (hy_scan_shape){.T = T, .D = val[1], .N = val[2], .has_z = (int)val[3],
                                   .has_dt_bias = (int)val[4]};
        break;
    case HY_FAM_SSD:
        v.s.ssd = (hy_ssd_shape){.T = T, .H = val[1], .P = val[2], .G = val[3], .N = val[4],
                                 .chunk = val[5], .has_z = (int)val[6], .has_D = (int)val[7],
                                 .has_dt_bias = (int)val[8]};
        break;
    case HY_FAM_ATTENTION: {
        int64_t cap = val[5] < 0 ? val[4] + T : val[5];
        v.s.attention = (hy_attention_shape){.T = T, .nH = val[1], .nKV = val[2], .hd = val[3],
                                             .pos0 = val[4], .cap = cap, .window = val[6],
                                             .scale = (float)(1.0 / sqrt((double)val[3])),
                                             .kv_dtype = storage};
        break;
    }
    case HY_FAM_MOE:
        v.s.moe = (hy_moe_shape){.T = T, .H = val[1], .I = val[2], .E = val[3], .k = val[4]};
        break;
    case HY_FAM_MLP: v.s.mlp = (hy_mlp_shape){.T = T, .H = val[1], .I = val[2]}; break;
    default: return hy_fail(err, "shape '%s': family %s cannot be benchmarked", text, fam);
    }
    /* The family's own invariants (kv heads divide heads, k <= E, ...). */
    int rc = 0;
    switch (f) {
    case HY_FAM_LINEAR: rc = hy_linear_check(&v.s.linear, err); break;
    case HY_FAM_RMSNORM: rc = hy_rmsnorm_check(&v.s.rmsnorm, err); break;
    case HY_FAM_CONV1D: rc = hy_conv1d_check(&v.s.conv1d, err); break;
    case HY_FAM_SCAN: rc = hy_scan_check(&v.s.scan, err); break;
    case HY_FAM_SSD: rc = hy_ssd_check(&v.s.ssd, err); break;
    case HY_FAM_ATTENTION: rc = hy_attention_check(&v.s.attention, err); break;
    case HY_FAM_MOE: rc = hy_moe_check(&v.s.moe, err); break;
    case HY_FAM_MLP: rc = hy_mlp_check(&v.s.mlp, err); break;
    default: break;
    }
    if (rc) return hy_fail_prefix(err, "shape '%s'", text);
    snprintf(v.label, sizeof v.label, "shape");
    out->v = v;
    out->phase = T == 1 ? HY_PHASE_DECODE : HY_PHASE_PREFILL;
    hy_bench_shape_params(&v, out->name, sizeof out->name);
    return 0;
}

/* ---- validation shape ------------------------------------------------------------------ */

static int64_t *shape_T(hy_val_shape *v)
{
    switch (v->family) {
    case HY_FAM_LINEAR: return &v->s.linear.T;
    case HY_FAM_RMSNORM: return &v->s.rmsnorm.T;
    case HY_FAM_CONV1D: return &v->s.conv1d.T;
    case HY_FAM_SCAN: return &v->s.scan.T;
    case HY_FAM_SSD: return &v->s.ssd.T;
    case HY_FAM_ATTENTION: return &v->s.attention.T;
    case HY_FAM_MOE: return &v->s.moe.T;
    case HY_FAM_MLP: return &v->s.mlp.T;
    default: return NULL;
    }
}

int hy_bench_validation_shape(const hy_val_shape *full, double flop_budget, hy_val_shape *out)
{
    *out = *full;
    int64_t *T = shape_T(out);
    if (!T || *T <= 1 || hy_val_shape_cost(out).flops <= flop_budget) return 0;
    int reduced = 0;
    while (*T > 1 && hy_val_shape_cost(out).flops > flop_budget) {
        *T = (*T + 1) / 2;
        if (out->family == HY_FAM_ATTENTION) {
            /* a prefill keeps its structure: all tokens new, a cache of T */
            int64_t extra = full->s.attention.cap - (full->s.attention.pos0 + full->s.attention.T);
            out->s.attention.cap = out->s.attention.pos0 + *T + extra;
        }
        reduced = 1;
    }
    return reduced;
}
