/* x86_vec.h — one vector vocabulary for the AVX2 and AVX-512 kernels.
 *
 * A kernel body is written once against these names and compiled twice:
 * a file ending in _avx2.c defines HY_X86_WIDTH 8 and one ending in
 * _avx512.c defines HY_X86_WIDTH 16 before including the body (CMake gives
 * each file the matching -m flags; backends/hy_isa.h keeps a variant from
 * running where the CPU or OS lacks its registers).  HY_X86_SUFFIX(name)
 * appends _avx2 or _avx512, so both copies link side by side.  With
 * HY_X86_SIMDE defined (the emulated AVX-512 build for the test
 * tests/test_x86_avx512_simde.c, simde/README.md) the _mm512 intrinsics
 * come from SIMDe and the suffix is _avx512simde.
 *
 *   vf                    a vector of VL floats
 *   vf_load / vf_store    unaligned full-width access
 *   vf_load_n / vf_store_n  the first n lanes (0 <= n <= VL) with masks: no
 *                         scalar tails, no access past n
 *   vf_fma(a, b, c)       a * b + c, fused
 *   vf_hsum / vf_hmax     horizontal reductions
 *   vf_hsum_each(a[VL])   lane i = vf_hsum(a[i]), all VL at once
 *   vf_any_lt(a, b)       whether a < b in any lane
 *   vf_exp                exp(x) for float; relative error below 2 ulp
 *                         (about 1.2e-7) on [-87.3, 88.7], 0 below (no
 *                         denormals), +inf above; NaN stays NaN
 *   vf_exp2_nonpos(a, b)  2^(a b) for a b <= 0 with few instructions (the
 *                         scan's exp(dt A) as 2^(dt A log2 e), one per
 *                         state element and step): degree-5 polynomial,
 *                         the exponent added to the bits; relative error
 *                         below 2.4e-7 (measured: 1.6e-7)
 *   vf_exp2_reduced(x)    the same for x already in [-125, 127], no clamp
 *   vf_exp2_clamped(x)    2^x for x clamped to [-125, 127], same method
 *   vf_silu, vf_softplus  the model's activations, through exp(-|x|) =
 *                         2^(-|x| log2 e): the rounding of that product
 *                         adds a relative error of about |x| 2^-24, so
 *                         both stay below 4e-6 relative for |x| <= 88
 *                         (tests/test_x86_vec.c measures it);
 *                         vf_silu_from / vf_softplus_from take that
 *                         exp(-|x|) computed beforehand
 *   vf_prefetch           software prefetch of a row range
 *   vf_stream, vf_stream_fence  non-temporal (cache-bypassing) full-vector
 *                         store to a VL-float-aligned address, and the
 *                         store fence that orders them before the kernel
 *                         returns
 *
 * Accuracy of vf_exp: range reduction x = n ln2 + r with ln2 split in two
 * (Cody-Waite), |r| <= ln2/2, then a degree-6 minimax polynomial of
 * exp(r) (the Cephes expf coefficients), scaled by 2^n through the
 * exponent bits.  tests/test_x86_vec.c measures the worst error
 * against the C library's expf over the range.
 */
#ifndef HY_X86_VEC_H
#define HY_X86_VEC_H

#ifdef HY_X86_SIMDE /* the emulated build: AVX-512 intrinsics from SIMDe (simde/README.md) */
#include "simde/x86_simde.h"
#else
#include <immintrin.h>
#endif
#include <stdint.h>

#ifndef HY_X86_WIDTH
#error "define HY_X86_WIDTH (8 for AVX2, 16 for AVX-512) before including x86_vec.h"
#endif

#define HY_X86_CAT2(a, b) a##b
#define HY_X86_CAT(a, b) HY_X86_CAT2(a, b)

#if HY_X86_WIDTH == 8

#define VL 8
#define HY_X86_SUFFIX(name) HY_X86_CAT(name, _avx2)
#define HY_X86_ISA "avx2"
typedef __m256 vf;
typedef __m256i vi;

