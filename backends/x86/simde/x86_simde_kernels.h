/* x86_simde_kernels.h — the emulated copies of the x86 backend's AVX-512
 * and AVX-512-BF16 kernel variants (library hy_x86_simde, only where
 * CMake's HYBENCH_WITH_SIMDE is on; used by tests/test_x86_avx512_simde.c).
 *
 * The same sources as the real variants (backends/x86/<area>_avx512.c,
 * linear_bf16_avx512bf16.c), compiled again with only -mavx2 -mfma -mf16c and
 * HY_X86_SIMDE, which takes the _mm512 intrinsics from SIMDe
 * (x86_simde.h) and appends _avx512simde / _avx512bf16simde to the entry
 * points.  They compute what the AVX-512 code computes, on AVX2 hardware,
 * many times slower: for correctness checks only. */
#ifndef HY_X86_SIMDE_KERNELS_H
#define HY_X86_SIMDE_KERNELS_H

#include "backend.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Whether v needs an instruction set the emulated build stands in for
 * (isa "avx512" or "avx512bf16"). */
int hy_x86_simde_covers(const hy_kernel_variant *v);

/* *out = *real with the emulated entry points and isa "avx2" (what the
 * emulated code needs), so the harness runs it on this CPU.  real must be
 * an entry of the x86 backend's kernel table that hy_x86_simde_covers;
 * it is matched by its entry points.  Returns 0, or -1 with err set when
 * the emulated table has no counterpart (a variant added to the x86 table
 * but not to x86_simde_kernels.c). */
int hy_x86_simde_variant(const hy_kernel_variant *real, hy_kernel_variant *out, hy_error *err);

/* How many variants the emulated table holds (each must match one entry of
 * the real table: the test checks that none is stale). */
size_t hy_x86_simde_count(void);

/* The real variant's entry points of emulated table entry i < count, as a
 * variant with only family and impl set (for the staleness check). */
void hy_x86_simde_real(size_t i, hy_kernel_variant *out);

#ifdef __cplusplus
}
#endif
#endif
