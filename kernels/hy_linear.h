/* hy_linear.h — linear layer:  y[t, o] (+)= sum_i x[t, i] * W[o, i] + b[o]. */
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
} hy_linear_shape;

typedef struct hy_linear_args {
    const float *x;   /* [T, x_stride], first `in` columns used; x_stride 0 means `in`  */
    int64_t x_stride;
    const float *w;   /* [out, in]                                                       */
    const float *b;   /* [out], NULL unless has_bias                                     */
    float *y;         /* [T, y_stride], first `out` columns written; 0 means `out`       */
    int64_t y_stride;
} hy_linear_args;

/* Returns 0, -1 on error, or HY_UNSUPPORTED (see hy_kernel.h). */
typedef int (*hy_linear_fn)(hy_exec *ex, const hy_linear_shape *s, const hy_linear_args *a,
                            void *work, hy_error *err);

hy_cost hy_linear_cost(const hy_linear_shape *s);
int hy_linear_check(const hy_linear_shape *s, hy_error *err); /* sizes > 0 */

#endif
