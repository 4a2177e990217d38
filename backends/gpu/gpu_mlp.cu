/* gpu_mlp.cu — dense SwiGLU MLP "swiglu" (kernels/hy_mlp.h):
 *   act = silu(x Wg^T) * (x Wu^T)   one tiled GEMM kernel, both products
 *                                   per tile, act [T, I] in the workspace
 *   y  (+)= act Wd^T                 the linear "tiled" kernel
 *   x, y [T, H], w_gate, w_up [I, H], w_down [H, I] */
#include "gpu_gemm.cuh"
#include "hy_gpu_api.h"

#include <string.h>

namespace {
__global__ void __launch_bounds__(HY_GPU_GEMM_THREADS)
gateup_dense_kernel(const float *__restrict__ x, int64_t T, int64_t H, int64_t I,
                    const float *__restrict__ w_gate, const float *__restrict__ w_up,
                    float *__restrict__ act)
{
    __shared__ hy_gemm_smem sm;
    const int64_t m0 = (int64_t)blockIdx.y * GEMM_BM, n0 = (int64_t)blockIdx.x * GEMM_BN;
    float g[4][4], u[4][4];
    hy_gemm_zero(g);
    hy_gemm_zero(u);
    hy_gemm_nt_tile(x, H, NULL, T, w_gate, H, I, H, m0, n0, g, sm);
    hy_gemm_nt_tile(x, H, NULL, T, w_up, H, I, H, m0, n0, u, sm);
    const int tx = threadIdx.x % 16, ty = threadIdx.x / 16;
#pragma unroll
    for (int i = 0; i < 4; i++) {
        int64_t m = m0 + ty + 16 * i;
        if (m >= T) continue;
#pragma unroll
        for (int j = 0; j < 4; j++) {
            int64_t n = n0 + tx + 16 * j;
            if (n < I) act[m * I + n] = hy_dev_silu(g[i][j]) * u[i][j];
        }
    }
}
} // namespace

extern "C" size_t HY_GPU_FN(mlp_swiglu_workspace)(const hy_mlp_shape *s)
{
    return s ? hy_gpu_mlp_workspace(s) : 0;
}

extern "C" int HY_GPU_FN(mlp_swiglu)(hy_exec *ex, const hy_mlp_shape *s, const hy_mlp_args *a, void *work,
                                     hy_error *err)
{
    if (!s || !a) return hy_fail(err, "mlp: shape or args is NULL");
    if (hy_mlp_check(s, err)) return -1;
    if (!a->x || !a->w_gate || !a->w_up || !a->w_down || !a->y)
        return hy_fail(err, "mlp: x, w_gate, w_up, w_down and y must not be NULL");
    if (!work) return hy_fail(err, "mlp swiglu: needs a workspace of %zu bytes", hy_gpu_mlp_workspace(s));
    hy_gpu_dim grid;
    if (hy_gpu_gemm_grid(s->T, s->I, &grid)) {
        hy_fail(err, "mlp swiglu: %lld rows exceed the grid", (long long)s->T);
        return HY_UNSUPPORTED;
    }
    float *act = (float *)work;
    gateup_dense_kernel<<<hy_gpu_dim3(grid), HY_GPU_GEMM_THREADS, 0, hy_gpu_stream(ex)>>>(
        a->x, s->T, s->H, s->I, a->w_gate, a->w_up, act);
    if (hy_gpu_launch_check("mlp gate/up", err)) return -1;
    hy_linear_shape ls;
    memset(&ls, 0, sizeof ls);
    ls.T = s->T;
    ls.in = s->I;
    ls.out = s->H;
    ls.accumulate = s->accumulate;
    hy_linear_args la;
    memset(&la, 0, sizeof la);
    la.x = act;
    la.w = a->w_down;
    la.y = a->y;
    return HY_GPU_FN(linear_tiled)(ex, &ls, &la, NULL, err);
}
