/* linear_impl.h — linear/packed:  y[t, o] (+)= sum_i x[t, i] W[o, i] + b[o]
 * (kernels/hy_linear.h) as one call of the packed SGEMM (gemm_impl.h),
 * strides honoured through ldx / ldy.  Compiled by linear_avx2.c and
 * linear_avx512.c; declared in x86_gemm.h. */
#include "x86_gemm.h"
#include "x86_vec.h"
#include "cpu/cpu_backend.h"

size_t HY_X86_SUFFIX(hy_x86_linear_packed_workspace)(const hy_linear_shape *s)
{
    if (!s || hy_linear_check(s, NULL)) return 0; /* the kernel will reject the shape */
    return HY_X86_SUFFIX(hy_x86_gemm_workspace)(s->T, s->out, s->in);
}

int HY_X86_SUFFIX(hy_x86_linear_packed)(hy_exec *ex, const hy_linear_shape *s,
                                        const hy_linear_args *a, void *work, hy_error *err)
{
    if (!s || !a) return hy_fail(err, "linear: shape or args is NULL");
    if (hy_linear_check(s, err)) return -1;
    if (!a->x || !a->w || !a->y) return hy_fail(err, "linear: x, w and y must not be NULL");
    if (s->has_bias && !a->b) return hy_fail(err, "linear: has_bias is set but b is NULL");
    const int64_t ldx = a->x_stride ? a->x_stride : s->in;
    const int64_t ldy = a->y_stride ? a->y_stride : s->out;
    if (ldx < s->in || ldy < s->out)
        return hy_fail(err, "linear: strides (x %lld, y %lld) are narrower than in/out",
                       (long long)ldx, (long long)ldy);
    const size_t need = HY_X86_SUFFIX(hy_x86_gemm_workspace)(s->T, s->out, s->in);
    if (need && !work)
        return hy_fail(err, "linear: workspace is NULL (linear/packed needs %zu bytes)", need);
    const hy_x86_gemm_args g = {.M = s->T, .N = s->out, .K = s->in, .x = a->x, .ldx = ldx,
                                .w = a->w, .ldw = s->in, .bias = s->has_bias ? a->b : NULL,
                                .y = a->y, .ldy = ldy, .accumulate = s->accumulate};
    HY_X86_SUFFIX(hy_x86_gemm)(&g, hy_cpu_exec_threads(ex), work);
    return 0;
}
