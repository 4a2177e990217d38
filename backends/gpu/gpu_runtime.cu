/* gpu_runtime.cu — probe, description, execution context, memory ops and
 * device timing of the GPU backends (CUDA and HIP from this one source). */
#include "hy_gpu_api.h"
#include "hy_gpu_internal.cuh"

#if !HY_GPU_IS_HIP
#include <cublas_v2.h>
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if HY_GPU_IS_HIP
#define DEVICE_WORD "HIP (AMD GPU)"
#else
#define DEVICE_WORD "CUDA"
#endif

namespace {
/* Asked for its attributes by the probe: fails with "no kernel image"
 * when the binary has no code for the device's architecture. */
__global__ void image_check_kernel(int *p)
{
    if (p) *p = 1;
}
} // namespace

extern "C" int HY_GPU_FN(probe)(char *why, size_t why_len)
{
    char scratch[8];
    if (!why || !why_len) why = scratch, why_len = sizeof scratch;
    int n = 0;
    cudaError_t e = cudaGetDeviceCount(&n);
    if (e != cudaSuccess) {
        (void)cudaGetLastError(); /* clear the sticky error for later calls */
        snprintf(why, why_len, "no %s device: %s", DEVICE_WORD, cudaGetErrorString(e));
        return 0;
    }
    if (n <= 0) {
        snprintf(why, why_len, "no %s device: the runtime found none", DEVICE_WORD);
        return 0;
    }
    cudaFuncAttributes attr;
    e = cudaFuncGetAttributes(&attr, image_check_kernel);
    if (e != cudaSuccess) {
        (void)cudaGetLastError();
        snprintf(why, why_len, "%s device present but unusable: %s", DEVICE_WORD,
                 cudaGetErrorString(e));
        return 0;
    }
    int dev = 0;
    cudaDeviceProp prop;
    if (cudaGetDevice(&dev) == cudaSuccess && cudaGetDeviceProperties(&prop, dev) == cudaSuccess)
        snprintf(why, why_len, "%d device(s); using %d: %s", n, dev, prop.name);
    else
        snprintf(why, why_len, "%d device(s)", n);
    return 1;
}

extern "C" void HY_GPU_FN(describe)(char *buf, size_t len)
{
    if (!buf || !len) return;
    char why[256];
    if (!HY_GPU_FN(probe)(why, sizeof why)) {
        snprintf(buf, len, "%s", why);
        return;
    }
    int dev = 0, rt = 0, drv = 0;
    cudaDeviceProp prop;
    if (cudaGetDevice(&dev) != cudaSuccess || cudaGetDeviceProperties(&prop, dev) != cudaSuccess) {
        (void)cudaGetLastError();
        snprintf(buf, len, "%s device (properties unavailable)", DEVICE_WORD);
        return;
    }
    (void)cudaRuntimeGetVersion(&rt);
    (void)cudaDriverGetVersion(&drv);
#if HY_GPU_IS_HIP
    snprintf(buf, len, "%s (%s), %.1f GiB, %d CUs, runtime %d, driver %d", prop.name,
             prop.gcnArchName, (double)prop.totalGlobalMem / (1024.0 * 1024 * 1024),
             prop.multiProcessorCount, rt, drv);
#else
    snprintf(buf, len, "%s (sm_%d%d), %.1f GiB, %d SMs, runtime %d, driver %d", prop.name,
             prop.major, prop.minor, (double)prop.totalGlobalMem / (1024.0 * 1024 * 1024),
             prop.multiProcessorCount, rt, drv);
#endif
}

extern "C" int HY_GPU_FN(exec_create)(hy_exec **out, hy_error *err)
{
    if (!out) return hy_fail(err, "%s: exec_create needs an output pointer", HY_GPU_LABEL);
    *out = NULL;
    char why[256];
    if (!HY_GPU_FN(probe)(why, sizeof why)) return hy_fail(err, "%s: %s", HY_GPU_LABEL, why);
    hy_exec *ex = (hy_exec *)calloc(1, sizeof *ex);
    if (!ex) return hy_fail(err, "%s: out of memory for the execution context", HY_GPU_LABEL);
    cudaDeviceProp prop;
    if (hy_gpu_call_check(cudaGetDevice(&ex->device), "cudaGetDevice", err) ||
        hy_gpu_call_check(cudaGetDeviceProperties(&prop, ex->device), "cudaGetDeviceProperties", err) ||
        hy_gpu_call_check(cudaStreamCreateWithFlags(&ex->stream, cudaStreamNonBlocking),
                          "cudaStreamCreateWithFlags", err)) {
        free(ex);
        return -1;
    }
    ex->sm_count = prop.multiProcessorCount;
#if !HY_GPU_IS_HIP
    cublasHandle_t h = NULL;
    cublasStatus_t st = cublasCreate(&h);
    if (st != CUBLAS_STATUS_SUCCESS) {
        (void)cudaStreamDestroy(ex->stream);
        free(ex);
        return hy_fail(err, "cuda: cublasCreate failed (status %d)", (int)st);
    }
    /* fp32 stays fp32: no TF32 tensor-core shortcut in the baseline. */
    cublasSetMathMode(h, CUBLAS_DEFAULT_MATH);
    cublasSetStream(h, ex->stream);
    ex->blas = h;
#endif
    *out = ex;
    return 0;
}

