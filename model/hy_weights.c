/* hy_weights.c — a model's weights in host memory: seeded random init,
 * loading a safetensors model directory (zero copy for aligned F32), and
 * saving one.  The tensor list and the name lookup live in
 * hy_weights_names.c; this file owns memory and values. */
#include "hy_weights.h"

#include "hy_config.h"
#include "hy_json.h"
#include "hy_weights_names.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* A tensor converted to f32 once and shared by every slot that slices it
 * (the fused v5 expert tensors). */
typedef struct shared_conversion {
    const hy_st_tensor *src;
    float *data;
} shared_conversion;

typedef struct model_owner {
    hy_st_set *set;              /* open mapping (loaded models)            */
    float *arena;                /* every tensor (random models)            */
    hy_layer_weights *layers;    /* [L]                                     */
    const float **expert_ptrs;   /* gate, up, down arrays of every layer    */
    float **owned;               /* converted tensors                       */
    size_t n_owned, cap_owned;
    shared_conversion *shared;
    size_t n_shared, cap_shared;
    hy_model_storage storage;
} model_owner;

static int64_t spec_numel(const hy_tensor_spec *s)
{
    int64_t n = 1;
    for (int d = 0; d < s->ndim; d++)
        n *= s->shape[d];
    return n;
}

/* Allocates the model, its owner, the layer array and the expert pointer
 * arrays, and sets each layer's n_experts. */
static int model_alloc(const hy_config *c, hy_model **out, hy_error *err)
{
    hy_model *m = calloc(1, sizeof *m);
    model_owner *o = calloc(1, sizeof *o);
    if (!m || !o) goto oom;
    m->config = *c;
    m->owner = o;
    o->layers = calloc((size_t)c->n_layers, sizeof *o->layers);
    if (!o->layers) goto oom;
    size_t total_experts = 0;
    for (int64_t i = 0; i < c->n_layers; i++)
        total_experts += (size_t)hy_layer_experts(c, i);
    o->expert_ptrs = calloc(3 * total_experts, sizeof *o->expert_ptrs);
    if (!o->expert_ptrs) goto oom;
    const float **p = o->expert_ptrs;
    for (int64_t i = 0; i < c->n_layers; i++) {
        int64_t E = hy_layer_experts(c, i);
        hy_ffn_weights *f = &o->layers[i].ffn;
        f->n_experts = E;
        f->router = NULL;
        f->gate = p;
        f->up = p + E;
        f->down = p + 2 * E;
        p += 3 * E;
    }
    m->w.layers = o->layers;
    *out = m;
    return 0;
oom:
    if (o) {
        free(o->layers);
        free(o->expert_ptrs);
    }
    free(o);
    free(m);
    return hy_fail(err, "out of memory allocating the model's layer table");
}

void hy_model_free(hy_model *m)
{
    if (!m) return;
    model_owner *o = m->owner;
    if (o) {
        if (o->set) hy_st_set_close(o->set);
        free(o->arena);
        for (size_t i = 0; i < o->n_owned; i++)
            free(o->owned[i]);
        free(o->owned);
        free(o->shared);
        free(o->layers);
        free(o->expert_ptrs);
        free(o);
    }
    free(m);
}

hy_model_storage hy_model_storage_info(const hy_model *m)
{
    hy_model_storage s = {0, 0, 0};
    if (m && m->owner) s = ((const model_owner *)m->owner)->storage;
    return s;
}

/* ---- random init ------------------------------------------------------- */

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint64_t fnv1a64(const char *s)
{
    uint64_t h = 0xCBF29CE484222325ull;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001B3ull;
    }
    return h;
}

/* Uniform in [0, 1) with 53 random bits. */
static double uniform01(uint64_t *state)
{
    return (double)(splitmix64(state) >> 11) * 0x1.0p-53;
}

typedef struct random_ctx {
    float *next;    /* where the next tensor goes in the arena */
    uint64_t seed;
    size_t count;
} random_ctx;

