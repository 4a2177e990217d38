/* hy_runtime_alloc.c — building a runtime: the kernel variant per family,
 * the weights in backend memory (host backends use the host pointers in
 * place), the caches, the scratch activations and the workspace; and
 * reset, queries and destroy. */
#include "hy_config.h"
#include "hy_runtime_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- device allocations -------------------------------------------------- */

static int track(hy_runtime *rt, void *ptr, hy_error *err)
{
    if (rt->n_allocs == rt->cap_allocs) {
        size_t cap = rt->cap_allocs ? 2 * rt->cap_allocs : 64;
        void **grown = realloc(rt->allocs, cap * sizeof *grown);
        if (!grown) {
            rt->b->free(rt->ex, ptr);
            return hy_fail(err, "out of host memory for the allocation list");
        }
        rt->allocs = grown;
        rt->cap_allocs = cap;
    }
    rt->allocs[rt->n_allocs++] = ptr;
    return 0;
}

/* Bytes of `count` floats, or -1 when that does not fit a size_t. */
static int float_bytes(int64_t count, size_t *bytes, const char *what, hy_error *err)
{
    if (count < 0 || (uint64_t)count > SIZE_MAX / sizeof(float))
        return hy_fail(err, "%s: %lld floats do not fit in memory", what, (long long)count);
    *bytes = (size_t)count * sizeof(float);
    return 0;
}

/* Product a*b*c of non-negative sizes, -1 on int64 overflow. */
static int mul3(int64_t a, int64_t b, int64_t c, int64_t *out, const char *what, hy_error *err)
{
    if (a < 0 || b < 0 || c < 0) return hy_fail(err, "%s: negative size", what);
    if ((a != 0 && b > INT64_MAX / a) || (a * b != 0 && c > INT64_MAX / (a * b)))
        return hy_fail(err, "%s: size %lld x %lld x %lld overflows", what, (long long)a,
                       (long long)b, (long long)c);
    *out = a * b * c;
    return 0;
}

/* A device buffer of count floats; zeroed when zero is set. */
static int alloc_floats(hy_runtime *rt, int64_t count, int zero, float **out, const char *what,
                        hy_error *err)
{
    size_t bytes = 0;
    if (float_bytes(count, &bytes, what, err)) return -1;
    if (bytes == 0) bytes = sizeof(float);
    void *p = rt->b->alloc(rt->ex, bytes, err);
    if (!p) return hy_fail_prefix(err, "allocating %s (%zu bytes) on backend %s", what, bytes,
                                  rt->b->name);
    if (track(rt, p, err)) return -1;
    if (zero && rt->b->memset_zero(rt->ex, p, bytes, err))
        return hy_fail_prefix(err, "zeroing %s", what);
    *out = p;
    return 0;
}

/* The device copy of a host weight of count floats: the host pointer
 * itself on host-memory backends, an uploaded copy otherwise. */
static int device_weight(hy_runtime *rt, const float *host, int64_t count, const float **out,
                         const char *what, hy_error *err)
{
    if (!host) return hy_fail(err, "weight %s is missing (NULL)", what);
    if (rt->b->host_memory) {
        *out = host;
        return 0;
    }
    size_t bytes = 0;
    float *dev = NULL;
    if (float_bytes(count, &bytes, what, err) || alloc_floats(rt, count, 0, &dev, what, err))
        return -1;
    if (rt->b->upload(rt->ex, dev, host, bytes, err))
        return hy_fail_prefix(err, "uploading %s", what);
    *out = dev;
    return 0;
}

/* A = -expf(A_log) [count] on the backend, computed once at load so that
 * the scan may read it instead of an exponential per state element and
 * call (kernels/hy_scan.h). */
static int derived_neg_exp(hy_runtime *rt, const float *A_log, int64_t count, const float **out,
                           const char *what, hy_error *err)
{
    if (!A_log) return hy_fail(err, "weight %s is missing (NULL)", what);
    size_t bytes = 0;
    float *dst = NULL;
    if (float_bytes(count, &bytes, what, err) || alloc_floats(rt, count, 0, &dst, what, err))
        return -1;
    float *host = rt->b->host_memory ? dst : malloc(bytes ? bytes : sizeof(float));
    if (!host) return hy_fail(err, "out of memory computing %s", what);
    for (int64_t i = 0; i < count; i++) host[i] = -expf(A_log[i]);
    int rc = 0;
    if (!rt->b->host_memory) {
        rc = rt->b->upload(rt->ex, dst, host, bytes, err) ? hy_fail_prefix(err, "uploading %s", what)
                                                           : 0;
        free(host);
    }
    *out = dst;
    return rc;
}

