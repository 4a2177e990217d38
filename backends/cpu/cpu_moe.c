/* cpu_moe.c — mixture of experts, Jamba / HF form (kernels/hy_moe.h):
 * router softmax over all E experts in float, top-k with ties to the lower
 * expert index, no renormalisation, SwiGLU experts, weighted combine.  A
 * token's chosen experts are combined in expert-index order (as HF's
 * index_add_ over experts).
 *
 * moe/grouped  route all tokens; group the (token, expert) picks by expert;
 *              gather each expert's rows; per expert: gate/up product,
 *              SwiGLU, down product (blocked, parallel); then a weighted
 *              scatter-add per token (parallel over tokens, no races).
 * moe/token    parallel over tokens; per token, per chosen expert, three
 *              matrix-vector products in a per-thread workspace slot. */
#include "cpu_internal.h"
#include "cpu_kernels.h"

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

void hy_cpu_moe_top_k(const float *prob, int64_t E, int64_t k, int32_t *pick, float *weight)
{
    for (int64_t j = 0; j < k; j++) { /* selection: k passes, strict > keeps the lower index */
        int64_t best = -1;
        for (int64_t e = 0; e < E; e++) {
            int taken = 0;
            for (int64_t i = 0; i < j; i++) taken |= pick[i] == e;
            if (!taken && (best < 0 || prob[e] > prob[best])) best = e;
        }
        pick[j] = (int32_t)best;
    }
    for (int64_t j = 1; j < k; j++) /* insertion sort by expert index */
        for (int64_t i = j; i > 0 && pick[i - 1] > pick[i]; i--) {
            int32_t tmp = pick[i];
            pick[i] = pick[i - 1], pick[i - 1] = tmp;
        }
    for (int64_t j = 0; j < k; j++) weight[j] = prob[pick[j]];
}

void hy_cpu_moe_group(const int32_t *pick, int64_t T, int64_t k, int64_t E, int64_t *offset,
                      int32_t *token, int32_t *row_of)
{
    int64_t *cursor = offset + E + 1;
    memset(offset, 0, (size_t)(2 * E + 1) * sizeof *offset);
    for (int64_t i = 0; i < T * k; i++) offset[pick[i] + 1]++;
    for (int64_t e = 0; e < E; e++) offset[e + 1] += offset[e], cursor[e] = offset[e];
    for (int64_t t = 0; t < T; t++)
        for (int64_t j = 0; j < k; j++) {
            const int64_t r = cursor[pick[t * k + j]]++;
            token[r] = (int32_t)t;
            row_of[t * k + j] = (int32_t)r;
        }
}

/* Softmax of logits [E] in place, then hy_cpu_moe_top_k. */
static void moe_route(float *prob, int64_t E, int64_t k, int32_t *pick, float *weight)
{
    float mx = -INFINITY;
    for (int64_t e = 0; e < E; e++) mx = prob[e] > mx ? prob[e] : mx;
    float sum = 0.0f;
    for (int64_t e = 0; e < E; e++) sum += prob[e] = expf(prob[e] - mx);
    const float inv = 1.0f / sum;
    for (int64_t e = 0; e < E; e++) prob[e] *= inv;
    hy_cpu_moe_top_k(prob, E, k, pick, weight);
}

/* ---- moe/grouped -------------------------------------------------------- */

/* The workspace, carved into 64-byte aligned pieces. */
typedef struct moe_layout {
    size_t prob, pick, weight, offset, token, row, xg, gate, up, total;
} moe_layout;

