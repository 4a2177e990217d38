/* hy_validate.c — validation cases: seeded inputs, the reference result
 * (optional: timing-only cases skip it), device buffers, running a variant
 * and comparing every output.
 * Shapes: hy_validate_shapes.c; the model forward: hy_validate_forward.c. */
#include "hy_validate.h"

#include "hy_isa.h"

#include "hy_reference.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- seeded random numbers (xoshiro256**, seeded by splitmix64) --------- */

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void hy_val_rng_seed(hy_val_rng *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&x);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t hy_val_rng_next(hy_val_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double hy_val_rng_uniform(hy_val_rng *r)
{
    return (double)(hy_val_rng_next(r) >> 11) * 0x1.0p-53;
}

double hy_val_rng_normal(hy_val_rng *r)
{
    /* Box-Muller; u1 in (0, 1] so that log never sees 0. */
    double u1 = 1.0 - hy_val_rng_uniform(r);
    double u2 = hy_val_rng_uniform(r);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

static void fill_normal(hy_val_rng *r, float *p, size_t n, double mean, double std)
{
    for (size_t i = 0; i < n; i++) p[i] = (float)(mean + std * hy_val_rng_normal(r));
}

static void fill_uniform(hy_val_rng *r, float *p, size_t n, double lo, double hi)
{
    for (size_t i = 0; i < n; i++) p[i] = (float)(lo + (hi - lo) * hy_val_rng_uniform(r));
}

/* Raw Mamba dt values: softplus(raw) is log-uniform in [1e-3, 1e-1]
 * (Mamba's dt initialisation range).  raw = log(expm1(dt)). */
static void fill_dt_raw(hy_val_rng *r, float *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        double dt = exp(log(1e-3) + (log(1e-1) - log(1e-3)) * hy_val_rng_uniform(r));
        p[i] = (float)log(expm1(dt));
    }
}

const char *hy_check_status_name(hy_check_status s)
{
    switch (s) {
    case HY_CHECK_PASS: return "PASS";
    case HY_CHECK_FAIL: return "FAIL";
    case HY_CHECK_UNSUPPORTED: return "UNSUPPORTED";
    case HY_CHECK_ERROR: return "ERROR";
    }
    return "?";
}

const char *hy_forward_mode_name(hy_forward_mode m)
{
    switch (m) {
    case HY_FWD_PREFILL: return "prefill";
    case HY_FWD_DECODE: return "decode";
    case HY_FWD_CHUNKED: return "chunked";
    }
    return "?";
}

/* ---- cases ---------------------------------------------------------------- */

typedef enum tensor_role {
    ROLE_IN,    /* read only: must come back unchanged           */
    ROLE_INOUT, /* state and caches: initial value, then compared */
    ROLE_OUT,   /* output: compared (initial value = accumulate base, or
                   a random sentinel that the kernel must overwrite,
                   and, in padding columns, must not touch)       */
} tensor_role;

typedef struct val_tensor {
    const char *name;
    tensor_role role;
    size_t n;     /* elements; 0 = absent (NULL in the arguments) */
    hy_dtype dtype; /* storage in the arguments: f32, or bf16 for the
                       tensors a shape stores narrower (linear W, the
                       attention cache); init and ref then hold the bf16
                       values widened to fp32 (exact)                  */
    float *init;  /* host: initial values                           */
    float *ref;   /* host: reference result (INOUT, OUT)            */
    uint16_t *init_bits; /* bf16 only: init as stored (upload, reference input) */
    uint16_t *ref_bits;  /* bf16 INOUT only: the reference's copy, updated in place */
    void *dev;    /* backend memory                                 */
} val_tensor;

typedef union kernel_args {
    hy_linear_args linear;
    hy_rmsnorm_args rmsnorm;
    hy_conv1d_args conv1d;
    hy_scan_args scan;
    hy_ssd_args ssd;
    hy_attention_args attention;
    hy_moe_args moe;
    hy_mlp_args mlp;
} kernel_args;

struct hy_val_case {
    const hy_backend *b;
    hy_exec *ex;
    hy_val_shape shape;
    hy_cost cost;
    int has_reference; /* 0: timing-only case, t[].ref are all NULL */
    char unusable[160]; /* why the bound variant's instruction set cannot run here; "" if it can */
    char refused[512];  /* why the bound variant does not read this shape's storage; "" if it does */
    size_t n_tensors;
    val_tensor *t;
    /* MoE: per-expert pointer tables, host arrays, for the reference
     * (host pointers) and the device (backend pointers). */
    const float **expert_ptrs[2][3];
    kernel_args ref_args, dev_args;
    const hy_kernel_variant *variant;
    void *work;
    size_t work_bytes;
};

/* Tensor slots of each family, in argument order. */
enum { LIN_X, LIN_W, LIN_B, LIN_Y, LIN_COUNT };
enum { RMS_X, RMS_W, RMS_Y, RMS_COUNT };
enum { CONV_X, CONV_W, CONV_B, CONV_STATE, CONV_Y, CONV_COUNT };
enum { SCAN_U, SCAN_DELTA, SCAN_A, SCAN_NEG_A, SCAN_B, SCAN_C, SCAN_D, SCAN_Z, SCAN_DTB, SCAN_STATE, SCAN_Y,
       SCAN_COUNT };
enum { SSD_X, SSD_DT, SSD_A, SSD_B, SSD_C, SSD_D, SSD_Z, SSD_DTB, SSD_STATE, SSD_Y, SSD_COUNT };
enum { ATT_Q, ATT_K, ATT_V, ATT_KC, ATT_VC, ATT_OUT, ATT_COUNT };
enum { MOE_X, MOE_ROUTER, MOE_Y, MOE_EXPERTS }; /* then gate[E], up[E], down[E] */
enum { MLP_X, MLP_GATE, MLP_UP, MLP_DOWN, MLP_Y, MLP_COUNT };

/* Declares tensor slot i; returns its host buffer (NULL when n == 0 or on
 * allocation failure, which *oom records). */
static float *add(hy_val_case *c, size_t i, const char *name, tensor_role role, size_t n, int *oom)
{
    val_tensor *t = &c->t[i];
    t->name = name;
    t->role = role;
    t->n = n;
    if (n == 0) return NULL;
    t->init = malloc(n * sizeof(float));
    if (!t->init) *oom = 1;
    return t->init;
}

static size_t elem_bytes(const val_tensor *t)
{
    return hy_dtype_size(t->dtype);
}

/* The pointer that goes into the arguments: the backend buffer, or for the
 * reference the host input / host result buffer.  NULL for a bf16 tensor
 * (it goes in through ptr_bits). */
static float *ptr(const hy_val_case *c, size_t i, int dev)
{
    const val_tensor *t = &c->t[i];
    if (t->n == 0 || t->dtype != HY_F32) return NULL;
    if (dev) return t->dev;
    return t->role == ROLE_IN ? t->init : t->ref;
}

/* The same for a bf16 tensor (NULL for an f32 one). */
static uint16_t *ptr_bits(const hy_val_case *c, size_t i, int dev)
{
    const val_tensor *t = &c->t[i];
    if (t->n == 0 || t->dtype != HY_BF16) return NULL;
    if (dev) return t->dev;
    return t->role == ROLE_IN ? t->init_bits : t->ref_bits;
}

/* bf16 tensors: rounds the drawn values to bf16 (init then holds exactly
 * the stored values, widened) and keeps the stored bits. */
static void round_to_storage(val_tensor *t, int *oom)
{
    if (t->n == 0 || t->dtype != HY_BF16 || !t->init) return;
    t->init_bits = malloc(t->n * sizeof(uint16_t));
    if (!t->init_bits) {
        *oom = 1;
        return;
    }
    for (size_t i = 0; i < t->n; i++) {
        t->init_bits[i] = hy_f32_to_bf16(t->init[i]);
        t->init[i] = hy_bf16_to_f32(t->init_bits[i]);
    }
}

/* The initial values in the storage dtype, to the backend buffer. */
static int upload_init(hy_val_case *c, val_tensor *t, hy_error *err)
{
    const void *src = t->dtype == HY_BF16 ? (const void *)t->init_bits : (const void *)t->init;
    return c->b->upload(c->ex, t->dev, src, t->n * elem_bytes(t), err);
}

/* The backend buffer, widened to fp32 into got [n]; scratch holds n
 * storage elements. */
static int download_widened(hy_val_case *c, const val_tensor *t, float *got, void *scratch,
                            hy_error *err)
{
    if (t->dtype != HY_BF16) return c->b->download(c->ex, got, t->dev, t->n * sizeof(float), err);
    if (c->b->download(c->ex, scratch, t->dev, t->n * sizeof(uint16_t), err)) return -1;
    const uint16_t *bits = scratch;
    for (size_t i = 0; i < t->n; i++) got[i] = hy_bf16_to_f32(bits[i]);
    return 0;
}

static size_t sz(int64_t a)
{
    return (size_t)a;
}

/* ---- per-family inputs ------------------------------------------------------
 * Distributions: activations N(0, 1); weight matrices N(0, 1/sqrt(fan_in))
 * so outputs stay O(1); biases and skip terms O(1) so that a kernel that
 * drops them fails by far more than the tolerance; outputs start from
 * random values (the accumulate base, or a sentinel the kernel must
 * overwrite). */

static int gen_linear(hy_val_case *c, hy_val_rng *r, int *oom)
{
    const hy_linear_shape *s = &c->shape.s.linear;
    int64_t xs = c->shape.strided ? s->in + 3 : s->in, ys = c->shape.strided ? s->out + 5 : s->out;
    float *p;
    if ((p = add(c, LIN_X, "x", ROLE_IN, sz(s->T * xs), oom))) fill_normal(r, p, sz(s->T * xs), 0, 1);
    if ((p = add(c, LIN_W, "w", ROLE_IN, sz(s->out * s->in), oom)))
        fill_normal(r, p, sz(s->out * s->in), 0, 1.0 / sqrt((double)s->in));
    c->t[LIN_W].dtype = s->w_dtype; /* drawn in fp32, rounded by round_to_storage */
    if ((p = add(c, LIN_B, "b", ROLE_IN, s->has_bias ? sz(s->out) : 0, oom)))
        fill_normal(r, p, sz(s->out), 0, 1);
    if ((p = add(c, LIN_Y, "y", ROLE_OUT, sz(s->T * ys), oom))) fill_normal(r, p, sz(s->T * ys), 0, 1);
    return 0;
}

static void args_linear(hy_val_case *c, int dev, hy_linear_args *a)
{
    const hy_linear_shape *s = &c->shape.s.linear;
    a->x = ptr(c, LIN_X, dev);
    a->x_stride = c->shape.strided ? s->in + 3 : 0;
    a->w = ptr(c, LIN_W, dev);
    a->w_bf16 = ptr_bits(c, LIN_W, dev);
    a->b = ptr(c, LIN_B, dev);
    a->y = ptr(c, LIN_Y, dev);
    a->y_stride = c->shape.strided ? s->out + 5 : 0;
}

static int gen_rmsnorm(hy_val_case *c, hy_val_rng *r, int *oom)
{
    const hy_rmsnorm_shape *s = &c->shape.s.rmsnorm;
    int64_t xs = c->shape.strided ? s->D + 7 : s->D, ys = c->shape.strided ? s->D + 2 : s->D;
    float *p;
    if ((p = add(c, RMS_X, "x", ROLE_IN, sz(s->T * xs), oom))) fill_normal(r, p, sz(s->T * xs), 0.3, 2);
    if ((p = add(c, RMS_W, "w", ROLE_IN, sz(s->D), oom))) fill_uniform(r, p, sz(s->D), 0.5, 1.5);
    if ((p = add(c, RMS_Y, "y", ROLE_OUT, sz(s->T * ys), oom))) fill_normal(r, p, sz(s->T * ys), 0, 1);
    return 0;
}

static void args_rmsnorm(hy_val_case *c, int dev, hy_rmsnorm_args *a)
{
    const hy_rmsnorm_shape *s = &c->shape.s.rmsnorm;
    a->x = ptr(c, RMS_X, dev);
    a->x_stride = c->shape.strided ? s->D + 7 : 0;
    a->w = ptr(c, RMS_W, dev);
    a->y = ptr(c, RMS_Y, dev);
    a->y_stride = c->shape.strided ? s->D + 2 : 0;
}

/* The state slot: absent (NULL), zeros, or random. */
static void gen_state(hy_val_case *c, hy_val_rng *r, size_t slot, size_t n, double std, int *oom)
{
    float *p = add(c, slot, "state", ROLE_INOUT, c->shape.state == HY_VAL_STATE_NULL ? 0 : n, oom);
    if (!p) return;
    if (c->shape.state == HY_VAL_STATE_ZERO)
        memset(p, 0, n * sizeof(float));
    else
        fill_normal(r, p, n, 0, std);
}

static int gen_conv1d(hy_val_case *c, hy_val_rng *r, int *oom)
{
    const hy_conv1d_shape *s = &c->shape.s.conv1d;
    int64_t xs = c->shape.strided ? 2 * s->C : s->C; /* like the x half of in_proj's output */
    float *p;
    if ((p = add(c, CONV_X, "x", ROLE_IN, sz(s->T * xs), oom))) fill_normal(r, p, sz(s->T * xs), 0, 1);
    if ((p = add(c, CONV_W, "w", ROLE_IN, sz(s->C * s->K), oom)))
        fill_normal(r, p, sz(s->C * s->K), 0, 0.5);
    if ((p = add(c, CONV_B, "b", ROLE_IN, s->has_bias ? sz(s->C) : 0, oom)))
        fill_normal(r, p, sz(s->C), 0, 0.5);
    gen_state(c, r, CONV_STATE, sz(s->C * s->K), 1.0, oom);
    if ((p = add(c, CONV_Y, "y", ROLE_OUT, sz(s->T * s->C), oom))) fill_normal(r, p, sz(s->T * s->C), 0, 1);
    return 0;
}

static void args_conv1d(hy_val_case *c, int dev, hy_conv1d_args *a)
{
    const hy_conv1d_shape *s = &c->shape.s.conv1d;
    a->x = ptr(c, CONV_X, dev);
    a->x_stride = c->shape.strided ? 2 * s->C : 0;
    a->w = ptr(c, CONV_W, dev);
    a->b = ptr(c, CONV_B, dev);
    a->state = ptr(c, CONV_STATE, dev);
    a->y = ptr(c, CONV_Y, dev);
}

/* A_log rows: log(1..N) + small noise (Mamba's S4D-real initialisation). */
static void fill_a_log(hy_val_rng *r, float *p, int64_t rows, int64_t n)
{
    for (int64_t i = 0; i < rows; i++)
        for (int64_t j = 0; j < n; j++)
            p[i * n + j] = (float)(log((double)(j + 1)) + 0.1 * (hy_val_rng_uniform(r) - 0.5));
}

static int gen_scan(hy_val_case *c, hy_val_rng *r, int *oom)
{
    const hy_scan_shape *s = &c->shape.s.scan;
    int64_t bcs = c->shape.strided ? s->N + 5 : s->N;
    int64_t zs = c->shape.strided ? 2 * s->D : s->D;
    size_t TD = sz(s->T * s->D);
    float *p, *delta, *dtb;
    if ((p = add(c, SCAN_U, "u", ROLE_IN, TD, oom))) fill_normal(r, p, TD, 0, 1);
    delta = add(c, SCAN_DELTA, "delta", ROLE_IN, TD, oom);
    if ((p = add(c, SCAN_A, "A_log", ROLE_IN, sz(s->D * s->N), oom))) fill_a_log(r, p, s->D, s->N);
    /* A = -exp(A_log) in float, as the model's runtime computes it at load
     * (kernels/hy_scan.h: kernels may read it instead of A_log) */
    float *neg_a = add(c, SCAN_NEG_A, "A", ROLE_IN, sz(s->D * s->N), oom);
    if (neg_a && p)
        for (size_t i = 0; i < sz(s->D * s->N); i++) neg_a[i] = -expf(p[i]);
    if ((p = add(c, SCAN_B, "B", ROLE_IN, sz(s->T * bcs), oom))) fill_normal(r, p, sz(s->T * bcs), 0, 1);
    if ((p = add(c, SCAN_C, "C", ROLE_IN, sz(s->T * bcs), oom))) fill_normal(r, p, sz(s->T * bcs), 0, 1);
    if ((p = add(c, SCAN_D, "D", ROLE_IN, sz(s->D), oom))) fill_uniform(r, p, sz(s->D), 0.5, 1.5);
    if ((p = add(c, SCAN_Z, "z", ROLE_IN, s->has_z ? sz(s->T * zs) : 0, oom)))
        fill_normal(r, p, sz(s->T * zs), 0, 1);
    dtb = add(c, SCAN_DTB, "dt_bias", ROLE_IN, s->has_dt_bias ? sz(s->D) : 0, oom);
    /* softplus(delta + dt_bias) lands in [1e-3, 1e-1] give or take the
     * N(0, 0.3) spread of delta: with a bias, the bias carries the range;
     * without, delta does. */
    if (delta && dtb) {
        fill_dt_raw(r, dtb, sz(s->D));
        fill_normal(r, delta, TD, 0, 0.3);
    } else if (delta) {
        fill_dt_raw(r, delta, TD);
        for (size_t i = 0; i < TD; i++) delta[i] += (float)(0.3 * hy_val_rng_normal(r));
    }
    gen_state(c, r, SCAN_STATE, sz(s->D * s->N), 1.0, oom);
    if ((p = add(c, SCAN_Y, "y", ROLE_OUT, TD, oom))) fill_normal(r, p, TD, 0, 1);
    return 0;
}

static void args_scan(hy_val_case *c, int dev, hy_scan_args *a)
{
    const hy_scan_shape *s = &c->shape.s.scan;
    a->u = ptr(c, SCAN_U, dev);
    a->delta = ptr(c, SCAN_DELTA, dev);
    a->A_log = ptr(c, SCAN_A, dev);
    a->A = ptr(c, SCAN_NEG_A, dev);
    a->B = ptr(c, SCAN_B, dev);
    a->C = ptr(c, SCAN_C, dev);
    a->bc_stride = c->shape.strided ? s->N + 5 : 0;
    a->Dskip = ptr(c, SCAN_D, dev);
    a->z = ptr(c, SCAN_Z, dev);
    a->z_stride = c->shape.strided ? 2 * s->D : 0;
    a->dt_bias = ptr(c, SCAN_DTB, dev);
    a->state = ptr(c, SCAN_STATE, dev);
    a->y = ptr(c, SCAN_Y, dev);
}

static int gen_ssd(hy_val_case *c, hy_val_rng *r, int *oom)
{
    const hy_ssd_shape *s = &c->shape.s.ssd;
    size_t THP = sz(s->T * s->H * s->P), TH = sz(s->T * s->H), TGN = sz(s->T * s->G * s->N);
    float *p, *dt, *dtb;
    if ((p = add(c, SSD_X, "x", ROLE_IN, THP, oom))) fill_normal(r, p, THP, 0, 1);
    dt = add(c, SSD_DT, "dt", ROLE_IN, TH, oom);
    if ((p = add(c, SSD_A, "A_log", ROLE_IN, sz(s->H), oom))) fill_a_log(r, p, 1, s->H);
    if ((p = add(c, SSD_B, "B", ROLE_IN, TGN, oom))) fill_normal(r, p, TGN, 0, 1);
    if ((p = add(c, SSD_C, "C", ROLE_IN, TGN, oom))) fill_normal(r, p, TGN, 0, 1);
    if ((p = add(c, SSD_D, "D", ROLE_IN, s->has_D ? sz(s->H) : 0, oom)))
        fill_uniform(r, p, sz(s->H), 0.5, 1.5);
    if ((p = add(c, SSD_Z, "z", ROLE_IN, s->has_z ? THP : 0, oom))) fill_normal(r, p, THP, 0, 1);
    dtb = add(c, SSD_DTB, "dt_bias", ROLE_IN, s->has_dt_bias ? sz(s->H) : 0, oom);
    if (dt && dtb) {
        fill_dt_raw(r, dtb, sz(s->H));
        fill_normal(r, dt, TH, 0, 0.3);
    } else if (dt) {
        fill_dt_raw(r, dt, TH);
        for (size_t i = 0; i < TH; i++) dt[i] += (float)(0.3 * hy_val_rng_normal(r));
    }
    gen_state(c, r, SSD_STATE, sz(s->H * s->P * s->N), 1.0, oom);
    if ((p = add(c, SSD_Y, "y", ROLE_OUT, THP, oom))) fill_normal(r, p, THP, 0, 1);
    return 0;
}

static void args_ssd(hy_val_case *c, int dev, hy_ssd_args *a)
{
    a->x = ptr(c, SSD_X, dev);
    a->dt = ptr(c, SSD_DT, dev);
    a->A_log = ptr(c, SSD_A, dev);
    a->B = ptr(c, SSD_B, dev);
    a->C = ptr(c, SSD_C, dev);
    a->Dskip = ptr(c, SSD_D, dev);
    a->z = ptr(c, SSD_Z, dev);
    a->dt_bias = ptr(c, SSD_DTB, dev);
    a->state = ptr(c, SSD_STATE, dev);
    a->y = ptr(c, SSD_Y, dev);
}

#define SQRT3 1.7320508075688772

static int gen_attention(hy_val_case *c, hy_val_rng *r, int *oom)
{
    const hy_attention_shape *s = &c->shape.s.attention;
    size_t q_n = sz(s->T * s->nH * s->hd), kv_n = sz(s->T * s->nKV * s->hd);
    size_t cache_n = sz(s->nKV * s->cap * s->hd);
    /* Scores q.k * scale have standard deviation `q_std` (k ~ N(0, 1), scale
     * 1/sqrt(hd)).  With n visible keys the softmax then spreads over about
     * n / exp(q_std^2) keys; q_std^2 = ln(n)/2 makes that sqrt(n): neither
     * uniform (an average of noise) nor one-hot (a copy). */
    double n_keys = (double)hy_attention_keys_seen(s, s->pos0 + s->T - 1);
    double q_std = sqrt(fmax(1.0, 0.5 * log(n_keys)));
    q_std /= (double)s->scale * sqrt((double)s->hd); /* any other scale */
    float *p;
    if ((p = add(c, ATT_Q, "q", ROLE_IN, q_n, oom))) fill_normal(r, p, q_n, 0, q_std);
    if ((p = add(c, ATT_K, "k", ROLE_IN, kv_n, oom))) fill_normal(r, p, kv_n, 0, 1);
    if ((p = add(c, ATT_V, "v", ROLE_IN, kv_n, oom))) fill_normal(r, p, kv_n, 0, 1);
    /* The whole cache is random: rows before pos0 are the history, rows
     * from pos0 + T on are garbage the kernel must neither read nor write.
     * Uniform with unit variance: as good as normal here, and much cheaper
     * for a 32768-token cache. */
    if ((p = add(c, ATT_KC, "k_cache", ROLE_INOUT, cache_n, oom))) fill_uniform(r, p, cache_n, -SQRT3, SQRT3);
    if ((p = add(c, ATT_VC, "v_cache", ROLE_INOUT, cache_n, oom))) fill_uniform(r, p, cache_n, -SQRT3, SQRT3);
    c->t[ATT_KC].dtype = c->t[ATT_VC].dtype = s->kv_dtype; /* rounded by round_to_storage */
    if ((p = add(c, ATT_OUT, "out", ROLE_OUT, q_n, oom))) fill_normal(r, p, q_n, 0, 1);
    return 0;
}

static void args_attention(hy_val_case *c, int dev, hy_attention_args *a)
{
    a->q = ptr(c, ATT_Q, dev);
    a->k = ptr(c, ATT_K, dev);
    a->v = ptr(c, ATT_V, dev);
    a->k_cache = ptr(c, ATT_KC, dev);
    a->v_cache = ptr(c, ATT_VC, dev);
    a->k_cache_bf16 = ptr_bits(c, ATT_KC, dev);
    a->v_cache_bf16 = ptr_bits(c, ATT_VC, dev);
    a->out = ptr(c, ATT_OUT, dev);
}

/* The gap between the k-th and (k+1)-th largest router logit of one token
 * (x_row [H]); logits is scratch [E]. */
static double moe_token_gap(const hy_moe_shape *s, const float *x_row, const float *router,
                            double *logits)
{
    for (int64_t e = 0; e < s->E; e++) {
        double acc = 0;
        for (int64_t i = 0; i < s->H; i++) acc += (double)x_row[i] * router[e * s->H + i];
        logits[e] = acc;
    }
    /* partial selection sort: the k+1 largest */
    for (int64_t j = 0; j <= s->k; j++) {
        int64_t best = j;
        for (int64_t e = j + 1; e < s->E; e++)
            if (logits[e] > logits[best]) best = e;
        double tmp = logits[j];
        logits[j] = logits[best];
        logits[best] = tmp;
    }
    return logits[s->k - 1] - logits[s->k];
}

double hy_val_moe_topk_margin(const hy_moe_shape *s, const float *x, const float *router)
{
    if (s->k >= s->E) return INFINITY;
    double margin = INFINITY;
    double *logits = malloc(sz(s->E) * sizeof(double));
    if (!logits) return 0;
    for (int64_t t = 0; t < s->T; t++) {
        double gap = moe_token_gap(s, x + t * s->H, router, logits);
        if (gap < margin) margin = gap;
    }
    free(logits);
    return margin;
}

/* Float kernels compute router logits with an error around 1e-6; a gap of
 * 1e-3 leaves the top-k selection unambiguous by three orders. */
#define MOE_TOPK_MARGIN 1e-3
#define MOE_MAX_RESEEDS 200

static int gen_moe(hy_val_case *c, hy_val_rng *r, int *oom, hy_error *err)
{
    const hy_moe_shape *s = &c->shape.s.moe;
    size_t E = sz(s->E), IH = sz(s->I * s->H);
    float *x = add(c, MOE_X, "x", ROLE_IN, sz(s->T * s->H), oom);
    float *router = add(c, MOE_ROUTER, "router", ROLE_IN, sz(s->E * s->H), oom);
    float *p;
    if ((p = add(c, MOE_Y, "y", ROLE_OUT, sz(s->T * s->H), oom))) fill_normal(r, p, sz(s->T * s->H), 0, 1);
    static const char *const names[3] = {"w_gate", "w_up", "w_down"};
    for (size_t m = 0; m < 3; m++)
        for (size_t e = 0; e < E; e++) {
            double std = 1.0 / sqrt((double)(m == 2 ? s->I : s->H));
            if ((p = add(c, MOE_EXPERTS + m * E + e, names[m], ROLE_IN, IH, oom)))
                fill_normal(r, p, IH, 0, std);
        }
    if (*oom) return 0;
    /* Router logits x.w with std 2 spread the experts well apart.  A token
     * whose k-th and (k+1)-th logits nearly tie gets its row drawn again
     * (per token, so that long sequences, where some near tie is almost
     * certain, still find a draw). */
    fill_normal(r, router, sz(s->E * s->H), 0, 2.0 / sqrt((double)s->H));
    fill_normal(r, x, sz(s->T * s->H), 0, 1);
    if (s->k >= s->E) return 0; /* every expert is chosen: nothing can flip */
    double *logits = malloc(E * sizeof(double));
    if (!logits) {
        *oom = 1;
        return 0;
    }
    for (int64_t t = 0; t < s->T; t++)
        for (int attempt = 0; moe_token_gap(s, x + t * s->H, router, logits) < MOE_TOPK_MARGIN;
             attempt++) {
            if (attempt >= MOE_MAX_RESEEDS) {
                free(logits);
                return hy_fail(err, "moe: token %lld has a top-%lld near tie in %d draws",
                               (long long)t, (long long)s->k, MOE_MAX_RESEEDS);
            }
            fill_normal(r, x + t * s->H, sz(s->H), 0, 1);
        }
    free(logits);
    return 0;
}

static void args_moe(hy_val_case *c, int dev, hy_moe_args *a)
{
    size_t E = sz(c->shape.s.moe.E);
    for (size_t m = 0; m < 3; m++)
        for (size_t e = 0; e < E; e++)
            c->expert_ptrs[dev][m][e] = ptr(c, MOE_EXPERTS + m * E + e, dev);
    a->x = ptr(c, MOE_X, dev);
    a->w_router = ptr(c, MOE_ROUTER, dev);
    a->w_gate = c->expert_ptrs[dev][0];
    a->w_up = c->expert_ptrs[dev][1];
    a->w_down = c->expert_ptrs[dev][2];
    a->y = ptr(c, MOE_Y, dev);
}

static int gen_mlp(hy_val_case *c, hy_val_rng *r, int *oom)
{
    const hy_mlp_shape *s = &c->shape.s.mlp;
    size_t IH = sz(s->I * s->H), TH = sz(s->T * s->H);
    float *p;
    if ((p = add(c, MLP_X, "x", ROLE_IN, TH, oom))) fill_normal(r, p, TH, 0, 1);
    if ((p = add(c, MLP_GATE, "w_gate", ROLE_IN, IH, oom))) fill_normal(r, p, IH, 0, 1.0 / sqrt((double)s->H));
    if ((p = add(c, MLP_UP, "w_up", ROLE_IN, IH, oom))) fill_normal(r, p, IH, 0, 1.0 / sqrt((double)s->H));
    if ((p = add(c, MLP_DOWN, "w_down", ROLE_IN, IH, oom))) fill_normal(r, p, IH, 0, 1.0 / sqrt((double)s->I));
    if ((p = add(c, MLP_Y, "y", ROLE_OUT, TH, oom))) fill_normal(r, p, TH, 0, 1);
    return 0;
}

static void args_mlp(hy_val_case *c, int dev, hy_mlp_args *a)
{
    a->x = ptr(c, MLP_X, dev);
    a->w_gate = ptr(c, MLP_GATE, dev);
    a->w_up = ptr(c, MLP_UP, dev);
    a->w_down = ptr(c, MLP_DOWN, dev);
    a->y = ptr(c, MLP_Y, dev);
}

/* ---- family dispatch ------------------------------------------------------- */

static size_t tensor_count(const hy_val_shape *v)
{
    switch (v->family) {
    case HY_FAM_LINEAR: return LIN_COUNT;
    case HY_FAM_RMSNORM: return RMS_COUNT;
    case HY_FAM_CONV1D: return CONV_COUNT;
    case HY_FAM_SCAN: return SCAN_COUNT;
    case HY_FAM_SSD: return SSD_COUNT;
    case HY_FAM_ATTENTION: return ATT_COUNT;
    case HY_FAM_MOE: return MOE_EXPERTS + 3 * sz(v->s.moe.E);
    case HY_FAM_MLP: return MLP_COUNT;
    default: return 0;
    }
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

static int generate(hy_val_case *c, hy_val_rng *r, int *oom, hy_error *err)
{
    switch (c->shape.family) {
    case HY_FAM_LINEAR: return gen_linear(c, r, oom);
    case HY_FAM_RMSNORM: return gen_rmsnorm(c, r, oom);
    case HY_FAM_CONV1D: return gen_conv1d(c, r, oom);
    case HY_FAM_SCAN: return gen_scan(c, r, oom);
    case HY_FAM_SSD: return gen_ssd(c, r, oom);
    case HY_FAM_ATTENTION: return gen_attention(c, r, oom);
    case HY_FAM_MOE: return gen_moe(c, r, oom, err);
    case HY_FAM_MLP: return gen_mlp(c, r, oom);
    default: return hy_fail(err, "unknown kernel family");
    }
}

static void fill_args(hy_val_case *c, int dev)
{
    kernel_args *a = dev ? &c->dev_args : &c->ref_args;
    switch (c->shape.family) {
    case HY_FAM_LINEAR: args_linear(c, dev, &a->linear); break;
    case HY_FAM_RMSNORM: args_rmsnorm(c, dev, &a->rmsnorm); break;
    case HY_FAM_CONV1D: args_conv1d(c, dev, &a->conv1d); break;
    case HY_FAM_SCAN: args_scan(c, dev, &a->scan); break;
    case HY_FAM_SSD: args_ssd(c, dev, &a->ssd); break;
    case HY_FAM_ATTENTION: args_attention(c, dev, &a->attention); break;
    case HY_FAM_MOE: args_moe(c, dev, &a->moe); break;
    case HY_FAM_MLP: args_mlp(c, dev, &a->mlp); break;
    default: break;
    }
}

static int run_reference(hy_val_case *c, hy_error *err)
{
    const hy_val_shape *v = &c->shape;
    const kernel_args *a = &c->ref_args;
    switch (v->family) {
    case HY_FAM_LINEAR: return hy_ref_linear(&v->s.linear, &a->linear, err);
    case HY_FAM_RMSNORM: return hy_ref_rmsnorm(&v->s.rmsnorm, &a->rmsnorm, err);
    case HY_FAM_CONV1D: return hy_ref_conv1d(&v->s.conv1d, &a->conv1d, err);
    case HY_FAM_SCAN: return hy_ref_scan(&v->s.scan, &a->scan, err);
    case HY_FAM_SSD: return hy_ref_ssd(&v->s.ssd, &a->ssd, err);
    case HY_FAM_ATTENTION: return hy_ref_attention(&v->s.attention, &a->attention, err);
    case HY_FAM_MOE: return hy_ref_moe(&v->s.moe, &a->moe, err);
    case HY_FAM_MLP: return hy_ref_mlp(&v->s.mlp, &a->mlp, err);
    default: return hy_fail(err, "unknown kernel family");
    }
}

/* The variant's workspace need for the case's shape (0 when none). */
static size_t variant_workspace(const hy_kernel_variant *k, const hy_val_shape *v)
{
#define WS(fam) return k->impl.fam.workspace ? k->impl.fam.workspace(&v->s.fam) : 0
    switch (v->family) {
    case HY_FAM_LINEAR: WS(linear);
    case HY_FAM_RMSNORM: WS(rmsnorm);
    case HY_FAM_CONV1D: WS(conv1d);
    case HY_FAM_SCAN: WS(scan);
    case HY_FAM_SSD: WS(ssd);
    case HY_FAM_ATTENTION: WS(attention);
    case HY_FAM_MOE: WS(moe);
    case HY_FAM_MLP: WS(mlp);
    default: return 0;
    }
#undef WS
}

static int variant_has_run(const hy_kernel_variant *k)
{
    switch (k->family) {
    case HY_FAM_LINEAR: return k->impl.linear.run != NULL;
    case HY_FAM_RMSNORM: return k->impl.rmsnorm.run != NULL;
    case HY_FAM_CONV1D: return k->impl.conv1d.run != NULL;
    case HY_FAM_SCAN: return k->impl.scan.run != NULL;
    case HY_FAM_SSD: return k->impl.ssd.run != NULL;
    case HY_FAM_ATTENTION: return k->impl.attention.run != NULL;
    case HY_FAM_MOE: return k->impl.moe.run != NULL;
    case HY_FAM_MLP: return k->impl.mlp.run != NULL;
    default: return 0;
    }
}

/* ---- case lifecycle -------------------------------------------------------- */

int hy_val_case_create(const hy_backend *b, hy_exec *ex, const hy_val_shape *shape, uint64_t seed,
                       hy_val_case **out, hy_error *err)
{
    return hy_val_case_create_opts(b, ex, shape, seed, 1, out, err);
}

int hy_val_case_create_opts(const hy_backend *b, hy_exec *ex, const hy_val_shape *shape,
                            uint64_t seed, int with_reference, hy_val_case **out, hy_error *err)
{
    *out = NULL;
    if (!b || !shape) return hy_fail(err, "validation case: backend or shape is NULL");
    if (check_shape(shape, err)) return -1;
    hy_val_case *c = calloc(1, sizeof *c);
    if (!c) return hy_fail(err, "validation case: out of memory");
    c->b = b;
    c->ex = ex;
    c->shape = *shape;
    c->cost = hy_val_shape_cost(shape);
    c->has_reference = with_reference != 0;
    c->n_tensors = tensor_count(shape);
    c->t = calloc(c->n_tensors, sizeof *c->t);
    int oom = c->t == NULL;
    if (!oom && shape->family == HY_FAM_MOE)
        for (int d = 0; d < 2; d++)
            for (int m = 0; m < 3; m++) {
                c->expert_ptrs[d][m] = calloc(sz(shape->s.moe.E), sizeof(float *));
                if (!c->expert_ptrs[d][m]) oom = 1;
            }
    if (oom) {
        hy_val_case_destroy(c);
        return hy_fail(err, "validation case %s/%s: out of memory", hy_family_name(shape->family),
                       shape->label);
    }

    /* Host inputs and (unless timing-only) the reference result, on
     * copies of the in/out tensors so that the initial values stay for
     * reset.  The inputs do not depend on with_reference. */
    hy_val_rng rng;
    hy_val_rng_seed(&rng, seed ^ ((uint64_t)shape->family << 56));
    if (generate(c, &rng, &oom, err)) goto fail;
    for (size_t i = 0; i < c->n_tensors && !oom; i++) round_to_storage(&c->t[i], &oom);
    for (size_t i = 0; i < c->n_tensors && !oom && c->has_reference; i++) {
        val_tensor *t = &c->t[i];
        if (t->n == 0 || t->role == ROLE_IN) continue;
        t->ref = malloc(t->n * sizeof(float));
        if (!t->ref) oom = 1;
        else memcpy(t->ref, t->init, t->n * sizeof(float));
        if (!oom && t->dtype == HY_BF16) {
            t->ref_bits = malloc(t->n * sizeof(uint16_t));
            if (!t->ref_bits) oom = 1;
            else memcpy(t->ref_bits, t->init_bits, t->n * sizeof(uint16_t));
        }
    }
    if (oom) {
        hy_fail(err, "out of host memory");
        goto fail;
    }
    if (c->has_reference) {
        fill_args(c, 0);
        if (run_reference(c, err)) {
            hy_fail_prefix(err, "reference");
            goto fail;
        }
        for (size_t i = 0; i < c->n_tensors; i++) /* bf16 results, widened */
            if (c->t[i].ref_bits)
                for (size_t j = 0; j < c->t[i].n; j++) c->t[i].ref[j] = hy_bf16_to_f32(c->t[i].ref_bits[j]);
    }

    /* Backend buffers with the inputs. */
    for (size_t i = 0; i < c->n_tensors; i++) {
        val_tensor *t = &c->t[i];
        if (t->n == 0) continue;
        t->dev = b->alloc(ex, t->n * elem_bytes(t), err);
        if (!t->dev) {
            hy_fail_prefix(err, "allocating %s (%zu bytes)", t->name, t->n * elem_bytes(t));
            goto fail;
        }
        if (upload_init(c, t, err)) {
            hy_fail_prefix(err, "uploading %s", t->name);
            goto fail;
        }
    }
    fill_args(c, 1);
    *out = c;
    return 0;
fail:
    hy_fail_prefix(err, "validation case %s/%s", hy_family_name(shape->family), shape->label);
    hy_val_case_destroy(c);
    return -1;
}

int hy_val_case_bind(hy_val_case *c, const hy_kernel_variant *v, hy_error *err)
{
    if (!v || v->family != c->shape.family)
        return hy_fail(err, "variant %s is not a %s kernel", v ? v->name : "(null)",
                       hy_family_name(c->shape.family));
    if (!variant_has_run(v))
        return hy_fail(err, "variant %s/%s has no entry point", hy_family_name(v->family), v->name);
    c->unusable[0] = 0;
    c->refused[0] = 0;
    hy_error refused = {{0}};
    if (!hy_variant_storage_ok(v, &c->shape.s, &refused)) {
        snprintf(c->refused, sizeof c->refused, "%s", refused.msg);
        c->variant = v; /* launches report HY_UNSUPPORTED with the reason */
        return 0;
    }
    if (!hy_variant_usable(v, c->unusable, sizeof c->unusable)) {
        c->variant = v; /* launches report HY_UNSUPPORTED with the reason */
        return 0;
    }
    size_t need = variant_workspace(v, &c->shape);
    if (need > c->work_bytes) {
        if (c->work) c->b->free(c->ex, c->work);
        c->work = NULL;
        c->work_bytes = 0;
        c->work = c->b->alloc(c->ex, need, err);
        if (!c->work)
            return hy_fail_prefix(err, "workspace of %s/%s (%zu bytes)", hy_family_name(v->family),
                                  v->name, need);
        c->work_bytes = need;
    }
    c->variant = v;
    return 0;
}

int hy_val_case_reset(hy_val_case *c, hy_error *err)
{
    for (size_t i = 0; i < c->n_tensors; i++) {
        val_tensor *t = &c->t[i];
        if (t->n == 0 || t->role == ROLE_IN) continue;
        if (upload_init(c, t, err)) return hy_fail_prefix(err, "resetting %s", t->name);
    }
    return 0;
}

int hy_val_case_launch(hy_val_case *c, hy_error *err)
{
    const hy_kernel_variant *k = c->variant;
    if (!k) return hy_fail(err, "no variant bound to the case");
    if (c->refused[0]) {
        hy_fail(err, "%s", c->refused);
        return HY_UNSUPPORTED;
    }
    if (c->unusable[0]) {
        hy_fail(err, "%s/%s needs %s: %s", hy_family_name(k->family), k->name, k->isa, c->unusable);
        return HY_UNSUPPORTED;
    }
    const hy_val_shape *v = &c->shape;
    const kernel_args *a = &c->dev_args;
    void *w = c->work_bytes ? c->work : NULL;
#define RUN(fam) return k->impl.fam.run(c->ex, &v->s.fam, &a->fam, w, err)
    switch (v->family) {
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

double hy_val_relative_error(const float *got, const float *ref, size_t n, size_t *worst)
{
    double max_ref = 0, max_diff = 0;
    *worst = 0;
    for (size_t i = 0; i < n; i++) {
        double r = fabs((double)ref[i]);
        if (r > max_ref) max_ref = r;
        double d = isfinite(got[i]) ? fabs((double)got[i] - (double)ref[i]) : INFINITY;
        if (d > max_diff) {
            max_diff = d;
            *worst = i;
        }
    }
    if (max_diff == 0) return 0;
    return max_diff / (max_ref > 1e-30 ? max_ref : 1e-30);
}

void hy_val_case_check(hy_val_case *c, hy_check_result *res)
{
    hy_error err = {{0}};
    memset(res, 0, sizeof *res);
    res->tolerance = hy_variant_tolerance(c->variant, c->shape.family, c->cost.reduction_len);
    res->error = 0;
    if (!c->has_reference) {
        res->status = HY_CHECK_ERROR;
        res->error = NAN;
        snprintf(res->message, sizeof res->message,
                 "case %s%s%s was created without a reference (timing-only): nothing to check against",
                 hy_family_name(c->shape.family), c->shape.label[0] ? "/" : "", c->shape.label);
        return;
    }
    if (c->b->synchronize && c->b->synchronize(c->ex, &err)) {
        res->status = HY_CHECK_ERROR;
        res->error = NAN;
        snprintf(res->message, sizeof res->message, "synchronize: %.440s", err.msg);
        return;
    }
    size_t max_n = 0;
    for (size_t i = 0; i < c->n_tensors; i++)
        if (c->t[i].n > max_n) max_n = c->t[i].n;
    float *got = malloc((max_n ? max_n : 1) * sizeof(float));
    void *scratch = malloc((max_n ? max_n : 1) * sizeof(uint16_t)); /* bf16 downloads */
    if (!got || !scratch) {
        free(got);
        free(scratch);
        res->status = HY_CHECK_ERROR;
        res->error = NAN;
        snprintf(res->message, sizeof res->message, "out of host memory");
        return;
    }
    res->status = HY_CHECK_PASS;
    for (size_t i = 0; i < c->n_tensors; i++) {
        const val_tensor *t = &c->t[i];
        if (t->n == 0) continue;
        if (download_widened(c, t, got, scratch, &err)) {
            res->status = HY_CHECK_ERROR;
            res->error = NAN;
            snprintf(res->message, sizeof res->message, "downloading %s: %.440s", t->name, err.msg);
            break;
        }
        if (t->role == ROLE_IN) {
            if (memcmp(got, t->init, t->n * sizeof(float)) != 0) {
                res->status = HY_CHECK_FAIL;
                res->error = INFINITY;
                snprintf(res->worst, sizeof res->worst, "%s", t->name);
                snprintf(res->message, sizeof res->message, "input %s was modified", t->name);
                break;
            }
            continue;
        }
        size_t at = 0;
        double e = hy_val_relative_error(got, t->ref, t->n, &at);
        if (res->worst[0] == 0 || e > res->error) {
            snprintf(res->worst, sizeof res->worst, "%s", t->name);
            res->error = e;
        }
        if (!(e <= res->tolerance) && res->status == HY_CHECK_PASS) {
            res->status = HY_CHECK_FAIL;
            snprintf(res->message, sizeof res->message,
                     "%s: error %.3g > tolerance %.3g (element %zu: got %.9g, reference %.9g)",
                     t->name, e, res->tolerance, at, (double)got[at], (double)t->ref[at]);
        }
    }
    free(got);
    free(scratch);
}

hy_cost hy_val_case_cost(const hy_val_case *c)
{
    return c->cost;
}

const hy_val_shape *hy_val_case_shape(const hy_val_case *c)
{
    return &c->shape;
}

void hy_val_case_destroy(hy_val_case *c)
{
    if (!c) return;
    if (c->t) {
        for (size_t i = 0; i < c->n_tensors; i++) {
            if (c->t[i].dev) c->b->free(c->ex, c->t[i].dev);
            free(c->t[i].init);
            free(c->t[i].ref);
            free(c->t[i].init_bits);
            free(c->t[i].ref_bits);
        }
        free(c->t);
    }
    if (c->work) c->b->free(c->ex, c->work);
    for (int d = 0; d < 2; d++)
        for (int m = 0; m < 3; m++) free((void *)c->expert_ptrs[d][m]);
    free(c);
}

void hy_validate_variant(const hy_backend *b, hy_exec *ex, const hy_kernel_variant *v,
                         const hy_val_shape *shape, uint64_t seed, hy_check_result *res)
{
    hy_error err = {{0}};
    hy_val_case *c = NULL;
    memset(res, 0, sizeof *res);
    res->error = NAN;
    res->tolerance = hy_variant_tolerance(v, shape->family, hy_val_shape_cost(shape).reduction_len);
    if (hy_val_case_create(b, ex, shape, seed, &c, &err) || hy_val_case_bind(c, v, &err) ||
        hy_val_case_reset(c, &err)) {
        res->status = HY_CHECK_ERROR;
        snprintf(res->message, sizeof res->message, "%.440s", err.msg);
        hy_val_case_destroy(c);
        return;
    }
    int rc = hy_val_case_launch(c, &err);
    if (rc == HY_UNSUPPORTED) {
        res->status = HY_CHECK_UNSUPPORTED;
        snprintf(res->message, sizeof res->message, "%s", err.msg[0] ? err.msg : "unsupported shape");
    } else if (rc != 0) {
        res->status = HY_CHECK_ERROR;
        snprintf(res->message, sizeof res->message, "kernel failed: %.440s", err.msg);
    } else {
        hy_val_case_check(c, res);
    }
    hy_val_case_destroy(c);
}
