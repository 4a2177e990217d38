/* ceil_fma_avx512.c — the AVX-512 fp32 FMA probe of `hybench ceilings`.
 *
 * VFMADD213PS on 512-bit registers: 16 lanes x 2 FLOPs per instruction.
 * Twenty-four accumulators (zmm0-23) cover FMA latency times two 512-bit
 * FMA pipes; zmm30 = m, zmm31 = c (acc = acc * m + c converges to 1, see
 * ceil_scalar.c).  On CPUs with one 512-bit FMA pipe, or that split
 * 512-bit operations in two (AMD Zen 4), the measured peak shows it: that
 * is the point of measuring.  Compiled for AVX-512F by the target
 * attribute: call only after checking CPU and OS (ZMM state) support. */
#include "ceil_probes.h"

#ifdef HY_CEIL_X86

#define FMA(k) "vfmadd213ps %%zmm31, %%zmm30, %%zmm" #k "\n\t"
#define ZERO(k) "vpxord %%zmm" #k ", %%zmm" #k ", %%zmm" #k "\n\t"

__attribute__((target("avx512f"))) double hy_probe_fma_avx512_f32(uint64_t iters, float *sink)
{
    if (iters == 0) return 0.0;
    const float consts[2] = {0.99999988f, 1.1920929e-07f};
    uint64_t n = iters;
    float out;
    __asm__ volatile(
        "vbroadcastss %[m], %%zmm30\n\t"
        "vbroadcastss %[c], %%zmm31\n\t"
        ZERO(0) ZERO(1) ZERO(2) ZERO(3) ZERO(4) ZERO(5) ZERO(6) ZERO(7)
        ZERO(8) ZERO(9) ZERO(10) ZERO(11) ZERO(12) ZERO(13) ZERO(14) ZERO(15)
        ZERO(16) ZERO(17) ZERO(18) ZERO(19) ZERO(20) ZERO(21) ZERO(22) ZERO(23)
        ".p2align 5\n"
        "1:\n\t"
        FMA(0) FMA(1) FMA(2) FMA(3) FMA(4) FMA(5) FMA(6) FMA(7)
        FMA(8) FMA(9) FMA(10) FMA(11) FMA(12) FMA(13) FMA(14) FMA(15)
        FMA(16) FMA(17) FMA(18) FMA(19) FMA(20) FMA(21) FMA(22) FMA(23)
        "dec %[n]\n\t"
        "jnz 1b\n\t"
        "vaddps %%zmm23, %%zmm0, %%zmm0\n\t"
        "vmovss %%xmm0, %[out]\n\t"
        "vzeroupper\n\t"
        : [n] "+r"(n), [out] "=m"(out)
        : [m] "m"(consts[0]), [c] "m"(consts[1])
        : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9",
          "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "xmm16", "xmm17", "xmm18",
          "xmm19", "xmm20", "xmm21", "xmm22", "xmm23", "xmm30", "xmm31", "cc");
    *sink = out;
    return (double)iters * HY_PROBE_AVX512_FLOPS_PER_ITER;
}

#endif