static inline vf vf_zero(void) { return _mm256_setzero_ps(); }
static inline vf vf_set1(float x) { return _mm256_set1_ps(x); }
static inline vf vf_load(const float *p) { return _mm256_loadu_ps(p); }
static inline void vf_store(float *p, vf v) { _mm256_storeu_ps(p, v); }
static inline vi vf_tail_mask(int n)
{
    const vi lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), lanes);
}
static inline vf vf_load_n(const float *p, int n) { return _mm256_maskload_ps(p, vf_tail_mask(n)); }
static inline void vf_store_n(float *p, vf v, int n) { _mm256_maskstore_ps(p, vf_tail_mask(n), v); }
static inline vf vf_add(vf a, vf b) { return _mm256_add_ps(a, b); }
static inline vf vf_sub(vf a, vf b) { return _mm256_sub_ps(a, b); }
static inline vf vf_mul(vf a, vf b) { return _mm256_mul_ps(a, b); }
static inline vf vf_div(vf a, vf b) { return _mm256_div_ps(a, b); }
static inline vf vf_max(vf a, vf b) { return _mm256_max_ps(a, b); }
static inline vf vf_min(vf a, vf b) { return _mm256_min_ps(a, b); }
static inline vf vf_fma(vf a, vf b, vf c) { return _mm256_fmadd_ps(a, b, c); }
static inline vf vf_fnma(vf a, vf b, vf c) { return _mm256_fnmadd_ps(a, b, c); } /* c - a*b */
static inline vf vf_sqrt(vf a) { return _mm256_sqrt_ps(a); }
static inline float vf_hsum(vf v)
{
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}
static inline float vf_hmax(vf v)
{
    __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_max_ps(s, _mm_movehl_ps(s, s));
    s = _mm_max_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}
/* lanes where a > b take x, others y */
static inline vf vf_select_gt(vf a, vf b, vf x, vf y)
{
    return _mm256_blendv_ps(y, x, _mm256_cmp_ps(a, b, _CMP_GT_OQ));
}
static inline vf vf_select_lt(vf a, vf b, vf x, vf y)
{
    return _mm256_blendv_ps(y, x, _mm256_cmp_ps(a, b, _CMP_LT_OQ));
}
static inline vf vf_select_unord(vf a, vf x, vf y) /* lanes where a is NaN take x */
{
    return _mm256_blendv_ps(y, x, _mm256_cmp_ps(a, a, _CMP_UNORD_Q));
}
static inline vf vf_round(vf a) { return _mm256_round_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
static inline vi vf_to_int(vf a) { return _mm256_cvtps_epi32(a); }
static inline int vf_any_lt(vf a, vf b) { return _mm256_movemask_ps(_mm256_cmp_ps(a, b, _CMP_LT_OQ)) != 0; }
static inline void vf_stream(float *p, vf v) { _mm256_stream_ps(p, v); } /* p: 32-byte aligned */
/* lane i = the sum of the lanes of a[i], i < VL (a hadd tree) */
static inline vf vf_hsum_each(const vf a[VL])
{
    const vf u0 = _mm256_hadd_ps(_mm256_hadd_ps(a[0], a[1]), _mm256_hadd_ps(a[2], a[3]));
    const vf u1 = _mm256_hadd_ps(_mm256_hadd_ps(a[4], a[5]), _mm256_hadd_ps(a[6], a[7]));
    return _mm256_add_ps(_mm256_permute2f128_ps(u0, u1, 0x20), _mm256_permute2f128_ps(u0, u1, 0x31));
}
static inline vf vf_pow2_add_bits(vf p, vf t) /* p 2^n with t = 1.5 2^23 + n */
{
    const vi e = _mm256_slli_epi32(_mm256_castps_si256(t), 23);
    return _mm256_castsi256_ps(_mm256_add_epi32(_mm256_castps_si256(p), e));
}

#elif HY_X86_WIDTH == 16

#define VL 16
#ifdef HY_X86_SIMDE
#define HY_X86_SUFFIX(name) HY_X86_CAT(name, _avx512simde)
#else
#define HY_X86_SUFFIX(name) HY_X86_CAT(name, _avx512)
#endif
#define HY_X86_ISA "avx512"
typedef __m512 vf;
typedef __m512i vi;

static inline vf vf_zero(void) { return _mm512_setzero_ps(); }
static inline vf vf_set1(float x) { return _mm512_set1_ps(x); }
static inline vf vf_load(const float *p) { return _mm512_loadu_ps(p); }
static inline void vf_store(float *p, vf v) { _mm512_storeu_ps(p, v); }
static inline __mmask16 vf_tail_mask(int n) { return (__mmask16)(n >= 16 ? 0xffffu : ((1u << n) - 1u)); }
static inline vf vf_load_n(const float *p, int n) { return _mm512_maskz_loadu_ps(vf_tail_mask(n), p); }
static inline void vf_store_n(float *p, vf v, int n) { _mm512_mask_storeu_ps(p, vf_tail_mask(n), v); }
static inline vf vf_add(vf a, vf b) { return _mm512_add_ps(a, b); }
static inline vf vf_sub(vf a, vf b) { return _mm512_sub_ps(a, b); }
static inline vf vf_mul(vf a, vf b) { return _mm512_mul_ps(a, b); }
static inline vf vf_div(vf a, vf b) { return _mm512_div_ps(a, b); }
static inline vf vf_max(vf a, vf b) { return _mm512_max_ps(a, b); }
static inline vf vf_min(vf a, vf b) { return _mm512_min_ps(a, b); }
static inline vf vf_fma(vf a, vf b, vf c) { return _mm512_fmadd_ps(a, b, c); }
static inline vf vf_fnma(vf a, vf b, vf c) { return _mm512_fnmadd_ps(a, b, c); }
static inline vf vf_sqrt(vf a) { return _mm512_sqrt_ps(a); }
static inline float vf_hsum(vf v) { return _mm512_reduce_add_ps(v); }
static inline float vf_hmax(vf v) { return _mm512_reduce_max_ps(v); }
static inline vf vf_select_gt(vf a, vf b, vf x, vf y)
{
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(a, b, _CMP_GT_OQ), y, x);
}
static inline vf vf_select_lt(vf a, vf b, vf x, vf y)
{
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(a, b, _CMP_LT_OQ), y, x);
}
static inline vf vf_select_unord(vf a, vf x, vf y)
{
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(a, a, _CMP_UNORD_Q), y, x);
}
static inline vf vf_round(vf a) { return _mm512_roundscale_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
static inline vi vf_to_int(vf a) { return _mm512_cvtps_epi32(a); }
static inline int vf_any_lt(vf a, vf b) { return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ) != 0; }
static inline void vf_stream(float *p, vf v) { _mm512_stream_ps(p, v); } /* p: 64-byte aligned */
static inline vf vf_hsum_each(const vf a[VL])
{
    _Alignas(64) float s[VL];
    for (int i = 0; i < VL; i++) s[i] = _mm512_reduce_add_ps(a[i]);
    return _mm512_load_ps(s);
}
static inline vf vf_pow2_add_bits(vf p, vf t)
{
    const vi e = _mm512_slli_epi32(_mm512_castps_si512(t), 23);
    return _mm512_castsi512_ps(_mm512_add_epi32(_mm512_castps_si512(p), e));
}

#else
#error "HY_X86_WIDTH must be 8 or 16"
#endif

/* 2^n from t = 1.5 * 2^23 + n, the float that rounding by adding
 * 1.5 * 2^23 leaves (whole n in [-126, 127], callers clamp): the low
 * mantissa bits of t hold n, so shifting them into the exponent field
 * and adding the bias gives 2^n in two integer operations. */
#if HY_X86_WIDTH == 8
static inline vf vf_pow2_from_magic(vf t)
{
    vi e = _mm256_slli_epi32(_mm256_castps_si256(t), 23);
    return _mm256_castsi256_ps(_mm256_add_epi32(e, _mm256_set1_epi32(127 << 23)));
}
#else
static inline vf vf_pow2_from_magic(vf t)
{
    vi e = _mm512_slli_epi32(_mm512_castps_si512(t), 23);
    return _mm512_castsi512_ps(_mm512_add_epi32(e, _mm512_set1_epi32(127 << 23)));
}
#endif

/* 2^x for x already in [-125, 127] with the fewest instructions (the
 * scan's decay, one per state element and step, is the bulk of its
 * work): n = round(x) and r = x - n by adding and subtracting 1.5 2^23
 * (exact), 2^r on [-1/2, 1/2] by a degree-5 polynomial in Horner form
 * (minimax for the relative error with p(0) = 1 exactly, so x = 0 gives
 * exactly 1 and a state does not grow: 9.1e-8 in exact arithmetic,
 * 1.6e-7 measured in float by tests/test_x86_vec.c), and 2^n by adding n
 * to the exponent field of p (p in [0.7, 1.42], so the result stays a
 * normal float for n in [-125, 127]): 5 FMAs, 3 additions and 2 integer
 * operations. */
