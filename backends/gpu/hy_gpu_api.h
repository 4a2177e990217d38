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

#ifdef __cplusplus
extern "C" {
#endif
/* ---- ceilings probes (gpu_probes.cu), for `hybench ceilings` -------------
 * One probe run: `units` units of work queued on the probe's own stream
 * between two events; *seconds is the device time, *work the bytes moved
 * (copy: each array element read once and written once, 2 x bytes per
 * pass, as STREAM counts copy) or the FLOPs done (an FMA is 2, an
 * m16n8k16 mma 2 x 16 x 8 x 16).  The caller calibrates `units`. */
typedef enum hy_gpu_ceil_kind {
    HY_GPU_CEIL_COPY = 0,  /* own copy kernel over two device arrays; unit = one pass        */
    HY_GPU_CEIL_MEMCPY,    /* cudaMemcpyAsync device to device, same arrays; unit = one copy  */
    HY_GPU_CEIL_FMA_F32,   /* register-resident fp32 FMA chains; unit = one loop trip        */
    HY_GPU_CEIL_MMA_BF16,  /* mma.sync m16n8k16 bf16 x bf16 + fp32 (CUDA, sm_80+); unit = one trip */
    HY_GPU_CEIL_KINDS
} hy_gpu_ceil_kind;
typedef struct hy_gpu_ceil hy_gpu_ceil; /* stream, events, the copy arrays */
/* The probes of one GPU backend, for the harness (which may link both). */
typedef struct hy_gpu_ceil_ops {
    const char *backend; /* "cuda", "hip" */
    /* Opens the device (fails with the probe's reason when there is none)
     * and allocates two arrays of array_bytes (a multiple of 64 KiB). */
    int (*open)(size_t array_bytes, hy_gpu_ceil **out, hy_error *err);
    /* HY_UNSUPPORTED (message in err) when this build or device has no
     * such probe; -1 on a runtime error. */
    int (*run)(hy_gpu_ceil *c, hy_gpu_ceil_kind kind, uint64_t units, double *seconds,
               double *work, hy_error *err);
    void (*close)(hy_gpu_ceil *c);
    /* The device, for the ceilings file ("NVIDIA H200 (sm_90), 132 SMs"). */
    void (*describe)(char *buf, size_t len);
} hy_gpu_ceil_ops;
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

/* ---- ceilings probes (gpu_probes.cu) ------------------------------------- */
int HY_GPU_FN(ceil_open)(size_t array_bytes, hy_gpu_ceil **out, hy_error *err);
int HY_GPU_FN(ceil_run)(hy_gpu_ceil *c, hy_gpu_ceil_kind kind, uint64_t units, double *seconds,
                        double *work, hy_error *err);
void HY_GPU_FN(ceil_close)(hy_gpu_ceil *c);

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
/* the chunked matrix form in fp32 (gpu_ssd_chunked.cu, both builds) */
int HY_GPU_FN(ssd_chunked)(hy_exec *ex, const hy_ssd_shape *s, const hy_ssd_args *a, void *work,
                           hy_error *err);
size_t HY_GPU_FN(ssd_chunked_workspace)(const hy_ssd_shape *s);
/* the same with the intra-chunk products on tensor cores, bf16 operands
 * (gpu_ssd_chunked_tc.cu; CUDA build only, HY_GPU_HAVE_MMA) */
int HY_GPU_FN(ssd_chunked_tc)(hy_exec *ex, const hy_ssd_shape *s, const hy_ssd_args *a, void *work,
                              hy_error *err);
size_t HY_GPU_FN(ssd_chunked_tc_workspace)(const hy_ssd_shape *s);

/* attention: flash-style online softmax; "flash" splits the KV range when
 * the grid would underfill the device (decode), "nosplit" never does. */
int HY_GPU_FN(attention_flash)(hy_exec *ex, const hy_attention_shape *s, const hy_attention_args *a,
                               void *work, hy_error *err);
size_t HY_GPU_FN(attention_flash_workspace)(const hy_attention_shape *s);
int HY_GPU_FN(attention_nosplit)(hy_exec *ex, const hy_attention_shape *s, const hy_attention_args *a,
                                 void *work, hy_error *err);
/* flash on tensor cores, bf16 operands (gpu_attention_tc.cu; CUDA build
 * only, HY_GPU_HAVE_MMA): prefill / continuation, head sizes multiple of
 * 16 up to 256; HY_UNSUPPORTED otherwise. */
int HY_GPU_FN(attention_flash_tc)(hy_exec *ex, const hy_attention_shape *s, const hy_attention_args *a,
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
