/* hy_cost.c — the cost model of every kernel family (flops, minimum bytes,
 * transcendentals, reduction length) and the shared tolerance rule.
 *
 * Counting conventions (kernels/README.md explains them at length):
 *   - an FMA is 2 flops; an add, multiply, compare-free max, exp, log,
 *     division or square root is 1 flop each; SiLU x/(1+exp(-x)) is 3
 *     (exp, add, divide); softplus log1p(exp(x)) is 2 (exp, log);
 *   - bytes are f32 (4 bytes an element) except the tensors a shape stores
 *     narrower (linear W with w_dtype, the attention cache with kv_dtype:
 *     2 bytes an element for bf16): every input read once, every
 *     output written once, nothing re-read; optional inputs count only when
 *     the shape says they are used; recurrent states (conv, scan, SSD) are
 *     counted as read and written because the model always passes them;
 *   - transcendentals count exp and log evaluations (softplus is 2, SiLU 1);
 *   - reduction_len is the longest chain of accumulation feeding one output. */
#include "hy_kernel.h"

#include <math.h>

#define F32_BYTES 4.0

double hy_cost_intensity(hy_cost c)
{
    return c.bytes > 0 ? c.flops / c.bytes : 0.0;
}

/* ---- tolerance ------------------------------------------------------------
 * fp32 operands:    tolerance = c * eps32 * sqrt(reduction_len) + floor * eps32.
 * narrower operands (a variant that rounds its operands to bf16 or f16 and
 * accumulates in fp32, the only kind of reduced-precision kernel this suite
 * has): the same fp32 terms for the accumulation, plus operand *
 * eps(dtype) for the operand roundings (8 to 32 by family, below).  Each product carries a relative
 * error of about eps(dtype); summed with random signs, the error of an
 * output grows like its own magnitude, so relative to max|ref| it is a few
 * eps(dtype) whatever the reduction length (measured in tests/test_cost.c).
 * The sqrt term is the random-walk growth of rounding error in a float sum
 * of reduction_len terms relative to the largest output; the floor covers
 * the fixed number of roundings every output sees (input/output rounding,
 * one exp, one division...).  Constants are chosen so that an honest fp32
 * kernel accumulating in float passes with about 10x margin and a kernel
 * with a real bug fails by orders of magnitude (kernels/README.md). */
typedef struct tol_constants {
    double c;
    double floor;
    double operand; /* roundings of a narrower operand dtype: one product
                       for linear and the elementwise families, two chained
                       products (rounded intermediates) for attention, MoE
                       and MLP, the chunked products of decays for SSD */
} tol_constants;

static const tol_constants tolerances[HY_FAM_COUNT] = {
    [HY_FAM_LINEAR] = {8.0, 32.0, 8.0},
    [HY_FAM_RMSNORM] = {4.0, 32.0, 8.0},
    [HY_FAM_CONV1D] = {8.0, 32.0, 8.0},
    [HY_FAM_SCAN] = {16.0, 64.0, 16.0},
    [HY_FAM_SSD] = {32.0, 128.0, 32.0},
    [HY_FAM_ATTENTION] = {8.0, 32.0, 16.0},
    [HY_FAM_MOE] = {8.0, 32.0, 16.0},
    [HY_FAM_MLP] = {8.0, 32.0, 16.0},
};

double hy_tolerance(hy_family family, double reduction_len, hy_dtype compute_dtype)
{
    tol_constants k = (unsigned)family < HY_FAM_COUNT ? tolerances[family]
                                                      : (tol_constants){32.0, 128.0, 32.0};
    double n = reduction_len > 1.0 ? reduction_len : 1.0;
    double eps32 = hy_dtype_epsilon(HY_F32);
    double tol = k.c * eps32 * sqrt(n) + k.floor * eps32;
    if (compute_dtype != HY_F32) tol += k.operand * hy_dtype_epsilon(compute_dtype);
    return tol;
}


/* ---- linear: y[T, out] (+)= x[T, in] W[out, in]^T + b[out] ---------------- */
hy_cost hy_linear_cost(const hy_linear_shape *s)
{
    double T = (double)s->T, in = (double)s->in, out = (double)s->out;
    hy_cost c = {0};
    c.flops = 2.0 * T * in * out + (s->has_bias ? T * out : 0) + (s->accumulate ? T * out : 0);
    c.bytes = F32_BYTES * (T * in + (s->has_bias ? out : 0) + T * out +
                           (s->accumulate ? T * out : 0)) +
              (double)hy_dtype_size(s->w_dtype) * out * in;
    c.transcendentals = 0;
    c.reduction_len = in;
    return c;
}