static void fill_tensor(const hy_weight_slot *s, float *dst, uint64_t seed)
{
    int64_t n = spec_numel(&s->spec);
    uint64_t state = seed ^ fnv1a64(s->spec.name);
    splitmix64(&state); /* decorrelate nearby seeds */
    switch (s->init) {
    case HY_INIT_NORMAL:
        for (int64_t i = 0; i < n; i += 2) {
            double u1 = 1.0 - uniform01(&state); /* (0, 1] */
            double u2 = uniform01(&state);
            double r = sqrt(-2.0 * log(u1)), a = 6.283185307179586 * u2;
            dst[i] = (float)(0.02 * r * cos(a));
            if (i + 1 < n) dst[i + 1] = (float)(0.02 * r * sin(a));
        }
        break;
    case HY_INIT_NORM:
        for (int64_t i = 0; i < n; i++)
            dst[i] = (float)(1.0 + 0.1 * (2.0 * uniform01(&state) - 1.0));
        break;
    case HY_INIT_ONE:
        for (int64_t i = 0; i < n; i++)
            dst[i] = 1.0f;
        break;
    case HY_INIT_A_LOG: { /* [Di, N]: log(1..N) in every row */
        int64_t rows = s->spec.shape[0], N = s->spec.shape[1];
        for (int64_t r = 0; r < rows; r++)
            for (int64_t j = 0; j < N; j++)
                dst[r * N + j] = (float)log((double)(j + 1));
        break;
    }
    case HY_INIT_DT_BIAS: {
        const double lo = log(1e-3), hi = log(1e-1);
        for (int64_t i = 0; i < n; i++) {
            double dt = exp(lo + (hi - lo) * uniform01(&state));
            if (dt < 1e-4) dt = 1e-4;
            dst[i] = (float)(dt + log(-expm1(-dt))); /* softplus^-1(dt) */
        }
        break;
    }
    }
}

static int random_visit(const hy_weight_slot *s, void *vctx, hy_error *err)
{
    random_ctx *ctx = vctx;
    fill_tensor(s, ctx->next, ctx->seed);
    *s->dst = ctx->next;
    ctx->next += spec_numel(&s->spec);
    ctx->count++;
    return 0;
}

typedef struct count_ctx {
    int64_t numel;
    size_t count;
    hy_tensor_spec *specs;
    size_t max;
} count_ctx;

static int count_visit(const hy_weight_slot *s, void *vctx, hy_error *err)
{
    count_ctx *ctx = vctx;
    if (ctx->specs && ctx->count < ctx->max) ctx->specs[ctx->count] = s->spec;
    ctx->count++;
    ctx->numel += spec_numel(&s->spec);
    return 0;
}

size_t hy_model_tensor_specs(const hy_config *c0, hy_tensor_spec *specs, size_t max)
{
    hy_config c = *c0;
    if (hy_config_validate(&c, NULL) != 0) return 0;
    count_ctx ctx = {0, 0, specs, max};
    hy_weights_walk(&c, NULL, count_visit, &ctx, NULL);
    return ctx.count;
}

int hy_model_random(const hy_config *c0, uint64_t seed, hy_model **out, hy_error *err)
{
    hy_config c = *c0;
    if (hy_config_validate(&c, err) != 0) return hy_fail_prefix(err, "random model");
    count_ctx cnt = {0, 0, NULL, 0};
    hy_weights_walk(&c, NULL, count_visit, &cnt, NULL);
    if ((uint64_t)cnt.numel > SIZE_MAX / sizeof(float))
        return hy_fail(err, "random model %s: %lld parameters do not fit in memory", c.name,
                       (long long)cnt.numel);
    hy_model *m = NULL;
    if (model_alloc(&c, &m, err) != 0) return -1;
    model_owner *o = m->owner;
    o->arena = malloc((size_t)cnt.numel * sizeof(float));
    if (!o->arena) {
        hy_model_free(m);
        return hy_fail(err, "random model %s: cannot allocate %.3g GB of weights", c.name,
                       (double)cnt.numel * 4.0 / 1e9);
    }
    random_ctx ctx = {o->arena, seed, 0};
    hy_weights_walk(&c, &m->w, random_visit, &ctx, err);
    if (c.tie_embeddings) m->w.lm_head = m->w.embed;
    o->storage.converted = ctx.count;
    o->storage.converted_bytes = (size_t)cnt.numel * sizeof(float);
    *out = m;
    return 0;
}

/* ---- loading ------------------------------------------------------------ */

static int host_is_little_endian(void)
{
    const uint16_t one = 1;
    unsigned char b;
    memcpy(&b, &one, 1);
    return b == 1;
}

static int push_owned(model_owner *o, float *buf)
{
    if (o->n_owned == o->cap_owned) {
        size_t cap = o->cap_owned ? 2 * o->cap_owned : 64;
        float **p = realloc(o->owned, cap * sizeof *p);
        if (!p) return -1;
        o->owned = p;
        o->cap_owned = cap;
    }
    o->owned[o->n_owned++] = buf;
    return 0;
}

/* The whole tensor t as f32: in place when possible, else converted once. */
static const float *tensor_as_f32(model_owner *o, const hy_st_tensor *t, int shared,
                                  hy_error *err)
{
    if (t->dtype == HY_F32 && ((uintptr_t)t->data % sizeof(float)) == 0 && host_is_little_endian())
        return t->data;
    if (shared)
        for (size_t i = 0; i < o->n_shared; i++)
            if (o->shared[i].src == t) return o->shared[i].data;
    if ((uint64_t)t->numel > SIZE_MAX / sizeof(float)) {
        hy_fail(err, "tensor %s is too large", t->name);
        return NULL;
    }
    float *buf = malloc((size_t)t->numel * sizeof(float) + (t->numel == 0));
    if (!buf || push_owned(o, buf) != 0) {
        free(buf);
        hy_fail(err, "out of memory converting tensor %s (%lld values) to f32", t->name,
                (long long)t->numel);
        return NULL;
    }
    hy_st_to_f32(t, buf);
    o->storage.converted++;
    o->storage.converted_bytes += (size_t)t->numel * sizeof(float);
    if (shared) {
        if (o->n_shared == o->cap_shared) {
            size_t cap = o->cap_shared ? 2 * o->cap_shared : 16;
            shared_conversion *p = realloc(o->shared, cap * sizeof *p);
            if (!p) {
                hy_fail(err, "out of memory");
                return NULL;
            }
            o->shared = p;
            o->cap_shared = cap;
        }
        o->shared[o->n_shared].src = t;
        o->shared[o->n_shared].data = buf;
        o->n_shared++;
    }
    return buf;
}

static int load_visit(const hy_weight_slot *s, void *vctx, hy_error *err)
{
    model_owner *o = vctx;
    hy_tensor_source src;
    if (hy_weights_find(o->set, s, &src, err) != 0) return -1;
    /* A tensor larger than the slot is a fused tensor that several slots
     * share: convert it once. */
    int shared = src.t->numel != spec_numel(&s->spec);
    const float *base = tensor_as_f32(o, src.t, shared, err);
    if (!base) return -1;
    if (base == src.t->data) o->storage.mapped++;
    *s->dst = base + src.offset;
    return 0;
}

int hy_model_load_dir(const char *dir, hy_model **out, hy_error *err)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s/config.json", dir) >= (int)sizeof path)
        return hy_fail(err, "model directory path too long: %s", dir);
    hy_config c;
    if (hy_config_load(path, &c, err) != 0) return -1;
    hy_model *m = NULL;
    if (model_alloc(&c, &m, err) != 0) return -1;
    model_owner *o = m->owner;
    if (hy_st_set_open_dir(dir, &o->set, err) != 0) {
        hy_model_free(m);
        return hy_fail_prefix(err, "loading %s", dir);
    }
    if (hy_weights_walk(&c, &m->w, load_visit, o, err) != 0) {
        hy_model_free(m);
        return hy_fail_prefix(err, "loading %s", dir);
    }
    if (c.tie_embeddings) m->w.lm_head = m->w.embed;
    *out = m;
    return 0;
}

