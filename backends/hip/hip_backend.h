/* hip_backend.h — the HIP backend: the same kernel sources as the CUDA
 * backend (backends/gpu/gpu_*.cu) compiled by hipcc -x hip for gfx90a
 * (MI200) and gfx1030 (RDNA2).  No hipBLAS on Debian: linear has only the
 * own "tiled" variant.  Unusable (probe 0, with the runtime's reason) on
 * a machine without an AMD GPU. */
#ifndef HY_HIP_BACKEND_H
#define HY_HIP_BACKEND_H

#include "backend.h"

#ifdef __cplusplus
extern "C" {
#endif

extern const hy_backend hy_backend_hip;

/* The device ceilings probes of this backend (backends/gpu/hy_gpu_api.h,
 * gpu_probes.cu), for `hybench ceilings`. */
struct hy_gpu_ceil_ops;
extern const struct hy_gpu_ceil_ops hy_hip_ceil_ops;

/* Device time between begin and end on ex's stream (HIP events). */
int hy_hip_timing_begin(hy_exec *ex, hy_error *err);
int hy_hip_timing_end(hy_exec *ex, double *seconds, hy_error *err);

#ifdef __cplusplus
}
#endif
#endif
