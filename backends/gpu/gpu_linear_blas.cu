/* gpu_linear_blas.cu — linear "cublas", the vendor baseline (CUDA build
 * only; the HIP build has no hipBLAS on Debian and omits the variant).
 *
 * Row-major y [T, ldy] is column-major Y [out, T] with leading dimension
 * ldy; likewise x is X [in, T] (ld ldx) and W [out, in] is W' [in, out]
 * (ld in).  So Y = W'^T X: cublasSgemm(OP_T, OP_N, out, T, in).  A bias is
 * written into y first (added to it when accumulating) and the product
 * then accumulates onto it (beta = 1). */
#include "hy_gpu_api.h"
#include "hy_gpu_internal.cuh"

#include <cublas_v2.h>
#include <limits.h>

namespace {
/* y[t, o] = (accumulate ? y[t, o] : 0) + b[o]   for t < T, o < out */
__global__ void bias_init_kernel(float *__restrict__ y, int64_t ldy, const float *__restrict__ b,
                                 int64_t T, int64_t out, int accumulate)
{
    int64_t n = T * out;
    for (int64_t e = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; e < n;
         e += (int64_t)gridDim.x * blockDim.x) {
        int64_t t = e / out, o = e % out;
        float *dst = y + t * ldy + o;
        *dst = (accumulate ? *dst : 0.0f) + b[o];
    }
}
} // namespace

extern "C" int HY_GPU_FN(linear_blas)(hy_exec *ex, const hy_linear_shape *s, const hy_linear_args *a,
                                      void *work, hy_error *err)
{
    (void)work;
    if (!s || !a) return hy_fail(err, "linear: shape or args is NULL");
    if (hy_linear_check(s, err)) return -1;
    if (!a->x || !a->w || !a->y || (s->has_bias && !a->b))
        return hy_fail(err, "linear: x, w, y (and b with has_bias) must not be NULL");
    if (!ex || !ex->blas) return hy_fail(err, "linear cublas: the execution context has no cuBLAS handle");
    int64_t ldx = a->x_stride ? a->x_stride : s->in, ldy = a->y_stride ? a->y_stride : s->out;
    if (s->T > INT_MAX || s->in > INT_MAX || s->out > INT_MAX || ldx > INT_MAX || ldy > INT_MAX) {
        hy_fail(err, "linear cublas: dimensions beyond 32-bit cuBLAS arguments");
        return HY_UNSUPPORTED;
    }
    float alpha = 1.0f, beta = s->accumulate ? 1.0f : 0.0f;
    if (s->has_bias) {
        int64_t n = s->T * s->out, blocks = hy_gpu_ceil_div(n, 256);
        if (blocks > 65535) blocks = 65535;
        bias_init_kernel<<<(unsigned)blocks, 256, 0, ex->stream>>>(a->y, ldy, a->b, s->T, s->out,
                                                                   s->accumulate);
        if (hy_gpu_launch_check("linear cublas bias", err)) return -1;
        beta = 1.0f;
    }
    cublasStatus_t st = cublasSgemm((cublasHandle_t)ex->blas, CUBLAS_OP_T, CUBLAS_OP_N, (int)s->out,
                                    (int)s->T, (int)s->in, &alpha, a->w, (int)s->in, a->x, (int)ldx,
                                    &beta, a->y, (int)ldy);
    if (st != CUBLAS_STATUS_SUCCESS)
        return hy_fail(err, "linear cublas: cublasSgemm failed (status %d)", (int)st);
    return hy_gpu_launch_check("linear cublas", err);
}