/* ---- rmsnorm: y[T, D] = w[D] * x[T, D] / sqrt(mean(x^2) + eps) -------------
 * per row: D FMAs for the sum of squares, then /D, +eps, sqrt, 1/r (4 flops),
 * then two multiplies per element.  sqrt is not an exp/log: 0 transcendentals. */
hy_cost hy_rmsnorm_cost(const hy_rmsnorm_shape *s)
{
    double T = (double)s->T, D = (double)s->D;
    hy_cost c = {0};
    c.flops = T * (2.0 * D + 4.0 + 2.0 * D);
    c.bytes = F32_BYTES * (T * D + D + T * D);
    c.transcendentals = 0;
    c.reduction_len = D;
    return c;
}

/* ---- conv1d: y[T, C] = act(sum_j w[C, K] * stream + b) ----------------------
 * state [C, K] counted as read and written. */
hy_cost hy_conv1d_cost(const hy_conv1d_shape *s)
{
    double T = (double)s->T, C = (double)s->C, K = (double)s->K;
    hy_cost c = {0};
    c.flops = T * C * (2.0 * K + (s->has_bias ? 1.0 : 0) + (s->silu ? 3.0 : 0));
    c.bytes = F32_BYTES * (T * C + C * K + (s->has_bias ? C : 0) + 2.0 * C * K + T * C);
    c.transcendentals = s->silu ? T * C : 0;
    c.reduction_len = K;
    return c;
}

/* ---- scan (Mamba-1) --------------------------------------------------------
 * once:          A = -exp(A_log)                 D*N * (exp + negate) = 2 flops
 * per (t, d):    dt = softplus(delta + bias)     2 (+1 for the bias add)
 *                du = dt * u                     1
 *                y += Dskip * u                  2 (FMA)
 *                y *= silu(z)                    3 + 1            (has_z)
 * per (t, d, n): dA = exp(dt * A)                2
 *                h = dA * h + du * B             3 (mul + FMA)
 *                y += h * C                      2
 * reduction_len = T + N: the state is a chain of T updates, then a sum of N. */
hy_cost hy_scan_cost(const hy_scan_shape *s)
{
    double T = (double)s->T, D = (double)s->D, N = (double)s->N;
    hy_cost c = {0};
    double per_td = 2.0 + (s->has_dt_bias ? 1.0 : 0) + 1.0 + 2.0 + (s->has_z ? 4.0 : 0);
    c.flops = 2.0 * D * N + T * D * (per_td + 7.0 * N);
    c.bytes = F32_BYTES * (T * D               /* u      */
                           + T * D             /* delta  */
                           + 2.0 * T * N       /* B, C   */
                           + (s->has_z ? T * D : 0)
                           + D * N             /* A_log  */
                           + D                 /* Dskip  */
                           + (s->has_dt_bias ? D : 0)
                           + 2.0 * D * N       /* state in and out */
                           + T * D);           /* y      */
    c.transcendentals = D * N + T * D * N + 2.0 * T * D + (s->has_z ? T * D : 0);
    c.reduction_len = T + N;
    return c;
}

/* ---- ssd (Mamba-2), counted as the recurrence ------------------------------
 * The chunked algorithm does more arithmetic (its quadratic intra-chunk
 * part); the cost model counts the minimum, the sequential recurrence:
 * once:             A = -exp(A_log)              H * 2
 * per (t, h):       dt = softplus(dt + bias)     2 (+1 bias)
 *                   dA = exp(dt * A)             2
 * per (t, h, p):    dtx = dt * x                 1
 *                   y += D * x                   2   (has_D)
 *                   y *= silu(z)                 4   (has_z)
 * per (t, h, p, n): S = dA * S + dtx * B         3
 *                   y += S * C                   2                       */
hy_cost hy_ssd_cost(const hy_ssd_shape *s)
{
    double T = (double)s->T, H = (double)s->H, P = (double)s->P, G = (double)s->G,
           N = (double)s->N;
    hy_cost c = {0};
    double per_thp = 1.0 + (s->has_D ? 2.0 : 0) + (s->has_z ? 4.0 : 0) + 5.0 * N;
    double per_th = 2.0 + (s->has_dt_bias ? 1.0 : 0) + 2.0;
    c.flops = 2.0 * H + T * H * (per_th + P * per_thp);
    c.bytes = F32_BYTES * (T * H * P             /* x      */
                           + T * H               /* dt     */
                           + H                   /* A_log  */
                           + 2.0 * T * G * N     /* B, C   */
                           + (s->has_D ? H : 0)
                           + (s->has_z ? T * H * P : 0)
                           + (s->has_dt_bias ? H : 0)
                           + 2.0 * H * P * N     /* state in and out */
                           + T * H * P);         /* y      */
    c.transcendentals = H + T * H * 3.0 + (s->has_z ? T * H * P : 0);
    c.reduction_len = T + N;
    return c;
}

