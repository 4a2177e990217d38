/* ceil_fma_avx2.c — the AVX2 fp32 FMA probe of `hybench ceilings`.
 *
 * VFMADD213PS on 256-bit registers: 8 lanes x 2 FLOPs per instruction.
 * Twelve accumulators (ymm0-11), each updated twice per iteration, cover
 * the FMA latency (4-5 cycles) times two FMA pipes with room to spare;
 * ymm14 = m, ymm15 = c.  acc = acc * m + c converges to 1 (see
 * ceil_scalar.c), so no value becomes subnormal.  Compiled for AVX2+FMA by
 * the target attribute: call only after checking CPU and OS support. */
#include "ceil_probes.h"

#ifdef HY_CEIL_X86

#define FMA(k) "vfmadd213ps %%ymm15, %%ymm14, %%ymm" #k "\n\t"
#define ZERO(k) "vxorps %%ymm" #k ", %%ymm" #k ", %%ymm" #k "\n\t"

__attribute__((target("avx2,fma"))) double hy_probe_fma_avx2_f32(uint64_t iters, float *sink)
{
    if (iters == 0) return 0.0;
    const float consts[2] = {0.99999988f, 1.1920929e-07f};
    uint64_t n = iters;
    float out;
    __asm__ volatile(
        "vbroadcastss %[m], %%ymm14\n\t"
        "vbroadcastss %[c], %%ymm15\n\t"
        ZERO(0) ZERO(1) ZERO(2) ZERO(3) ZERO(4) ZERO(5)
        ZERO(6) ZERO(7) ZERO(8) ZERO(9) ZERO(10) ZERO(11)
        ".p2align 5\n"
        "1:\n\t"
        FMA(0) FMA(1) FMA(2) FMA(3) FMA(4) FMA(5) FMA(6) FMA(7) FMA(8) FMA(9) FMA(10) FMA(11)
        FMA(0) FMA(1) FMA(2) FMA(3) FMA(4) FMA(5) FMA(6) FMA(7) FMA(8) FMA(9) FMA(10) FMA(11)
        "dec %[n]\n\t"
        "jnz 1b\n\t"
        "vaddps %%ymm11, %%ymm0, %%ymm0\n\t"
        "vmovss %%xmm0, %[out]\n\t"
        "vzeroupper\n\t"
        : [n] "+r"(n), [out] "=m"(out)
        : [m] "m"(consts[0]), [c] "m"(consts[1])
        : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9",
          "xmm10", "xmm11", "xmm14", "xmm15", "cc");
    *sink = out;
    return (double)iters * HY_PROBE_AVX2_FLOPS_PER_ITER;
}

#endif
