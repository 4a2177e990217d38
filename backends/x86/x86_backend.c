/* x86_backend.c — the x86 backend's probe, description and kernel table.
 *
 * Each family lists its AVX-512 variant before its AVX2 one: selection
 * takes the first variant whose instruction set the CPU and OS can run
 * (backends/hy_isa.h), so an AVX-512 machine gets the wide kernels and an
 * AVX2 machine the narrow ones; HYBENCH_ISA=avx2 forces the narrow ones on
 * an AVX-512 machine, HYBENCH_VARIANT_<FAMILY>=<name> any one variant. */
#include "x86_backend.h"

#include <stdio.h>

#include "cpu/cpu_backend.h"
#include "hy_isa.h"
#include "x86_attention.h"
#include "x86_bf16.h"
#include "x86_gemm.h"
#include "x86_mamba.h"

static int x86_probe(char *why, size_t why_len)
{
    char reason[160];
    if (hy_isa_usable("avx2", reason, sizeof reason)) return 1;
    snprintf(why, why_len, "needs AVX2 + FMA at least: %s", reason);
    return 0;
}

static void x86_describe(char *buf, size_t len)
{
    char model[128], wide[160];
    hy_cpu_model_name(model, sizeof model);
    const char *isa = hy_isa_usable("avx512", wide, sizeof wide) ? "AVX-512" : "AVX2";
    hy_exec *ex = NULL;
    int threads = 1;
    if (hy_cpu_exec_create(&ex, NULL) == 0) {
        threads = hy_cpu_exec_threads(ex);
        hy_cpu_exec_destroy(ex);
    }
    snprintf(buf, len, "%s, %s kernels, %d threads", model, isa, threads);
}

/* One entry per (variant, width); name "<variant>-<isa>". */
#define X86_ENTRY(fam, FAM, var, width, summary_text, ws)                                   \
    {.family = HY_FAM_##FAM, .name = #var "-" #width, .isa = #width, .summary = summary_text, \
     .impl.fam = {hy_x86_##fam##_##var##_##width, ws}}
#define X86_BOTH(fam, FAM, var, summary_text, ws512, ws2)                                   \
    X86_ENTRY(fam, FAM, var, avx512, summary_text, ws512),                                   \
    X86_ENTRY(fam, FAM, var, avx2, summary_text, ws2)

/* bf16-storage variants (x86_bf16.h): listed after the fp32 ones of their
 * family, so the default stays fp32; run only on bf16-storage shapes. */
#define X86_BF16_BOTH(fam, FAM, var, summary_text, ws512, ws2)                               \
    {.family = HY_FAM_##FAM, .name = #var "-avx512", .isa = "avx512", .summary = summary_text, \
     .storage = HY_BF16, .impl.fam = {hy_x86_##fam##_##var##_avx512, ws512}},                  \
    {.family = HY_FAM_##FAM, .name = #var "-avx2", .isa = "avx2", .summary = summary_text,     \
     .storage = HY_BF16, .impl.fam = {hy_x86_##fam##_##var##_avx2, ws2}}

static const hy_kernel_variant x86_kernels[] = {
    X86_BOTH(linear, LINEAR, packed, "packed, blocked SGEMM micro-kernel of our own",
             hy_x86_linear_packed_workspace_avx512, hy_x86_linear_packed_workspace_avx2),
#ifdef HYBENCH_HAVE_OPENBLAS
    {.family = HY_FAM_LINEAR, .name = "openblas", .isa = "c",
     .summary = "OpenBLAS cblas_sgemm (vendor baseline)",
     .impl.linear = {hy_x86_linear_openblas, NULL}},
#endif
    {.family = HY_FAM_LINEAR, .name = "dpbf16-avx512bf16", .isa = "avx512bf16",
     .summary = "bf16 W, x rounded to bf16, vdpbf16ps with fp32 sums", .dtype = HY_BF16,
     .storage = HY_BF16,
     .impl.linear = {hy_x86_linear_dpbf16_avx512bf16, hy_x86_linear_dpbf16_workspace_avx512bf16}},
    X86_BF16_BOTH(linear, LINEAR, packed_bf16w, "bf16 W widened while packing (GEMV: while streaming), fp32 FMAs",
                  hy_x86_linear_packed_bf16w_workspace_avx512, hy_x86_linear_packed_bf16w_workspace_avx2),
    X86_BOTH(rmsnorm, RMSNORM, rowwise, "vectorised sum of squares and scale per row",
             NULL, NULL),
    X86_BOTH(conv1d, CONV1D, direct, "channels across vector lanes, taps in registers, HF state",
             hy_x86_conv1d_direct_workspace_avx512, hy_x86_conv1d_direct_workspace_avx2),
    X86_BOTH(scan, SCAN, fused, "state in registers, vector exp/softplus, D skip and gate fused",
             NULL, NULL),
    X86_BOTH(scan, SCAN, chunked, "time chunks in parallel with a carry pass (long T, few channels)",
             hy_x86_scan_chunked_workspace_avx512, hy_x86_scan_chunked_workspace_avx2),
    X86_BOTH(ssd, SSD, chunked, "chunked SSD with intra-chunk small matrix products",
             hy_x86_ssd_chunked_workspace_avx512, hy_x86_ssd_chunked_workspace_avx2),
    X86_BOTH(attention, ATTENTION, flash, "tiled online softmax, GQA-shared K/V tiles, causal/window tiles skipped",
             hy_x86_attention_flash_workspace_avx512, hy_x86_attention_flash_workspace_avx2),
    X86_BOTH(attention, ATTENTION, decode, "split-KV across cores with a final combine (decode)",
             hy_x86_attention_decode_workspace_avx512, hy_x86_attention_decode_workspace_avx2),
    X86_BF16_BOTH(attention, ATTENTION, decode_bf16kv, "bf16 K/V cache widened as read, split-KV decode, fp32 math",
                  hy_x86_attention_decode_bf16kv_workspace_avx512, hy_x86_attention_decode_bf16kv_workspace_avx2),
    X86_BOTH(moe, MOE, grouped, "tokens grouped per expert: gather, packed GEMMs, weighted scatter",
             hy_x86_moe_grouped_workspace_avx512, hy_x86_moe_grouped_workspace_avx2),
    X86_BOTH(moe, MOE, token, "per token, per chosen expert vector GEMVs (naive baseline)",
             hy_x86_moe_token_workspace_avx512, hy_x86_moe_token_workspace_avx2),
    X86_BOTH(mlp, MLP, swiglu, "packed gate/up GEMMs, vector SwiGLU, packed down GEMM",
             hy_x86_mlp_swiglu_workspace_avx512, hy_x86_mlp_swiglu_workspace_avx2),
};

const hy_backend hy_backend_x86 = {
    .name = "x86",
    .version = "1",
    .summary = "AVX2 / AVX-512 kernels chosen at run time (CPUID + XGETBV), OpenMP across cores",
    .host_memory = 1,
    .probe = x86_probe,
    .describe = x86_describe,
    .exec_create = hy_cpu_exec_create,
    .exec_destroy = hy_cpu_exec_destroy,
    .alloc = hy_cpu_alloc,
    .free = hy_cpu_free,
    .upload = hy_cpu_upload,
    .download = hy_cpu_download,
    .memset_zero = hy_cpu_memset_zero,
    .synchronize = hy_cpu_synchronize,
    .kernels = x86_kernels,
    .n_kernels = sizeof x86_kernels / sizeof x86_kernels[0],
};