/* Like device_weight, but NULL stays NULL unless `wanted` (a config flag
 * that says the tensor exists) is set. */
static int optional_weight(hy_runtime *rt, int wanted, const float *host, int64_t count,
                           const float **out, const char *what, hy_error *err)
{
    *out = NULL;
    if (!wanted) return 0;
    return device_weight(rt, host, count, out, what, err);
}

/* ---- weights and caches per layer ---------------------------------------- */

static int setup_attention(hy_runtime *rt, int64_t i, const hy_attn_weights *w, hy_rt_layer *ly,
                           hy_error *err)
{
    const hy_config *c = &rt->cfg;
    const int64_t H = c->hidden, qd = c->n_heads * c->head_dim, kvd = c->n_kv_heads * c->head_dim;
    int64_t cache_count = 0;
    if (device_weight(rt, w->q_proj, qd * H, &ly->attn.q_proj, "self_attn.q_proj", err) ||
        device_weight(rt, w->k_proj, kvd * H, &ly->attn.k_proj, "self_attn.k_proj", err) ||
        device_weight(rt, w->v_proj, kvd * H, &ly->attn.v_proj, "self_attn.v_proj", err) ||
        device_weight(rt, w->o_proj, H * qd, &ly->attn.o_proj, "self_attn.o_proj", err) ||
        mul3(c->n_kv_heads, rt->capacity, c->head_dim, &cache_count, "KV cache", err) ||
        alloc_floats(rt, cache_count, 1, &ly->k_cache, "K cache [nKV, capacity, hd]", err) ||
        alloc_floats(rt, cache_count, 1, &ly->v_cache, "V cache [nKV, capacity, hd]", err))
        return hy_fail_prefix(err, "layer %lld", (long long)i);
    return 0;
}

static int setup_mamba(hy_runtime *rt, int64_t i, const hy_mamba_weights *w, hy_rt_layer *ly,
                       hy_error *err)
{
    const hy_config *c = &rt->cfg;
    const int64_t H = c->hidden, Di = c->d_inner, N = c->d_state, K = c->d_conv, R = c->dt_rank;
    hy_mamba_weights *m = &ly->mamba;
    if (device_weight(rt, w->in_proj, 2 * Di * H, &m->in_proj, "mamba.in_proj", err) ||
        optional_weight(rt, c->proj_bias, w->in_proj_bias, 2 * Di, &m->in_proj_bias,
                        "mamba.in_proj.bias", err) ||
        device_weight(rt, w->conv_w, Di * K, &m->conv_w, "mamba.conv1d.weight", err) ||
        optional_weight(rt, c->conv_bias, w->conv_b, Di, &m->conv_b, "mamba.conv1d.bias", err) ||
        device_weight(rt, w->x_proj, (R + 2 * N) * Di, &m->x_proj, "mamba.x_proj", err) ||
        device_weight(rt, w->dt_proj, Di * R, &m->dt_proj, "mamba.dt_proj.weight", err) ||
        device_weight(rt, w->dt_bias, Di, &m->dt_bias, "mamba.dt_proj.bias", err) ||
        device_weight(rt, w->A_log, Di * N, &m->A_log, "mamba.A_log", err) ||
        derived_neg_exp(rt, w->A_log, Di * N, &m->A, "mamba.A (-exp(A_log))", err) ||
        device_weight(rt, w->D, Di, &m->D, "mamba.D", err) ||
        device_weight(rt, w->out_proj, H * Di, &m->out_proj, "mamba.out_proj", err) ||
        optional_weight(rt, c->proj_bias, w->out_proj_bias, H, &m->out_proj_bias,
                        "mamba.out_proj.bias", err) ||
        device_weight(rt, w->dt_norm, R, &m->dt_norm, "mamba.dt_layernorm", err) ||
        device_weight(rt, w->b_norm, N, &m->b_norm, "mamba.b_layernorm", err) ||
        device_weight(rt, w->c_norm, N, &m->c_norm, "mamba.c_layernorm", err) ||
        alloc_floats(rt, Di * K, 1, &ly->conv_state, "conv state [Di, K]", err) ||
        alloc_floats(rt, Di * N, 1, &ly->ssm_state, "SSM state [Di, N]", err))
        return hy_fail_prefix(err, "layer %lld", (long long)i);
    return 0;
}

