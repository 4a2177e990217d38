/* hy_bench_case.c — timing-only cases (no reference).  See hy_bench_case.h. */
#include "hy_bench_case.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum fill_kind {
    FILL_NORMAL,  /* N(a, b)                                   */
    FILL_UNIFORM, /* U[a, b)                                   */
    FILL_DT_RAW,  /* raw dt: softplus lands in [1e-3, 1e-1]   */
    FILL_A_LOG,   /* rows of log(1..a) (a = N)                 */
    FILL_ZERO,
} fill_kind;

#define MAX_FIXED 12

struct hy_bench_case {
    const hy_backend *b;
    hy_exec *ex;
    hy_val_shape shape;
    size_t n_bufs;
    void **bufs;          /* [n_bufs] backend buffers           */
    const float **experts[3]; /* MoE: gate/up/down pointer tables */
    union {
        hy_linear_args linear;
        hy_rmsnorm_args rmsnorm;
        hy_conv1d_args conv1d;
        hy_scan_args scan;
        hy_ssd_args ssd;
        hy_attention_args attention;
        hy_moe_args moe;
        hy_mlp_args mlp;
    } a;
    const hy_kernel_variant *variant;
    void *work;
    size_t work_bytes;
    hy_val_rng rng;
    float *host; /* staging buffer for uploads */
    size_t host_n;
};

/* Allocates buffer slot `slot` of n floats on the backend, filled as asked.
 * Returns the device pointer, or NULL with err set (n == 0: NULL, no error). */
static float *tensor(hy_bench_case *c, size_t slot, size_t n, fill_kind kind, double a, double b,
                     int *failed, hy_error *err)
{
    if (*failed || n == 0) return NULL;
    if (n > c->host_n) {
        free(c->host);
        c->host = malloc(n * sizeof(float));
        c->host_n = c->host ? n : 0;
        if (!c->host) {
            *failed = 1;
            hy_fail(err, "out of host memory (%zu floats)", n);
            return NULL;
        }
    }
    float *h = c->host;
    hy_val_rng *r = &c->rng;
    for (size_t i = 0; i < n; i++) {
        switch (kind) {
        case FILL_NORMAL: h[i] = (float)(a + b * hy_val_rng_normal(r)); break;
        case FILL_UNIFORM: h[i] = (float)(a + (b - a) * hy_val_rng_uniform(r)); break;
        case FILL_DT_RAW: {
            double dt = exp(log(1e-3) + (log(1e-1) - log(1e-3)) * hy_val_rng_uniform(r));
            h[i] = (float)log(expm1(dt));
            break;
        }
        case FILL_A_LOG: h[i] = (float)log((double)(i % (size_t)a) + 1.0); break;
        case FILL_ZERO: h[i] = 0; break;
        }
    }
    void *d = c->b->alloc(c->ex, n * sizeof(float), err);
    if (!d) {
        *failed = 1;
        return NULL;
    }
    c->bufs[slot] = d;
    if (c->b->upload(c->ex, d, h, n * sizeof(float), err)) {
        *failed = 1;
        return NULL;
    }
    return d;
}

#define Z(x) ((size_t)(x))

static void state_fill(const hy_val_shape *v, fill_kind *kind)
{
    *kind = v->state == HY_VAL_STATE_RANDOM ? FILL_NORMAL : FILL_ZERO;
}

