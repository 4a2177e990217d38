/* hy_conv1d.h — causal depthwise conv1d over time, + bias, optional SiLU,
 * with the Hugging Face Jamba conv state so that prefill, chunked prefill
 * and single-token decode are one operation.
 *
 *   stream   = [history (K-1 most recent earlier inputs), x[0], ..., x[T-1]]
 *   y[t, c]  = act( sum_{j=0..K-1} w[c, j] * stream_c[t + j] + b[c] )
 * i.e. w[c, K-1] multiplies the newest sample (PyTorch cross-correlation).
 * The history is state[c, 1..K-1] when a state is given, zeros otherwise.
 * On return the state holds the last K samples of the stream, oldest first
 * (HF `conv_states`, [Di, K]); a fresh sequence starts from a zero state. */
#ifndef HY_CONV1D_H
#define HY_CONV1D_H

#include "hy_cost.h"

typedef struct hy_exec hy_exec;

typedef struct hy_conv1d_shape {
    int64_t T;     /* new time steps                */
    int64_t C;     /* channels (d_inner)            */
    int64_t K;     /* kernel width (d_conv)         */
    int has_bias;
    int silu;      /* apply SiLU after the bias      */
} hy_conv1d_shape;

typedef struct hy_conv1d_args {
    const float *x;  /* [T, x_stride], first C columns (pre-conv input); 0 means C */
    int64_t x_stride;
    const float *w;  /* [C, K]  (checkpoint [C, 1, K])                             */
    const float *b;  /* [C] or NULL                                                 */
    float *state;    /* [C, K] in/out, or NULL (zero history, nothing kept)         */
    float *y;        /* [T, C]                                                      */
} hy_conv1d_args;

typedef int (*hy_conv1d_fn)(hy_exec *ex, const hy_conv1d_shape *s, const hy_conv1d_args *a,
                            void *work, hy_error *err);

hy_cost hy_conv1d_cost(const hy_conv1d_shape *s);
int hy_conv1d_check(const hy_conv1d_shape *s, hy_error *err);

#endif
