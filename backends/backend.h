/* backend.h — the interface every backend fills, and the registry.
 *
 * A backend is {name, version, probe, memory ops, kernel table}.  Memory
 * ops exist for every backend so that device memory (CUDA, HIP) fits the
 * same driver code as host memory (cpu, x86, arm).  Kernel pointers in
 * kernel arguments are always pointers returned by the backend's alloc (or,
 * for backends with host_memory set, any host pointer). */
#ifndef HY_BACKEND_H
#define HY_BACKEND_H

#include "hy_kernel.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Backend-owned execution state: thread pool, stream, handles.  Each
 * backend defines struct hy_exec privately. */
typedef struct hy_exec hy_exec;

typedef struct hy_backend {
    const char *name;     /* "cpu", "x86", "arm", "cuda", "hip"           */
    const char *version;  /* backend revision, goes into results files    */
    const char *summary;  /* one line for `hybench info`                  */
    int host_memory;      /* 1: device pointers are host pointers          */

    /* Is the backend usable on this machine?  Returns 1 if yes; 0 if not,
     * with the reason written to why (e.g. "no CUDA device: ...").  Never
     * fails in any other way. */
    int (*probe)(char *why, size_t why_len);
    /* Describes the device (CPU model, GPU name and memory) into buf. */
    void (*describe)(char *buf, size_t len);

    int (*exec_create)(hy_exec **out, hy_error *err);
    void (*exec_destroy)(hy_exec *ex);

    /* Memory ops.  alloc returns NULL with err filled on failure; memory is
     * aligned to at least 64 bytes. */
    void *(*alloc)(hy_exec *ex, size_t bytes, hy_error *err);
    void (*free)(hy_exec *ex, void *ptr);
    int (*upload)(hy_exec *ex, void *dst_dev, const void *src_host, size_t bytes, hy_error *err);
    int (*download)(hy_exec *ex, void *dst_host, const void *src_dev, size_t bytes, hy_error *err);
    int (*memset_zero)(hy_exec *ex, void *dst_dev, size_t bytes, hy_error *err);
    int (*synchronize)(hy_exec *ex, hy_error *err);

    /* Optional device clock (NULL for host backends, which are timed by
     * the wall clock).  timing_begin marks a start on the execution
     * context's queue; timing_end marks the stop, waits for it and gives
     * the device seconds between the two.  Everything launched in between
     * is timed on the device, without a host synchronisation per launch.
     * timing_clock names it for results files ("cuda events"). */
    const char *timing_clock;
    int (*timing_begin)(hy_exec *ex, hy_error *err);
    int (*timing_end)(hy_exec *ex, double *seconds, hy_error *err);

    /* The kernel table: named variants per family.  A family with no entry
     * is unsupported on this backend (reported, never a crash).  The first
     * entry of a family is its default. */
    const hy_kernel_variant *kernels;
    size_t n_kernels;
} hy_backend;

/* Registry: every backend compiled in, in preference order (best first;
 * the portable cpu backend last among host backends). */
const hy_backend *const *hy_backends(size_t *count);
const hy_backend *hy_backend_find(const char *name); /* NULL if not compiled in */

/* The first backend whose probe says yes, in registry order. */
const hy_backend *hy_backend_best(void);

/* Variants of one family in a backend's table.  Returns how many exist;
 * fills out[0..max-1]. */
size_t hy_backend_variants(const hy_backend *b, hy_family f, const hy_kernel_variant **out, size_t max);

/* The variant to use for family f: the one named by the environment
 * variable HYBENCH_VARIANT_<FAMILY> (e.g. HYBENCH_VARIANT_SCAN=chunked) if
 * set, present and able to run here, else the first variant whose
 * instruction set this CPU and OS can run (backends/hy_isa.h; HYBENCH_ISA
 * caps the x86 level).  NULL when the family is unsupported or no variant
 * of it can run here. */
const hy_kernel_variant *hy_backend_select(const hy_backend *b, hy_family f);

/* Like hy_backend_select, and says why into why (if non-NULL):
 *   "default"
 *   "forced by HYBENCH_VARIANT_SCAN=chunked"
 *   "HYBENCH_VARIANT_SCAN=foo names no variant; using default seq"
 *   "scan is not supported by this backend"
 * so that a mistyped override is visible (`hybench info`, results files). */
const hy_kernel_variant *hy_backend_select_explain(const hy_backend *b, hy_family f, char *why,
                                                   size_t why_len);

#ifdef __cplusplus
}
#endif
#endif
