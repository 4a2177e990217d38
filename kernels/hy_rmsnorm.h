/* hy_rmsnorm.h — RMSNorm:  y[t, :] = w * x[t, :] / sqrt(mean(x[t, :]^2) + eps),
 * computed in fp32 or wider.  y may equal x (in place). */
#ifndef HY_RMSNORM_H
#define HY_RMSNORM_H

#include "hy_cost.h"

typedef struct hy_exec hy_exec;

typedef struct hy_rmsnorm_shape {
    int64_t T;  /* rows                        */
    int64_t D;  /* normalised width            */
    float eps;  /* rms_norm_eps                */
} hy_rmsnorm_shape;

typedef struct hy_rmsnorm_args {
    const float *x;  /* [T, x_stride], first D columns; 0 means D */
    int64_t x_stride;
    const float *w;  /* [D]                                      */
    float *y;        /* [T, y_stride]; 0 means D; may alias x     */
    int64_t y_stride;
} hy_rmsnorm_args;

typedef int (*hy_rmsnorm_fn)(hy_exec *ex, const hy_rmsnorm_shape *s, const hy_rmsnorm_args *a,
                             void *work, hy_error *err);

hy_cost hy_rmsnorm_cost(const hy_rmsnorm_shape *s);
int hy_rmsnorm_check(const hy_rmsnorm_shape *s, hy_error *err);

#endif