static int setup_ffn(hy_runtime *rt, int64_t i, const hy_ffn_weights *w, hy_rt_layer *ly,
                     hy_error *err)
{
    const hy_config *c = &rt->cfg;
    const int64_t H = c->hidden, I = c->intermediate, E = ly->n_experts;
    if (w->n_experts != E)
        return hy_fail(err, "layer %lld: weights have %lld experts, the config says %lld",
                       (long long)i, (long long)w->n_experts, (long long)E);
    if (!w->gate || !w->up || !w->down)
        return hy_fail(err, "layer %lld: feed_forward expert pointer arrays are missing",
                       (long long)i);
    ly->gate = calloc((size_t)E, sizeof *ly->gate);
    ly->up = calloc((size_t)E, sizeof *ly->up);
    ly->down = calloc((size_t)E, sizeof *ly->down);
    if (!ly->gate || !ly->up || !ly->down)
        return hy_fail(err, "layer %lld: out of host memory for expert pointers", (long long)i);
    if (E > 1 && device_weight(rt, w->router, E * H, &ly->router, "feed_forward.router", err))
        return hy_fail_prefix(err, "layer %lld", (long long)i);
    for (int64_t e = 0; e < E; e++) {
        if (device_weight(rt, w->gate[e], I * H, &ly->gate[e], "gate_proj", err) ||
            device_weight(rt, w->up[e], I * H, &ly->up[e], "up_proj", err) ||
            device_weight(rt, w->down[e], H * I, &ly->down[e], "down_proj", err))
            return hy_fail_prefix(err, "layer %lld expert %lld", (long long)i, (long long)e);
    }
    return 0;
}

/* ---- variants ------------------------------------------------------------- */

static int choose_variants(hy_runtime *rt, hy_error *err)
{
    const hy_config *c = &rt->cfg;
    int used[HY_FAM_COUNT] = {0};
    used[HY_FAM_LINEAR] = used[HY_FAM_RMSNORM] = 1;
    for (int64_t i = 0; i < c->n_layers; i++) {
        if (hy_layer_is_attention(c, i)) {
            used[HY_FAM_ATTENTION] = 1;
        } else {
            used[HY_FAM_CONV1D] = used[HY_FAM_SCAN] = 1;
        }
        if (hy_layer_experts(c, i) > 1) used[HY_FAM_MOE] = 1;
        else used[HY_FAM_MLP] = 1;
    }
    for (int f = 0; f < HY_FAM_COUNT; f++) {
        if (!used[f]) continue;
        rt->variant[f] = hy_backend_select(rt->b, (hy_family)f);
        if (!rt->variant[f])
            return hy_fail(err, "backend %s has no %s kernel (model %s needs it)", rt->b->name,
                           hy_family_name((hy_family)f), c->name);
    }
    return 0;
}

/* ---- scratch -------------------------------------------------------------- */

