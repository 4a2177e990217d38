/* bf16_vec.h — bf16 storage for the AVX2 and AVX-512 kernels: loads that
 * widen bf16 to fp32 (exact: a bf16 is the upper half of a float, so
 * vpmovzxwd + a 16-bit left shift).  Include after x86_vec.h (the vf
 * loads follow its width).
 *
 *   m256_load_bf16x8(p)     8 bf16 -> __m256 (both widths: GEMM packing)
 *   m256_load_bf16x8_n(p,n) the first n (0..8), zeros after, no access past n
 *   vf_load_bf16(p)         VL bf16 -> vf
 *   vf_load_bf16_n(p, n)    the first n (0..VL), zeros after
 */
#ifndef HY_X86_BF16_VEC_H
#define HY_X86_BF16_VEC_H

#include <string.h>

#include "x86_vec.h"

static inline __m256 m256_from_bf16x8(__m128i h)
{
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
}

static inline __m256 m256_load_bf16x8(const uint16_t *p)
{
    return m256_from_bf16x8(_mm_loadu_si128((const __m128i *)p));
}

static inline __m256 m256_load_bf16x8_n(const uint16_t *p, int64_t n)
{
    uint16_t buf[8] = {0};
    memcpy(buf, p, (size_t)n * sizeof *p);
    return m256_load_bf16x8(buf);
}

#if VL == 8
static inline vf vf_load_bf16(const uint16_t *p) { return m256_load_bf16x8(p); }
#else
static inline vf vf_load_bf16(const uint16_t *p)
{
    const __m512i w = _mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)p));
    return _mm512_castsi512_ps(_mm512_slli_epi32(w, 16));
}
#endif

static inline vf vf_load_bf16_n(const uint16_t *p, int n)
{
    uint16_t buf[VL] = {0};
    memcpy(buf, p, (size_t)n * sizeof *p);
    return vf_load_bf16(buf);
}

#endif
