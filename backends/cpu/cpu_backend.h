/* cpu_backend.h — the portable cpu backend (C11 + OpenMP): the baseline
 * every other backend is compared with.  Its execution context and memory
 * ops are also what other host backends (x86, arm) may reuse. */
#ifndef HY_CPU_BACKEND_H
#define HY_CPU_BACKEND_H

#include "backend.h"

#ifdef __cplusplus
extern "C" {
#endif

extern const hy_backend hy_backend_cpu;

/* The cpu execution context: holds the thread count kernels run on
 * (omp_get_max_threads() at creation; 1 without OpenMP). */
int hy_cpu_exec_create(hy_exec **out, hy_error *err);
void hy_cpu_exec_destroy(hy_exec *ex);
int hy_cpu_exec_threads(const hy_exec *ex);

/* MoE routing steps shared by the host backends (cpu, x86), after the
 * softmax each computes its own way:
 *   hy_cpu_moe_top_k   the k largest of prob [E], ties to the lower index;
 *                      pick [k] the experts in ascending index order,
 *                      weight [k] their probabilities (no renormalisation)
 *   hy_cpu_moe_group   counting sort of pick [T, k] by expert, tokens in
 *                      order: offset [2E+1] (row offsets [E+1], then E
 *                      cursors), token [T*k] the token of each grouped row,
 *                      row_of [T, k] the grouped row of each pick */
void hy_cpu_moe_top_k(const float *prob, int64_t E, int64_t k, int32_t *pick, float *weight);
void hy_cpu_moe_group(const int32_t *pick, int64_t T, int64_t k, int64_t E, int64_t *offset,
                      int32_t *token, int32_t *row_of);

/* Host memory ops: 64-byte aligned malloc, memcpy, memset. */
void *hy_cpu_alloc(hy_exec *ex, size_t bytes, hy_error *err);
void hy_cpu_free(hy_exec *ex, void *ptr);
int hy_cpu_upload(hy_exec *ex, void *dst, const void *src, size_t bytes, hy_error *err);
int hy_cpu_download(hy_exec *ex, void *dst, const void *src, size_t bytes, hy_error *err);
int hy_cpu_memset_zero(hy_exec *ex, void *dst, size_t bytes, hy_error *err);
int hy_cpu_synchronize(hy_exec *ex, hy_error *err);

/* "model name" from /proc/cpuinfo (or another line naming the processor),
 * "unknown CPU" when none is found. */
void hy_cpu_model_name(char *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif
