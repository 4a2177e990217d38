/* gemm_util.h — small private helpers shared by the x86 GEMM-based kernels
 * (gemm_impl.h, linear_impl.h, mlp_impl.h, moe_impl.h): OpenMP pragmas
 * that vanish without OpenMP, integer helpers, workspace alignment.
 * Width-independent; not part of any interface. */
#ifndef HY_X86_GEMM_UTIL_H
#define HY_X86_GEMM_UTIL_H

#include <stddef.h>
#include <stdint.h>

#ifdef HYBENCH_HAVE_OPENMP
#include <omp.h>
#endif

#define HY_X86G_STR(...) #__VA_ARGS__
#ifdef HYBENCH_HAVE_OPENMP
#define HY_X86G_OMP(...) _Pragma(HY_X86G_STR(omp __VA_ARGS__))
#else
#define HY_X86G_OMP(...)
#endif

static inline int x86g_thread_id(void)
{
#ifdef HYBENCH_HAVE_OPENMP
    return omp_get_thread_num();
#else
    return 0;
#endif
}

static inline int x86g_team_size(void)
{
#ifdef HYBENCH_HAVE_OPENMP
    return omp_get_num_threads();
#else
    return 1;
#endif
}

static inline int64_t x86g_min(int64_t a, int64_t b) { return a < b ? a : b; }
static inline int64_t x86g_max(int64_t a, int64_t b) { return a > b ? a : b; }
static inline int64_t x86g_ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }
static inline int64_t x86g_round_up(int64_t a, int64_t b) { return x86g_ceil_div(a, b) * b; }
/* Byte counts of workspace pieces keep 64-byte alignment. */
static inline size_t x86g_align64(size_t bytes) { return (bytes + 63u) & ~(size_t)63u; }

/* Per-thread scratch slots (moe/token): at most this many threads. */
#define HY_X86G_MAX_SLOTS 256

#endif