static int generate(hy_bench_case *c, int *f, hy_error *err)
{
    const hy_val_shape *v = &c->shape;
    fill_kind sk;
    state_fill(v, &sk);
    size_t st = v->state == HY_VAL_STATE_NULL ? 0 : 1;
    switch (v->family) {
    case HY_FAM_LINEAR: {
        const hy_linear_shape *s = &v->s.linear;
        c->a.linear.x = tensor(c, 0, Z(s->T * s->in), FILL_NORMAL, 0, 1, f, err);
        c->a.linear.w = tensor(c, 1, Z(s->out * s->in), FILL_NORMAL, 0, 1 / sqrt((double)s->in), f, err);
        c->a.linear.b = tensor(c, 2, s->has_bias ? Z(s->out) : 0, FILL_NORMAL, 0, 1, f, err);
        c->a.linear.y = tensor(c, 3, Z(s->T * s->out), FILL_NORMAL, 0, 1, f, err);
        break;
    }
    case HY_FAM_RMSNORM: {
        const hy_rmsnorm_shape *s = &v->s.rmsnorm;
        c->a.rmsnorm.x = tensor(c, 0, Z(s->T * s->D), FILL_NORMAL, 0.3, 2, f, err);
        c->a.rmsnorm.w = tensor(c, 1, Z(s->D), FILL_UNIFORM, 0.5, 1.5, f, err);
        c->a.rmsnorm.y = tensor(c, 2, Z(s->T * s->D), FILL_NORMAL, 0, 1, f, err);
        break;
    }
    case HY_FAM_CONV1D: {
        const hy_conv1d_shape *s = &v->s.conv1d;
        c->a.conv1d.x = tensor(c, 0, Z(s->T * s->C), FILL_NORMAL, 0, 1, f, err);
        c->a.conv1d.w = tensor(c, 1, Z(s->C * s->K), FILL_NORMAL, 0, 0.5, f, err);
        c->a.conv1d.b = tensor(c, 2, s->has_bias ? Z(s->C) : 0, FILL_NORMAL, 0, 0.5, f, err);
        c->a.conv1d.state = tensor(c, 3, st * Z(s->C * s->K), sk, 0, 1, f, err);
        c->a.conv1d.y = tensor(c, 4, Z(s->T * s->C), FILL_NORMAL, 0, 1, f, err);
        break;
    }
    case HY_FAM_SCAN: {
        const hy_scan_shape *s = &v->s.scan;
        size_t TD = Z(s->T * s->D);
        c->a.scan.u = tensor(c, 0, TD, FILL_NORMAL, 0, 1, f, err);
        /* with a dt bias the bias carries Mamba's dt range and delta is a
         * N(0, 0.3) perturbation; without, delta carries the range */
        c->a.scan.delta = tensor(c, 1, TD, s->has_dt_bias ? FILL_NORMAL : FILL_DT_RAW, 0, 0.3, f, err);
        c->a.scan.A_log = tensor(c, 2, Z(s->D * s->N), FILL_A_LOG, (double)s->N, 0, f, err);
        c->a.scan.B = tensor(c, 3, Z(s->T * s->N), FILL_NORMAL, 0, 1, f, err);
        c->a.scan.C = tensor(c, 4, Z(s->T * s->N), FILL_NORMAL, 0, 1, f, err);
        c->a.scan.Dskip = tensor(c, 5, Z(s->D), FILL_UNIFORM, 0.5, 1.5, f, err);
        c->a.scan.z = tensor(c, 6, s->has_z ? TD : 0, FILL_NORMAL, 0, 1, f, err);
        c->a.scan.dt_bias = tensor(c, 7, s->has_dt_bias ? Z(s->D) : 0, FILL_DT_RAW, 0, 0, f, err);
        c->a.scan.state = tensor(c, 8, st * Z(s->D * s->N), sk, 0, 1, f, err);
        c->a.scan.y = tensor(c, 9, TD, FILL_NORMAL, 0, 1, f, err);
        break;
    }
    case HY_FAM_SSD: {
        const hy_ssd_shape *s = &v->s.ssd;
        size_t THP = Z(s->T * s->H * s->P), TH = Z(s->T * s->H), TGN = Z(s->T * s->G * s->N);
        c->a.ssd.x = tensor(c, 0, THP, FILL_NORMAL, 0, 1, f, err);
        c->a.ssd.dt = tensor(c, 1, TH, s->has_dt_bias ? FILL_NORMAL : FILL_DT_RAW, 0, 0.3, f, err);
        c->a.ssd.A_log = tensor(c, 2, Z(s->H), FILL_A_LOG, (double)s->H, 0, f, err);
        c->a.ssd.B = tensor(c, 3, TGN, FILL_NORMAL, 0, 1, f, err);
        c->a.ssd.C = tensor(c, 4, TGN, FILL_NORMAL, 0, 1, f, err);
        c->a.ssd.Dskip = tensor(c, 5, s->has_D ? Z(s->H) : 0, FILL_UNIFORM, 0.5, 1.5, f, err);
        c->a.ssd.z = tensor(c, 6, s->has_z ? THP : 0, FILL_NORMAL, 0, 1, f, err);
        c->a.ssd.dt_bias = tensor(c, 7, s->has_dt_bias ? Z(s->H) : 0, FILL_DT_RAW, 0, 0, f, err);
        c->a.ssd.state = tensor(c, 8, st * Z(s->H * s->P * s->N), sk, 0, 1, f, err);
        c->a.ssd.y = tensor(c, 9, THP, FILL_NORMAL, 0, 1, f, err);
        break;
    }
    case HY_FAM_ATTENTION: {
        const hy_attention_shape *s = &v->s.attention;
        double n_keys = (double)hy_attention_keys_seen(s, s->pos0 + s->T - 1);
        double q_std = sqrt(fmax(1.0, 0.5 * log(n_keys))) / ((double)s->scale * sqrt((double)s->hd));
        size_t q_n = Z(s->T * s->nH * s->hd), kv_n = Z(s->T * s->nKV * s->hd);
        size_t cache_n = Z(s->nKV * s->cap * s->hd);
        c->a.attention.q = tensor(c, 0, q_n, FILL_NORMAL, 0, q_std, f, err);
        c->a.attention.k = tensor(c, 1, kv_n, FILL_NORMAL, 0, 1, f, err);
        c->a.attention.v = tensor(c, 2, kv_n, FILL_NORMAL, 0, 1, f, err);
        c->a.attention.k_cache = tensor(c, 3, cache_n, FILL_UNIFORM, -1.7320508, 1.7320508, f, err);
        c->a.attention.v_cache = tensor(c, 4, cache_n, FILL_UNIFORM, -1.7320508, 1.7320508, f, err);
        c->a.attention.out = tensor(c, 5, q_n, FILL_NORMAL, 0, 1, f, err);
        break;
    }
    case HY_FAM_MOE: {
        const hy_moe_shape *s = &v->s.moe;
        size_t E = Z(s->E), IH = Z(s->I * s->H);
        c->a.moe.x = tensor(c, 0, Z(s->T * s->H), FILL_NORMAL, 0, 1, f, err);
        c->a.moe.w_router = tensor(c, 1, Z(s->E * s->H), FILL_NORMAL, 0, 2.0 / sqrt((double)s->H), f, err);
        c->a.moe.y = tensor(c, 2, Z(s->T * s->H), FILL_NORMAL, 0, 1, f, err);
        for (size_t m = 0; m < 3; m++)
            for (size_t e = 0; e < E; e++)
                c->experts[m][e] = tensor(c, 3 + m * E + e, IH, FILL_NORMAL, 0,
                                          1 / sqrt((double)(m == 2 ? s->I : s->H)), f, err);
        c->a.moe.w_gate = c->experts[0];
        c->a.moe.w_up = c->experts[1];
        c->a.moe.w_down = c->experts[2];
        break;
    }
    case HY_FAM_MLP: {
        const hy_mlp_shape *s = &v->s.mlp;
        size_t IH = Z(s->I * s->H), TH = Z(s->T * s->H);
        c->a.mlp.x = tensor(c, 0, TH, FILL_NORMAL, 0, 1, f, err);
        c->a.mlp.w_gate = tensor(c, 1, IH, FILL_NORMAL, 0, 1 / sqrt((double)s->H), f, err);
        c->a.mlp.w_up = tensor(c, 2, IH, FILL_NORMAL, 0, 1 / sqrt((double)s->H), f, err);
        c->a.mlp.w_down = tensor(c, 3, IH, FILL_NORMAL, 0, 1 / sqrt((double)s->I), f, err);
        c->a.mlp.y = tensor(c, 4, TH, FILL_NORMAL, 0, 1, f, err);
        break;
    }
    default: return hy_fail(err, "unknown kernel family %d", (int)v->family);
    }
    return *f ? -1 : 0;
}

