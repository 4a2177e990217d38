/* hy_moe.h — mixture of experts, Jamba/HF form (jamba-semantics §7):
 *   logits[t, :] = x[t, :] W_router^T                    [E]
 *   p            = softmax(logits) over all E experts (fp32 or wider)
 *   (w, idx)     = top-k of p, ties to the lower index, NO renormalisation
 *   y[t, :]     (+)= sum_j w_j * down_e( silu(gate_e x) * up_e x ),  e = idx_j
 * Experts are SwiGLU MLPs without bias.  No capacity limit, nothing dropped. */
#ifndef HY_MOE_H
#define HY_MOE_H

#include "hy_cost.h"

typedef struct hy_exec hy_exec;

typedef struct hy_moe_shape {
    int64_t T;  /* tokens                */
    int64_t H;  /* hidden size           */
    int64_t I;  /* expert FFN size       */
    int64_t E;  /* experts               */
    int64_t k;  /* experts per token     */
    int accumulate; /* y += result       */
} hy_moe_shape;

typedef struct hy_moe_args {
    const float *x;                /* [T, H]                          */
    const float *w_router;         /* [E, H]                          */
    const float *const *w_gate;    /* E pointers, each [I, H]         */
    const float *const *w_up;      /* E pointers, each [I, H]         */
    const float *const *w_down;    /* E pointers, each [H, I]         */
    float *y;                      /* [T, H]                          */
} hy_moe_args;

typedef int (*hy_moe_fn)(hy_exec *ex, const hy_moe_shape *s, const hy_moe_args *a,
                         void *work, hy_error *err);

hy_cost hy_moe_cost(const hy_moe_shape *s);
int hy_moe_check(const hy_moe_shape *s, hy_error *err);

#endif
