/* ref_rmsnorm.c — reference RMSNorm (kernels/hy_rmsnorm.h).
 *
 *   x [T, x_stride]  first D columns (x_stride 0 means D)
 *   w [D]
 *   y [T, y_stride]  first D columns (y_stride 0 means D); may be x itself
 *                    (same pointer and stride: in place)
 *
 *   y[t, i] = w[i] * x[t, i] / sqrt(mean_i(x[t, i]^2) + eps)
 *
 * The mean of squares and the scaling are in double; one rounding at the end. */
#include "hy_reference.h"

#include <math.h>

int hy_ref_rmsnorm(const hy_rmsnorm_shape *s, const hy_rmsnorm_args *a, hy_error *err)
{
    if (!s || !a) return hy_fail(err, "rmsnorm: shape or args is NULL");
    if (hy_rmsnorm_check(s, err)) return -1;
    if (!a->x || !a->w || !a->y) return hy_fail(err, "rmsnorm: x, w and y must not be NULL");
    int64_t x_stride = a->x_stride ? a->x_stride : s->D;
    int64_t y_stride = a->y_stride ? a->y_stride : s->D;
    if (x_stride < s->D || y_stride < s->D)
        return hy_fail(err, "rmsnorm: x_stride (%lld) and y_stride (%lld) must be 0 or >= D (%lld)",
                       (long long)x_stride, (long long)y_stride, (long long)s->D);

    for (int64_t t = 0; t < s->T; t++) {
        const float *x_t = a->x + t * x_stride; /* [D] */
        float *y_t = a->y + t * y_stride;       /* [D] */
        double sum_sq = 0.0;
        for (int64_t i = 0; i < s->D; i++)
            sum_sq += (double)x_t[i] * (double)x_t[i];
        double inv_rms = 1.0 / sqrt(sum_sq / (double)s->D + (double)s->eps);
        for (int64_t i = 0; i < s->D; i++)
            y_t[i] = (float)((double)a->w[i] * ((double)x_t[i] * inv_rms));
    }
    return 0;
}
