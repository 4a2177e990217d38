/* hy_gpu_compat.h — the one mapping header that lets the kernel sources in
 * backends/gpu/gpu_*.cu compile both with nvcc (CUDA) and with hipcc -x hip
 * (HIP/ROCm).  Sources are written with CUDA runtime names; under hipcc
 * the names below are mapped to their HIP equivalents.  There is no
 * second copy of any kernel.
 *
 * It also names the backend the file is being compiled for:
 *   HY_GPU_FN(name)    hy_cuda_name or hy_hip_name, so that both backends
 *                      can be linked into one binary without clashes
 *   HY_GPU_LABEL       "cuda" or "hip", for error messages
 *   HY_SHFL_XOR(v, m)  butterfly exchange inside a warp / wavefront; used
 *                      only between lanes 16 apart or closer, which share a
 *                      warp on every target (warp 32, wavefront 32 or 64)
 *   HY_GPU_HAVE_MMA    1 when the tensor-core code (mma.sync bf16 inline
 *                      PTX) is compiled: CUDA builds, whose targets are all
 *                      sm_80 or later.  0 under hipcc: Debian's ROCm 5.2
 *                      has no rocWMMA and mma.sync does not exist there, so
 *                      the tensor-core variants and probe are CUDA only.
 */
#ifndef HY_GPU_COMPAT_H
#define HY_GPU_COMPAT_H

#include "hy_gpu_api.h" /* HY_GPU_FN */

#if defined(__HIPCC__)

#include <hip/hip_runtime.h>

#define HY_GPU_LABEL "hip"
#define HY_GPU_IS_HIP 1

#define cudaError_t hipError_t
#define cudaSuccess hipSuccess
#define cudaErrorNoDevice hipErrorNoDevice
#define cudaGetErrorString hipGetErrorString
#define cudaGetLastError hipGetLastError
#define cudaPeekAtLastError hipPeekAtLastError
#define cudaGetDeviceCount hipGetDeviceCount
#define cudaGetDevice hipGetDevice
#define cudaSetDevice hipSetDevice
#define cudaDeviceProp hipDeviceProp_t
#define cudaGetDeviceProperties hipGetDeviceProperties
#define cudaRuntimeGetVersion hipRuntimeGetVersion
#define cudaDriverGetVersion hipDriverGetVersion
#define cudaMalloc hipMalloc
#define cudaFree hipFree
#define cudaMemcpyAsync hipMemcpyAsync
#define cudaMemcpyHostToDevice hipMemcpyHostToDevice
#define cudaMemcpyDeviceToHost hipMemcpyDeviceToHost
#define cudaMemcpyDeviceToDevice hipMemcpyDeviceToDevice
#define cudaMemsetAsync hipMemsetAsync
#define cudaStream_t hipStream_t
#define cudaStreamCreateWithFlags hipStreamCreateWithFlags
#define cudaStreamNonBlocking hipStreamNonBlocking
#define cudaStreamDestroy hipStreamDestroy
#define cudaStreamSynchronize hipStreamSynchronize
#define cudaEvent_t hipEvent_t
#define cudaEventCreate hipEventCreate
#define cudaEventDestroy hipEventDestroy
#define cudaEventRecord hipEventRecord
#define cudaEventSynchronize hipEventSynchronize
#define cudaEventElapsedTime hipEventElapsedTime
#define cudaFuncAttributes hipFuncAttributes
#define cudaFuncGetAttributes(attr, fn) hipFuncGetAttributes(attr, reinterpret_cast<const void *>(fn))
#define cudaFuncSetAttribute(fn, attr, value) hipFuncSetAttribute(reinterpret_cast<const void *>(fn), attr, value)
#define cudaFuncAttributeMaxDynamicSharedMemorySize hipFuncAttributeMaxDynamicSharedMemorySize

#define HY_GPU_HAVE_MMA 0

/* HIP's shuffles take no mask and work at any wavefront size. */
#define HY_SHFL_XOR(v, lane_mask) __shfl_xor((v), (lane_mask))

#else /* CUDA */

#include <cuda_runtime.h>

#define HY_GPU_LABEL "cuda"
#define HY_GPU_IS_HIP 0
#define HY_GPU_HAVE_MMA 1

#define HY_SHFL_XOR(v, lane_mask) __shfl_xor_sync(0xffffffffu, (v), (lane_mask))

#endif

#endif
