/* hy_isa.h — may a kernel variant's instruction set run here?
 *
 * A variant names the instruction set it needs (hy_kernel_variant.isa).
 * It is usable when the CPU has every feature of that set AND the OS
 * saves the registers it needs (hy_cpu_info: CPUID + XGETBV on x86,
 * the kernel's feature list elsewhere).  HYBENCH_ISA caps the level on
 * x86 (c < avx2 < avx512 < avx512bf16), so that every level can be forced
 * and validated on a machine that has a higher one.
 *
 *   "c"           portable C: always
 *   "avx2"        avx, avx2, fma
 *   "avx512"      avx512f, avx512bw, avx512vl, avx512dq (plus avx2's)
 *   "avx512bf16"  avx512's plus avx512_bf16
 *   "neon"        asimd (aarch64)
 *   "sve"         sve (aarch64)
 *   "cuda", "hip" device code: the backend's probe decides */
#ifndef HY_ISA_H
#define HY_ISA_H

#include <stddef.h>

#include "hy_kernel.h"

#ifdef __cplusplus
extern "C" {
#endif

/* 1 when usable; 0 with the reason in why ("CPU lacks avx512f", "above
 * HYBENCH_ISA=avx2", "unknown instruction set x"). */
int hy_isa_usable(const char *isa, char *why, size_t why_len);
int hy_variant_usable(const hy_kernel_variant *v, char *why, size_t why_len);

#ifdef __cplusplus
}
#endif
#endif