static moe_layout moe_grouped_layout(const hy_moe_shape *s)
{
    const size_t Tk = (size_t)(s->T * s->k), E = (size_t)s->E;
    moe_layout L;
    size_t at = 0;
#define MOE_PIECE(field, bytes) (L.field = at, at += cpu_align64(bytes))
    MOE_PIECE(prob, (size_t)s->T * E * sizeof(float));       /* [T, E] logits, then probs    */
    MOE_PIECE(pick, Tk * sizeof(int32_t));                   /* [T, k] chosen experts        */
    MOE_PIECE(weight, Tk * sizeof(float));                   /* [T, k] their probabilities   */
    MOE_PIECE(offset, (2 * E + 1) * sizeof(int64_t));        /* [E+1] row offsets, [E] cursors */
    MOE_PIECE(token, Tk * sizeof(int32_t));                  /* [T*k] token of a grouped row */
    MOE_PIECE(row, Tk * sizeof(int32_t));                    /* [T, k] grouped row of a pick */
    MOE_PIECE(xg, Tk * (size_t)s->H * sizeof(float));        /* [T*k, H] gathered x, then expert out */
    MOE_PIECE(gate, Tk * (size_t)s->I * sizeof(float));      /* [T*k, I] gate, then SwiGLU   */
    MOE_PIECE(up, Tk * (size_t)s->I * sizeof(float));        /* [T*k, I]                     */
#undef MOE_PIECE
    L.total = at;
    return L;
}

size_t hy_cpu_moe_grouped_workspace(const hy_moe_shape *s)
{
    if (hy_moe_check(s, NULL)) return 0; /* the kernel will reject the shape */
    return moe_grouped_layout(s).total;
}

int hy_cpu_moe_grouped(hy_exec *ex, const hy_moe_shape *s, const hy_moe_args *a, void *work,
                       hy_error *err)
{
    if (moe_prepare(s, a, err)) return -1;
    if (!work) return hy_fail(err, "moe: workspace is NULL (moe/grouped needs %zu bytes)",
                              hy_cpu_moe_grouped_workspace(s));
    const int64_t T = s->T, H = s->H, I = s->I, E = s->E, k = s->k;
    const moe_layout L = moe_grouped_layout(s);
    char *ws = work;
    float *prob = (float *)(ws + L.prob), *weight = (float *)(ws + L.weight);
    int32_t *pick = (int32_t *)(ws + L.pick), *token = (int32_t *)(ws + L.token);
    int32_t *row_of = (int32_t *)(ws + L.row);
    int64_t *offset = (int64_t *)(ws + L.offset); /* [2E+1] */
    float *xg = (float *)(ws + L.xg), *gate = (float *)(ws + L.gate), *up = (float *)(ws + L.up);
    const int nt = cpu_threads(ex);

    /* 1. router: logits by the blocked product, then softmax and top-k per token */
    cpu_gemm_xwt(T, H, E, a->x, H, a->w_router, NULL, prob, E, 0, nt);
    HY_OMP(parallel for schedule(static) num_threads(nt) if(nt > 1 && T > 1))
    for (int64_t t = 0; t < T; t++) moe_route(prob + t * E, E, k, pick + t * k, weight + t * k);

    /* 2. group the picks by expert (serial, O(T k)) */
    hy_cpu_moe_group(pick, T, k, E, offset, token, row_of);

    /* 3. gather each grouped row's input */
    const int64_t rows = T * k;
    (void)nt;
    HY_OMP(parallel for schedule(static) num_threads(nt) if(nt > 1 && rows > 1))
    for (int64_t r = 0; r < rows; r++)
        memcpy(xg + r * H, a->x + (int64_t)token[r] * H, (size_t)H * sizeof(float));

    /* 4. experts: gate/up over all experts, SwiGLU, then down into xg */
    for (int64_t e = 0; e < E; e++) {
        const int64_t r0 = offset[e], n = offset[e + 1] - r0;
        if (n == 0) continue;
        cpu_gemm_xwt(n, H, I, xg + r0 * H, H, a->w_gate[e], NULL, gate + r0 * I, I, 0, nt);
        cpu_gemm_xwt(n, H, I, xg + r0 * H, H, a->w_up[e], NULL, up + r0 * I, I, 0, nt);
    }
    const int64_t n_act = rows * I;
    HY_OMP(parallel for schedule(static) num_threads(nt) if(nt > 1 && n_act > 4096))
    for (int64_t i = 0; i < n_act; i++) gate[i] = cpu_silu(gate[i]) * up[i];
    for (int64_t e = 0; e < E; e++) {
        const int64_t r0 = offset[e], n = offset[e + 1] - r0;
        if (n == 0) continue;
        cpu_gemm_xwt(n, I, H, gate + r0 * I, I, a->w_down[e], NULL, xg + r0 * H, H, 0, nt);
    }

    /* 5. combine: y[t] (+)= sum_j weight_j * out[row_of(t, j)], experts ascending */
    const int accumulate = s->accumulate;
    HY_OMP(parallel for schedule(static) num_threads(nt) if(nt > 1 && T > 1))
    for (int64_t t = 0; t < T; t++) {
        float *yt = a->y + t * H;
        if (!accumulate) memset(yt, 0, (size_t)H * sizeof *yt);
        for (int64_t j = 0; j < k; j++)
            cpu_axpy(yt, weight[t * k + j], xg + (int64_t)row_of[t * k + j] * H, H);
    }
    return 0;
}

