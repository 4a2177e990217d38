/* ref_scan.c — reference Mamba-1 selective scan, Jamba form
 * (kernels/hy_scan.h, jamba-semantics §5 and §10).
 *
 *   u       [T, D]          input after conv + SiLU
 *   delta   [T, D]          dt_proj output, without its bias
 *   A_log   [D, N]          A = -exp(A_log)
 *   B, C    [T, bc_stride]  first N columns (bc_stride 0 means N)
 *   Dskip   [D]
 *   z       [T, z_stride]   only when has_z (z_stride 0 means D)
 *   dt_bias [D]             only when has_dt_bias
 *   state   [D, N]          in/out, or NULL (start from zeros, keep nothing)
 *   y       [T, D]
 *
 * For each channel d, the recurrence in double, sequentially over t:
 *   dt      = softplus(delta[t, d] + dt_bias[d])      (linear above 20)
 *   h[n]    = exp(dt * A[d, n]) * h[n] + dt * u[t, d] * B[t, n]
 *   y[t, d] = (sum_n h[n] * C[t, n] + Dskip[d] * u[t, d]) * silu(z[t, d]) */
#include "hy_reference.h"

#include <math.h>
#include <stdlib.h>

int hy_ref_scan(const hy_scan_shape *s, const hy_scan_args *a, hy_error *err)
{
    if (!s || !a) return hy_fail(err, "scan: shape or args is NULL");
    if (hy_scan_check(s, err)) return -1;
    if (!a->u || !a->delta || !a->A_log || !a->B || !a->C || !a->Dskip || !a->y)
        return hy_fail(err, "scan: u, delta, A_log, B, C, Dskip and y must not be NULL");
    if (s->has_z && !a->z) return hy_fail(err, "scan: has_z is set but z is NULL");
    if (s->has_dt_bias && !a->dt_bias)
        return hy_fail(err, "scan: has_dt_bias is set but dt_bias is NULL");
    const int64_t T = s->T, D = s->D, N = s->N;
    int64_t bc_stride = a->bc_stride ? a->bc_stride : N;
    int64_t z_stride = a->z_stride ? a->z_stride : D;
    if (bc_stride < N)
        return hy_fail(err, "scan: bc_stride (%lld) must be 0 or >= N (%lld)",
                       (long long)bc_stride, (long long)N);
    if (s->has_z && z_stride < D)
        return hy_fail(err, "scan: z_stride (%lld) must be 0 or >= D (%lld)",
                       (long long)z_stride, (long long)D);

    double *h = malloc((size_t)N * sizeof *h); /* [N] state of one channel */
    double *A = malloc((size_t)N * sizeof *A); /* [N] A[d, :]              */
    if (!h || !A) {
        free(h);
        free(A);
        return hy_fail(err, "scan: out of memory for N = %lld", (long long)N);
    }

    for (int64_t d = 0; d < D; d++) {
        for (int64_t n = 0; n < N; n++) {
            A[n] = -exp((double)a->A_log[d * N + n]);
            h[n] = a->state ? (double)a->state[d * N + n] : 0.0;
        }
        for (int64_t t = 0; t < T; t++) {
            double u = (double)a->u[t * D + d];
            double dt = (double)a->delta[t * D + d] + (s->has_dt_bias ? (double)a->dt_bias[d] : 0.0);
            dt = hy_softplus(dt);
            const float *B_t = a->B + t * bc_stride; /* [N] */
            const float *C_t = a->C + t * bc_stride; /* [N] */
            double y = 0.0;
            for (int64_t n = 0; n < N; n++) {
                h[n] = exp(dt * A[n]) * h[n] + dt * u * (double)B_t[n];
                y += h[n] * (double)C_t[n];
            }
            y += (double)a->Dskip[d] * u;
            if (s->has_z) y *= hy_silu((double)a->z[t * z_stride + d]);
            a->y[t * D + d] = (float)y;
        }
        if (a->state)
            for (int64_t n = 0; n < N; n++)
                a->state[d * N + n] = (float)h[n];
    }
    free(h);
    free(A);
    return 0;
}
