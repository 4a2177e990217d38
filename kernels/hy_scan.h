/* hy_scan.h — Mamba-1 selective scan in Jamba's form (jamba-semantics §5, §10).
 * Per channel d and state index n, for t = 0..T-1:
 *   dt     = softplus(delta[t, d] + dt_bias[d])        (torch softplus, linear > 20)
 *   A[d,n] = -exp(A_log[d, n])
 *   h[d,n] = exp(dt * A[d,n]) * h[d,n] + dt * B[t, n] * u[t, d]
 *   y[t,d] = sum_n h[d,n] * C[t, n] + Dskip[d] * u[t, d]
 *   y[t,d] *= silu(z[t, d])                            (when z is given)
 * A may also be given precomputed (args.A); it must then hold -expf(A_log).
 * h starts from `state` (zeros when state is NULL) and the final h is
 * written back to `state`.  T = 1 is the single-step decode.  B and C are
 * shared by all channels (Jamba has no groups). */
#ifndef HY_SCAN_H
#define HY_SCAN_H

#include "hy_cost.h"

typedef struct hy_exec hy_exec;

typedef struct hy_scan_shape {
    int64_t T;  /* time steps                  */
    int64_t D;  /* channels (d_inner)          */
    int64_t N;  /* state size (d_state)        */
    int has_z;  /* gate with silu(z)           */
    int has_dt_bias;
} hy_scan_shape;

typedef struct hy_scan_args {
    const float *u;       /* [T, D] input after conv + SiLU                       */
    const float *delta;   /* [T, D] dt_proj output without its bias               */
    const float *A_log;   /* [D, N]                                               */
    const float *B;       /* [T, bc_stride], first N columns                      */
    const float *C;       /* [T, bc_stride], first N columns                      */
    int64_t bc_stride;    /* 0 means N                                            */
    const float *Dskip;   /* [D]                                                  */
    const float *z;       /* [T, z_stride] or NULL; z_stride 0 means D            */
    int64_t z_stride;
    const float *dt_bias; /* [D] or NULL                                          */
    float *state;         /* [D, N] in/out, or NULL                               */
    float *y;             /* [T, D]                                               */
    const float *A;       /* [D, N] -expf(A_log), or NULL: precomputed once by the
                             model (hy_runtime, at load) so that a kernel may read
                             it instead of evaluating exp(A_log) on every call (the
                             decode step's second exponential per state element);
                             kernels that do not use it compute A from A_log     */
} hy_scan_args;

typedef int (*hy_scan_fn)(hy_exec *ex, const hy_scan_shape *s, const hy_scan_args *a,
                          void *work, hy_error *err);

hy_cost hy_scan_cost(const hy_scan_shape *s);
int hy_scan_check(const hy_scan_shape *s, hy_error *err);

#endif