/* ---- attention -------------------------------------------------------------
 * keys_seen(p) = p - lo + 1, lo = 0 or max(0, p - window + 1). */
int64_t hy_attention_keys_seen(const hy_attention_shape *s, int64_t p)
{
    if (p < 0) return 0;
    int64_t lo = 0;
    if (s->window > 0 && p - s->window + 1 > 0) lo = p - s->window + 1;
    return p - lo + 1;
}

/* per (t, h, key): q.k 2*hd, scale 1, minus max 1, exp 1, sum 1, P.V 2*hd
 * per (t, h):      normalise hd (one division per output element)
 * bytes: q, the new k and v (read once, written once into the cache), the
 * part of the cache visible to the first new token and older than it
 * (read once per KV head; the visible ranges of consecutive tokens overlap,
 * so their union is [lo(pos0), pos0 + T - 1]), and out. */
hy_cost hy_attention_cost(const hy_attention_shape *s)
{
    double nH = (double)s->nH, nKV = (double)s->nKV, hd = (double)s->hd, T = (double)s->T;
    double keys_total = 0;
    for (int64_t t = 0; t < s->T; t++)
        keys_total += (double)hy_attention_keys_seen(s, s->pos0 + t);
    double old_rows = (double)(hy_attention_keys_seen(s, s->pos0) - 1);
    hy_cost c = {0};
    c.flops = nH * (keys_total * (4.0 * hd + 4.0) + T * hd);
    const double kv = (double)hy_dtype_size(s->kv_dtype);
    c.bytes = F32_BYTES * (T * nH * hd              /* q                     */
                           + 2.0 * T * nKV * hd     /* new k, v read         */
                           + T * nH * hd)           /* out                   */
              + kv * (2.0 * T * nKV * hd            /* new k, v into cache   */
                      + 2.0 * nKV * old_rows * hd); /* visible cache rows    */
    c.transcendentals = nH * keys_total;
    c.reduction_len = (double)hy_attention_keys_seen(s, s->pos0 + s->T - 1) + hd;
    return c;
}

/* ---- SwiGLU expert, per token: gate and up 2 * 2*H*I, silu 3*I, product I,
 * down 2*H*I  ->  6*H*I + 4*I flops, I transcendentals. */
static double swiglu_flops(double H, double I)
{
    return 6.0 * H * I + 4.0 * I;
}

/* ---- moe -------------------------------------------------------------------
 * per token: router 2*E*H, softmax 4*E (minus max, exp, sum, divide),
 * k experts, each combined with one FMA per output (2*H).
 * bytes: x, router, the weights of the experts that can be touched
 * (min(E, T*k) distinct experts, 3*I*H each), y (read too when accumulating). */
hy_cost hy_moe_cost(const hy_moe_shape *s)
{
    double T = (double)s->T, H = (double)s->H, I = (double)s->I, E = (double)s->E,
           k = (double)s->k;
    double touched = T * k < E ? T * k : E;
    hy_cost c = {0};
    c.flops = T * (2.0 * E * H + 4.0 * E + k * (swiglu_flops(H, I) + 2.0 * H));
    c.bytes = F32_BYTES * (T * H + E * H + touched * 3.0 * I * H + T * H +
                           (s->accumulate ? T * H : 0));
    c.transcendentals = T * E + T * k * I;
    c.reduction_len = H + I;
    return c;
}

/* ---- mlp: y[T, H] (+)= down(silu(gate x) * up x) --------------------------- */
hy_cost hy_mlp_cost(const hy_mlp_shape *s)
{
    double T = (double)s->T, H = (double)s->H, I = (double)s->I;
    hy_cost c = {0};
    c.flops = T * swiglu_flops(H, I) + (s->accumulate ? T * H : 0);
    c.bytes = F32_BYTES * (T * H + 3.0 * I * H + T * H + (s->accumulate ? T * H : 0));
    c.transcendentals = T * I;
    c.reduction_len = H + I;
    return c;
}