static int setup_scratch(hy_runtime *rt, hy_error *err)
{
    const hy_config *c = &rt->cfg;
    const int64_t T = rt->rows, H = c->hidden, Di = c->d_inner;
    const int64_t qd = c->n_heads * c->head_dim, kvd = c->n_kv_heads * c->head_dim;
    const int64_t P = c->dt_rank + 2 * c->d_state;
    const int attn = rt->variant[HY_FAM_ATTENTION] != NULL, mamba = rt->variant[HY_FAM_SCAN] != NULL;
    int64_t n = 0;

    if (mul3(T, H, 1, &n, "scratch", err) || alloc_floats(rt, n, 0, &rt->h, "h [T, H]", err) ||
        alloc_floats(rt, n, 0, &rt->normed, "normed [T, H]", err))
        return -1;
    if (attn && (mul3(T, qd, 1, &n, "scratch", err) ||
                 alloc_floats(rt, n, 0, &rt->q, "q [T, nH*hd]", err) ||
                 alloc_floats(rt, n, 0, &rt->attn_out, "attn_out [T, nH*hd]", err) ||
                 mul3(T, kvd, 1, &n, "scratch", err) ||
                 alloc_floats(rt, n, 0, &rt->k, "k [T, nKV*hd]", err) ||
                 alloc_floats(rt, n, 0, &rt->v, "v [T, nKV*hd]", err)))
        return -1;
    if (mamba && (mul3(T, 2, Di, &n, "scratch", err) ||
                  alloc_floats(rt, n, 0, &rt->xz, "xz [T, 2*Di]", err) ||
                  mul3(T, Di, 1, &n, "scratch", err) ||
                  alloc_floats(rt, n, 0, &rt->u, "u [T, Di]", err) ||
                  alloc_floats(rt, n, 0, &rt->delta, "delta [T, Di]", err) ||
                  alloc_floats(rt, n, 0, &rt->y, "y [T, Di]", err) ||
                  mul3(T, P, 1, &n, "scratch", err) ||
                  alloc_floats(rt, n, 0, &rt->p, "p [T, R+2N]", err)))
        return -1;
    if (!rt->b->host_memory) {
        size_t bytes = 0;
        if (mul3(T, c->vocab, 1, &n, "scratch", err) ||
            alloc_floats(rt, n, 0, &rt->logits, "logits [T, V]", err) ||
            mul3(T, H, 1, &n, "scratch", err) || float_bytes(n, &bytes, "embedding stage", err))
            return -1;
        rt->embed_stage = malloc(bytes ? bytes : 1);
        if (!rt->embed_stage) return hy_fail(err, "out of host memory for the embedding stage");
    }
    return 0;
}

/* The workspace for the largest uses: every chunk length T in 1..rows at
 * the extreme cache positions.  hy_runtime_forward still checks its exact
 * shapes and grows the buffer if a variant's need is not monotone. */
static int setup_workspace(hy_runtime *rt, hy_error *err)
{
    int64_t sizes[2] = {1, rt->rows};
    for (int s = 0; s < 2; s++) {
        int64_t T = sizes[s];
        if (hy_rt_ensure_workspace(rt, T, 0, err) ||
            hy_rt_ensure_workspace(rt, T, rt->capacity - T, err))
            return -1;
    }
    return 0;
}

/* ---- public ------------------------------------------------------------- */

