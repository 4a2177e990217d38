/* hip_backend.c — the HIP backend struct: identity and kernel table over
 * the shared GPU sources (backends/gpu/hy_gpu_api.h, hy_hip_* symbols). */
#include "hip_backend.h"

#define HY_GPU_BACKEND_HIP 1
#include "hy_gpu_api.h"

/* The CUDA table without "cublas" (no hipBLAS on Debian) and without the
 * tensor-core variants (attention "flash-tc", ssd "chunked-tc": mma.sync is CUDA only, and
 * Debian's ROCm 5.2 has no rocWMMA; HY_GPU_HAVE_MMA in hy_gpu_compat.h). */
static const hy_kernel_variant hip_kernels[] = {
    {.family = HY_FAM_LINEAR, .name = "tiled", .isa = "hip",
     .summary = "own SGEMM: 64x64 tiles, K slices in LDS, 4x4 outputs per thread",
     .impl.linear = {hy_hip_linear_tiled, NULL}},
    {.family = HY_FAM_RMSNORM, .name = "rowwise", .isa = "hip",
     .summary = "one block per row, LDS sum of squares",
     .impl.rmsnorm = {hy_hip_rmsnorm_rowwise, NULL}},
    {.family = HY_FAM_CONV1D, .name = "direct", .isa = "hip",
     .summary = "thread per (channel, step) over the state+input stream; state update pass",
     .impl.conv1d = {hy_hip_conv1d_direct, NULL}},
    {.family = HY_FAM_SCAN, .name = "regs", .isa = "hip",
     .summary = "state in registers (16 lanes/channel), time chunks staged in LDS",
     .impl.scan = {hy_hip_scan_regs, NULL}},
    {.family = HY_FAM_SCAN, .name = "blockscan", .isa = "hip",
     .summary = "block per channel, thread per step, parallel scan over each time chunk",
     .impl.scan = {hy_hip_scan_blockscan, NULL}},
    {.family = HY_FAM_SSD, .name = "regs", .isa = "hip",
     .summary = "recurrent form: state rows in registers, time chunks in LDS",
     .impl.ssd = {hy_hip_ssd_regs, NULL}},
    {.family = HY_FAM_SSD, .name = "chunked", .isa = "hip",
     .summary = "Mamba-2 chunked matrix form, fp32: masked C B^T weights per chunk, state recurrence over chunks",
     .impl.ssd = {hy_hip_ssd_chunked, hy_hip_ssd_chunked_workspace}},
    {.family = HY_FAM_ATTENTION, .name = "flash", .isa = "hip",
     .summary = "tiled online softmax, GQA rows share K/V tiles; split-KV + combine for decode",
     .impl.attention = {hy_hip_attention_flash, hy_hip_attention_flash_workspace}},
    {.family = HY_FAM_ATTENTION, .name = "nosplit", .isa = "hip",
     .summary = "tiled online softmax, one block per row tile over all its keys",
     .impl.attention = {hy_hip_attention_nosplit, NULL}},
    {.family = HY_FAM_MOE, .name = "grouped", .isa = "hip",
     .summary = "device routing, tokens permuted by expert, grouped gate/up and down GEMMs, combine",
     .impl.moe = {hy_hip_moe_grouped, hy_hip_moe_grouped_workspace}},
    {.family = HY_FAM_MLP, .name = "swiglu", .isa = "hip",
     .summary = "fused gate/up tiled GEMM with silu*up epilogue, tiled down GEMM",
     .impl.mlp = {hy_hip_mlp_swiglu, hy_hip_mlp_swiglu_workspace}},
};

const hy_backend hy_backend_hip = {
    .name = "hip",
    .version = "1",
    .summary = "AMD GPUs through HIP (gfx90a, gfx1030), the CUDA kernel sources via one mapping header",
    .host_memory = 0,
    .probe = hy_hip_probe,
    .describe = hy_hip_describe,
    .exec_create = hy_hip_exec_create,
    .exec_destroy = hy_hip_exec_destroy,
    .alloc = hy_hip_alloc,
    .free = hy_hip_free,
    .upload = hy_hip_upload,
    .download = hy_hip_download,
    .memset_zero = hy_hip_memset_zero,
    .synchronize = hy_hip_synchronize,
    .timing_clock = "hip events",
    .timing_begin = hy_hip_timing_begin,
    .timing_end = hy_hip_timing_end,
    .kernels = hip_kernels,
    .n_kernels = sizeof hip_kernels / sizeof hip_kernels[0],
};

const hy_gpu_ceil_ops hy_hip_ceil_ops = {
    .backend = "hip",
    .open = hy_hip_ceil_open,
    .run = hy_hip_ceil_run,
    .close = hy_hip_ceil_close,
    .describe = hy_hip_describe,
};
