/* cpu_backend.c — the cpu backend struct: identity, probe, description,
 * execution context, host memory ops and the kernel table. */
#include "cpu_backend.h"

#include "cpu_internal.h"
#include "cpu_kernels.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

/* ---- execution context -------------------------------------------------- */

int hy_cpu_exec_create(hy_exec **out, hy_error *err)
{
    if (!out) return hy_fail(err, "cpu: exec_create needs an output pointer");
    hy_exec *ex = calloc(1, sizeof *ex);
    if (!ex) return hy_fail(err, "cpu: out of memory for the execution context");
#ifdef HYBENCH_HAVE_OPENMP
    ex->n_threads = omp_get_max_threads();
#else
    ex->n_threads = 1;
#endif
    if (ex->n_threads < 1) ex->n_threads = 1;
    *out = ex;
    return 0;
}

void hy_cpu_exec_destroy(hy_exec *ex)
{
    free(ex);
}

int hy_cpu_exec_threads(const hy_exec *ex)
{
    return cpu_threads(ex);
}

/* ---- memory ------------------------------------------------------------- */

void *hy_cpu_alloc(hy_exec *ex, size_t bytes, hy_error *err)
{
    (void)ex;
    size_t size = cpu_align64(bytes ? bytes : 1); /* aligned_alloc wants a multiple */
    if (size < bytes) {
        hy_fail(err, "cpu: allocation of %zu bytes overflows", bytes);
        return NULL;
    }
    /* Large buffers start on a 2 MiB boundary and ask for transparent huge
     * pages: a kernel walking rows of a [T, D] activation at a stride of
     * D floats touches a new 4 KiB page on every row, and with 4 KiB pages
     * its software prefetches stall on page walks.  The ceilings' DRAM
     * probe uses the same pages, so kernels and roofline see the same
     * memory system.  (madvise is advice: where THP is off nothing changes.) */
    const size_t huge = (size_t)2 << 20;
    void *p = NULL;
    if (size >= huge) {
        if (posix_memalign(&p, huge, size) != 0) p = NULL;
#ifdef MADV_HUGEPAGE
        if (p) (void)madvise(p, size, MADV_HUGEPAGE);
#endif
    } else {
        p = aligned_alloc(64, size);
    }
    if (!p) hy_fail(err, "cpu: out of memory allocating %zu bytes", bytes);
    return p;
}

void hy_cpu_free(hy_exec *ex, void *ptr)
{
    (void)ex;
    free(ptr);
}

int hy_cpu_upload(hy_exec *ex, void *dst, const void *src, size_t bytes, hy_error *err)
{
    (void)ex;
    if (bytes && (!dst || !src)) return hy_fail(err, "cpu: upload with a NULL pointer");
    if (bytes) memmove(dst, src, bytes);
    return 0;
}

int hy_cpu_download(hy_exec *ex, void *dst, const void *src, size_t bytes, hy_error *err)
{
    (void)ex;
    if (bytes && (!dst || !src)) return hy_fail(err, "cpu: download with a NULL pointer");
    if (bytes) memmove(dst, src, bytes);
    return 0;
}

int hy_cpu_memset_zero(hy_exec *ex, void *dst, size_t bytes, hy_error *err)
{
    (void)ex;
    if (bytes && !dst) return hy_fail(err, "cpu: memset_zero with a NULL pointer");
    if (bytes) memset(dst, 0, bytes);
    return 0;
}

int hy_cpu_synchronize(hy_exec *ex, hy_error *err)
{
    (void)ex, (void)err; /* kernels return when their work is done */
    return 0;
}

/* ---- identity ----------------------------------------------------------- */

static int cpu_probe(char *why, size_t why_len)
{
    if (why && why_len) snprintf(why, why_len, "portable C, always available");
    return 1;
}

void hy_cpu_model_name(char *buf, size_t len)
{
    if (!buf || !len) return;
    snprintf(buf, len, "unknown CPU");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f) return;
    /* x86: "model name"; some ARM kernels: "Model" or "Hardware". */
    static const char *const keys[] = {"model name", "Model", "Hardware"};
    char line[512], found[3][256] = {{0}};
    while (fgets(line, sizeof line, f)) {
        char *colon = strchr(line, ':');
        if (!colon) continue;
        for (size_t i = 0; i < 3; i++) {
            size_t kl = strlen(keys[i]);
            if (found[i][0] || strncmp(line, keys[i], kl) != 0) continue;
            if (line[kl] != ':' && !isspace((unsigned char)line[kl])) continue;
            char *v = colon + 1;
            while (isspace((unsigned char)*v)) v++;
            size_t n = strlen(v);
            while (n && isspace((unsigned char)v[n - 1])) v[--n] = 0;
            if (n) snprintf(found[i], sizeof found[i], "%s", v);
        }
    }
    fclose(f);
    for (size_t i = 0; i < 3; i++)
        if (found[i][0]) {
            snprintf(buf, len, "%s", found[i]);
            return;
        }
}

