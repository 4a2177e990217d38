/* ref_conv1d.c — reference causal depthwise conv1d with HF conv state
 * (kernels/hy_conv1d.h).
 *
 *   x     [T, x_stride]  first C columns: the pre-conv input (0 means C)
 *   w     [C, K]         w[c, K-1] multiplies the newest sample
 *   b     [C]            only when has_bias
 *   state [C, K]         in/out, oldest sample first, or NULL
 *   y     [T, C]
 *
 * Per channel c the input stream is
 *   stream[0 .. K-2]     = state[c, 1 .. K-1]   (zeros when state is NULL)
 *   stream[K-1 .. K+T-2] = x[0 .. T-1, c]
 * and y[t, c] = act(sum_{j<K} w[c, j] * stream[t + j] + b[c]).
 * The new state is the last K samples of the stream: stream[T-1 .. T+K-2].
 * For T = 1 that is HF's decode step: roll left by one, newest at K-1. */
#include "hy_reference.h"

#include <stdlib.h>

int hy_ref_conv1d(const hy_conv1d_shape *s, const hy_conv1d_args *a, hy_error *err)
{
    if (!s || !a) return hy_fail(err, "conv1d: shape or args is NULL");
    if (hy_conv1d_check(s, err)) return -1;
    if (!a->x || !a->w || !a->y) return hy_fail(err, "conv1d: x, w and y must not be NULL");
    if (s->has_bias && !a->b) return hy_fail(err, "conv1d: has_bias is set but b is NULL");
    int64_t x_stride = a->x_stride ? a->x_stride : s->C;
    if (x_stride < s->C)
        return hy_fail(err, "conv1d: x_stride (%lld) must be 0 or >= C (%lld)",
                       (long long)x_stride, (long long)s->C);

    const int64_t K = s->K, T = s->T;
    float *stream = malloc((size_t)(K - 1 + T) * sizeof *stream); /* [K-1+T] */
    if (!stream) return hy_fail(err, "conv1d: out of memory for %lld samples", (long long)(K - 1 + T));

    for (int64_t c = 0; c < s->C; c++) {
        /* 1. the stream of this channel: history, then the new samples */
        for (int64_t j = 0; j < K - 1; j++)
            stream[j] = a->state ? a->state[c * K + j + 1] : 0.0f;
        for (int64_t t = 0; t < T; t++)
            stream[K - 1 + t] = a->x[t * x_stride + c];

        /* 2. the convolution, bias and activation */
        const float *w_c = a->w + c * K; /* [K] */
        for (int64_t t = 0; t < T; t++) {
            double acc = s->has_bias ? (double)a->b[c] : 0.0;
            for (int64_t j = 0; j < K; j++)
                acc += (double)w_c[j] * (double)stream[t + j];
            a->y[t * s->C + c] = (float)(s->silu ? hy_silu(acc) : acc);
        }

        /* 3. the state keeps the last K samples, oldest first */
        if (a->state)
            for (int64_t j = 0; j < K; j++)
                a->state[c * K + j] = stream[T - 1 + j];
    }
    free(stream);
    return 0;
}
