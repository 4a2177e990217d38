/* rmsnorm_impl.h — rmsnorm/rowwise (kernels/hy_rmsnorm.h), written once
 * against x86_vec.h and compiled by rmsnorm_avx2.c (VL = 8) and
 * rmsnorm_avx512.c (VL = 16):
 *   y[t, :] = w * (x[t, :] / sqrt(mean(x[t, :]^2) + eps))
 * Per row: the sum of squares in four independent float vector
 * accumulators (4 VL elements per step, so the FMA latency is hidden),
 * one horizontal sum, then one pass y = w * (x * r).  The tail of a row
 * uses masked loads and stores.  Rows are independent: parallel over rows
 * when there are enough of them.  y may alias x (each row is read fully
 * before it is written, and only by the thread that writes it). */
#include "x86_vec.h"

#include "cpu/cpu_backend.h"
#include "x86_mamba.h"

#include <math.h>

#ifdef HYBENCH_HAVE_OPENMP
#include <omp.h>
#endif
#ifndef HY_MAMBA_OMP
#define HY_MAMBA_STR(...) #__VA_ARGS__
#ifdef HYBENCH_HAVE_OPENMP
#define HY_MAMBA_OMP(...) _Pragma(HY_MAMBA_STR(omp __VA_ARGS__))
#else
#define HY_MAMBA_OMP(...)
#endif
#endif

enum { RMS_PAR_MIN = 1 << 15 }; /* fewer T*D elements: stay on one thread */

/* One row; x and y may be the same memory, so no restrict. */
static void rms_row(int64_t D, float eps, const float *x, const float *restrict w, float *y)
{
    vf a0 = vf_zero(), a1 = vf_zero(), a2 = vf_zero(), a3 = vf_zero();
    int64_t i = 0;
    for (; i + 4 * VL <= D; i += 4 * VL) {
        const vf x0 = vf_load(x + i), x1 = vf_load(x + i + VL);
        const vf x2 = vf_load(x + i + 2 * VL), x3 = vf_load(x + i + 3 * VL);
        a0 = vf_fma(x0, x0, a0), a1 = vf_fma(x1, x1, a1);
        a2 = vf_fma(x2, x2, a2), a3 = vf_fma(x3, x3, a3);
    }
    for (; i < D; i += VL) {
        const int64_t m = D - i;
        const vf x0 = m >= VL ? vf_load(x + i) : vf_load_n(x + i, (int)m);
        a0 = vf_fma(x0, x0, a0);
    }
    const float ss = vf_hsum(vf_add(vf_add(a0, a1), vf_add(a2, a3)));
    const vf r = vf_set1(1.0f / sqrtf(ss / (float)D + eps));
    i = 0;
    for (; i + VL <= D; i += VL) vf_store(y + i, vf_mul(vf_load(w + i), vf_mul(vf_load(x + i), r)));
    if (i < D) {
        const int m = (int)(D - i);
        vf_store_n(y + i, vf_mul(vf_load_n(w + i, m), vf_mul(vf_load_n(x + i, m), r)), m);
    }
}

int HY_X86_SUFFIX(hy_x86_rmsnorm_rowwise)(hy_exec *ex, const hy_rmsnorm_shape *s,
                                          const hy_rmsnorm_args *a, void *work, hy_error *err)
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
    const int nt = hy_cpu_exec_threads(ex);
    (void)nt;
    HY_MAMBA_OMP(parallel for schedule(static) num_threads(nt) if(nt > 1 && T > 1 && T * D >= RMS_PAR_MIN))
    for (int64_t t = 0; t < T; t++) rms_row(D, eps, x + t * ldx, w, y + t * ldy);
    return 0;
}
