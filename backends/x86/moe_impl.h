/* moe_impl.h — mixture of experts, Jamba / HF form (kernels/hy_moe.h):
 * router softmax over all E experts in float, top-k with ties to the lower
 * expert index, NO renormalisation, SwiGLU experts, weighted combine in
 * ascending expert order (as kernels/hy_moe.h and the cpu backend).
 * Compiled by moe_avx2.c and moe_avx512.c; declared in x86_gemm.h.
 *
 * moe/grouped  router logits by the packed SGEMM; vectorised softmax and
 *              top-k per token; the (token, expert) picks grouped by
 *              expert (counting sort, token order kept); each expert's
 *              rows gathered into one contiguous block; per expert the
 *              gate and up products (packed SGEMM), a vectorised SwiGLU,
 *              the down product; then per token a vectorised weighted sum
 *              of its expert rows into y.  Every step is deterministic, so
 *              results do not depend on the thread count.
 * moe/token    parallel over tokens; per token a router GEMV, softmax,
 *              top-k, then per chosen expert three vectorised GEMVs (gate,
 *              up, down) straight from the weights: the naive baseline that
 *              shows what grouping gains (each expert's weights are read
 *              once per token instead of once per batch). */
#include "x86_gemm.h"
#include "gemm_util.h"
#include "x86_vec.h"
#include "cpu/cpu_backend.h"

#include <math.h>
#include <string.h>

static int moe_prepare(const hy_moe_shape *s, const hy_moe_args *a, hy_error *err)
{
    if (!s || !a) return hy_fail(err, "moe: shape or args is NULL");
    if (hy_moe_check(s, err)) return -1;
    if (!a->x || !a->w_router || !a->w_gate || !a->w_up || !a->w_down || !a->y)
        return hy_fail(err, "moe: x, w_router, w_gate, w_up, w_down and y must not be NULL");
    for (int64_t e = 0; e < s->E; e++)
        if (!a->w_gate[e] || !a->w_up[e] || !a->w_down[e])
            return hy_fail(err, "moe: the weights of expert %lld are NULL", (long long)e);
    return 0;
}

/* Softmax of the logits prob [E] in place (vectorised, masked tail), then
 * hy_cpu_moe_top_k (cpu/cpu_backend.h): pick [k], weight [k]. */
static void moe_route(float *prob, int64_t E, int64_t k, int32_t *pick, float *weight)
{
    static const float ones[16] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    const vf half = vf_set1(0.5f);
    vf vmax = vf_set1(prob[0]);
    for (int64_t e = 0; e < E; e += VL) {
        const int n = (int)x86g_min(VL, E - e);
        /* lanes past E keep the running max instead of the masked load's 0 */
        const vf v = vf_select_gt(vf_load_n(ones, n), half, vf_load_n(prob + e, n), vmax);
        vmax = vf_max(vmax, v);
    }
    const vf mx = vf_set1(vf_hmax(vmax));
    vf vsum = vf_zero();
    for (int64_t e = 0; e < E; e += VL) {
        const int n = (int)x86g_min(VL, E - e);
        vf_store_n(prob + e, vf_exp(vf_sub(vf_load_n(prob + e, n), mx)), n);
        vsum = vf_add(vsum, vf_load_n(prob + e, n)); /* masked lanes read as 0 */
    }
    const vf inv = vf_set1(1.0f / vf_hsum(vsum));
    for (int64_t e = 0; e < E; e += VL) {
        const int n = (int)x86g_min(VL, E - e);
        vf_store_n(prob + e, vf_mul(vf_load_n(prob + e, n), inv), n);
    }
    hy_cpu_moe_top_k(prob, E, k, pick, weight);
}

/* a[i] <- silu(a[i]) * b[i], i < n */
static void moe_swiglu_row(float *restrict a, const float *restrict b, int64_t n)
{
    for (int64_t i = 0; i < n; i += VL) {
        const int m = (int)x86g_min(VL, n - i);
        vf_store_n(a + i, vf_mul(vf_silu(vf_load_n(a + i, m)), vf_load_n(b + i, m)), m);
    }
}

/* y[i] += alpha * x[i], i < n */
static void moe_axpy(float *restrict y, float alpha, const float *restrict x, int64_t n)
{
    const vf va = vf_set1(alpha);
    for (int64_t i = 0; i < n; i += VL) {
        const int m = (int)x86g_min(VL, n - i);
        vf_store_n(y + i, vf_fma(va, vf_load_n(x + i, m), vf_load_n(y + i, m)), m);
    }
}

/* ---- moe/grouped -------------------------------------------------------- */

/* The workspace, carved into 64-byte aligned pieces. */
typedef struct moe_layout {
    size_t prob, pick, weight, offset, token, row, xg, gate, up, pack, total;
} moe_layout;

