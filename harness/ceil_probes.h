/* ceil_probes.h — the measurement loops behind `hybench ceilings`
 * (private to harness/hy_ceilings.c and the ceil_*.c files).
 *
 * Compute probes run `iters` loop iterations of independent accumulator
 * chains (enough chains to cover the latency of every FP pipe) and return
 * the floating-point operations done.  The x86 loops are inline assembly,
 * so the instructions timed are the same in a Debug (-O0) build, under
 * sanitizers, and with any compiler; each lives in a function compiled
 * for its instruction set with a target attribute, so the build needs no
 * -m flags and the caller must check CPU and OS support first.
 *
 * Bandwidth probes (ceil_stream.c) repeat one pass of a STREAM kernel over
 * float arrays `passes` times.  Their loops are compiled at -O3 with the
 * sanitizers off whatever the build type (GCC function attributes), so
 * that the ceiling does not depend on how the rest of the tree was built. */
#ifndef HY_CEIL_PROBES_H
#define HY_CEIL_PROBES_H

#include <stddef.h>
#include <stdint.h>

/* x86-64 probes need GCC-style inline assembly and target attributes.
 * Defining HY_CEIL_GENERIC_ONLY builds the portable paths alone (what
 * aarch64 and other compilers get), to check them on an x86 machine. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(HY_CEIL_GENERIC_ONLY)
#define HY_CEIL_X86 1
#endif

/* A loop's own optimisation level and no sanitizer instrumentation (GCC;
 * clang ignores optimize and builds the loop at the tree's level). */
#if defined(__GNUC__) && !defined(__clang__)
#define HY_CEIL_FAST_LOOP __attribute__((optimize("O3"), no_sanitize_address, no_sanitize("undefined")))
#elif defined(__clang__)
#define HY_CEIL_FAST_LOOP __attribute__((no_sanitize("address", "undefined")))
#else
#define HY_CEIL_FAST_LOOP
#endif

/* FLOPs per loop iteration of each compute probe (the probes return
 * iters * these). */
#define HY_PROBE_SCALAR_FLOPS_PER_ITER (12 * 2)           /* 12 chains of mul + add       */
#define HY_PROBE_AVX2_FLOPS_PER_ITER (24 * 8 * 2)         /* 24 FMAs x 8 lanes x 2        */
#define HY_PROBE_AVX512_FLOPS_PER_ITER (24 * 16 * 2)      /* 24 FMAs x 16 lanes x 2       */
#define HY_PROBE_AVX512_BF16_FLOPS_PER_ITER (24 * 32 * 2) /* 24 VDPBF16PS x 32 pairs x 2 */

/* sink: [1], receives one accumulator so the result is observable. */
double hy_probe_scalar_f32(uint64_t iters, float *sink);
#ifdef HY_CEIL_X86
double hy_probe_fma_avx2_f32(uint64_t iters, float *sink);
double hy_probe_fma_avx512_f32(uint64_t iters, float *sink);
double hy_probe_dpbf16_avx512(uint64_t iters, float *sink);
#endif

/* Vector width of the bandwidth loops. */
typedef enum hy_stream_isa {
    HY_STREAM_GENERIC = 0, /* C loops, vectorised by the compiler for the base ISA */
    HY_STREAM_AVX2 = 1,    /* 256-bit loads and stores                          */
    HY_STREAM_AVX512 = 2,  /* 512-bit loads and stores                          */
} hy_stream_isa;

typedef enum hy_stream_kernel {
    HY_STREAM_TRIAD = 0, /* a[i] = b[i] + s * c[i]   3 arrays counted */
    HY_STREAM_COPY = 1,  /* a[i] = b[i]              2 arrays counted */
    HY_STREAM_READ = 2,  /* sum += b[i]              1 array counted  */
} hy_stream_kernel;

/* The element count of every stream array must be a multiple of this. */
#define HY_STREAM_BLOCK 128

/* Runs `passes` passes of `kernel` over a: [n], b: [n], c: [n] (arrays
 * the kernel does not use may be NULL); n % HY_STREAM_BLOCK == 0.
 * Returns a value computed from the data (the read kernel's sum) so that
 * no pass can be optimised away. */
float hy_stream_run(hy_stream_isa isa, hy_stream_kernel kernel, float *a, const float *b,
                    const float *c, float s, size_t n, uint64_t passes);

/* Fills p: [n] with v, uninstrumented and fast (first touch). */
void hy_stream_fill(float *p, size_t n, float v);

/* Best, median, worst and spread of x: [n] rates (sorts x). */
struct hy_ceil_stat;
void hy_ceil_summarize(double *x, int n, struct hy_ceil_stat *st);

/* The device ceilings (ceil_gpu.c): one hy_ceil_device per GPU backend
 * compiled in, appended to c->devices, each probe calibrated to about
 * `seconds` per repetition, `reps` repetitions.  A backend without a
 * device is listed unavailable with the probe's reason; a probe this
 * build or device lacks is unavailable with its reason.  Never fails. */
struct hy_ceilings;
void hy_ceil_measure_devices(struct hy_ceilings *c, size_t array_bytes, int skip_compute,
                             int skip_bandwidth, double seconds, int reps, int verbose);

#endif
