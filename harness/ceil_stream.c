/* ceil_stream.c — the bandwidth loops of `hybench ceilings`: STREAM
 * triad, copy and a read-only sum, each in a generic C version and in
 * AVX2 and AVX-512 versions (compiled for their ISA by target attributes;
 * the caller checks CPU and OS support).  All loops are built at -O3
 * without sanitizer instrumentation (HY_CEIL_FAST_LOOP), so a Debug or
 * ASan build measures the same memory system as a Release build.
 *
 * Stores are ordinary (not non-temporal), as in STREAM compiled without
 * streaming-store pragmas; the read-only kernel keeps eight independent
 * vector sums so that its add latency never limits it. */
#include "ceil_probes.h"

#ifdef HY_CEIL_X86
#include <immintrin.h>
#endif

/* Stops the compiler from merging or dropping repeated passes. */
#define PASS_BARRIER() __asm__ volatile("" ::: "memory")

/* ---- generic C ---------------------------------------------------------- */

/* a: [n], b: [n], c: [n] */
HY_CEIL_FAST_LOOP static float triad_generic(float *restrict a, const float *restrict b,
                                             const float *restrict c, float s, size_t n,
                                             uint64_t passes)
{
    for (uint64_t p = 0; p < passes; p++) {
        for (size_t i = 0; i < n; i++) a[i] = b[i] + s * c[i];
        PASS_BARRIER();
    }
    return a[0] + a[n - 1];
}

/* a: [n], b: [n] */
HY_CEIL_FAST_LOOP static float copy_generic(float *restrict a, const float *restrict b, size_t n,
                                            uint64_t passes)
{
    for (uint64_t p = 0; p < passes; p++) {
        for (size_t i = 0; i < n; i++) a[i] = b[i];
        PASS_BARRIER();
    }
    return a[0] + a[n - 1];
}

/* b: [n]; 32 partial sums, which the compiler keeps in vector registers */
HY_CEIL_FAST_LOOP static float read_generic(const float *restrict b, size_t n, uint64_t passes)
{
    float acc[32] = {0};
    for (uint64_t p = 0; p < passes; p++) {
        for (size_t i = 0; i < n; i += 32)
            for (size_t j = 0; j < 32; j++) acc[j] += b[i + j];
        PASS_BARRIER();
    }
    float total = 0;
    for (size_t j = 0; j < 32; j++) total += acc[j];
    return total;
}

#ifdef HY_CEIL_X86

/* ---- AVX2: four 256-bit vectors (32 floats) per step --------------------- */

#define TARGET_AVX2 __attribute__((target("avx2,fma")))

HY_CEIL_FAST_LOOP TARGET_AVX2 static float triad_avx2(float *restrict a, const float *restrict b,
                                                      const float *restrict c, float s, size_t n,
                                                      uint64_t passes)
{
    const __m256 vs = _mm256_set1_ps(s);
    for (uint64_t p = 0; p < passes; p++) {
        for (size_t i = 0; i < n; i += 32) {
            __m256 r0 = _mm256_fmadd_ps(vs, _mm256_loadu_ps(c + i), _mm256_loadu_ps(b + i));
            __m256 r1 = _mm256_fmadd_ps(vs, _mm256_loadu_ps(c + i + 8), _mm256_loadu_ps(b + i + 8));
            __m256 r2 = _mm256_fmadd_ps(vs, _mm256_loadu_ps(c + i + 16), _mm256_loadu_ps(b + i + 16));
            __m256 r3 = _mm256_fmadd_ps(vs, _mm256_loadu_ps(c + i + 24), _mm256_loadu_ps(b + i + 24));
            _mm256_storeu_ps(a + i, r0);
            _mm256_storeu_ps(a + i + 8, r1);
            _mm256_storeu_ps(a + i + 16, r2);
            _mm256_storeu_ps(a + i + 24, r3);
        }
        PASS_BARRIER();
    }
    return a[0] + a[n - 1];
}

HY_CEIL_FAST_LOOP TARGET_AVX2 static float copy_avx2(float *restrict a, const float *restrict b,
                                                     size_t n, uint64_t passes)
{
    for (uint64_t p = 0; p < passes; p++) {
        for (size_t i = 0; i < n; i += 32) {
            __m256 r0 = _mm256_loadu_ps(b + i), r1 = _mm256_loadu_ps(b + i + 8);
            __m256 r2 = _mm256_loadu_ps(b + i + 16), r3 = _mm256_loadu_ps(b + i + 24);
            _mm256_storeu_ps(a + i, r0);
            _mm256_storeu_ps(a + i + 8, r1);
            _mm256_storeu_ps(a + i + 16, r2);
            _mm256_storeu_ps(a + i + 24, r3);
        }
        PASS_BARRIER();
    }
    return a[0] + a[n - 1];
}

HY_CEIL_FAST_LOOP TARGET_AVX2 static float read_avx2(const float *restrict b, size_t n,
                                                     uint64_t passes)
{
    __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
    for (uint64_t p = 0; p < passes; p++) {
        for (size_t i = 0; i < n; i += 64) {
            s0 = _mm256_add_ps(s0, _mm256_loadu_ps(b + i));
            s1 = _mm256_add_ps(s1, _mm256_loadu_ps(b + i + 8));
            s2 = _mm256_add_ps(s2, _mm256_loadu_ps(b + i + 16));
            s3 = _mm256_add_ps(s3, _mm256_loadu_ps(b + i + 24));
            s4 = _mm256_add_ps(s4, _mm256_loadu_ps(b + i + 32));
            s5 = _mm256_add_ps(s5, _mm256_loadu_ps(b + i + 40));
            s6 = _mm256_add_ps(s6, _mm256_loadu_ps(b + i + 48));
            s7 = _mm256_add_ps(s7, _mm256_loadu_ps(b + i + 56));
        }
        PASS_BARRIER();
    }
    __m256 s = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)),
                             _mm256_add_ps(_mm256_add_ps(s4, s5), _mm256_add_ps(s6, s7)));
    float lanes[8];
    _mm256_storeu_ps(lanes, s);
    return lanes[0] + lanes[1] + lanes[2] + lanes[3] + lanes[4] + lanes[5] + lanes[6] + lanes[7];
}