static moe_layout moe_grouped_layout(const hy_moe_shape *s)
{
    const size_t Tk = (size_t)(s->T * s->k), E = (size_t)s->E;
    size_t pack = HY_X86_SUFFIX(hy_x86_gemm_workspace)(s->T, s->E, s->H); /* router */
    const size_t gu = HY_X86_SUFFIX(hy_x86_gemm_workspace)(s->T, s->I, s->H); /* gate, up */
    const size_t dn = HY_X86_SUFFIX(hy_x86_gemm_workspace)(s->T, s->H, s->I); /* down */
    pack = pack > gu ? pack : gu;
    pack = pack > dn ? pack : dn; /* an expert has at most T rows */
    moe_layout L;
    size_t at = 0;
#define MOE_PIECE(field, bytes) (L.field = at, at += x86g_align64(bytes))
    MOE_PIECE(prob, (size_t)s->T * E * sizeof(float));       /* [T, E] logits, then probs      */
    MOE_PIECE(pick, Tk * sizeof(int32_t));                   /* [T, k] chosen experts          */
    MOE_PIECE(weight, Tk * sizeof(float));                   /* [T, k] their probabilities     */
    MOE_PIECE(offset, (2 * E + 1) * sizeof(int64_t));        /* [E+1] row offsets, [E] cursors */
    MOE_PIECE(token, Tk * sizeof(int32_t));                  /* [T*k] token of a grouped row   */
    MOE_PIECE(row, Tk * sizeof(int32_t));                    /* [T, k] grouped row of a pick   */
    MOE_PIECE(xg, Tk * (size_t)s->H * sizeof(float));        /* [T*k, H] gathered x, then out  */
    MOE_PIECE(gate, Tk * (size_t)s->I * sizeof(float));      /* [T*k, I] gate, then SwiGLU     */
    MOE_PIECE(up, Tk * (size_t)s->I * sizeof(float));        /* [T*k, I]                       */
    MOE_PIECE(pack, pack);                                   /* SGEMM packing buffers          */
#undef MOE_PIECE
    L.total = at;
    return L;
}

size_t HY_X86_SUFFIX(hy_x86_moe_grouped_workspace)(const hy_moe_shape *s)
{
    if (!s || hy_moe_check(s, NULL)) return 0; /* the kernel will reject the shape */
    return moe_grouped_layout(s).total;
}

int HY_X86_SUFFIX(hy_x86_moe_grouped)(hy_exec *ex, const hy_moe_shape *s, const hy_moe_args *a,
                                      void *work, hy_error *err)
{
    if (moe_prepare(s, a, err)) return -1;
    if (!work)
        return hy_fail(err, "moe: workspace is NULL (moe/grouped needs %zu bytes)",
                       HY_X86_SUFFIX(hy_x86_moe_grouped_workspace)(s));
    const int64_t T = s->T, H = s->H, I = s->I, E = s->E, k = s->k;
    const moe_layout L = moe_grouped_layout(s);
    char *ws = work;
    float *prob = (float *)(ws + L.prob), *weight = (float *)(ws + L.weight);
    int32_t *pick = (int32_t *)(ws + L.pick), *token = (int32_t *)(ws + L.token);
    int32_t *row_of = (int32_t *)(ws + L.row);
    int64_t *offset = (int64_t *)(ws + L.offset); /* [2E+1] */
    float *xg = (float *)(ws + L.xg), *gate = (float *)(ws + L.gate), *up = (float *)(ws + L.up);
    void *pack = ws + L.pack;
    const int nt = hy_cpu_exec_threads(ex);
    (void)nt;

    /* 1. router: logits [T, E] by the packed product, softmax + top-k per token */
    const hy_x86_gemm_args router = {.M = T, .N = E, .K = H, .x = a->x, .ldx = H,
                                     .w = a->w_router, .ldw = H, .y = prob, .ldy = E};
    HY_X86_SUFFIX(hy_x86_gemm)(&router, nt, pack);
    HY_X86G_OMP(parallel for schedule(static) num_threads(nt) if(nt > 1 && T * E > 4096))
    for (int64_t t = 0; t < T; t++) moe_route(prob + t * E, E, k, pick + t * k, weight + t * k);

    /* 2. group the picks by expert: counting sort, tokens in order (serial, O(T k)) */
    hy_cpu_moe_group(pick, T, k, E, offset, token, row_of);

    /* 3. gather each grouped row's input */
    const int64_t rows = T * k;
    HY_X86G_OMP(parallel for schedule(static) num_threads(nt) if(nt > 1 && rows * H > 16384))
    for (int64_t r = 0; r < rows; r++)
        memcpy(xg + r * H, a->x + (int64_t)token[r] * H, (size_t)H * sizeof(float));

    /* 4. experts: gate and up products, SwiGLU, down product into xg */
    for (int64_t e = 0; e < E; e++) {
        const int64_t r0 = offset[e], n = offset[e + 1] - r0;
        if (n == 0) continue;
        hy_x86_gemm_args g = {.M = n, .N = I, .K = H, .x = xg + r0 * H, .ldx = H,
                              .w = a->w_gate[e], .ldw = H, .y = gate + r0 * I, .ldy = I};
        HY_X86_SUFFIX(hy_x86_gemm)(&g, nt, pack);
        g.w = a->w_up[e], g.y = up + r0 * I;
        HY_X86_SUFFIX(hy_x86_gemm)(&g, nt, pack);
    }
    HY_X86G_OMP(parallel for schedule(static) num_threads(nt) if(nt > 1 && rows * I > 16384))
    for (int64_t r = 0; r < rows; r++) moe_swiglu_row(gate + r * I, up + r * I, I);
    for (int64_t e = 0; e < E; e++) {
        const int64_t r0 = offset[e], n = offset[e + 1] - r0;
        if (n == 0) continue;
        const hy_x86_gemm_args d = {.M = n, .N = H, .K = I, .x = gate + r0 * I, .ldx = I,
                                    .w = a->w_down[e], .ldw = I, .y = xg + r0 * H, .ldy = H};
        HY_X86_SUFFIX(hy_x86_gemm)(&d, nt, pack);
    }

    /* 5. combine: y[t] (+)= sum_j weight_j * out[row_of(t, j)], experts ascending */
    const int accumulate = s->accumulate;
    HY_X86G_OMP(parallel for schedule(static) num_threads(nt) if(nt > 1 && T * H > 16384))
    for (int64_t t = 0; t < T; t++) {
        float *yt = a->y + t * H;
        if (!accumulate) memset(yt, 0, (size_t)H * sizeof *yt);
        for (int64_t j = 0; j < k; j++)
            moe_axpy(yt, weight[t * k + j], xg + (int64_t)row_of[t * k + j] * H, H);
    }
    return 0;
}

