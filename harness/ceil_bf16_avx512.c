/* ceil_bf16_avx512.c — the AVX-512 BF16 dot-product probe of
 * `hybench ceilings`.
 *
 * VDPBF16PS zmm: each of the 16 fp32 lanes adds the products of two bf16
 * pairs, so one instruction does 32 bf16 multiplies and 32 adds = 64
 * FLOPs (the usual way bf16 FLOPs are counted).  Twenty-four accumulators
 * (zmm0-23); zmm30 and zmm31 hold bf16 pairs of 2^-10 (0x3A80), so each
 * instruction adds 2 x 2^-20 per lane: the sums stay normal and finite for
 * far longer than any measurement.  Compiled for AVX512_BF16 by the target
 * attribute: call only after checking CPU and OS (ZMM state) support. */
#include "ceil_probes.h"

#ifdef HY_CEIL_X86

#define DP(k) "vdpbf16ps %%zmm31, %%zmm30, %%zmm" #k "\n\t"
#define ZERO(k) "vpxord %%zmm" #k ", %%zmm" #k ", %%zmm" #k "\n\t"

__attribute__((target("avx512bf16,avx512f"))) double hy_probe_dpbf16_avx512(uint64_t iters,
                                                                            float *sink)
{
    if (iters == 0) return 0.0;
    const uint32_t pair = 0x3A803A80u; /* two bf16 values 2^-10 */
    uint64_t n = iters;
    float out;
    __asm__ volatile(
        "vpbroadcastd %[p], %%zmm30\n\t"
        "vpbroadcastd %[p], %%zmm31\n\t"
        ZERO(0) ZERO(1) ZERO(2) ZERO(3) ZERO(4) ZERO(5) ZERO(6) ZERO(7)
        ZERO(8) ZERO(9) ZERO(10) ZERO(11) ZERO(12) ZERO(13) ZERO(14) ZERO(15)
        ZERO(16) ZERO(17) ZERO(18) ZERO(19) ZERO(20) ZERO(21) ZERO(22) ZERO(23)
        ".p2align 5\n"
        "1:\n\t"
        DP(0) DP(1) DP(2) DP(3) DP(4) DP(5) DP(6) DP(7)
        DP(8) DP(9) DP(10) DP(11) DP(12) DP(13) DP(14) DP(15)
        DP(16) DP(17) DP(18) DP(19) DP(20) DP(21) DP(22) DP(23)
        "dec %[n]\n\t"
        "jnz 1b\n\t"
        "vaddps %%zmm23, %%zmm0, %%zmm0\n\t"
        "vmovss %%xmm0, %[out]\n\t"
        "vzeroupper\n\t"
        : [n] "+r"(n), [out] "=m"(out)
        : [p] "m"(pair)
        : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9",
          "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "xmm16", "xmm17", "xmm18",
          "xmm19", "xmm20", "xmm21", "xmm22", "xmm23", "xmm30", "xmm31", "cc");
    *sink = out;
    return (double)iters * HY_PROBE_AVX512_BF16_FLOPS_PER_ITER;
}

#endif
