/* hy_linear.h — linear layer:  y[t, o] (+)= sum_i x[t, i] * W[o, i] + b[o].
 *
 * W may be stored as bf16 (w_dtype = HY_BF16, the way Jamba checkpoints
 * ship): the kernel then reads w_bf16 and the result is the one of the
 * bf16 values widened to fp32 (exact), with x, b and y fp32 as always. */
#ifndef HY_LINEAR_H
#define HY_LINEAR_H

#include "hy_cost.h"

typedef struct hy_exec hy_exec; /* backend execution context (backends/backend.h) */

typedef struct hy_linear_shape {
    int64_t T;       /* rows (tokens)                   */
    int64_t in;      /* reduction length                */
    int64_t out;     /* output features                 */
    int has_bias;    /* b is used                       */
    int accumulate;  /* y += result instead of y = result (residual add) */
    hy_dtype w_dtype; /* storage of W: HY_F32 (zero, args.w) or HY_BF16 (args.w_bf16) */
} hy_linear_shape;

typedef struct hy_linear_args {
    const float *x;   /* [T, x_stride], first `in` columns used; x_stride 0 means `in`  */
    int64_t x_stride;
    const float *w;   /* [out, in]  used when w_dtype == HY_F32                          */
    const float *b;   /* [out], NULL unless has_bias                                     */
    float *y;         /* [T, y_stride], first `out` columns written; 0 means `out`       */
    int64_t y_stride;
    const uint16_t *w_bf16; /* [out, in] bf16 bits, used when w_dtype == HY_BF16          */
} hy_linear_args;

/* Returns 0, -1 on error, or HY_UNSUPPORTED (see hy_kernel.h). */
typedef int (*hy_linear_fn)(hy_exec *ex, const hy_linear_shape *s, const hy_linear_args *a,
                            void *work, hy_error *err);

hy_cost hy_linear_cost(const hy_linear_shape *s);
int hy_linear_check(const hy_linear_shape *s, hy_error *err); /* sizes > 0, w_dtype f32 or bf16 */

#endif
