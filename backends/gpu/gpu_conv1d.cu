/* gpu_conv1d.cu — conv1d "direct": causal depthwise conv with the HF conv
 * state (kernels/hy_conv1d.h).  Stream s of a channel = [history (K - 1
 * samples), x[0..T-1]]; y[t, c] = act(sum_j w[c, j] s[t + j] + b[c]).
 * Two launches on the stream: the outputs (reading the old state), then
 * the new state (the last K stream samples), one thread per channel.
 *   x [T, ldx], w [C, K], b [C] or NULL, state [C, K] or NULL, y [T, C] */
#include "hy_gpu_api.h"
#include "hy_gpu_internal.cuh"

namespace {
/* Stream sample s (0-based) of channel c. */
__device__ __forceinline__ float stream_at(const float *__restrict__ x, int64_t ldx,
                                           const float *state, int64_t c, int64_t K, int64_t s)
{
    if (s < K - 1) return state ? state[c * K + 1 + s] : 0.0f;
    return x[(s - (K - 1)) * ldx + c];
}

__global__ void conv1d_out_kernel(const float *__restrict__ x, int64_t ldx, const float *__restrict__ w,
                                  const float *__restrict__ b, const float *state,
                                  float *__restrict__ y, int64_t T, int64_t C, int64_t K, int silu)
{
    int64_t c = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= C) return;
    const float bias = b ? b[c] : 0.0f;
    for (int64_t t = blockIdx.y; t < T; t += gridDim.y) {
        float acc = 0.0f;
        for (int64_t j = 0; j < K; j++) acc = fmaf(w[c * K + j], stream_at(x, ldx, state, c, K, t + j), acc);
        acc += bias;
        y[t * C + c] = silu ? hy_dev_silu(acc) : acc;
    }
}

/* state[c, i] = stream[T - 1 + i]: reads index 1 + T - 1 + i > i of the
 * old state, so ascending i never reads a slot already overwritten. */
__global__ void conv1d_state_kernel(const float *__restrict__ x, int64_t ldx, float *state, int64_t T,
                                    int64_t C, int64_t K)
{
    int64_t c = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= C) return;
    for (int64_t i = 0; i < K; i++) state[c * K + i] = stream_at(x, ldx, state, c, K, T - 1 + i);
}
} // namespace

extern "C" int HY_GPU_FN(conv1d_direct)(hy_exec *ex, const hy_conv1d_shape *s, const hy_conv1d_args *a,
                                        void *work, hy_error *err)
{
    (void)work;
    if (!s || !a) return hy_fail(err, "conv1d: shape or args is NULL");
    if (hy_conv1d_check(s, err)) return -1;
    if (!a->x || !a->w || !a->y || (s->has_bias && !a->b))
        return hy_fail(err, "conv1d: x, w, y (and b with has_bias) must not be NULL");
    int64_t ldx = a->x_stride ? a->x_stride : s->C;
    hy_gpu_dim grid;
    hy_gpu_conv1d_grid(s->T, s->C, &grid);
    cudaStream_t st = hy_gpu_stream(ex);
    conv1d_out_kernel<<<hy_gpu_dim3(grid), HY_GPU_CONV_THREADS, 0, st>>>(
        a->x, ldx, a->w, s->has_bias ? a->b : NULL, a->state, a->y, s->T, s->C, s->K, s->silu);
    if (hy_gpu_launch_check("conv1d", err)) return -1;
    if (!a->state) return 0;
    conv1d_state_kernel<<<grid.x, HY_GPU_CONV_THREADS, 0, st>>>(a->x, ldx, a->state, s->T, s->C, s->K);
    return hy_gpu_launch_check("conv1d state", err);
}
