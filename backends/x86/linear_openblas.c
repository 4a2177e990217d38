/* linear_openblas.c — linear/openblas (isa "c"): the vendor-BLAS baseline,
 *   y[t, o] (+)= sum_i x[t, i] W[o, i] + b[o]   (kernels/hy_linear.h)
 * as cblas_sgemm(RowMajor, NoTrans, Trans, T, out, in, 1, x, ldx, W, in,
 * beta, y, ldy).  The bias is written into y first (or added to it when
 * accumulating) and the product then accumulates with beta = 1; without a
 * bias beta is 1 when accumulating and 0 otherwise.  OpenBLAS runs on the
 * exec's thread count (openblas_set_num_threads).  Without OpenBLAS in the
 * build (HYBENCH_HAVE_OPENBLAS undefined) the variant reports
 * HY_UNSUPPORTED. */
#include "x86_gemm.h"
#include "cpu/cpu_backend.h"

#ifdef HYBENCH_HAVE_OPENBLAS
#include <cblas.h>
#include <string.h>
#endif

int hy_x86_linear_openblas(hy_exec *ex, const hy_linear_shape *s, const hy_linear_args *a,
                           void *work, hy_error *err)
{
    (void)work;
    if (!s || !a) return hy_fail(err, "linear: shape or args is NULL");
    if (hy_linear_check(s, err)) return -1;
#ifndef HYBENCH_HAVE_OPENBLAS
    (void)ex;
    hy_fail(err, "linear/openblas: built without OpenBLAS (install libopenblas-dev)");
    return HY_UNSUPPORTED;
#else
    if (!a->x || !a->w || !a->y) return hy_fail(err, "linear: x, w and y must not be NULL");
    if (s->has_bias && !a->b) return hy_fail(err, "linear: has_bias is set but b is NULL");
    const int64_t ldx = a->x_stride ? a->x_stride : s->in;
    const int64_t ldy = a->y_stride ? a->y_stride : s->out;
    if (ldx < s->in || ldy < s->out)
        return hy_fail(err, "linear: strides (x %lld, y %lld) are narrower than in/out",
                       (long long)ldx, (long long)ldy);
    if (s->T > INT32_MAX || s->in > INT32_MAX || s->out > INT32_MAX || ldx > INT32_MAX ||
        ldy > INT32_MAX) {
        hy_fail(err, "linear/openblas: sizes beyond the 32-bit BLAS interface");
        return HY_UNSUPPORTED;
    }
    float beta = s->accumulate ? 1.0f : 0.0f;
    if (s->has_bias) {
        for (int64_t t = 0; t < s->T; t++) {
            float *yt = a->y + t * ldy;
            if (s->accumulate)
                for (int64_t o = 0; o < s->out; o++) yt[o] += a->b[o];
            else
                memcpy(yt, a->b, (size_t)s->out * sizeof *yt);
        }
        beta = 1.0f;
    }
    openblas_set_num_threads(hy_cpu_exec_threads(ex));
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)s->T, (int)s->out, (int)s->in,
                1.0f, a->x, (int)ldx, a->w, (int)s->in, beta, a->y, (int)ldy);
    return 0;
#endif
}
