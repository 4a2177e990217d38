/* cpu_rmsnorm.c — rmsnorm/rowwise:
 *   y[t, :] = w * (x[t, :] / sqrt(mean(x[t, :]^2) + eps))      (kernels/hy_rmsnorm.h)
 * in float, parallel over rows.  y may alias x: each row is read fully
 * (sum of squares) before it is written. */
#include "cpu_internal.h"
#include "cpu_kernels.h"

/* One row; x and y may be the same memory, so no restrict. */
static void rmsnorm_row(int64_t D, float eps, const float *x, const float *restrict w, float *y)
{
    float acc[HY_CPU_LANES] = {0};
    int64_t i = 0;
    for (; i + HY_CPU_LANES <= D; i += HY_CPU_LANES)
        for (int l = 0; l < HY_CPU_LANES; l++) acc[l] += x[i + l] * x[i + l];
    float ss = 0.0f;
    for (int l = 0; l < HY_CPU_LANES; l++) ss += acc[l];
    for (; i < D; i++) ss += x[i] * x[i];
    const float r = 1.0f / sqrtf(ss / (float)D + eps);
    for (int64_t d = 0; d < D; d++) y[d] = w[d] * (x[d] * r);
}

int hy_cpu_rmsnorm_rowwise(hy_exec *ex, const hy_rmsnorm_shape *s, const hy_rmsnorm_args *a,
                           void *work, hy_error *err)
{
    (void)work;
    if (!s || !a) return hy_fail(err, "rmsnorm: shape or args is NULL");
    if (hy_rmsnorm_check(s, err)) return -1;
    if (!a->x || !a->w || !a->y) return hy_fail(err, "rmsnorm: x, w and y must not be NULL");
    const int64_t T = s->T, D = s->D;
    const int64_t ldx = a->x_stride ? a->x_stride : D, ldy = a->y_stride ? a->y_stride : D;
    if (ldx < D || ldy < D) return hy_fail(err, "rmsnorm: strides are narrower than D");
    const float *x = a->x, *w = a->w;
    float *y = a->y;
    const float eps = s->eps;
    const int nt = T > 1 ? cpu_threads(ex) : 1;
    (void)nt;
    HY_OMP(parallel for schedule(static) num_threads(nt) if(nt > 1))
    for (int64_t t = 0; t < T; t++) rmsnorm_row(D, eps, x + t * ldx, w, y + t * ldy);
    return 0;
}
