/* x86_simde.h — the AVX-512 (F, BW, BF16) intrinsics for the emulated
 * build of the x86 kernels (HY_X86_SIMDE, see README.md here): the AVX-512
 * sources are compiled a second time with only -mavx2 -mfma -mf16c and take
 * every _mm512_* name and the __m512 / __m512i / __m512bh / __mmask types
 * from SIMDe (portable implementations on top of AVX2), so their code paths
 * run on a machine without AVX-512.  Included by x86_vec.h and
 * linear_bf16_avx512bf16.c instead of <immintrin.h> in that build only.
 *
 * SIMDe's native aliases (SIMDE_ENABLE_NATIVE_ALIASES) map the _mm512_*
 * names to simde_mm512_*.  GCC's <immintrin.h> (included first, for the
 * AVX2 intrinsics that stay native) also declares __m512; SIMDe's typedefs
 * name a compatible type, which GCC accepts.
 *
 * Debian 12's SIMDe (0.7.4~rc2) lacks ten of the intrinsics the kernels
 * use.  They are defined below as hy_simde_mm512_* with exactly the
 * semantics of the Intel Intrinsics Guide, and the _mm512_* names are
 * pointed at them (always, so a newer SIMDe that has some of them does not
 * change what runs):
 *
 *   _mm512_maskz_loadu_ps(k, p)      lane i = p[i] where bit i of k, else 0;
 *                                    nothing read where the bit is clear
 *                                    (AVX2 vmaskmovps per half)
 *   _mm512_maskz_loadu_epi16(k, p)   the same for 32 16-bit lanes (a copy
 *                                    of the set lanes only)
 *   _mm512_mask_storeu_ps(p, k, a)   p[i] = a[i] where bit i of k; nothing
 *                                    else written (vmaskmovps per half)
 *   _mm512_reduce_add_ps(a)          the sum of the 16 lanes (256-bit
 *                                    halves added, then 128-bit halves, then
 *                                    pairs: GCC's order)
 *   _mm512_reduce_max_ps(a)          the largest lane, same tree
 *   _mm512_cvtps_epi32(a)            float -> int32, current rounding mode
 *   _mm512_cvtepu16_epi32(a)         16 x uint16 -> 16 x int32, zero-extended
 *   _mm512_stream_ps(p, a)           non-temporal store; p must be 64-byte
 *                                    aligned, as on the hardware (vmovntps
 *                                    faults otherwise): a misaligned p traps
 *   _mm512_cvtne2ps_pbh(a, b)        32 bf16: lanes 0..15 from b, 16..31
 *                                    from a, rounded to nearest even; NaN
 *                                    -> quiet NaN; denormal inputs give
 *                                    +-0 (the instruction's DAZ)
 */
#ifndef HY_X86_SIMDE_H
#define HY_X86_SIMDE_H

#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#define SIMDE_ENABLE_NATIVE_ALIASES
#include <simde/x86/avx512.h>
/* SIMDe includes <complex.h>, whose macro I clashes with the shape members
 * named I (hy_mlp_shape, hy_moe_shape); no kernel uses complex numbers. */
#undef I

/* The 256-bit halves of a 512-bit value (lanes 0..7 and 8..15). */
static inline __m256 hy_simde_lo(__m512 a) { return simde__m512_to_private(a).m256[0]; }
static inline __m256 hy_simde_hi(__m512 a) { return simde__m512_to_private(a).m256[1]; }
static inline __m512 hy_simde_join(__m256 lo, __m256 hi)
{
    simde__m512_private r;
    r.m256[0] = lo;
    r.m256[1] = hi;
    return simde__m512_from_private(r);
}
/* vmaskmovps mask of the 8 bits of k starting at bit `first`. */
static inline __m256i hy_simde_lane_mask(uint32_t k, int first)
{
    const __m256i bit = _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
    const __m256i kk = _mm256_set1_epi32((int)((k >> first) & 0xffu));
    return _mm256_cmpeq_epi32(_mm256_and_si256(kk, bit), bit);
}

static inline __m512 hy_simde_mm512_maskz_loadu_ps(__mmask16 k, const void *p)
{
    const float *f = (const float *)p;
    return hy_simde_join(_mm256_maskload_ps(f, hy_simde_lane_mask(k, 0)),
                         _mm256_maskload_ps(f + 8, hy_simde_lane_mask(k, 8)));
}

static inline __m512i hy_simde_mm512_maskz_loadu_epi16(__mmask32 k, const void *p)
{
    simde__m512i_private r;
    memset(&r, 0, sizeof r);
    const uint16_t *h = (const uint16_t *)p;
    for (int i = 0; i < 32; i++)
        if ((k >> i) & 1u) memcpy(&r.u16[i], h + i, sizeof *h); /* p need not be aligned */
    return simde__m512i_from_private(r);
}

