/* ref_ssd.c — reference Mamba-2 SSD as the plain sequential recurrence
 * (kernels/hy_ssd.h, jamba-semantics §11).  `chunk` does not change the
 * result and is not used here.
 *
 *   x       [T, H, P]
 *   dt      [T, H]       raw, before softplus
 *   A_log   [H]          A_h = -exp(A_log[h])
 *   B, C    [T, G, N]    head h uses group g = h / (H / G)
 *   Dskip   [H]          only when has_D
 *   z       [T, H, P]    only when has_z
 *   dt_bias [H]          only when has_dt_bias
 *   state   [H, P, N]    in/out, or NULL (zeros, nothing kept)
 *   y       [T, H, P]
 *
 * Per head h, in double, sequentially over t:
 *   dt_h        = softplus(dt[t, h] + dt_bias[h])
 *   S[p, n]     = exp(dt_h * A_h) * S[p, n] + dt_h * x[t, h, p] * B[t, g, n]
 *   y[t, h, p]  = (sum_n S[p, n] C[t, g, n] + Dskip[h] x[t, h, p]) * silu(z[t, h, p]) */
#include "hy_reference.h"

#include <math.h>
#include <stdlib.h>

int hy_ref_ssd(const hy_ssd_shape *s, const hy_ssd_args *a, hy_error *err)
{
    if (!s || !a) return hy_fail(err, "ssd: shape or args is NULL");
    if (hy_ssd_check(s, err)) return -1;
    if (!a->x || !a->dt || !a->A_log || !a->B || !a->C || !a->y)
        return hy_fail(err, "ssd: x, dt, A_log, B, C and y must not be NULL");
    if (s->has_D && !a->Dskip) return hy_fail(err, "ssd: has_D is set but Dskip is NULL");
    if (s->has_z && !a->z) return hy_fail(err, "ssd: has_z is set but z is NULL");
    if (s->has_dt_bias && !a->dt_bias)
        return hy_fail(err, "ssd: has_dt_bias is set but dt_bias is NULL");
    const int64_t T = s->T, H = s->H, P = s->P, G = s->G, N = s->N;
    const int64_t heads_per_group = H / G;

    double *S = malloc((size_t)(P * N) * sizeof *S); /* [P, N] state of one head */
    if (!S) return hy_fail(err, "ssd: out of memory for P*N = %lld", (long long)(P * N));

    for (int64_t h = 0; h < H; h++) {
        const int64_t g = h / heads_per_group;
        const double A = -exp((double)a->A_log[h]);
        for (int64_t i = 0; i < P * N; i++)
            S[i] = a->state ? (double)a->state[h * P * N + i] : 0.0;
        for (int64_t t = 0; t < T; t++) {
            double dt = (double)a->dt[t * H + h] + (s->has_dt_bias ? (double)a->dt_bias[h] : 0.0);
            dt = hy_softplus(dt);
            const double dA = exp(dt * A);
            const float *B_t = a->B + (t * G + g) * N; /* [N]  */
            const float *C_t = a->C + (t * G + g) * N; /* [N]  */
            const float *x_t = a->x + (t * H + h) * P; /* [P]  */
            float *y_t = a->y + (t * H + h) * P;       /* [P]  */
            for (int64_t p = 0; p < P; p++) {
                double x = (double)x_t[p];
                double y = 0.0;
                for (int64_t n = 0; n < N; n++) {
                    S[p * N + n] = dA * S[p * N + n] + dt * x * (double)B_t[n];
                    y += S[p * N + n] * (double)C_t[n];
                }
                if (s->has_D) y += (double)a->Dskip[h] * x;
                if (s->has_z) y *= hy_silu((double)a->z[(t * H + h) * P + p]);
                y_t[p] = (float)y;
            }
        }
        if (a->state)
            for (int64_t i = 0; i < P * N; i++)
                a->state[h * P * N + i] = (float)S[i];
    }
    free(S);
    return 0;
}
