/* cpu_linear.c — linear/blocked:  y[t, o] (+)= sum_i x[t, i] W[o, i] + b[o]
 * (kernels/hy_linear.h), the cache-blocked product of cpu_gemm.c,
 * parallel over output blocks x row blocks. */
#include "cpu_internal.h"
#include "cpu_kernels.h"

int hy_cpu_linear_blocked(hy_exec *ex, const hy_linear_shape *s, const hy_linear_args *a,
                          void *work, hy_error *err)
{
    (void)work;
    if (!s || !a) return hy_fail(err, "linear: shape or args is NULL");
    if (hy_linear_check(s, err)) return -1;
    if (!a->x || !a->w || !a->y) return hy_fail(err, "linear: x, w and y must not be NULL");
    if (s->has_bias && !a->b) return hy_fail(err, "linear: has_bias is set but b is NULL");
    const int64_t ldx = a->x_stride ? a->x_stride : s->in;
    const int64_t ldy = a->y_stride ? a->y_stride : s->out;
    if (ldx < s->in || ldy < s->out)
        return hy_fail(err, "linear: strides (x %lld, y %lld) are narrower than in/out",
                       (long long)ldx, (long long)ldy);
    cpu_gemm_xwt(s->T, s->in, s->out, a->x, ldx, a->w, s->has_bias ? a->b : NULL, a->y, ldy,
                 s->accumulate, cpu_threads(ex));
    return 0;
}