static inline void hy_simde_mm512_mask_storeu_ps(void *p, __mmask16 k, __m512 a)
{
    float *f = (float *)p;
    _mm256_maskstore_ps(f, hy_simde_lane_mask(k, 0), hy_simde_lo(a));
    _mm256_maskstore_ps(f + 8, hy_simde_lane_mask(k, 8), hy_simde_hi(a));
}

static inline float hy_simde_mm512_reduce_add_ps(__m512 a)
{
    const __m256 s8 = _mm256_add_ps(hy_simde_lo(a), hy_simde_hi(a));
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(s8), _mm256_extractf128_ps(s8, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

static inline float hy_simde_mm512_reduce_max_ps(__m512 a)
{
    const __m256 s8 = _mm256_max_ps(hy_simde_lo(a), hy_simde_hi(a));
    __m128 s = _mm_max_ps(_mm256_castps256_ps128(s8), _mm256_extractf128_ps(s8, 1));
    s = _mm_max_ps(s, _mm_movehl_ps(s, s));
    s = _mm_max_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

static inline __m512i hy_simde_mm512_cvtps_epi32(__m512 a)
{
    simde__m512i_private r;
    r.m256i[0] = _mm256_cvtps_epi32(hy_simde_lo(a));
    r.m256i[1] = _mm256_cvtps_epi32(hy_simde_hi(a));
    return simde__m512i_from_private(r);
}

static inline __m512i hy_simde_mm512_cvtepu16_epi32(__m256i a)
{
    simde__m512i_private r;
    r.m256i[0] = _mm256_cvtepu16_epi32(_mm256_castsi256_si128(a));
    r.m256i[1] = _mm256_cvtepu16_epi32(_mm256_extracti128_si256(a, 1));
    return simde__m512i_from_private(r);
}

static inline void hy_simde_mm512_stream_ps(void *p, __m512 a)
{
    if ((uintptr_t)p % 64 != 0) __builtin_trap(); /* vmovntps zmm: #GP on hardware */
    float *f = (float *)p;
    _mm256_stream_ps(f, hy_simde_lo(a));
    _mm256_stream_ps(f + 8, hy_simde_hi(a));
}

/* fp32 -> bf16 as vcvtne2ps2bf16 rounds one lane. */
static inline uint16_t hy_simde_bf16_rne(float x)
{
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    if ((u & 0x7f800000u) == 0x7f800000u && (u & 0x007fffffu)) /* NaN: quiet it */
        return (uint16_t)((u >> 16) | 0x0040u);
    if ((u & 0x7f800000u) == 0) return (uint16_t)((u >> 16) & 0x8000u); /* DAZ */
    return (uint16_t)((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}

static inline __m512bh hy_simde_mm512_cvtne2ps_pbh(__m512 a, __m512 b)
{
    const simde__m512_private pa = simde__m512_to_private(a), pb = simde__m512_to_private(b);
    simde__m512bh_private r;
    for (int i = 0; i < 16; i++) {
        r.u16[i] = hy_simde_bf16_rne(pb.f32[i]);
        r.u16[16 + i] = hy_simde_bf16_rne(pa.f32[i]);
    }
    return simde__m512bh_from_private(r);
}

#undef _mm512_maskz_loadu_ps
#undef _mm512_maskz_loadu_epi16
#undef _mm512_mask_storeu_ps
#undef _mm512_reduce_add_ps
#undef _mm512_reduce_max_ps
#undef _mm512_cvtps_epi32
#undef _mm512_cvtepu16_epi32
#undef _mm512_stream_ps
#undef _mm512_cvtne2ps_pbh
#define _mm512_maskz_loadu_ps(k, p) hy_simde_mm512_maskz_loadu_ps(k, p)
#define _mm512_maskz_loadu_epi16(k, p) hy_simde_mm512_maskz_loadu_epi16(k, p)
#define _mm512_mask_storeu_ps(p, k, a) hy_simde_mm512_mask_storeu_ps(p, k, a)
#define _mm512_reduce_add_ps(a) hy_simde_mm512_reduce_add_ps(a)
#define _mm512_reduce_max_ps(a) hy_simde_mm512_reduce_max_ps(a)
#define _mm512_cvtps_epi32(a) hy_simde_mm512_cvtps_epi32(a)
#define _mm512_cvtepu16_epi32(a) hy_simde_mm512_cvtepu16_epi32(a)
#define _mm512_stream_ps(p, a) hy_simde_mm512_stream_ps(p, a)
#define _mm512_cvtne2ps_pbh(a, b) hy_simde_mm512_cvtne2ps_pbh(a, b)

#endif