static int check_shape(const hy_val_shape *v, hy_error *err)
{
    switch (v->family) {
    case HY_FAM_LINEAR: return hy_linear_check(&v->s.linear, err);
    case HY_FAM_RMSNORM: return hy_rmsnorm_check(&v->s.rmsnorm, err);
    case HY_FAM_CONV1D: return hy_conv1d_check(&v->s.conv1d, err);
    case HY_FAM_SCAN: return hy_scan_check(&v->s.scan, err);
    case HY_FAM_SSD: return hy_ssd_check(&v->s.ssd, err);
    case HY_FAM_ATTENTION: return hy_attention_check(&v->s.attention, err);
    case HY_FAM_MOE: return hy_moe_check(&v->s.moe, err);
    case HY_FAM_MLP: return hy_mlp_check(&v->s.mlp, err);
    default: return hy_fail(err, "unknown kernel family %d", (int)v->family);
    }
}

int hy_bench_case_create(const hy_backend *b, hy_exec *ex, const hy_val_shape *shape,
                         uint64_t seed, hy_bench_case **out, hy_error *err)
{
    *out = NULL;
    if (!b || !shape) return hy_fail(err, "bench case: backend or shape is NULL");
    if (shape->strided) return hy_fail(err, "bench case: strided shapes are not benchmarked");
    if (check_shape(shape, err)) return -1;
    hy_bench_case *c = calloc(1, sizeof *c);
    if (!c) return hy_fail(err, "bench case: out of memory");
    c->b = b;
    c->ex = ex;
    c->shape = *shape;
    hy_val_rng_seed(&c->rng, seed ^ ((uint64_t)shape->family << 56) ^ 0xbe7c4ULL);
    size_t E = shape->family == HY_FAM_MOE ? Z(shape->s.moe.E) : 0;
    c->n_bufs = MAX_FIXED + 3 * E;
    c->bufs = calloc(c->n_bufs, sizeof *c->bufs);
    int failed = c->bufs == NULL;
    for (int m = 0; m < 3 && E; m++)
        if (!(c->experts[m] = calloc(E, sizeof(float *)))) failed = 1;
    if (failed) {
        hy_bench_case_destroy(c);
        return hy_fail(err, "bench case: out of memory");
    }
    if (generate(c, &failed, err)) {
        hy_fail_prefix(err, "bench case %s", hy_family_name(shape->family));
        hy_bench_case_destroy(c);
        return -1;
    }
    free(c->host);
    c->host = NULL;
    c->host_n = 0;
    *out = c;
    return 0;
}

