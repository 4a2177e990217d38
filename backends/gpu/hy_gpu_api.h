/* hy_gpu_api.h — the C entry points of the GPU kernel sources
 * (backends/gpu/gpu_*.cu), as seen by the thin backend files
 * backends/cuda/cuda_backend.c and backends/hip/hip_backend.c.
 *
 * The same sources are compiled once by nvcc and once by hipcc, so every
 * entry point exists twice, as hy_cuda_<name> and hy_hip_<name>.
 * HY_GPU_FN(name) picks the spelling: hipcc (__HIPCC__) or an includer
 * that defines HY_GPU_BACKEND_HIP gets hy_hip_, everything else hy_cuda_.
 *
 * Kernel entry points have exactly the hy_<family>_fn signatures of
 * kernels/hy_*.h; pointers in the args are device pointers from the
 * backend's alloc.  Launches are asynchronous on the execution context's
 * stream; a launch error is returned as -1 with the runtime's message. */
#ifndef HY_GPU_API_H
#define HY_GPU_API_H

/* The family headers (kernels/hy_linear.h, ...) declare their check and
 * cost functions without extern "C" guards of their own: include them with
 * C linkage here, after the standard headers they use. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif
#include "backend.h"
#ifdef __cplusplus
}
#endif

#if defined(__HIPCC__) || defined(HY_GPU_BACKEND_HIP)
#define HY_GPU_FN(name) hy_hip_##name
#else
#define HY_GPU_FN(name) hy_cuda_##name
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---- runtime (gpu_runtime.cu) ------------------------------------------- */

/* 1 when a device is present and the kernels have an image for it; 0 with
 * the reason ("no CUDA device: <runtime message>") otherwise. */
int HY_GPU_FN(probe)(char *why, size_t why_len);
void HY_GPU_FN(describe)(char *buf, size_t len);
/* Stream on the current device (and, in the CUDA build, a cuBLAS handle). */
int HY_GPU_FN(exec_create)(hy_exec **out, hy_error *err);
void HY_GPU_FN(exec_destroy)(hy_exec *ex);
void *HY_GPU_FN(alloc)(hy_exec *ex, size_t bytes, hy_error *err);
void HY_GPU_FN(free)(hy_exec *ex, void *ptr);
int HY_GPU_FN(upload)(hy_exec *ex, void *dst_dev, const void *src_host, size_t bytes, hy_error *err);
int HY_GPU_FN(download)(hy_exec *ex, void *dst_host, const void *src_dev, size_t bytes, hy_error *err);
int HY_GPU_FN(memset_zero)(hy_exec *ex, void *dst_dev, size_t bytes, hy_error *err);
int HY_GPU_FN(synchronize)(hy_exec *ex, hy_error *err);

/* Device timing with events on the context's stream: begin records a
 * start event, end records a stop event, waits for it and returns the
 * seconds between the two in *seconds. */
int HY_GPU_FN(timing_begin)(hy_exec *ex, hy_error *err);
int HY_GPU_FN(timing_end)(hy_exec *ex, double *seconds, hy_error *err);

/* ---- kernels ------------------------------------------------------------- */

/* linear: own tiled SGEMM (gpu_linear.cu); cuBLAS (gpu_linear_blas.cu,
 * CUDA build only). */
int HY_GPU_FN(linear_tiled)(hy_exec *ex, const hy_linear_shape *s, const hy_linear_args *a, void *work,
                            hy_error *err);
int HY_GPU_FN(linear_blas)(hy_exec *ex, const hy_linear_shape *s, const hy_linear_args *a, void *work,
                           hy_error *err);

int HY_GPU_FN(rmsnorm_rowwise)(hy_exec *ex, const hy_rmsnorm_shape *s, const hy_rmsnorm_args *a,
                               void *work, hy_error *err);

int HY_GPU_FN(conv1d_direct)(hy_exec *ex, const hy_conv1d_shape *s, const hy_conv1d_args *a, void *work,
                             hy_error *err);

/* scan: state in registers, time in shared-memory chunks (regs); threads
 * over time with a parallel scan per chunk (blockscan). */
int HY_GPU_FN(scan_regs)(hy_exec *ex, const hy_scan_shape *s, const hy_scan_args *a, void *work,
                         hy_error *err);
int HY_GPU_FN(scan_blockscan)(hy_exec *ex, const hy_scan_shape *s, const hy_scan_args *a, void *work,
                              hy_error *err);

int HY_GPU_FN(ssd_regs)(hy_exec *ex, const hy_ssd_shape *s, const hy_ssd_args *a, void *work,
                        hy_error *err);

/* attention: flash-style online softmax; "flash" splits the KV range when
 * the grid would underfill the device (decode), "nosplit" never does. */
int HY_GPU_FN(attention_flash)(hy_exec *ex, const hy_attention_shape *s, const hy_attention_args *a,
                               void *work, hy_error *err);
size_t HY_GPU_FN(attention_flash_workspace)(const hy_attention_shape *s);
int HY_GPU_FN(attention_nosplit)(hy_exec *ex, const hy_attention_shape *s, const hy_attention_args *a,
                                 void *work, hy_error *err);

int HY_GPU_FN(moe_grouped)(hy_exec *ex, const hy_moe_shape *s, const hy_moe_args *a, void *work,
                           hy_error *err);
size_t HY_GPU_FN(moe_grouped_workspace)(const hy_moe_shape *s);

int HY_GPU_FN(mlp_swiglu)(hy_exec *ex, const hy_mlp_shape *s, const hy_mlp_args *a, void *work,
                          hy_error *err);
size_t HY_GPU_FN(mlp_swiglu_workspace)(const hy_mlp_shape *s);

#ifdef __cplusplus
}
#endif
#endif