static inline vf vf_exp2_reduced(vf x)
{
    const vf magic = vf_set1(12582912.0f); /* 1.5 2^23 */
    const vf t = vf_add(x, magic);         /* 1.5 2^23 + round(x) */
    const vf r = vf_sub(x, vf_sub(t, magic));
    vf p = vf_set1(1.326472714007201332e-3f);
    p = vf_fma(p, r, vf_set1(9.6715126399564551514e-3f));
    p = vf_fma(p, r, vf_set1(5.5507337434700852738e-2f));
    p = vf_fma(p, r, vf_set1(2.402224208537670947e-1f));
    p = vf_fma(p, r, vf_set1(6.9314697759899203815e-1f));
    p = vf_fma(p, r, vf_set1(1.0f));
    return vf_pow2_add_bits(p, t);
}

/* 2^(a b) for a b <= 0 (the product clamped at -125: results below
 * 2^-125 come out as about 2^-125): one multiply, a max and
 * vf_exp2_reduced.  (The earlier form, a rounding instruction, a degree-6
 * polynomial in Estrin form and a multiply by 2^n, took 3 multiplies,
 * 6 FMAs, a rounding and 3 additions.) */
static inline vf vf_exp2_nonpos(vf a, vf b)
{
    return vf_exp2_reduced(vf_max(vf_mul(a, b), vf_set1(-125.0f)));
}

/* 2^x with x clamped to [-125, 127] (so no infinities, no zeros and no
 * denormals; NaN unspecified), accuracy as vf_exp2_reduced. */
static inline vf vf_exp2_clamped(vf x)
{
    return vf_exp2_reduced(vf_min(vf_max(x, vf_set1(-125.0f)), vf_set1(127.0f)));
}

#define HY_X86_LOG2E 1.44269504088896341f

/* exp(x), see the header comment for its accuracy: Cody-Waite reduction
 * with n = round(x / ln2) taken from a magic-number addition, the Cephes
 * polynomial, 2^n from the exponent bits (2^127 * 2 for n = 128);
 * 0 below -87.3, +inf above 88.72 (the largest float's logarithm), NaN
 * stays NaN. */
static inline vf vf_exp(vf x)
{
    const vf magic = vf_set1(12582912.0f), lo = vf_set1(-87.3365479f);
    const vf top = vf_set1(88.7228394f);
    const vf xc = vf_min(vf_max(x, lo), top);
    const vf t = vf_fma(xc, vf_set1(HY_X86_LOG2E), magic); /* magic + round(x / ln2) */
    const vf n = vf_sub(t, magic);
    vf r = vf_fnma(n, vf_set1(0.693359375f), xc);
    r = vf_fnma(n, vf_set1(-2.12194440e-4f), r);
    vf p = vf_set1(1.9875691500e-4f);
    p = vf_fma(p, r, vf_set1(1.3981999507e-3f));
    p = vf_fma(p, r, vf_set1(8.3334519073e-3f));
    p = vf_fma(p, r, vf_set1(4.1665795894e-2f));
    p = vf_fma(p, r, vf_set1(1.6666665459e-1f));
    p = vf_fma(p, r, vf_set1(5.0000001201e-1f));
    p = vf_fma(p, vf_mul(r, r), vf_add(r, vf_set1(1.0f)));
    /* n = 128 (x above 88.38) would overflow the exponent field: 2^127 * 2 */
    const vf big = vf_select_gt(n, vf_set1(127.5f), vf_set1(1.0f), vf_zero());
    vf result = vf_mul(vf_mul(p, vf_pow2_from_magic(vf_sub(t, big))), vf_add(big, vf_set1(1.0f)));
    result = vf_select_gt(x, top, vf_set1(__builtin_inff()), result);
    result = vf_select_lt(x, lo, vf_zero(), result);
    return vf_select_unord(x, x, result);
}

