/* ceil_scalar.c — the scalar fp32 compute probe of `hybench ceilings`.
 *
 * "Scalar" is what plain C compiles to without -m flags: on x86-64 the
 * SSE2 scalar instructions MULSS and ADDSS (two FLOPs per mul + add pair;
 * a scalar FMA needs -mfma, which the base ISA lacks).  Twelve independent
 * chains acc = acc * m + c keep every multiply and add pipe busy (mul +
 * add latency is 6-8 cycles, at most 4 of these issue per cycle).  With
 * m = 1 - 2^-23 and c = 2^-23 the accumulators converge to 1 and never
 * become subnormal, infinite or NaN. */
#include "ceil_probes.h"

#define SCALAR_M 0.99999988f /* 1 - 2^-23 */
#define SCALAR_C 1.1920929e-07f /* 2^-23 */

#ifdef HY_CEIL_X86

#define MUL(k) "mulss %%xmm14, %%xmm" #k "\n\t"
#define ADD(k) "addss %%xmm15, %%xmm" #k "\n\t"

double hy_probe_scalar_f32(uint64_t iters, float *sink)
{
    if (iters == 0) return 0.0;
    const float consts[2] = {SCALAR_M, SCALAR_C};
    uint64_t n = iters;
    float out;
    __asm__ volatile(
        "movss %[m], %%xmm14\n\t"
        "movss %[c], %%xmm15\n\t"
        "xorps %%xmm0, %%xmm0\n\t"
        "xorps %%xmm1, %%xmm1\n\t"
        "xorps %%xmm2, %%xmm2\n\t"
        "xorps %%xmm3, %%xmm3\n\t"
        "xorps %%xmm4, %%xmm4\n\t"
        "xorps %%xmm5, %%xmm5\n\t"
        "xorps %%xmm6, %%xmm6\n\t"
        "xorps %%xmm7, %%xmm7\n\t"
        "xorps %%xmm8, %%xmm8\n\t"
        "xorps %%xmm9, %%xmm9\n\t"
        "xorps %%xmm10, %%xmm10\n\t"
        "xorps %%xmm11, %%xmm11\n\t"
        ".p2align 5\n"
        "1:\n\t"
        MUL(0) MUL(1) MUL(2) MUL(3) MUL(4) MUL(5) MUL(6) MUL(7) MUL(8) MUL(9) MUL(10) MUL(11)
        ADD(0) ADD(1) ADD(2) ADD(3) ADD(4) ADD(5) ADD(6) ADD(7) ADD(8) ADD(9) ADD(10) ADD(11)
        "dec %[n]\n\t"
        "jnz 1b\n\t"
        "addss %%xmm11, %%xmm0\n\t"
        "movss %%xmm0, %[out]\n\t"
        : [n] "+r"(n), [out] "=m"(out)
        : [m] "m"(consts[0]), [c] "m"(consts[1])
        : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9",
          "xmm10", "xmm11", "xmm14", "xmm15", "cc");
    *sink = out;
    return (double)iters * HY_PROBE_SCALAR_FLOPS_PER_ITER;
}

#else /* not x86-64: the same chains in C, kept scalar */

#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("O2", "no-tree-vectorize")))
#endif
double hy_probe_scalar_f32(uint64_t iters, float *sink)
{
    volatile float vm = SCALAR_M, vc = SCALAR_C;
    const float m = vm, c = vc;
    float a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0;
    float a6 = 0, a7 = 0, a8 = 0, a9 = 0, a10 = 0, a11 = 0;
    for (uint64_t i = 0; i < iters; i++) {
        a0 = a0 * m + c;
        a1 = a1 * m + c;
        a2 = a2 * m + c;
        a3 = a3 * m + c;
        a4 = a4 * m + c;
        a5 = a5 * m + c;
        a6 = a6 * m + c;
        a7 = a7 * m + c;
        a8 = a8 * m + c;
        a9 = a9 * m + c;
        a10 = a10 * m + c;
        a11 = a11 * m + c;
    }
    *sink = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;
    return (double)iters * HY_PROBE_SCALAR_FLOPS_PER_ITER;
}

#endif