int hy_runtime_create(const hy_backend *b, const hy_config *c, const hy_model_weights *host_w,
                      int64_t max_chunk, int64_t capacity, hy_runtime **out, hy_error *err)
{
    if (out) *out = NULL;
    if (!b || !c || !host_w || !out) return hy_fail(err, "hy_runtime_create: NULL argument");
    if (max_chunk < 1) return hy_fail(err, "max_chunk must be >= 1 (got %lld)", (long long)max_chunk);
    if (capacity < 1) return hy_fail(err, "capacity must be >= 1 (got %lld)", (long long)capacity);
    if (!host_w->layers || !host_w->embed || !host_w->final_norm)
        return hy_fail(err, "model weights are incomplete (embed, final norm or layers missing)");
    if (!b->exec_create || !b->alloc || !b->free || !b->upload || !b->download || !b->memset_zero)
        return hy_fail(err, "backend %s lacks memory operations", b->name);

    hy_runtime *rt = calloc(1, sizeof *rt);
    if (!rt) return hy_fail(err, "out of host memory for the runtime");
    rt->b = b;
    rt->cfg = *c;
    rt->host_w = host_w;
    rt->max_chunk = max_chunk;
    rt->capacity = capacity;
    rt->rows = max_chunk < capacity ? max_chunk : capacity;

    if (hy_config_validate(&rt->cfg, err)) {
        hy_fail_prefix(err, "model config");
        goto fail;
    }
    if (b->exec_create(&rt->ex, err)) {
        hy_fail_prefix(err, "backend %s: creating the execution context", b->name);
        goto fail;
    }
    if (choose_variants(rt, err)) goto fail;

    const hy_config *cfg = &rt->cfg;
    rt->layers = calloc((size_t)cfg->n_layers, sizeof *rt->layers);
    if (!rt->layers) {
        hy_fail(err, "out of host memory for %lld layers", (long long)cfg->n_layers);
        goto fail;
    }
    for (int64_t i = 0; i < cfg->n_layers; i++) {
        const hy_layer_weights *lw = &host_w->layers[i];
        hy_rt_layer *ly = &rt->layers[i];
        ly->is_attention = hy_layer_is_attention(cfg, i);
        ly->n_experts = hy_layer_experts(cfg, i);
        if (device_weight(rt, lw->input_norm, cfg->hidden, &ly->input_norm, "input_layernorm", err) ||
            device_weight(rt, lw->ff_norm, cfg->hidden, &ly->ff_norm, "pre_ff_layernorm", err)) {
            hy_fail_prefix(err, "layer %lld", (long long)i);
            goto fail;
        }
        if (ly->is_attention ? setup_attention(rt, i, &lw->attn, ly, err)
                             : setup_mamba(rt, i, &lw->mamba, ly, err))
            goto fail;
        if (setup_ffn(rt, i, &lw->ffn, ly, err)) goto fail;
    }
    if (device_weight(rt, host_w->final_norm, cfg->hidden, &rt->final_norm, "final_layernorm", err) ||
        device_weight(rt, cfg->tie_embeddings ? host_w->embed : host_w->lm_head,
                      cfg->vocab * cfg->hidden, &rt->lm_head,
                      cfg->tie_embeddings ? "embed_tokens (tied lm_head)" : "lm_head", err))
        goto fail;
    if (setup_scratch(rt, err) || setup_workspace(rt, err)) goto fail;
    if (b->synchronize && b->synchronize(rt->ex, err)) {
        hy_fail_prefix(err, "backend %s: synchronize after setup", b->name);
        goto fail;
    }
    *out = rt;
    return 0;

fail:
    hy_runtime_destroy(rt);
    return -1;
}

void hy_runtime_reset(hy_runtime *rt)
{
    if (!rt) return;
    const hy_config *c = &rt->cfg;
    int ok = 1;
    for (int64_t i = 0; i < c->n_layers && ok; i++) {
        hy_rt_layer *ly = &rt->layers[i];
        float *caches[4] = {ly->k_cache, ly->v_cache, ly->conv_state, ly->ssm_state};
        int64_t counts[4] = {c->n_kv_heads * rt->capacity * c->head_dim,
                             c->n_kv_heads * rt->capacity * c->head_dim, c->d_inner * c->d_conv,
                             c->d_inner * c->d_state};
        for (int j = 0; j < 4 && ok; j++)
            if (caches[j] &&
                rt->b->memset_zero(rt->ex, caches[j], (size_t)counts[j] * sizeof(float), NULL))
                ok = 0;
    }
    if (ok && rt->b->synchronize && rt->b->synchronize(rt->ex, NULL)) ok = 0;
    rt->length = 0;
    /* A failed zeroing leaves stale state: refuse to run until a reset works. */
    rt->broken = !ok;
}

int64_t hy_runtime_length(const hy_runtime *rt)
{
    return rt ? rt->length : 0;
}

const hy_kernel_variant *hy_runtime_variant(const hy_runtime *rt, hy_family f)
{
    if (!rt || (int)f < 0 || f >= HY_FAM_COUNT) return NULL;
    return rt->variant[f];
}

void hy_runtime_destroy(hy_runtime *rt)
{
    if (!rt) return;
    if (rt->ex && rt->b->synchronize) rt->b->synchronize(rt->ex, NULL);
    for (size_t i = rt->n_allocs; i-- > 0;)
        rt->b->free(rt->ex, rt->allocs[i]);
    if (rt->work) rt->b->free(rt->ex, rt->work);
    free(rt->allocs);
    if (rt->layers) {
        for (int64_t i = 0; i < rt->cfg.n_layers; i++) {
            free(rt->layers[i].gate);
            free(rt->layers[i].up);
            free(rt->layers[i].down);
        }
        free(rt->layers);
    }
    free(rt->embed_stage);
    if (rt->ex && rt->b->exec_destroy) rt->b->exec_destroy(rt->ex);
    free(rt);
}