static void cpu_describe(char *buf, size_t len)
{
    if (!buf || !len) return;
    char model[256];
    hy_cpu_model_name(model, sizeof model);
#ifdef HYBENCH_HAVE_OPENMP
    snprintf(buf, len, "%s, %d threads (OpenMP)", model, omp_get_max_threads());
#else
    snprintf(buf, len, "%s, 1 thread (built without OpenMP)", model);
#endif
}

/* ---- kernel table ------------------------------------------------------- */

static const hy_kernel_variant cpu_kernels[] = {
    {.family = HY_FAM_LINEAR, .name = "blocked", .isa = "c",
     .summary = "cache-blocked GEMM, 2x4 dot micro-kernel, parallel over output x row blocks",
     .impl.linear = {hy_cpu_linear_blocked, NULL}},
    {.family = HY_FAM_RMSNORM, .name = "rowwise", .isa = "c",
     .summary = "one row at a time, float sum of squares, parallel over rows",
     .impl.rmsnorm = {hy_cpu_rmsnorm_rowwise, NULL}},
    {.family = HY_FAM_CONV1D, .name = "direct", .isa = "c",
     .summary = "direct taps over channel blocks with the HF conv state; T=1 decode path",
     .impl.conv1d = {hy_cpu_conv1d_direct, hy_cpu_conv1d_direct_workspace}},
    {.family = HY_FAM_SCAN, .name = "seq", .isa = "c",
     .summary = "sequential over time, parallel over channel blocks, state in a local array",
     .impl.scan = {hy_cpu_scan_seq, NULL}},
    {.family = HY_FAM_SCAN, .name = "chunked", .isa = "c",
     .summary = "time chunks from zero state + decay products, carry pass, rerun per chunk",
     .impl.scan = {hy_cpu_scan_chunked, hy_cpu_scan_chunked_workspace}},
    {.family = HY_FAM_SSD, .name = "chunked", .isa = "c",
     .summary = "chunked SSD: intra-chunk quadratic form, chunk states, inter-chunk recurrence",
     .impl.ssd = {hy_cpu_ssd_chunked, hy_cpu_ssd_chunked_workspace}},
    {.family = HY_FAM_SSD, .name = "seq", .isa = "c",
     .summary = "sequential recurrence, parallel over (head, head-dim row)",
     .impl.ssd = {hy_cpu_ssd_seq, hy_cpu_ssd_seq_workspace}},
    {.family = HY_FAM_ATTENTION, .name = "flash", .isa = "c",
     .summary = "tiled online softmax, GQA heads share each KV tile, causal/window tiles skipped",
     .impl.attention = {hy_cpu_attention_flash, hy_cpu_attention_flash_workspace}},
    {.family = HY_FAM_ATTENTION, .name = "naive", .isa = "c",
     .summary = "full score row per query, softmax, weighted sum of values",
     .impl.attention = {hy_cpu_attention_naive, hy_cpu_attention_naive_workspace}},
    {.family = HY_FAM_MOE, .name = "grouped", .isa = "c",
     .summary = "tokens grouped per expert: gather, blocked gate/up/down GEMMs, scatter-add",
     .impl.moe = {hy_cpu_moe_grouped, hy_cpu_moe_grouped_workspace}},
    {.family = HY_FAM_MOE, .name = "token", .isa = "c",
     .summary = "per token, per chosen expert matrix-vector products",
     .impl.moe = {hy_cpu_moe_token, hy_cpu_moe_token_workspace}},
    {.family = HY_FAM_MLP, .name = "swiglu", .isa = "c",
     .summary = "blocked gate/up GEMMs, silu(gate)*up, blocked down GEMM",
     .impl.mlp = {hy_cpu_mlp_swiglu, hy_cpu_mlp_swiglu_workspace}},
};

const hy_backend hy_backend_cpu = {
    .name = "cpu",
    .version = "1",
    .summary = "portable C11 + OpenMP, fp32 with float accumulation (baseline)",
    .host_memory = 1,
    .probe = cpu_probe,
    .describe = cpu_describe,
    .exec_create = hy_cpu_exec_create,
    .exec_destroy = hy_cpu_exec_destroy,
    .alloc = hy_cpu_alloc,
    .free = hy_cpu_free,
    .upload = hy_cpu_upload,
    .download = hy_cpu_download,
    .memset_zero = hy_cpu_memset_zero,
    .synchronize = hy_cpu_synchronize,
    .kernels = cpu_kernels,
    .n_kernels = sizeof cpu_kernels / sizeof cpu_kernels[0],
};
