/* cpu_internal.h — what the cpu backend's source files share: the
 * execution context, OpenMP helpers, float math helpers and the blocked
 * matrix product used by linear, mlp and moe.  Not part of any public
 * interface; other host backends reuse the cpu kernels through
 * cpu_kernels.h, not through this file. */
#ifndef HY_CPU_INTERNAL_H
#define HY_CPU_INTERNAL_H

#include "backend.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#ifdef HYBENCH_HAVE_OPENMP
#include <omp.h>
#endif

/* The cpu execution context: just the number of threads kernels use. */
struct hy_exec {
    int n_threads; /* >= 1 */
};

/* Threads for one kernel call (1 when ex is NULL or OpenMP is off). */
static inline int cpu_threads(const hy_exec *ex)
{
#ifdef HYBENCH_HAVE_OPENMP
    if (!ex) return omp_get_max_threads();
    return ex->n_threads > 0 ? ex->n_threads : 1;
#else
    (void)ex;
    return 1;
#endif
}

/* Index of the calling thread inside a parallel region (0 without OpenMP). */
static inline int cpu_thread_id(void)
{
#ifdef HYBENCH_HAVE_OPENMP
    return omp_get_thread_num();
#else
    return 0;
#endif
}

/* HY_OMP(parallel for ...) expands to `#pragma omp parallel for ...` when
 * OpenMP is on and to nothing otherwise (no unknown-pragma warnings). */
#define HY_CPU_STR(...) #__VA_ARGS__
#ifdef HYBENCH_HAVE_OPENMP
#define HY_OMP(...) _Pragma(HY_CPU_STR(omp __VA_ARGS__))
#else
#define HY_OMP(...)
#endif

/* Independent partial sums per dot product: the compiler turns a loop
 * over HY_CPU_LANES accumulators into SIMD without reassociating floats. */
#define HY_CPU_LANES 8

/* Scratch slots for kernels that need per-thread buffers: a workspace
 * holds min(tasks, HY_CPU_MAX_SLOTS) slots and a kernel runs on at most
 * that many threads, each using slot cpu_thread_id(). */
#define HY_CPU_MAX_SLOTS 256

static inline int cpu_slot_threads(int n_threads, int64_t slots)
{
    return (int64_t)n_threads < slots ? n_threads : (int)slots;
}

static inline int64_t cpu_min64(int64_t a, int64_t b) { return a < b ? a : b; }
static inline int64_t cpu_max64(int64_t a, int64_t b) { return a > b ? a : b; }
static inline int64_t cpu_ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

/* Rounds a byte count up to the 64-byte alignment every workspace piece keeps. */
static inline size_t cpu_align64(size_t bytes) { return (bytes + 63u) & ~(size_t)63u; }

static inline float cpu_silu(float x) { return x / (1.0f + expf(-x)); }
/* torch softplus: identity above 20. */
static inline float cpu_softplus(float x) { return x > 20.0f ? x : log1pf(expf(x)); }

/* sum_i a[i] * b[i] for i < n, float accumulation in HY_CPU_LANES lanes. */
float cpu_dot(const float *restrict a, const float *restrict b, int64_t n);

/* y[i] += alpha * x[i] for i < n. */
void cpu_axpy(float *restrict y, float alpha, const float *restrict x, int64_t n);

/* The blocked matrix product behind linear, mlp and moe:
 *   y[t, o] = (accumulate ? y[t, o] : 0) + sum_i x[t, i] * w[o, i] (+ b[o])
 * x: [T, ldx] (first `in` columns), w: [out, in], b: [out] or NULL,
 * y: [T, ldy] (first `out` columns).  y must not overlap x or w.
 * Runs on n_threads threads (1 = serial, for callers already inside a
 * parallel region). */
void cpu_gemm_xwt(int64_t T, int64_t in, int64_t out, const float *x, int64_t ldx,
                  const float *w, const float *b, float *y, int64_t ldy, int accumulate,
                  int n_threads);

#endif