extern "C" void HY_GPU_FN(exec_destroy)(hy_exec *ex)
{
    if (!ex) return;
    (void)cudaStreamSynchronize(ex->stream);
#if !HY_GPU_IS_HIP
    if (ex->blas) cublasDestroy((cublasHandle_t)ex->blas);
#endif
    if (ex->timing_ready) {
        (void)cudaEventDestroy(ex->t0);
        (void)cudaEventDestroy(ex->t1);
    }
    (void)cudaStreamDestroy(ex->stream);
    free(ex);
}

extern "C" void *HY_GPU_FN(alloc)(hy_exec *ex, size_t bytes, hy_error *err)
{
    (void)ex;
    void *p = NULL;
    cudaError_t e = cudaMalloc(&p, bytes ? bytes : 1); /* 256-byte aligned */
    if (e != cudaSuccess) {
        (void)cudaGetLastError();
        hy_fail(err, "%s: cudaMalloc of %zu bytes: %s", HY_GPU_LABEL, bytes, cudaGetErrorString(e));
        return NULL;
    }
    return p;
}

extern "C" void HY_GPU_FN(free)(hy_exec *ex, void *ptr)
{
    (void)ex;
    if (ptr) (void)cudaFree(ptr);
}

extern "C" int HY_GPU_FN(upload)(hy_exec *ex, void *dst, const void *src, size_t bytes, hy_error *err)
{
    if (!bytes) return 0;
    if (!dst || !src) return hy_fail(err, "%s: upload with a NULL pointer", HY_GPU_LABEL);
    cudaStream_t st = hy_gpu_stream(ex);
    if (hy_gpu_call_check(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyHostToDevice, st), "upload", err))
        return -1;
    /* the caller may reuse src as soon as this returns */
    return hy_gpu_call_check(cudaStreamSynchronize(st), "upload", err);
}

extern "C" int HY_GPU_FN(download)(hy_exec *ex, void *dst, const void *src, size_t bytes, hy_error *err)
{
    if (!bytes) return 0;
    if (!dst || !src) return hy_fail(err, "%s: download with a NULL pointer", HY_GPU_LABEL);
    cudaStream_t st = hy_gpu_stream(ex);
    if (hy_gpu_call_check(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToHost, st), "download", err))
        return -1;
    return hy_gpu_call_check(cudaStreamSynchronize(st), "download", err);
}

extern "C" int HY_GPU_FN(memset_zero)(hy_exec *ex, void *dst, size_t bytes, hy_error *err)
{
    if (!bytes) return 0;
    if (!dst) return hy_fail(err, "%s: memset_zero with a NULL pointer", HY_GPU_LABEL);
    return hy_gpu_call_check(cudaMemsetAsync(dst, 0, bytes, hy_gpu_stream(ex)), "memset_zero", err);
}

extern "C" int HY_GPU_FN(synchronize)(hy_exec *ex, hy_error *err)
{
    return hy_gpu_call_check(cudaStreamSynchronize(hy_gpu_stream(ex)), "synchronize", err);
}

extern "C" int HY_GPU_FN(timing_begin)(hy_exec *ex, hy_error *err)
{
    if (!ex) return hy_fail(err, "%s: timing needs an execution context", HY_GPU_LABEL);
    if (!ex->timing_ready) {
        if (hy_gpu_call_check(cudaEventCreate(&ex->t0), "cudaEventCreate", err)) return -1;
        if (hy_gpu_call_check(cudaEventCreate(&ex->t1), "cudaEventCreate", err)) {
            (void)cudaEventDestroy(ex->t0);
            return -1;
        }
        ex->timing_ready = 1;
    }
    return hy_gpu_call_check(cudaEventRecord(ex->t0, ex->stream), "cudaEventRecord", err);
}

extern "C" int HY_GPU_FN(timing_end)(hy_exec *ex, double *seconds, hy_error *err)
{
    if (!ex || !ex->timing_ready) return hy_fail(err, "%s: timing_end without timing_begin", HY_GPU_LABEL);
    float ms = 0;
    if (hy_gpu_call_check(cudaEventRecord(ex->t1, ex->stream), "cudaEventRecord", err) ||
        hy_gpu_call_check(cudaEventSynchronize(ex->t1), "cudaEventSynchronize", err) ||
        hy_gpu_call_check(cudaEventElapsedTime(&ms, ex->t0, ex->t1), "cudaEventElapsedTime", err))
        return -1;
    if (seconds) *seconds = (double)ms * 1e-3;
    return 0;
}
