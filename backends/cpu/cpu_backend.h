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