/* ---- saving ------------------------------------------------------------- */

/* mkdir -p */
static int make_dirs(const char *dir, hy_error *err)
{
    char buf[4096];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof buf) return hy_fail(err, "bad directory name \"%s\"", dir);
    memcpy(buf, dir, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != 0) continue;
        char saved = buf[i];
        buf[i] = 0;
        if (mkdir(buf, 0755) != 0 && errno != EEXIST)
            return hy_fail(err, "cannot create directory %s: %s", buf, strerror(errno));
        buf[i] = saved;
    }
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return hy_fail(err, "%s exists and is not a directory", dir);
    return 0;
}

typedef struct save_ctx {
    hy_st_entry *entries;
    hy_tensor_spec *specs;
    void **buffers; /* converted copies (bf16/f16), one per entry or NULL */
    size_t count;
    hy_dtype dtype;
} save_ctx;

static int save_visit(const hy_weight_slot *s, void *vctx, hy_error *err)
{
    save_ctx *ctx = vctx;
    size_t i = ctx->count++;
    const float *src = *s->dst;
    if (!src) return hy_fail(err, "tensor %s has no data", s->spec.name);
    ctx->specs[i] = s->spec;
    hy_st_entry *e = &ctx->entries[i];
    e->name = ctx->specs[i].name;
    e->dtype = ctx->dtype;
    e->ndim = s->spec.ndim;
    for (int d = 0; d < s->spec.ndim; d++)
        e->shape[d] = s->spec.shape[d];
    int64_t n = spec_numel(&s->spec);
    if (ctx->dtype == HY_F32) {
        e->data = src;
        return 0;
    }
    uint16_t *buf = malloc((size_t)n * sizeof(uint16_t) + 1);
    if (!buf) return hy_fail(err, "out of memory converting %s", s->spec.name);
    ctx->buffers[i] = buf;
    for (int64_t j = 0; j < n; j++)
        buf[j] = ctx->dtype == HY_BF16 ? hy_f32_to_bf16(src[j]) : hy_f32_to_f16(src[j]);
    e->data = buf;
    return 0;
}

int hy_model_save_dir(const hy_model *m, const char *dir, hy_dtype dtype, hy_error *err)
{
    if (dtype != HY_F32 && dtype != HY_BF16 && dtype != HY_F16)
        return hy_fail(err, "saving %s: unknown dtype %d", dir, (int)dtype);
    if (make_dirs(dir, err) != 0) return -1;
    char *json = NULL;
    if (hy_config_to_json(&m->config, &json, err) != 0) return -1;
    char path[4096];
    snprintf(path, sizeof path, "%s/config.json", dir);
    int rc = hy_write_file_atomic(path, json, strlen(json), err);
    free(json);
    if (rc != 0) return hy_fail_prefix(err, "saving %s", dir);

    size_t n = hy_model_tensor_specs(&m->config, NULL, 0);
    save_ctx ctx = {calloc(n + 1, sizeof(hy_st_entry)), calloc(n + 1, sizeof(hy_tensor_spec)),
                    calloc(n + 1, sizeof(void *)), 0, dtype};
    if (!ctx.entries || !ctx.specs || !ctx.buffers) {
        rc = hy_fail(err, "saving %s: out of memory", dir);
        goto done;
    }
    /* The walk only computes slot addresses; it never writes through w. */
    rc = hy_weights_walk(&m->config, (hy_model_weights *)&m->w, save_visit, &ctx, err);
    if (rc != 0) {
        hy_fail_prefix(err, "saving %s", dir);
        goto done;
    }
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    rc = hy_st_write(path, ctx.entries, ctx.count, err);
    if (rc != 0) hy_fail_prefix(err, "saving %s", dir);
done:
    if (ctx.buffers)
        for (size_t i = 0; i < n; i++)
            free(ctx.buffers[i]);
    free(ctx.buffers);
    free(ctx.entries);
    free(ctx.specs);
    return rc;
}
