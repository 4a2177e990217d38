/* hy_mlp.h — dense SwiGLU MLP:  y[t, :] (+)= down( silu(gate x) * up x ), no bias. */
#ifndef HY_MLP_H
#define HY_MLP_H

#include "hy_cost.h"

typedef struct hy_exec hy_exec;

typedef struct hy_mlp_shape {
    int64_t T;  /* tokens           */
    int64_t H;  /* hidden size      */
    int64_t I;  /* intermediate     */
    int accumulate; /* y += result  */
} hy_mlp_shape;

typedef struct hy_mlp_args {
    const float *x;       /* [T, H]  */
    const float *w_gate;  /* [I, H]  */
    const float *w_up;    /* [I, H]  */
    const float *w_down;  /* [H, I]  */
    float *y;             /* [T, H]  */
} hy_mlp_args;

typedef int (*hy_mlp_fn)(hy_exec *ex, const hy_mlp_shape *s, const hy_mlp_args *a,
                         void *work, hy_error *err);

hy_cost hy_mlp_cost(const hy_mlp_shape *s);
int hy_mlp_check(const hy_mlp_shape *s, hy_error *err);

#endif
