/* gpu_rmsnorm.cu — rmsnorm "rowwise": one block per row,
 *   y[t, :] = w * x[t, :] / sqrt(mean(x[t, :]^2) + eps)
 * the sum of squares reduced in shared memory.  x [T, ldx], w [D],
 * y [T, ldy]; y may be x (each element is read and then written by the
 * same thread). */
#include "hy_gpu_api.h"
#include "hy_gpu_internal.cuh"

namespace {
__global__ void rmsnorm_kernel(const float *x, int64_t ldx, const float *__restrict__ w, float *y,
                               int64_t ldy, int64_t T, int64_t D, float eps)
{
    extern __shared__ float scratch[]; /* [blockDim.x] */
    for (int64_t t = blockIdx.x; t < T; t += gridDim.x) {
        const float *xr = x + t * ldx;
        float ss = 0.0f;
        for (int64_t i = threadIdx.x; i < D; i += blockDim.x) ss = fmaf(xr[i], xr[i], ss);
        float total = hy_dev_block_sum(ss, scratch);
        float inv = 1.0f / sqrtf(total / (float)D + eps);
        float *yr = y + t * ldy;
        for (int64_t i = threadIdx.x; i < D; i += blockDim.x) yr[i] = w[i] * (xr[i] * inv);
    }
}
} // namespace

extern "C" int HY_GPU_FN(rmsnorm_rowwise)(hy_exec *ex, const hy_rmsnorm_shape *s, const hy_rmsnorm_args *a,
                                          void *work, hy_error *err)
{
    (void)work;
    if (!s || !a) return hy_fail(err, "rmsnorm: shape or args is NULL");
    if (hy_rmsnorm_check(s, err)) return -1;
    if (!a->x || !a->w || !a->y) return hy_fail(err, "rmsnorm: x, w and y must not be NULL");
    int64_t ldx = a->x_stride ? a->x_stride : s->D, ldy = a->y_stride ? a->y_stride : s->D;
    unsigned threads = hy_gpu_rmsnorm_threads(s->D);
    unsigned blocks = s->T > (1 << 20) ? (1u << 20) : (unsigned)s->T; /* rows loop past it */
    rmsnorm_kernel<<<blocks, threads, threads * sizeof(float), hy_gpu_stream(ex)>>>(
        a->x, ldx, a->w, a->y, ldy, s->T, s->D, s->eps);
    return hy_gpu_launch_check("rmsnorm", err);
}
