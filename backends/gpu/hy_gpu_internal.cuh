/* hy_gpu_internal.cuh — what the GPU kernel sources share: the execution
 * context, launch-error checking and small device helpers.  Included only
 * by backends/gpu/gpu_*.cu (nvcc or hipcc). */
#ifndef HY_GPU_INTERNAL_CUH
#define HY_GPU_INTERNAL_CUH

#include "hy_gpu_compat.h"
#include "hy_gpu_launch.h"

#include <math.h>
#include <stdint.h>

/* The execution context: a stream on the device that was current when it
 * was created, the device's limits, and (CUDA build) a cuBLAS handle. */
struct hy_exec {
    cudaStream_t stream;
    int device;
    int sm_count;
    void *blas;        /* cublasHandle_t, NULL when not created           */
    cudaEvent_t t0, t1; /* device timing (timing_begin / timing_end)      */
    int timing_ready;
};

static inline cudaStream_t hy_gpu_stream(const hy_exec *ex) { return ex ? ex->stream : 0; }

static inline dim3 hy_gpu_dim3(hy_gpu_dim d) { return dim3(d.x, d.y, d.z); }

/* After a launch: -1 with "<backend> <what>: <runtime message>" when the
 * launch failed, else 0.  Does not synchronise. */
static inline int hy_gpu_launch_check(const char *what, hy_error *err)
{
    cudaError_t e = cudaGetLastError();
    if (e != cudaSuccess) return hy_fail(err, "%s %s: %s", HY_GPU_LABEL, what, cudaGetErrorString(e));
    return 0;
}

static inline int hy_gpu_call_check(cudaError_t e, const char *what, hy_error *err)
{
    if (e != cudaSuccess) return hy_fail(err, "%s %s: %s", HY_GPU_LABEL, what, cudaGetErrorString(e));
    return 0;
}

/* Writes the T new keys and values into cache rows pos0 .. pos0 + T - 1
 * (fp32 cache), on stream st (gpu_attention.cu; every attention variant). */
extern "C" int HY_GPU_FN(attention_cache_write)(const hy_attention_shape *s, const hy_attention_args *a,
                                                cudaStream_t st, hy_error *err);

/* Float math as the cpu backend does it (torch semantics). */
__device__ __forceinline__ float hy_dev_silu(float x) { return x / (1.0f + expf(-x)); }
__device__ __forceinline__ float hy_dev_softplus(float x) { return x > 20.0f ? x : log1pf(expf(x)); }

/* Sum over the block (blockDim.x threads, a power of two <= 1024);
 * `scratch` holds blockDim.x floats.  Every thread gets the total. */
__device__ __forceinline__ float hy_dev_block_sum(float v, float *scratch)
{
    unsigned tid = threadIdx.x;
    scratch[tid] = v;
    __syncthreads();
    for (unsigned s = blockDim.x / 2; s > 0; s >>= 1) {
        if (tid < s) scratch[tid] += scratch[tid + s];
        __syncthreads();
    }
    float total = scratch[0];
    __syncthreads();
    return total;
}

#endif