/* ---- moe/token ---------------------------------------------------------- */

static int64_t moe_token_slots(const hy_moe_shape *s)
{
    return x86g_min(s->T, HY_X86G_MAX_SLOTS);
}

/* One slot: prob [E], weight [E], pick [E] (int32), act [2I] floats. */
static size_t moe_token_slot_bytes(const hy_moe_shape *s)
{
    return x86g_align64((size_t)(3 * s->E + 2 * s->I) * 4u);
}

size_t HY_X86_SUFFIX(hy_x86_moe_token_workspace)(const hy_moe_shape *s)
{
    if (!s || hy_moe_check(s, NULL)) return 0; /* the kernel will reject the shape */
    return (size_t)moe_token_slots(s) * moe_token_slot_bytes(s);
}

int HY_X86_SUFFIX(hy_x86_moe_token)(hy_exec *ex, const hy_moe_shape *s, const hy_moe_args *a,
                                    void *work, hy_error *err)
{
    if (moe_prepare(s, a, err)) return -1;
    if (!work)
        return hy_fail(err, "moe: workspace is NULL (moe/token needs %zu bytes)",
                       HY_X86_SUFFIX(hy_x86_moe_token_workspace)(s));
    const int64_t T = s->T, H = s->H, I = s->I, E = s->E, k = s->k;
    const size_t slot_bytes = moe_token_slot_bytes(s);
    int nt = hy_cpu_exec_threads(ex);
    if (nt > moe_token_slots(s)) nt = (int)moe_token_slots(s);
    const int accumulate = s->accumulate;
    HY_X86G_OMP(parallel for schedule(dynamic, 1) num_threads(nt) if(nt > 1))
    for (int64_t t = 0; t < T; t++) {
        char *slot = (char *)work + (size_t)x86g_thread_id() * slot_bytes;
        float *prob = (float *)slot, *weight = prob + E;
        int32_t *pick = (int32_t *)(weight + E);
        float *act_gate = (float *)(pick + E), *act_up = act_gate + I;
        const float *xt = a->x + t * H; /* [H] */
        float *yt = a->y + t * H;       /* [H] */
        HY_X86_SUFFIX(hy_x86_gemv)(E, H, xt, a->w_router, H, 1.0f, NULL, prob, 0);
        moe_route(prob, E, k, pick, weight);
        if (!accumulate) memset(yt, 0, (size_t)H * sizeof *yt);
        for (int64_t j = 0; j < k; j++) {
            const int64_t e = pick[j];
            HY_X86_SUFFIX(hy_x86_gemv)(I, H, xt, a->w_gate[e], H, 1.0f, NULL, act_gate, 0);
            HY_X86_SUFFIX(hy_x86_gemv)(I, H, xt, a->w_up[e], H, 1.0f, NULL, act_up, 0);
            moe_swiglu_row(act_gate, act_up, I);
            HY_X86_SUFFIX(hy_x86_gemv)(H, I, act_gate, a->w_down[e], I, weight[j], NULL, yt, 1);
        }
    }
    return 0;
}
