/* gpu_probes.cu — the device ceilings probes behind `hybench ceilings`
 * (hy_gpu_api.h, hy_gpu_ceil_kind):
 *   copy      own kernel, dst[i] = src[i] over two arrays much larger than
 *             the L2 cache, 16-byte loads and stores, 4 per thread in
 *             flight; counted 2 x array bytes per pass (read + write);
 *   memcpy    cudaMemcpyAsync device to device on the same arrays, for
 *             comparison (the driver's copy engine or kernel);
 *   fma_f32   FMA_CHAINS independent fp32 FMA chains per thread, entirely
 *             in registers, FMA_UNROLL deep per loop trip, enough blocks
 *             to fill every SM;
 *   mma_bf16  MMA_ACC independent mma.sync.m16n8k16 bf16 x bf16 + fp32
 *             accumulators per warp, operands in registers (CUDA only:
 *             the tensor-core instruction the flash-tc and chunked-tc
 *             kernels use; Hopper's wgmma can go faster, so on sm_90 this
 *             is the roof of mma.sync code, not of the chip).
 * Every run is timed with events on the probe's own stream.  The loops
 * keep their results alive through a store that no realistic value takes,
 * so the compiler cannot drop the arithmetic. */
#include "hy_gpu_api.h"
#include "hy_gpu_internal.cuh"
#include "gpu_mma.cuh"

#include <stdlib.h>

#define COPY_THREADS 256
#define COPY_PER_THREAD 4 /* float4 per thread */
#define FMA_THREADS 256
#define FMA_BLOCKS_PER_SM 8
#define FMA_CHAINS 8
#define FMA_UNROLL 16
#define MMA_THREADS 256
#define MMA_BLOCKS_PER_SM 4
#define MMA_ACC 8

struct hy_gpu_ceil {
    cudaStream_t stream;
    cudaEvent_t t0, t1;
    float *a, *b;     /* [n] each */
    float *sink;      /* [1]      */
    size_t bytes;     /* of each array */
    int sm_count, major;
};

namespace {

/* Each block copies COPY_THREADS * COPY_PER_THREAD float4: all loads, then
 * all stores, so every thread has several requests in flight. */
__global__ void __launch_bounds__(COPY_THREADS) ceil_copy_kernel(const float4 *__restrict__ src,
                                                                 float4 *__restrict__ dst, size_t n4)
{
    size_t base = (size_t)blockIdx.x * COPY_THREADS * COPY_PER_THREAD + threadIdx.x;
    float4 v[COPY_PER_THREAD];
#pragma unroll
    for (int k = 0; k < COPY_PER_THREAD; k++) {
        size_t i = base + (size_t)k * COPY_THREADS;
        if (i < n4) v[k] = src[i];
    }
#pragma unroll
    for (int k = 0; k < COPY_PER_THREAD; k++) {
        size_t i = base + (size_t)k * COPY_THREADS;
        if (i < n4) dst[i] = v[k];
    }
}

/* m and c are arguments so that nothing is known at compile time. */
__global__ void __launch_bounds__(FMA_THREADS) ceil_fma_kernel(uint64_t trips, float m, float c,
                                                               float *sink)
{
    float acc[FMA_CHAINS];
#pragma unroll
    for (int k = 0; k < FMA_CHAINS; k++) acc[k] = (float)(threadIdx.x + k) * 1e-3f;
    for (uint64_t i = 0; i < trips; i++) {
#pragma unroll
        for (int u = 0; u < FMA_UNROLL; u++) {
#pragma unroll
            for (int k = 0; k < FMA_CHAINS; k++) acc[k] = fmaf(acc[k], m, c);
        }
    }
    float s = 0.0f;
#pragma unroll
    for (int k = 0; k < FMA_CHAINS; k++) s += acc[k];
    if (s == -1234.5f) *sink = s; /* never in practice; keeps the chains alive */
}

#if HY_GPU_HAVE_MMA
__global__ void __launch_bounds__(MMA_THREADS) ceil_mma_kernel(uint64_t trips, uint32_t seed, float *sink)
{
    uint32_t a[4], b[2];
    /* small bf16 values (exponent of 2^-8 or so) keep the sums finite */
#pragma unroll
    for (int k = 0; k < 4; k++) a[k] = 0x3B803B80u ^ ((seed + threadIdx.x * 4u + k) & 0x007F007Fu);
#pragma unroll
    for (int k = 0; k < 2; k++) b[k] = 0x3B803B80u ^ ((seed * 3u + threadIdx.x + k) & 0x007F007Fu);
    float d[MMA_ACC][4];
#pragma unroll
    for (int j = 0; j < MMA_ACC; j++)
#pragma unroll
        for (int k = 0; k < 4; k++) d[j][k] = 0.0f;
    for (uint64_t i = 0; i < trips; i++) {
#pragma unroll
        for (int j = 0; j < MMA_ACC; j++) hy_mma_bf16_16816(d[j], a, b);
    }
    float s = 0.0f;
#pragma unroll
    for (int j = 0; j < MMA_ACC; j++) s += d[j][0] + d[j][1] + d[j][2] + d[j][3];
    if (s == -1234.5f) *sink = s;
}
#endif

} // namespace

