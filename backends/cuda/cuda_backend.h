/* cuda_backend.h — the CUDA backend: the kernels of backends/gpu/gpu_*.cu
 * compiled by nvcc (sm_80, sm_90 and compute_90 PTX), cuBLAS as the
 * vendor baseline of linear.  Unusable (probe 0, with the runtime's
 * reason) on a machine without an NVIDIA driver or device. */
#ifndef HY_CUDA_BACKEND_H
#define HY_CUDA_BACKEND_H

#include "backend.h"

#ifdef __cplusplus
extern "C" {
#endif

extern const hy_backend hy_backend_cuda;

/* The device ceilings probes of this backend (backends/gpu/hy_gpu_api.h,
 * gpu_probes.cu), for `hybench ceilings`. */
struct hy_gpu_ceil_ops;
extern const struct hy_gpu_ceil_ops hy_cuda_ceil_ops;

/* Device time of the work queued between begin and end on ex's stream
 * (CUDA events); end waits for it.  For benchmark drivers that want
 * device-measured iterations (harness/hy_timer.h "manual" time). */
int hy_cuda_timing_begin(hy_exec *ex, hy_error *err);
int hy_cuda_timing_end(hy_exec *ex, double *seconds, hy_error *err);

#ifdef __cplusplus
}
#endif
#endif