int hy_bench_case_bind(hy_bench_case *c, const hy_kernel_variant *v, hy_error *err)
{
    if (!v || v->family != c->shape.family)
        return hy_fail(err, "variant %s is not a %s kernel", v ? v->name : "(null)",
                       hy_family_name(c->shape.family));
    size_t need = 0;
#define WS(fam)                                                                      \
    do {                                                                             \
        if (!v->impl.fam.run) return hy_fail(err, "variant %s has no entry point", v->name); \
        need = v->impl.fam.workspace ? v->impl.fam.workspace(&c->shape.s.fam) : 0;   \
    } while (0)
    switch (v->family) {
    case HY_FAM_LINEAR: WS(linear); break;
    case HY_FAM_RMSNORM: WS(rmsnorm); break;
    case HY_FAM_CONV1D: WS(conv1d); break;
    case HY_FAM_SCAN: WS(scan); break;
    case HY_FAM_SSD: WS(ssd); break;
    case HY_FAM_ATTENTION: WS(attention); break;
    case HY_FAM_MOE: WS(moe); break;
    case HY_FAM_MLP: WS(mlp); break;
    default: return hy_fail(err, "unknown kernel family");
    }
#undef WS
    if (need > c->work_bytes) {
        if (c->work) c->b->free(c->ex, c->work);
        c->work_bytes = 0;
        c->work = c->b->alloc(c->ex, need, err);
        if (!c->work) return hy_fail_prefix(err, "workspace of %s (%zu bytes)", v->name, need);
        c->work_bytes = need;
    }
    c->variant = v;
    return 0;
}

int hy_bench_case_launch(hy_bench_case *c, hy_error *err)
{
    const hy_kernel_variant *k = c->variant;
    if (!k) return hy_fail(err, "no variant bound to the bench case");
    void *w = c->work_bytes ? c->work : NULL;
#define RUN(fam) return k->impl.fam.run(c->ex, &c->shape.s.fam, &c->a.fam, w, err)
    switch (c->shape.family) {
    case HY_FAM_LINEAR: RUN(linear);
    case HY_FAM_RMSNORM: RUN(rmsnorm);
    case HY_FAM_CONV1D: RUN(conv1d);
    case HY_FAM_SCAN: RUN(scan);
    case HY_FAM_SSD: RUN(ssd);
    case HY_FAM_ATTENTION: RUN(attention);
    case HY_FAM_MOE: RUN(moe);
    case HY_FAM_MLP: RUN(mlp);
    default: return hy_fail(err, "unknown kernel family");
    }
#undef RUN
}

void hy_bench_case_destroy(hy_bench_case *c)
{
    if (!c) return;
    for (size_t i = 0; c->bufs && i < c->n_bufs; i++)
        if (c->bufs[i]) c->b->free(c->ex, c->bufs[i]);
    free(c->bufs);
    for (int m = 0; m < 3; m++) free((void *)c->experts[m]);
    if (c->work) c->b->free(c->ex, c->work);
    free(c->host);
    free(c);
}