/* ---- moe/token ---------------------------------------------------------- */

static int64_t moe_token_slots(const hy_moe_shape *s)
{
    return cpu_min64(s->T, HY_CPU_MAX_SLOTS);
}

/* One slot: prob [E], weight [E], act [I] floats, pick [E] int32. */
static size_t moe_token_slot_bytes(const hy_moe_shape *s)
{
    return cpu_align64((size_t)(3 * s->E + s->I) * 4u);
}

size_t hy_cpu_moe_token_workspace(const hy_moe_shape *s)
{
    if (hy_moe_check(s, NULL)) return 0; /* the kernel will reject the shape */
    return (size_t)moe_token_slots(s) * moe_token_slot_bytes(s);
}

int hy_cpu_moe_token(hy_exec *ex, const hy_moe_shape *s, const hy_moe_args *a, void *work,
                     hy_error *err)
{
    if (moe_prepare(s, a, err)) return -1;
    if (!work) return hy_fail(err, "moe: workspace is NULL (moe/token needs %zu bytes)",
                              hy_cpu_moe_token_workspace(s));
    const int64_t T = s->T, H = s->H, I = s->I, E = s->E, k = s->k;
    const size_t slot_bytes = moe_token_slot_bytes(s);
    const int nt = cpu_slot_threads(cpu_threads(ex), moe_token_slots(s));
    const int accumulate = s->accumulate;
    (void)nt;
    HY_OMP(parallel for schedule(dynamic, 1) num_threads(nt) if(nt > 1))
    for (int64_t t = 0; t < T; t++) {
        char *slot = (char *)work + (size_t)cpu_thread_id() * slot_bytes;
        float *prob = (float *)slot, *weight = prob + E, *act = weight + E;
        int32_t *pick = (int32_t *)(act + I);
        const float *xt = a->x + t * H;
        float *yt = a->y + t * H;
        for (int64_t e = 0; e < E; e++) prob[e] = cpu_dot(xt, a->w_router + e * H, H);
        moe_route(prob, E, k, pick, weight);
        if (!accumulate) memset(yt, 0, (size_t)H * sizeof *yt);
        for (int64_t j = 0; j < k; j++) {
            const int64_t e = pick[j];
            const float *wg = a->w_gate[e], *wu = a->w_up[e], *wd = a->w_down[e];
            for (int64_t i = 0; i < I; i++)
                act[i] = cpu_silu(cpu_dot(wg + i * H, xt, H)) * cpu_dot(wu + i * H, xt, H);
            for (int64_t h = 0; h < H; h++) yt[h] += weight[j] * cpu_dot(wd + h * I, act, I);
        }
    }
    return 0;
}
