/* gpu_ssd_chunked.cuh — what the two chunked SSD variants share
 * (gpu_ssd_chunked.cu: "chunked", fp32; gpu_ssd_chunked_tc.cu:
 * "chunked-tc", tensor cores): the kernel parameters, the argument checks
 * and workspace carving, and the two passes after the intra-chunk one
 * (the state recurrence over chunks and the output).  The algorithm is
 * described at hy_gpu_ssd_chunked_plan in hy_gpu_launch.h. */
#ifndef HY_GPU_SSD_CHUNKED_CUH
#define HY_GPU_SSD_CHUNKED_CUH

#include "hy_gpu_internal.cuh"

struct hy_ssd_chunk_params {
    const float *x, *dt, *A_log, *B, *C, *Dskip, *z, *dt_bias; /* NULL when the shape has none */
    float *state, *y;
    float *states, *cs, *decay; /* workspace [chunks, H, P, N], [chunks, H, L], [chunks, H] */
    int64_t T, H, P, G, N, chunks;
    int L;
};

/* Checks shape and pointers, makes the plan and carves the workspace.
 * Returns 0, HY_UNSUPPORTED or -1 (message in err). */
extern "C" int HY_GPU_FN(ssd_chunked_setup)(const hy_ssd_shape *s, const hy_ssd_args *a, void *work,
                                            int tensor_cores, const char *name,
                                            hy_gpu_ssd_chunked_plan *plan, hy_ssd_chunk_params *p,
                                            hy_error *err);
/* Launches the state recurrence and the output pass on st. */
extern "C" int HY_GPU_FN(ssd_chunked_finish)(const hy_gpu_ssd_chunked_plan *plan,
                                             const hy_ssd_chunk_params *p, cudaStream_t st,
                                             hy_error *err);

#endif
