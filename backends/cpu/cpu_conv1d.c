/* cpu_conv1d.c — conv1d/direct: causal depthwise conv1d + bias (+ SiLU) with
 * the Hugging Face conv state (kernels/hy_conv1d.h):
 *   stream_c = [state[c, 1..K-1] (or zeros), x[0, c], ..., x[T-1, c]]
 *   y[t, c]  = act( sum_j w[c, j] * stream_c[t + j] + b[c] )
 *   state[c, :] = the last K samples of stream_c, oldest first.
 * Prefill: parallel over blocks of CONV_CB channels; inside, time-major with
 * the channel loop innermost (contiguous, vectorised), taps transposed to
 * [K, C] and the history copied to [K-1, C] in the workspace.  T = 1 has its
 * own decode path that works on the state directly. */
#include "cpu_internal.h"
#include "cpu_kernels.h"

#include <string.h>

enum { CONV_CB = 64 }; /* channels per task */

size_t hy_cpu_conv1d_direct_workspace(const hy_conv1d_shape *s)
{
    if (hy_conv1d_check(s, NULL)) return 0; /* the kernel will reject the shape */
    return (size_t)(2 * s->K - 1) * (size_t)s->C * sizeof(float); /* [K, C] + [K-1, C] */
}

static inline float conv_act(float v, int silu) { return silu ? cpu_silu(v) : v; }

/* T = 1: one new sample per channel against the K-1 held ones. */
static void conv1d_decode(const hy_conv1d_shape *s, const hy_conv1d_args *a, int nt)
{
    const int64_t C = s->C, K = s->K;
    const float *x = a->x, *w = a->w, *b = s->has_bias ? a->b : NULL;
    float *state = a->state, *y = a->y;
    const int silu = s->silu;
    (void)nt;
    HY_OMP(parallel for schedule(static) num_threads(nt) if(nt > 1 && C >= 1024))
    for (int64_t c = 0; c < C; c++) {
        const float *wc = w + c * K; /* [K] */
        const float xc = x[c];
        float acc = b ? b[c] : 0.0f;
        if (state) {
            float *sc = state + c * K; /* [K], oldest first */
            for (int64_t j = 0; j + 1 < K; j++) {
                sc[j] = sc[j + 1]; /* roll left: the history is sc[1..K-1] */
                acc += wc[j] * sc[j];
            }
            sc[K - 1] = xc;
        }
        acc += wc[K - 1] * xc;
        y[c] = conv_act(acc, silu);
    }
}

int hy_cpu_conv1d_direct(hy_exec *ex, const hy_conv1d_shape *s, const hy_conv1d_args *a,
                         void *work, hy_error *err)
{
    if (!s || !a) return hy_fail(err, "conv1d: shape or args is NULL");
    if (hy_conv1d_check(s, err)) return -1;
    if (!a->x || !a->w || !a->y) return hy_fail(err, "conv1d: x, w and y must not be NULL");
    if (s->has_bias && !a->b) return hy_fail(err, "conv1d: has_bias is set but b is NULL");
    const int64_t T = s->T, C = s->C, K = s->K;
    const int64_t ldx = a->x_stride ? a->x_stride : C;
    if (ldx < C) return hy_fail(err, "conv1d: x_stride (%lld) < C (%lld)", (long long)ldx,
                                (long long)C);
    const int nt = cpu_threads(ex);
    if (T == 1) {
        conv1d_decode(s, a, nt);
        return 0;
    }
    if (!work) return hy_fail(err, "conv1d: workspace is NULL (needs [2K-1, C] floats)");

    float *wt = work;       /* [K, C]   taps, transposed          */
    float *hist = wt + K * C; /* [K-1, C] history (old state[:, 1..]) */
    const float *x = a->x, *w = a->w, *b = s->has_bias ? a->b : NULL;
    float *state = a->state, *y = a->y;
    const int silu = s->silu;
    const int64_t n_blocks = cpu_ceil_div(C, CONV_CB);
    (void)nt;
    HY_OMP(parallel for schedule(static) num_threads(nt) if(nt > 1))
    for (int64_t blk = 0; blk < n_blocks; blk++) {
        const int64_t c0 = blk * CONV_CB, cn = cpu_min64(CONV_CB, C - c0);
        for (int64_t c = c0; c < c0 + cn; c++) {
            for (int64_t j = 0; j < K; j++) wt[j * C + c] = w[c * K + j];
            for (int64_t i = 0; i + 1 < K; i++)
                hist[i * C + c] = state ? state[c * K + 1 + i] : 0.0f;
        }
        for (int64_t t = 0; t < T; t++) {
            float acc[CONV_CB];
            for (int64_t c = 0; c < cn; c++) acc[c] = b ? b[c0 + c] : 0.0f;
            for (int64_t j = 0; j < K; j++) {
                const int64_t i = t + j; /* stream index */
                const float *src = i < K - 1 ? hist + i * C + c0 : x + (i - (K - 1)) * ldx + c0;
                const float *wj = wt + j * C + c0;
                for (int64_t c = 0; c < cn; c++) acc[c] += wj[c] * src[c];
            }
            float *yt = y + t * C + c0;
            for (int64_t c = 0; c < cn; c++) yt[c] = conv_act(acc[c], silu);
        }
        if (state) { /* last K stream samples: stream indices T-1 .. T+K-2 */
            for (int64_t j = 0; j < K; j++) {
                const int64_t i = T - 1 + j;
                const float *src = i < K - 1 ? hist + i * C + c0 : x + (i - (K - 1)) * ldx + c0;
                for (int64_t c = 0; c < cn; c++) state[(c0 + c) * K + j] = src[c];
            }
        }
    }
    return 0;
}