extern "C" int HY_GPU_FN(ceil_open)(size_t array_bytes, hy_gpu_ceil **out, hy_error *err)
{
    *out = NULL;
    char why[256];
    if (!HY_GPU_FN(probe)(why, sizeof why)) return hy_fail(err, "%s", why);
    if (array_bytes < 65536 || array_bytes % 65536)
        return hy_fail(err, "%s ceilings: array size %zu is not a positive multiple of 64 KiB",
                       HY_GPU_LABEL, array_bytes);
    hy_gpu_ceil *c = (hy_gpu_ceil *)calloc(1, sizeof *c);
    if (!c) return hy_fail(err, "%s ceilings: out of memory", HY_GPU_LABEL);
    int dev = 0;
    cudaDeviceProp prop;
    int rc = hy_gpu_call_check(cudaGetDevice(&dev), "cudaGetDevice", err);
    if (!rc) rc = hy_gpu_call_check(cudaGetDeviceProperties(&prop, dev), "cudaGetDeviceProperties", err);
    if (!rc) {
        c->sm_count = prop.multiProcessorCount;
        c->major = prop.major;
        c->bytes = array_bytes;
        rc = hy_gpu_call_check(cudaStreamCreateWithFlags(&c->stream, cudaStreamNonBlocking),
                               "cudaStreamCreateWithFlags", err);
    }
    if (!rc) rc = hy_gpu_call_check(cudaEventCreate(&c->t0), "cudaEventCreate", err);
    if (!rc) rc = hy_gpu_call_check(cudaEventCreate(&c->t1), "cudaEventCreate", err);
    if (!rc) rc = hy_gpu_call_check(cudaMalloc((void **)&c->a, array_bytes), "cudaMalloc (ceilings array)", err);
    if (!rc) rc = hy_gpu_call_check(cudaMalloc((void **)&c->b, array_bytes), "cudaMalloc (ceilings array)", err);
    if (!rc) rc = hy_gpu_call_check(cudaMalloc((void **)&c->sink, sizeof(float)), "cudaMalloc", err);
    /* first touch: the pages exist before anything is timed */
    if (!rc) rc = hy_gpu_call_check(cudaMemsetAsync(c->a, 0, array_bytes, c->stream), "cudaMemsetAsync", err);
    if (!rc) rc = hy_gpu_call_check(cudaMemsetAsync(c->b, 0, array_bytes, c->stream), "cudaMemsetAsync", err);
    if (!rc) rc = hy_gpu_call_check(cudaStreamSynchronize(c->stream), "cudaStreamSynchronize", err);
    if (rc) {
        (void)cudaGetLastError();
        HY_GPU_FN(ceil_close)(c);
        return -1;
    }
    *out = c;
    return 0;
}

extern "C" void HY_GPU_FN(ceil_close)(hy_gpu_ceil *c)
{
    if (!c) return;
    if (c->stream) (void)cudaStreamSynchronize(c->stream);
    if (c->a) (void)cudaFree(c->a);
    if (c->b) (void)cudaFree(c->b);
    if (c->sink) (void)cudaFree(c->sink);
    if (c->t0) (void)cudaEventDestroy(c->t0);
    if (c->t1) (void)cudaEventDestroy(c->t1);
    if (c->stream) (void)cudaStreamDestroy(c->stream);
    free(c);
}

