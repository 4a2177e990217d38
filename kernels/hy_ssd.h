/* hy_ssd.h — Mamba-2 state-space duality (jamba-semantics §11).
 * Per head h (head p-dims P, state N, group g = h / (H/G)):
 *   dt      = softplus(dt_raw[t, h] + dt_bias[h])
 *   A_h     = -exp(A_log[h])                           (one scalar per head)
 *   S_h     = exp(dt * A_h) * S_h + dt * x[t, h, :] B[t, g, :]^T     [P, N]
 *   y[t,h,:] = S_h C[t, g, :] + Dskip[h] * x[t, h, :]
 *   y       *= silu(z[t, h, :])                        (when z is given)
 * S starts from `state` (zeros when NULL) and the final S is written back.
 * `chunk` is the chunk length Q of the chunked algorithm; a variant may use
 * it or not, the result is the same recurrence. */
#ifndef HY_SSD_H
#define HY_SSD_H

#include "hy_cost.h"

typedef struct hy_exec hy_exec;

typedef struct hy_ssd_shape {
    int64_t T;      /* time steps                     */
    int64_t H;      /* heads                          */
    int64_t P;      /* head dimension                 */
    int64_t G;      /* groups of B and C; divides H   */
    int64_t N;      /* state size                     */
    int64_t chunk;  /* chunk length Q (> 0)           */
    int has_z;
    int has_D;
    int has_dt_bias;
} hy_ssd_shape;

typedef struct hy_ssd_args {
    const float *x;       /* [T, H, P]                 */
    const float *dt;      /* [T, H]  raw (pre-softplus) */
    const float *A_log;   /* [H]                        */
    const float *B;       /* [T, G, N]                  */
    const float *C;       /* [T, G, N]                  */
    const float *Dskip;   /* [H] or NULL                */
    const float *z;       /* [T, H, P] or NULL          */
    const float *dt_bias; /* [H] or NULL                */
    float *state;         /* [H, P, N] in/out, or NULL  */
    float *y;             /* [T, H, P]                  */
} hy_ssd_args;

typedef int (*hy_ssd_fn)(hy_exec *ex, const hy_ssd_shape *s, const hy_ssd_args *a,
                         void *work, hy_error *err);

hy_cost hy_ssd_cost(const hy_ssd_shape *s);
int hy_ssd_check(const hy_ssd_shape *s, hy_error *err);

#endif
