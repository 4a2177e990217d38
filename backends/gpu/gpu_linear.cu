/* gpu_linear.cu — linear "tiled": y[t, o] (+)= sum_i x[t, i] W[o, i] + b[o]
 * with the shared-memory tiled SGEMM of gpu_gemm.cuh.
 *   x [T, ldx], W [out, in], b [out] or NULL, y [T, ldy] */
#include "gpu_gemm.cuh"
#include "hy_gpu_api.h"

namespace {
__global__ void __launch_bounds__(HY_GPU_GEMM_THREADS)
linear_tiled_kernel(const float *__restrict__ x, int64_t ldx, const float *__restrict__ w,
                    const float *__restrict__ b, float *__restrict__ y, int64_t ldy, int64_t T,
                    int64_t in, int64_t out, int accumulate)
{
    __shared__ hy_gemm_smem sm;
    const int64_t m0 = (int64_t)blockIdx.y * GEMM_BM, n0 = (int64_t)blockIdx.x * GEMM_BN;
    float acc[4][4];
    hy_gemm_zero(acc);
    hy_gemm_nt_tile(x, ldx, NULL, T, w, in, out, in, m0, n0, acc, sm);
    const int tx = threadIdx.x % 16, ty = threadIdx.x / 16;
#pragma unroll
    for (int i = 0; i < 4; i++) {
        int64_t m = m0 + ty + 16 * i;
        if (m >= T) continue;
#pragma unroll
        for (int j = 0; j < 4; j++) {
            int64_t n = n0 + tx + 16 * j;
            if (n >= out) continue;
            float v = acc[i][j] + (b ? b[n] : 0.0f);
            float *dst = y + m * ldy + n;
            *dst = accumulate ? *dst + v : v;
        }
    }
}
} // namespace

extern "C" int HY_GPU_FN(linear_tiled)(hy_exec *ex, const hy_linear_shape *s, const hy_linear_args *a,
                                       void *work, hy_error *err)
{
    (void)work;
    if (!s || !a) return hy_fail(err, "linear: shape or args is NULL");
    if (hy_linear_check(s, err)) return -1;
    if (!a->x || !a->w || !a->y || (s->has_bias && !a->b))
        return hy_fail(err, "linear: x, w, y (and b with has_bias) must not be NULL");
    int64_t ldx = a->x_stride ? a->x_stride : s->in, ldy = a->y_stride ? a->y_stride : s->out;
    hy_gpu_dim grid;
    if (hy_gpu_gemm_grid(s->T, s->out, &grid)) {
        hy_fail(err, "linear tiled: %lld rows need more row tiles than a grid holds", (long long)s->T);
        return HY_UNSUPPORTED;
    }
    linear_tiled_kernel<<<hy_gpu_dim3(grid), HY_GPU_GEMM_THREADS, 0, hy_gpu_stream(ex)>>>(
        a->x, ldx, a->w, s->has_bias ? a->b : NULL, a->y, ldy, s->T, s->in, s->out, s->accumulate);
    return hy_gpu_launch_check("linear tiled", err);
}