extern "C" int HY_GPU_FN(ceil_run)(hy_gpu_ceil *c, hy_gpu_ceil_kind kind, uint64_t units,
                                   double *seconds, double *work, hy_error *err)
{
    if (!c || !seconds || !work) return hy_fail(err, "%s ceilings: no probe or no result", HY_GPU_LABEL);
    if (units < 1) units = 1;
#if !HY_GPU_HAVE_MMA
    if (kind == HY_GPU_CEIL_MMA_BF16) {
        hy_fail(err, "no tensor-core probe in the %s build (mma.sync is CUDA only; no rocWMMA here)",
                HY_GPU_LABEL);
        return HY_UNSUPPORTED;
    }
#else
    if (kind == HY_GPU_CEIL_MMA_BF16 && c->major < 8) {
        hy_fail(err, "bf16 mma.sync needs sm_80 or later; this device is sm_%d", c->major * 10);
        return HY_UNSUPPORTED;
    }
#endif
    const size_t n4 = c->bytes / sizeof(float4);
    const unsigned copy_blocks = (unsigned)hy_gpu_ceil_div((int64_t)n4, COPY_THREADS * COPY_PER_THREAD);
    if (hy_gpu_call_check(cudaEventRecord(c->t0, c->stream), "cudaEventRecord", err)) return -1;
    switch (kind) {
    case HY_GPU_CEIL_COPY:
        for (uint64_t u = 0; u < units; u++) {
            /* alternate the direction so that no pass reads what the last wrote to cache */
            const float4 *src = (const float4 *)(u % 2 ? c->b : c->a);
            float4 *dst = (float4 *)(u % 2 ? c->a : c->b);
            ceil_copy_kernel<<<copy_blocks, COPY_THREADS, 0, c->stream>>>(src, dst, n4);
        }
        *work = 2.0 * (double)c->bytes * (double)units;
        break;
    case HY_GPU_CEIL_MEMCPY:
        for (uint64_t u = 0; u < units; u++)
            if (hy_gpu_call_check(cudaMemcpyAsync(u % 2 ? c->a : c->b, u % 2 ? c->b : c->a, c->bytes,
                                                  cudaMemcpyDeviceToDevice, c->stream),
                                  "cudaMemcpyAsync", err))
                return -1;
        *work = 2.0 * (double)c->bytes * (double)units;
        break;
    case HY_GPU_CEIL_FMA_F32: {
        unsigned blocks = (unsigned)(c->sm_count * FMA_BLOCKS_PER_SM);
        ceil_fma_kernel<<<blocks, FMA_THREADS, 0, c->stream>>>(units, 0.999999f, 1e-6f, c->sink);
        *work = 2.0 * FMA_CHAINS * FMA_UNROLL * (double)units * blocks * FMA_THREADS;
        break;
    }
    case HY_GPU_CEIL_MMA_BF16: {
#if HY_GPU_HAVE_MMA
        unsigned blocks = (unsigned)(c->sm_count * MMA_BLOCKS_PER_SM);
        ceil_mma_kernel<<<blocks, MMA_THREADS, 0, c->stream>>>(units, 12345u, c->sink);
        *work = 2.0 * 16 * 8 * 16 * MMA_ACC * (double)units * blocks * (MMA_THREADS / 32);
#endif
        break;
    }
    default: return hy_fail(err, "%s ceilings: unknown probe %d", HY_GPU_LABEL, (int)kind);
    }
    if (hy_gpu_launch_check("ceilings probe", err)) return -1;
    float ms = 0;
    if (hy_gpu_call_check(cudaEventRecord(c->t1, c->stream), "cudaEventRecord", err) ||
        hy_gpu_call_check(cudaEventSynchronize(c->t1), "cudaEventSynchronize", err) ||
        hy_gpu_call_check(cudaEventElapsedTime(&ms, c->t0, c->t1), "cudaEventElapsedTime", err))
        return -1;
    *seconds = (double)ms * 1e-3;
    return 0;
}