/* ---- AVX-512: four 512-bit vectors (64 floats) per step ------------------ */

#define TARGET_AVX512 __attribute__((target("avx512f")))

HY_CEIL_FAST_LOOP TARGET_AVX512 static float triad_avx512(float *restrict a,
                                                          const float *restrict b,
                                                          const float *restrict c, float s,
                                                          size_t n, uint64_t passes)
{
    const __m512 vs = _mm512_set1_ps(s);
    for (uint64_t p = 0; p < passes; p++) {
        for (size_t i = 0; i < n; i += 64) {
            __m512 r0 = _mm512_fmadd_ps(vs, _mm512_loadu_ps(c + i), _mm512_loadu_ps(b + i));
            __m512 r1 = _mm512_fmadd_ps(vs, _mm512_loadu_ps(c + i + 16), _mm512_loadu_ps(b + i + 16));
            __m512 r2 = _mm512_fmadd_ps(vs, _mm512_loadu_ps(c + i + 32), _mm512_loadu_ps(b + i + 32));
            __m512 r3 = _mm512_fmadd_ps(vs, _mm512_loadu_ps(c + i + 48), _mm512_loadu_ps(b + i + 48));
            _mm512_storeu_ps(a + i, r0);
            _mm512_storeu_ps(a + i + 16, r1);
            _mm512_storeu_ps(a + i + 32, r2);
            _mm512_storeu_ps(a + i + 48, r3);
        }
        PASS_BARRIER();
    }
    return a[0] + a[n - 1];
}

HY_CEIL_FAST_LOOP TARGET_AVX512 static float copy_avx512(float *restrict a,
                                                         const float *restrict b, size_t n,
                                                         uint64_t passes)
{
    for (uint64_t p = 0; p < passes; p++) {
        for (size_t i = 0; i < n; i += 64) {
            __m512 r0 = _mm512_loadu_ps(b + i), r1 = _mm512_loadu_ps(b + i + 16);
            __m512 r2 = _mm512_loadu_ps(b + i + 32), r3 = _mm512_loadu_ps(b + i + 48);
            _mm512_storeu_ps(a + i, r0);
            _mm512_storeu_ps(a + i + 16, r1);
            _mm512_storeu_ps(a + i + 32, r2);
            _mm512_storeu_ps(a + i + 48, r3);
        }
        PASS_BARRIER();
    }
    return a[0] + a[n - 1];
}

HY_CEIL_FAST_LOOP TARGET_AVX512 static float read_avx512(const float *restrict b, size_t n,
                                                         uint64_t passes)
{
    __m512 s0 = _mm512_setzero_ps(), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
    for (uint64_t p = 0; p < passes; p++) {
        for (size_t i = 0; i < n; i += 128) {
            s0 = _mm512_add_ps(s0, _mm512_loadu_ps(b + i));
            s1 = _mm512_add_ps(s1, _mm512_loadu_ps(b + i + 16));
            s2 = _mm512_add_ps(s2, _mm512_loadu_ps(b + i + 32));
            s3 = _mm512_add_ps(s3, _mm512_loadu_ps(b + i + 48));
            s4 = _mm512_add_ps(s4, _mm512_loadu_ps(b + i + 64));
            s5 = _mm512_add_ps(s5, _mm512_loadu_ps(b + i + 80));
            s6 = _mm512_add_ps(s6, _mm512_loadu_ps(b + i + 96));
            s7 = _mm512_add_ps(s7, _mm512_loadu_ps(b + i + 112));
        }
        PASS_BARRIER();
    }
    __m512 s = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3)),
                             _mm512_add_ps(_mm512_add_ps(s4, s5), _mm512_add_ps(s6, s7)));
    return _mm512_reduce_add_ps(s);
}

#endif /* HY_CEIL_X86 */

float hy_stream_run(hy_stream_isa isa, hy_stream_kernel kernel, float *a, const float *b,
                    const float *c, float s, size_t n, uint64_t passes)
{
    if (n == 0 || passes == 0) return 0.0f;
#ifdef HY_CEIL_X86
    if (isa == HY_STREAM_AVX512) {
        switch (kernel) {
        case HY_STREAM_TRIAD: return triad_avx512(a, b, c, s, n, passes);
        case HY_STREAM_COPY: return copy_avx512(a, b, n, passes);
        case HY_STREAM_READ: return read_avx512(b, n, passes);
        }
    }
    if (isa == HY_STREAM_AVX2) {
        switch (kernel) {
        case HY_STREAM_TRIAD: return triad_avx2(a, b, c, s, n, passes);
        case HY_STREAM_COPY: return copy_avx2(a, b, n, passes);
        case HY_STREAM_READ: return read_avx2(b, n, passes);
        }
    }
#else
    (void)isa;
#endif
    switch (kernel) {
    case HY_STREAM_TRIAD: return triad_generic(a, b, c, s, n, passes);
    case HY_STREAM_COPY: return copy_generic(a, b, n, passes);
    case HY_STREAM_READ: return read_generic(b, n, passes);
    }
    return 0.0f;
}

HY_CEIL_FAST_LOOP void hy_stream_fill(float *p, size_t n, float v)
{
    for (size_t i = 0; i < n; i++) p[i] = v;
}