/* exp(-|x|), in (0, 1], through the short-chain vf_exp2_nonpos. */
static inline vf vf_exp_neg_abs(vf x)
{
    return vf_exp2_nonpos(vf_max(x, vf_sub(vf_zero(), x)), vf_set1(-HY_X86_LOG2E));
}

/* silu(z) = z sigmoid(z), with e = exp(-|z|): z / (1 + e) for z >= 0 and
 * z e / (1 + e) below, so only a non-positive exponent and one division
 * (on the divider, off the FMA pipes that the exponential keeps busy: a
 * reciprocal estimate with a Newton step measured 12% slower in conv1d).
 * vf_silu_from takes e = vf_exp_neg_abs(z) computed beforehand (a kernel
 * that first computes the exponentials of a whole batch keeps both
 * dependency chains short enough to overlap in the out-of-order window). */
static inline vf vf_silu_from(vf z, vf e)
{
    const vf num = vf_select_lt(z, vf_zero(), vf_mul(z, e), z);
    return vf_div(num, vf_add(vf_set1(1.0f), e));
}
static inline vf vf_silu(vf z) { return vf_silu_from(z, vf_exp_neg_abs(z)); }

/* log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|)); identity above 20 (as
 * torch); NaN stays NaN.  vf_softplus_from takes e = vf_exp_neg_abs(x)
 * (as vf_silu_from). */
static inline vf vf_log1p_unit(vf e); /* e in [0, 1] */

static inline vf vf_softplus_from(vf x, vf e)
{
    const vf sp = vf_add(vf_max(x, vf_zero()), vf_log1p_unit(e));
    return vf_select_unord(x, x, vf_select_gt(x, vf_set1(20.0f), x, sp));
}
static inline vf vf_softplus(vf x) { return vf_softplus_from(x, vf_exp_neg_abs(x)); }

/* Prefetches the cache lines of [p, p + bytes) into all levels, for
 * reading or (write != 0) for writing.  The Mamba kernels, for example, walk [T, D]
 * arrays row by row inside a block of channels, a few hundred bytes at a
 * stride of D floats, which the hardware prefetchers do not follow: the
 * rows a few steps ahead are requested explicitly. */
static inline void vf_prefetch(const void *p, int64_t bytes, int write)
{
    const char *c = (const char *)p;
    for (int64_t i = 0; i < bytes; i += 64) {
        if (write) __builtin_prefetch(c + i, 1, 3);
        else __builtin_prefetch(c + i, 0, 3);
    }
}

/* Prefetches [p, p + bytes) into L2 (and the outer levels) but not L1:
 * for rows at a large power-of-two stride, which all fall into the same
 * few L1 sets, so that lines prefetched into L1 would evict each other
 * before they are used. */
static inline void vf_prefetch_l2(const void *p, int64_t bytes)
{
    const char *c = (const char *)p;
    for (int64_t i = 0; i < bytes; i += 64) __builtin_prefetch(c + i, 0, 2);
}

/* Orders the non-temporal stores (vf_stream) of this thread before what
 * follows (the end of the kernel). */
static inline void vf_stream_fence(void) { _mm_sfence(); }

/* log(1 + e) for e in [0, 1]: with u = e / (2 + e), log(1+e) = 2 atanh(u),
 * u in [0, 1/3]; the odd series 2(u + u^3/3 + ... + u^15/15) has relative
 * error below 2^-24 there (u^17/17 / u < 1.7e-9). */
static inline vf vf_log1p_unit(vf e)
{
    vf u = vf_div(e, vf_add(vf_set1(2.0f), e));
    vf u2 = vf_mul(u, u);
    vf s = vf_set1(1.0f / 15.0f);
    s = vf_fma(s, u2, vf_set1(1.0f / 13.0f));
    s = vf_fma(s, u2, vf_set1(1.0f / 11.0f));
    s = vf_fma(s, u2, vf_set1(1.0f / 9.0f));
    s = vf_fma(s, u2, vf_set1(1.0f / 7.0f));
    s = vf_fma(s, u2, vf_set1(1.0f / 5.0f));
    s = vf_fma(s, u2, vf_set1(1.0f / 3.0f));
    s = vf_fma(s, u2, vf_set1(1.0f));
    return vf_mul(vf_set1(2.0f), vf_mul(u, s));
}



#endif
