/* hy_ceilings.c — measuring the roofline ceilings (see hy_ceilings.h):
 * which instruction sets may run, the timed parallel runs, calibration,
 * statistics, the bandwidth working sets, and printing / JSON / roofline.
 * The loops themselves are in ceil_*.c (ceil_probes.h). */
#include "hy_ceilings.h"

#include "hy_json.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "ceil_probes.h"

#ifdef HYBENCH_HAVE_OPENMP
#include <omp.h>
#endif
#include "hy_cpu_info.h"
#include <stdio.h>

#define MAX_THREADS 4096
#define MIB ((size_t)1024 * 1024)
#define DRAM_MIN_ARRAY (32 * MIB)

/* ---- which instruction sets this CPU and OS can run ------------------------
 * From harness/hy_cpu_info (CPUID bits plus the XCR0 state the OS saves). */

typedef struct isa_support {
    int avx2_fma, avx512f, avx512_bf16;
    char why_avx2[96], why_avx512[96], why_bf16[96];
} isa_support;

/* Usable when every named feature is usable; otherwise why names the first
 * missing one and says whether the CPU or the OS lacks it. */
static int isa_usable(const hy_cpu_info *ci, const char *const *names, size_t n, char *why,
                      size_t why_len)
{
    if (strcmp(ci->arch, "x86_64") != 0) {
        snprintf(why, why_len, "not an x86-64 build");
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (hy_cpu_has(ci, names[i])) continue;
        int hardware = 0;
        for (size_t f = 0; f < ci->n_features; f++)
            if (strcmp(ci->features[f].name, names[i]) == 0) hardware = ci->features[f].hardware;
        snprintf(why, why_len, hardware ? "OS does not save the register state of %s (XCR0)"
                                        : "CPU lacks %s", names[i]);
        return 0;
    }
    return 1;
}

static void detect_isas(isa_support *s)
{
    memset(s, 0, sizeof *s);
    hy_cpu_info ci;
    hy_cpu_info_get(&ci);
    static const char *const avx2[] = {"avx", "avx2", "fma"};
    static const char *const avx512[] = {"avx512f"};
    static const char *const bf16[] = {"avx512f", "avx512_bf16"};
    s->avx2_fma = isa_usable(&ci, avx2, 3, s->why_avx2, sizeof s->why_avx2);
    s->avx512f = isa_usable(&ci, avx512, 1, s->why_avx512, sizeof s->why_avx512);
    s->avx512_bf16 = isa_usable(&ci, bf16, 2, s->why_bf16, sizeof s->why_bf16);
}

/* ---- timed runs on one or many threads ------------------------------------ */

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef struct job job;
/* Runs j->iters iterations as thread `t` of `nt`. */
typedef void (*job_fn)(job *j, int t, int nt);

typedef double (*compute_probe)(uint64_t iters, float *sink);

struct job {
    job_fn fn;
    uint64_t iters;
    /* compute */
    compute_probe probe;
    /* bandwidth */
    hy_stream_isa stream_isa;
    hy_stream_kernel kernel;
    float **a, **b, **c;   /* per-thread arrays (l1, l2): [threads] pointers */
    float *da, *db, *dc;   /* shared DRAM arrays: [n]                        */
    size_t n;              /* elements per array (per thread, or shared)      */
    /* one value per thread, so that nothing computed is dead */
    float *sinks;          /* [MAX threads]                                   */
};

static void compute_job(job *j, int t, int nt)
{
    (void)nt;
    j->probe(j->iters, &j->sinks[t]);
}

static void cache_job(job *j, int t, int nt)
{
    (void)nt;
    j->sinks[t] = hy_stream_run(j->stream_isa, j->kernel, j->a[t], j->b[t], j->c[t], 0.5f, j->n,
                                j->iters);
}

/* Thread t's block of a shared array of n elements: [*lo, *lo + *len). */
static void thread_block(size_t n, int t, int nt, size_t *lo, size_t *len)
{
    size_t blocks = n / HY_STREAM_BLOCK;
    size_t b0 = blocks * (size_t)t / (size_t)nt, b1 = blocks * (size_t)(t + 1) / (size_t)nt;
    *lo = b0 * HY_STREAM_BLOCK;
    *len = (b1 - b0) * HY_STREAM_BLOCK;
}

static void dram_job(job *j, int t, int nt)
{
    size_t lo, len;
    thread_block(j->n, t, nt, &lo, &len);
    if (len == 0) return;
    j->sinks[t] = hy_stream_run(j->stream_isa, j->kernel, j->da + lo, j->db + lo, j->dc + lo,
                                0.5f, len, j->iters);
}

static double thread_cpu_seconds(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0) return -1.0;
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The share of its wall time that a thread spent on a CPU while running
 * its part of a job: well below 1 when another process took its core. */
static double run_part(job *j, int t, int nt)
{
    double w0 = now_seconds(), c0 = thread_cpu_seconds();
    j->fn(j, t, nt);
    double w1 = now_seconds(), c1 = thread_cpu_seconds();
    if (c0 < 0 || c1 < 0 || w1 - w0 < 1e-6) return 1.0; /* unknown, or too short to tell */
    return (c1 - c0) / (w1 - w0);
}

typedef struct run_result {
    double seconds;      /* wall time, first start to last finish   */
    double cpu_fraction; /* lowest share of on-CPU time of a thread  */
    int threads;         /* threads OpenMP actually gave             */
} run_result;

/* One run of j on `threads` threads: all start together after a barrier;
 * the clock stops when the last one is done. */
static run_result run_timed(job *j, int threads)
{
    run_result r = {0, 1.0, 1};
    double t0 = 0, t1 = 0;
    (void)threads;
#ifdef HYBENCH_HAVE_OPENMP
    if (threads > 1) {
        int got = 1;
        double frac = 1.0;
#pragma omp parallel num_threads(threads) reduction(min : frac)
        {
#pragma omp single
            got = omp_get_num_threads();
#pragma omp master
            t0 = now_seconds();
#pragma omp barrier
            frac = run_part(j, omp_get_thread_num(), got);
#pragma omp barrier
#pragma omp master
            t1 = now_seconds();
        }
        r.seconds = t1 - t0;
        r.cpu_fraction = frac;
        r.threads = got;
        return r;
    }
#endif
    t0 = now_seconds();
    r.cpu_fraction = run_part(j, 0, 1);
    t1 = now_seconds();
    r.seconds = t1 - t0;
    return r;
}

/* Runs `fn(ctx, t, nt)` once on every thread (used for first touch). */
typedef void (*each_thread_fn)(void *ctx, int t, int nt);
static void on_each_thread(int threads, each_thread_fn fn, void *ctx)
{
    (void)threads;
#ifdef HYBENCH_HAVE_OPENMP
    if (threads > 1) {
#pragma omp parallel num_threads(threads)
        fn(ctx, omp_get_thread_num(), omp_get_num_threads());
        return;
    }
#endif
    fn(ctx, 0, 1);
}

static int cmp_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

void hy_ceil_summarize(double *x, int n, hy_ceil_stat *st)
{
    qsort(x, (size_t)n, sizeof *x, cmp_double);
    st->worst = x[0];
    st->best = x[n - 1];
    st->median = n % 2 ? x[n / 2] : 0.5 * (x[n / 2 - 1] + x[n / 2]);
    st->spread = st->median > 0 ? (st->best - st->worst) / st->median : 0;
    st->repetitions = n;
    st->measured = 1;
}

typedef struct plan {
    double seconds;  /* per repetition */
    int reps;
    int verbose;
} plan;

/* Sets j->iters so that one run on one thread lasts about p->seconds.
 * Calibrated on one thread only: on a busy machine a many-thread run of a
 * few iterations can last a whole scheduler time slice, which would make
 * the repetitions far too short.  The all-threads runs do the same work
 * per thread (l1, l2, compute) or the same shared work (dram), so they
 * last about as long or less. */
static void calibrate(job *j, const plan *p)
{
    uint64_t iters = 1;
    double t;
    j->iters = 1;
    run_timed(j, 1); /* warm-up: touches the data, wakes the clocks */
    for (;;) { /* grow until a run is long enough to time */
        j->iters = iters;
        t = run_timed(j, 1).seconds;
        if (t >= 0.25 * p->seconds || iters > (UINT64_MAX >> 8)) break;
        double grow = t > 1e-7 ? 0.4 * p->seconds / t : 64.0;
        if (grow < 2) grow = 2;
        if (grow > 64) grow = 64;
        iters = (uint64_t)((double)iters * grow);
    }
    /* Scale to the target and check: a run slowed by another process
     * during calibration would leave the repetitions too short. */
    for (int check = 0; check < 4; check++) {
        double scaled = (double)iters * p->seconds / (t > 1e-9 ? t : 1e-9);
        iters = scaled < 1 ? 1 : scaled > (double)(UINT64_MAX >> 8) ? (UINT64_MAX >> 8)
                                                                     : (uint64_t)scaled;
        j->iters = iters;
        t = run_timed(j, 1).seconds;
        if (t >= 0.5 * p->seconds) break;
    }
}

/* A repetition during which some thread was on a CPU for less than this
 * share of its time was disturbed by another process. */
#define UNDISTURBED_CPU_FRACTION 0.9

/* p->reps timed runs of j (already calibrated) on `threads` threads.  Each
 * run does (per_thread * threads + shared) units of work (FLOPs or bytes)
 * per iteration; rates are in 1e9 units per second.  A disturbed
 * repetition is set aside and run again, up to p->reps extra runs; only
 * when every run was disturbed do the statistics use disturbed runs. */
static void repeat_runs(job *j, int threads, const plan *p, double per_thread, double shared,
                        hy_ceil_stat *st)
{
    if (threads > 1) {
        uint64_t iters = j->iters;
        j->iters = 1;
        run_timed(j, threads); /* warm-up: starts the threads */
        j->iters = iters;
    }
    double good[64], disturbed[128];
    int n_good = 0, n_disturbed = 0;
    int reps = p->reps > 64 ? 64 : p->reps;
    for (int attempt = 0; attempt < 2 * reps && n_good < reps; attempt++) {
        run_result r = run_timed(j, threads);
        double work = (double)j->iters * (per_thread * r.threads + shared);
        double rate = work / (r.seconds > 1e-9 ? r.seconds : 1e-9) / 1e9;
        if (r.cpu_fraction >= UNDISTURBED_CPU_FRACTION) good[n_good++] = rate;
        else disturbed[n_disturbed++] = rate;
    }
    if (n_good > 0) hy_ceil_summarize(good, n_good, st);
    else hy_ceil_summarize(disturbed, n_disturbed, st);
    st->disturbed = n_disturbed;
}

/* One figure on one thread and on all threads. */
static void measure_pair(job *j, int threads, const plan *p, double per_thread, double shared,
                         hy_ceil_stat *one, hy_ceil_stat *all)
{
    calibrate(j, p);
    repeat_runs(j, 1, p, per_thread, shared, one);
    if (threads > 1) repeat_runs(j, threads, p, per_thread, shared, all);
    else *all = *one;
}

/* ---- compute ceilings ------------------------------------------------------ */

typedef struct compute_spec {
    const char *id, *isa, *dtype, *instruction;
    int flops_per_instruction, chains;
    double flops_per_iter;
} compute_spec;

static const compute_spec COMPUTE_SPECS[HY_CEIL_MAX_COMPUTE] = {
    {"scalar_f32", "scalar", "f32", "mulss+addss", 1, 12, HY_PROBE_SCALAR_FLOPS_PER_ITER},
    {"avx2_f32", "avx2", "f32", "vfmadd213ps ymm", 16, 12, HY_PROBE_AVX2_FLOPS_PER_ITER},
    {"avx512_f32", "avx512", "f32", "vfmadd213ps zmm", 32, 24, HY_PROBE_AVX512_FLOPS_PER_ITER},
    {"avx512_bf16", "avx512", "bf16", "vdpbf16ps zmm", 64, 24,
     HY_PROBE_AVX512_BF16_FLOPS_PER_ITER},
};

static void measure_compute(hy_ceilings *c, const isa_support *isa, int threads, const plan *p,
                            float *sinks)
{
    compute_probe probes[HY_CEIL_MAX_COMPUTE] = {hy_probe_scalar_f32, NULL, NULL, NULL};
    int usable[HY_CEIL_MAX_COMPUTE] = {1, isa->avx2_fma, isa->avx512f, isa->avx512_bf16};
    const char *why[HY_CEIL_MAX_COMPUTE] = {"", isa->why_avx2, isa->why_avx512, isa->why_bf16};
#ifdef HY_CEIL_X86
    probes[1] = hy_probe_fma_avx2_f32;
    probes[2] = hy_probe_fma_avx512_f32;
    probes[3] = hy_probe_dpbf16_avx512;
#endif
    c->n_compute = HY_CEIL_MAX_COMPUTE;
    for (int k = 0; k < HY_CEIL_MAX_COMPUTE; k++) {
        const compute_spec *s = &COMPUTE_SPECS[k];
        hy_ceil_compute *e = &c->compute[k];
        memset(e, 0, sizeof *e);
        snprintf(e->id, sizeof e->id, "%s", s->id);
        snprintf(e->isa, sizeof e->isa, "%s", s->isa);
        snprintf(e->dtype, sizeof e->dtype, "%s", s->dtype);
        snprintf(e->instruction, sizeof e->instruction, "%s", s->instruction);
#ifndef HY_CEIL_X86
        if (k == 0) snprintf(e->instruction, sizeof e->instruction, "%s", "C scalar mul+add");
#endif
        e->flops_per_instruction = s->flops_per_instruction;
        e->chains = s->chains;
        e->available = usable[k] && probes[k] != NULL;
        if (!e->available) {
            snprintf(e->note, sizeof e->note, "%s", why[k][0] ? why[k] : "no probe in this build");
            continue;
        }
        if (p->verbose) fprintf(stderr, "ceilings: %s ...\n", s->id);
        job j;
        memset(&j, 0, sizeof j);
        j.fn = compute_job;
        j.probe = probes[k];
        j.sinks = sinks;
        measure_pair(&j, threads, p, s->flops_per_iter, 0, &e->one_thread, &e->all_threads);
    }
}

/* ---- bandwidth ceilings ---------------------------------------------------- */

static const struct {
    hy_stream_kernel kernel;
    const char *name;
    int arrays;
} KERNELS[3] = {
    {HY_STREAM_TRIAD, "triad", 3},
    {HY_STREAM_COPY, "copy", 2},
    {HY_STREAM_READ, "read", 1},
};

/* Distance between the starts of consecutive arrays carved from one
 * block: a whole number of pages plus 17 cache lines, so that a[i], b[i]
 * and c[i] never share a 4 KiB offset (no 4K aliasing of loads on
 * stores). */
static size_t array_stride(size_t array_bytes)
{
    return (array_bytes + 4095) / 4096 * 4096 + 17 * 64;
}

typedef struct touch_ctx {
    /* per-thread cache buffers */
    float **bufs;
    size_t buf_bytes;
    int failed;
    /* shared DRAM arrays */
    float *arrays[3];
    size_t n;
} touch_ctx;

static void alloc_and_touch(void *vctx, int t, int nt)
{
    (void)nt;
    touch_ctx *ctx = vctx;
    void *p = NULL;
    if (posix_memalign(&p, 4096, ctx->buf_bytes) != 0) {
#ifdef HYBENCH_HAVE_OPENMP
#pragma omp atomic write
#endif
        ctx->failed = 1;
        return;
    }
    hy_stream_fill(p, ctx->buf_bytes / sizeof(float), 1.0f);
    ctx->bufs[t] = p;
}

static void touch_dram(void *vctx, int t, int nt)
{
    touch_ctx *ctx = vctx;
    size_t lo, len;
    thread_block(ctx->n, t, nt, &lo, &len);
    for (int k = 0; k < 3; k++) hy_stream_fill(ctx->arrays[k] + lo, len, (float)(k + 1));
}

static size_t physical_memory_bytes(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || page <= 0) return 0;
    return (size_t)pages * (size_t)page;
}

static void fill_bw_entry(hy_ceil_bandwidth *e, const char *level, int kernel_index,
                          size_t array_bytes)
{
    memset(e, 0, sizeof *e);
    snprintf(e->level, sizeof e->level, "%s", level);
    snprintf(e->kernel, sizeof e->kernel, "%s", KERNELS[kernel_index].name);
    e->arrays = KERNELS[kernel_index].arrays;
    e->bytes_per_element = 4 * e->arrays;
    e->array_bytes = array_bytes;
    e->working_set_bytes = array_bytes * (size_t)e->arrays;
}

/* L1 or L2: arrays together about half of `cache_bytes`, private to each
 * thread, streamed `iters` times per run. */
static int measure_cache_level(hy_ceilings *c, const char *level, size_t cache_bytes,
                               hy_stream_isa sisa, int threads, const plan *p, float *sinks,
                               hy_error *err)
{
    float **bufs = calloc((size_t)threads, sizeof *bufs);
    float **pa = calloc((size_t)threads, sizeof *pa);
    float **pb = calloc((size_t)threads, sizeof *pb);
    float **pc = calloc((size_t)threads, sizeof *pc);
    int rc = 0;
    if (!bufs || !pa || !pb || !pc) {
        rc = hy_fail(err, "ceilings: out of memory");
        goto done;
    }
    size_t block_bytes = HY_STREAM_BLOCK * sizeof(float);
    size_t biggest = (cache_bytes / 2 / block_bytes) * block_bytes; /* read: one array */
    if (biggest < block_bytes) biggest = block_bytes;
    touch_ctx tc;
    memset(&tc, 0, sizeof tc);
    tc.bufs = bufs;
    tc.buf_bytes = 3 * array_stride(biggest);
    on_each_thread(threads, alloc_and_touch, &tc);
    for (int t = 0; t < threads; t++)
        if (!bufs[t]) tc.failed = 1;
    if (tc.failed) {
        rc = hy_fail(err, "ceilings: cannot allocate %zu bytes per thread for %s arrays",
                     tc.buf_bytes, level);
        goto done;
    }
    for (int k = 0; k < 3; k++) {
        size_t array_bytes = (cache_bytes / 2 / (size_t)KERNELS[k].arrays / block_bytes) * block_bytes;
        if (array_bytes < block_bytes) array_bytes = block_bytes;
        size_t stride = array_stride(array_bytes);
        for (int t = 0; t < threads; t++) {
            char *base = (char *)bufs[t];
            pa[t] = (float *)base;
            pb[t] = (float *)(base + stride);
            pc[t] = (float *)(base + 2 * stride);
        }
        hy_ceil_bandwidth *e = &c->bandwidth[c->n_bandwidth++];
        fill_bw_entry(e, level, k, array_bytes);
        if (p->verbose) fprintf(stderr, "ceilings: %s %s ...\n", level, KERNELS[k].name);
        job j;
        memset(&j, 0, sizeof j);
        j.fn = cache_job;
        j.stream_isa = sisa;
        j.kernel = KERNELS[k].kernel;
        j.a = pa;
        j.b = pb;
        j.c = pc;
        j.n = array_bytes / sizeof(float);
        j.sinks = sinks;
        double bytes = (double)j.n * (double)e->bytes_per_element;
        measure_pair(&j, threads, p, bytes, 0, &e->one_thread, &e->all_threads);
    }
done:
    if (bufs)
        for (int t = 0; t < threads; t++) free(bufs[t]);
    free(bufs);
    free(pa);
    free(pb);
    free(pc);
    return rc;
}

static int measure_dram(hy_ceilings *c, size_t array_bytes, hy_stream_isa sisa, int threads,
                        const plan *p, float *sinks, hy_error *err)
{
    size_t stride = array_stride(array_bytes);
    void *block = NULL;
    if (posix_memalign(&block, 2 * MIB, 3 * stride) != 0)
        return hy_fail(err, "ceilings: cannot allocate 3 x %zu MiB for the DRAM arrays",
                       array_bytes / MIB);
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    /* Fewer page faults while touching, fewer TLB misses while streaming;
     * a hint only, ignored where transparent huge pages are off. */
    madvise(block, 3 * stride, MADV_HUGEPAGE);
#endif
    touch_ctx tc;
    memset(&tc, 0, sizeof tc);
    tc.n = array_bytes / sizeof(float);
    for (int k = 0; k < 3; k++) tc.arrays[k] = (float *)((char *)block + (size_t)k * stride);
    /* First touch by the threads that will stream each block (NUMA). */
    on_each_thread(threads, touch_dram, &tc);
    for (int k = 0; k < 3; k++) {
        hy_ceil_bandwidth *e = &c->bandwidth[c->n_bandwidth++];
        fill_bw_entry(e, "dram", k, array_bytes);
        if (p->verbose) fprintf(stderr, "ceilings: dram %s ...\n", KERNELS[k].name);
        job j;
        memset(&j, 0, sizeof j);
        j.fn = dram_job;
        j.stream_isa = sisa;
        j.kernel = KERNELS[k].kernel;
        j.da = tc.arrays[0];
        j.db = tc.arrays[1];
        j.dc = tc.arrays[2];
        j.n = tc.n;
        j.sinks = sinks;
        double bytes = (double)tc.n * (double)e->bytes_per_element;
        measure_pair(&j, threads, p, 0, bytes, &e->one_thread, &e->all_threads);
    }
    free(block);
    return 0;
}

static void choose_dram_size(hy_ceilings *c, const hy_ceilings_opts *o, int threads)
{
    size_t block_bytes = HY_STREAM_BLOCK * sizeof(float) * (size_t)threads;
    size_t want;
    if (o->dram_array_bytes > 0) {
        want = o->dram_array_bytes;
        snprintf(c->dram_note, sizeof c->dram_note, "array size given by the caller");
    } else {
        size_t llc = hy_cache_llc_bytes(&c->caches);
        want = 4 * llc > DRAM_MIN_ARRAY ? 4 * llc : DRAM_MIN_ARRAY;
        snprintf(c->dram_note, sizeof c->dram_note,
                 "each array max(4 x last-level cache %zu MiB, 32 MiB)", llc / MIB);
        size_t phys = physical_memory_bytes();
        if (phys > 0 && 3 * want > phys / 8) {
            want = phys / 8 / 3;
            snprintf(c->dram_note, sizeof c->dram_note,
                     "capped at 1/8 of physical memory for the three arrays (4 x LLC would be "
                     "%zu MiB each)",
                     4 * llc / MIB);
        }
    }
    want = want / block_bytes * block_bytes;
    if (want < block_bytes) want = block_bytes;
    c->dram_array_bytes = want;
}

/* ---- the whole measurement ------------------------------------------------- */

void hy_ceilings_opts_default(hy_ceilings_opts *o)
{
    memset(o, 0, sizeof *o);
}

int hy_ceilings_measure(const hy_ceilings_opts *opts, hy_ceilings *out, hy_error *err)
{
    hy_ceilings_opts o;
    if (opts) o = *opts;
    else hy_ceilings_opts_default(&o);
    if (o.threads < 0 || o.threads > MAX_THREADS)
        return hy_fail(err, "ceilings: threads %d out of range [0, %d]", o.threads, MAX_THREADS);
    if (o.repetitions < 0 || o.repetitions > 64)
        return hy_fail(err, "ceilings: repetitions %d out of range [1, 64]", o.repetitions);
    if (!(o.seconds_per_rep >= 0 && o.seconds_per_rep <= 60))
        return hy_fail(err, "ceilings: seconds per repetition %g out of range (0, 60]",
                       o.seconds_per_rep);

    hy_ceilings *c = out;
    memset(c, 0, sizeof *c);
    double start = now_seconds();
    plan p;
    p.seconds = o.seconds_per_rep > 0 ? o.seconds_per_rep : o.quick ? 0.02 : 0.1;
    p.reps = o.repetitions > 0 ? o.repetitions : o.quick ? 3 : 5;
    p.verbose = o.verbose;

    int threads = o.threads;
#ifdef HYBENCH_HAVE_OPENMP
    c->openmp = 1;
    if (threads == 0) threads = omp_get_max_threads();
#else
    if (threads > 1)
        return hy_fail(err, "ceilings: %d threads asked for, but this build has no OpenMP",
                       threads);
    threads = 1;
#endif
    if (threads < 1) threads = 1;
    if (threads > MAX_THREADS) threads = MAX_THREADS;
    c->threads = threads;
    c->quick = o.quick != 0;
    c->seconds_per_rep = p.seconds;
    c->repetitions = p.reps;
    c->timer = "clock_gettime(CLOCK_MONOTONIC)";
    c->byte_counting =
        "STREAM: each array read or written once; write-allocate reads of the "
        "destination not counted";
    hy_cache_info_detect(&c->caches);

    isa_support isa;
    detect_isas(&isa);
    hy_stream_isa sisa = isa.avx512f ? HY_STREAM_AVX512 : isa.avx2_fma ? HY_STREAM_AVX2
                                                                       : HY_STREAM_GENERIC;
    c->bandwidth_isa = sisa == HY_STREAM_AVX512 ? "avx512" : sisa == HY_STREAM_AVX2 ? "avx2"
                                                                                    : "generic C";
    float *sinks = calloc((size_t)threads, sizeof *sinks);
    if (!sinks) return hy_fail(err, "ceilings: out of memory");

    int rc = 0;
    if (!o.skip_compute) measure_compute(c, &isa, threads, &p, sinks);
    if (!o.skip_bandwidth) {
        choose_dram_size(c, &o, threads);
        rc = measure_cache_level(c, "l1", c->caches.l1d.bytes, sisa, threads, &p, sinks, err);
        if (rc == 0)
            rc = measure_cache_level(c, "l2", c->caches.l2.bytes, sisa, threads, &p, sinks, err);
        if (rc == 0) rc = measure_dram(c, c->dram_array_bytes, sisa, threads, &p, sinks, err);
    }
    free(sinks);
    if (rc == 0 && !o.skip_devices) {
        size_t gpu_bytes = o.device_array_bytes > 0 ? o.device_array_bytes
                           : o.quick                ? (size_t)256 * MIB
                                                    : (size_t)1024 * MIB;
        hy_ceil_measure_devices(c, gpu_bytes, o.skip_compute, o.skip_bandwidth, p.seconds, p.reps,
                                p.verbose);
    }
    c->elapsed_seconds = now_seconds() - start;
    return rc;
}

/* ---- lookups and the roofline --------------------------------------------- */

const hy_ceil_compute *hy_ceilings_find_compute(const hy_ceilings *c, const char *isa)
{
    if (!isa || strcmp(isa, "best") == 0) {
        const hy_ceil_compute *best = NULL;
        for (size_t k = 0; k < c->n_compute; k++) {
            const hy_ceil_compute *e = &c->compute[k];
            if (!e->available || strcmp(e->dtype, "f32") != 0 || !e->one_thread.measured) continue;
            if (!best || e->one_thread.best > best->one_thread.best) best = e;
        }
        return best;
    }
    for (size_t k = 0; k < c->n_compute; k++)
        if (strcmp(c->compute[k].id, isa) == 0) return &c->compute[k];
    for (size_t k = 0; k < c->n_compute; k++)
        if (strcmp(c->compute[k].isa, isa) == 0 && strcmp(c->compute[k].dtype, "f32") == 0)
            return &c->compute[k];
    return NULL;
}

const hy_ceil_bandwidth *hy_ceilings_find_bandwidth(const hy_ceilings *c, const char *level,
                                                    const char *kernel)
{
    for (size_t k = 0; k < c->n_bandwidth; k++)
        if (strcmp(c->bandwidth[k].level, level) == 0 && strcmp(c->bandwidth[k].kernel, kernel) == 0)
            return &c->bandwidth[k];
    return NULL;
}

const hy_ceil_device *hy_ceilings_find_device(const hy_ceilings *c, const char *backend)
{
    for (size_t k = 0; backend && k < c->n_devices; k++)
        if (strcmp(c->devices[k].backend, backend) == 0) return &c->devices[k];
    return NULL;
}

/* The roofline from a compute entry and a bandwidth entry already found. */
static int roofline_from(const hy_ceil_compute *e, const hy_ceil_bandwidth *bw, const char *what_bw,
                         double intensity, int all_threads, hy_roofline *out, hy_error *err)
{
    if (!(intensity > 0) || !isfinite(intensity))
        return hy_fail(err, "roofline: arithmetic intensity %g is not a positive finite number",
                       intensity);
    if (!e->available) return hy_fail(err, "roofline: %s is not available: %s", e->id, e->note);
    const hy_ceil_stat *ps = all_threads ? &e->all_threads : &e->one_thread;
    if (!ps->measured || !(ps->best > 0))
        return hy_fail(err, "roofline: %s was not measured in this run", e->id);
    if (!bw) return hy_fail(err, "roofline: no %s bandwidth in this run", what_bw);
    const hy_ceil_stat *bs = all_threads ? &bw->all_threads : &bw->one_thread;
    if (!bs->measured || !(bs->best > 0))
        return hy_fail(err, "roofline: %s bandwidth was not measured in this run", what_bw);
    hy_roofline r;
    r.peak_gflops = ps->best;
    r.bandwidth_gbs = bs->best;
    r.ridge_intensity = r.peak_gflops / r.bandwidth_gbs;
    double memory_side = intensity * r.bandwidth_gbs;
    r.memory_bound = memory_side < r.peak_gflops;
    r.gflops = r.memory_bound ? memory_side : r.peak_gflops;
    r.bound = r.memory_bound ? "memory" : "compute";
    r.compute_id = e->id;
    *out = r;
    return 0;
}

int hy_roofline_bound_at(const hy_ceilings *c, double intensity, const char *isa,
                         const char *level, int all_threads, hy_roofline *out, hy_error *err)
{
    const hy_ceil_compute *e = hy_ceilings_find_compute(c, isa);
    if (!e)
        return hy_fail(err, "roofline: no compute ceiling '%s' (known: scalar_f32, avx2_f32, "
                            "avx512_f32, avx512_bf16, or scalar/avx2/avx512, best)",
                       isa ? isa : "best");
    const char *lvl = level ? level : "dram";
    char what[32];
    snprintf(what, sizeof what, "%s triad", lvl);
    return roofline_from(e, hy_ceilings_find_bandwidth(c, lvl, "triad"), what, intensity,
                         all_threads, out, err);
}

int hy_roofline_bound_device(const hy_ceilings *c, double intensity, const char *backend,
                             const char *dtype, hy_roofline *out, hy_error *err)
{
    const hy_ceil_device *d = hy_ceilings_find_device(c, backend);
    if (!d) return hy_fail(err, "roofline: no device ceilings for %s", backend ? backend : "(null)");
    if (!d->available) return hy_fail(err, "roofline: %s: %s", d->backend, d->note);
    char id[24];
    snprintf(id, sizeof id, "%s_%s", d->backend, dtype ? dtype : "f32");
    const hy_ceil_compute *e = NULL;
    for (size_t k = 0; k < d->n_compute; k++)
        if (strcmp(d->compute[k].id, id) == 0) e = &d->compute[k];
    if (!e) return hy_fail(err, "roofline: no compute ceiling %s in this run", id);
    const hy_ceil_bandwidth *bw = NULL;
    for (size_t k = 0; k < d->n_bandwidth; k++)
        if (strcmp(d->bandwidth[k].kernel, "copy") == 0) bw = &d->bandwidth[k];
    char what[32];
    snprintf(what, sizeof what, "%s copy", d->backend);
    return roofline_from(e, bw, what, intensity, 1, out, err);
}

int hy_roofline_bound(const hy_ceilings *c, double intensity, const char *isa, int all_threads,
                      hy_roofline *out, hy_error *err)
{
    return hy_roofline_bound_at(c, intensity, isa, "dram", all_threads, out, err);
}

/* ---- printing --------------------------------------------------------------- */

static void format_bytes(char *buf, size_t len, size_t bytes)
{
    if (bytes >= MIB && bytes % MIB == 0) snprintf(buf, len, "%zu MiB", bytes / MIB);
    else if (bytes >= MIB) snprintf(buf, len, "%.1f MiB", (double)bytes / (double)MIB);
    else if (bytes >= 1024 && bytes % 1024 == 0) snprintf(buf, len, "%zu KiB", bytes / 1024);
    else if (bytes >= 1024) snprintf(buf, len, "%.1f KiB", (double)bytes / 1024.0);
    else snprintf(buf, len, "%zu B", bytes);
}

static void print_cache(FILE *f, const char *name, const hy_cache_level *lv)
{
    char size[32];
    if (lv->bytes == 0) {
        fprintf(f, "%s none (%s)", name, lv->source);
        return;
    }
    format_bytes(size, sizeof size, lv->bytes);
    fprintf(f, "%s %s (%s", name, size, lv->source);
    if (lv->shared_by_cpus > 0) fprintf(f, ", shared by %d CPU%s", lv->shared_by_cpus,
                                        lv->shared_by_cpus == 1 ? "" : "s");
    fprintf(f, ")");
}

static void print_stat(FILE *f, const hy_ceil_stat *s)
{
    char cell[96], extra[32] = "";
    if (s->disturbed > 0) snprintf(extra, sizeof extra, ", %d disturbed", s->disturbed);
    if (!s->measured) snprintf(cell, sizeof cell, "-");
    else snprintf(cell, sizeof cell, "%9.1f  (median %.1f, spread %.1f%%%s)", s->best, s->median,
                  100.0 * s->spread, extra);
    fprintf(f, "  %-50s", cell);
}

void hy_ceilings_print(FILE *f, const hy_ceilings *c)
{
    fprintf(f, "Roofline ceilings measured on this machine in this run\n");
    fprintf(f, "  best of %d repetitions of about %.2f s each; timer %s; took %.1f s\n",
            c->repetitions, c->seconds_per_rep, c->timer, c->elapsed_seconds);
    fprintf(f, "  threads: %d%s\n", c->threads, c->openmp ? " (OpenMP)" : " (built without OpenMP)");
    fprintf(f, "  caches: ");
    print_cache(f, "L1d", &c->caches.l1d);
    fprintf(f, ", ");
    print_cache(f, "L2", &c->caches.l2);
    fprintf(f, ", ");
    print_cache(f, "L3", &c->caches.l3);
    fprintf(f, "; line %zu B (%s)\n", c->caches.line_bytes, c->caches.line_source);

    char head1[32], headn[32];
    snprintf(head1, sizeof head1, "1 thread");
    snprintf(headn, sizeof headn, "%d thread%s", c->threads, c->threads == 1 ? "" : "s");
    if (c->n_compute > 0) {
        fprintf(f, "\nCompute, GFLOP/s %27s  %-50s  %-50s\n", "", head1, headn);
        for (size_t k = 0; k < c->n_compute; k++) {
            const hy_ceil_compute *e = &c->compute[k];
            fprintf(f, "  %-12s %-16s %2d FLOP/instr ", e->id, e->instruction,
                    e->flops_per_instruction);
            if (!e->available) {
                fprintf(f, "  not available: %s\n", e->note);
                continue;
            }
            print_stat(f, &e->one_thread);
            print_stat(f, &e->all_threads);
            fprintf(f, "\n");
        }
    }
    if (c->n_bandwidth > 0) {
        fprintf(f, "\nBandwidth, GB/s (%s loops; %s)\n", c->bandwidth_isa, c->byte_counting);
        fprintf(f, "  %-5s %-6s %-28s  %-50s  %-50s\n", "level", "kernel", "working set", head1,
                headn);
        for (size_t k = 0; k < c->n_bandwidth; k++) {
            const hy_ceil_bandwidth *e = &c->bandwidth[k];
            char arr[32], ws[48];
            format_bytes(arr, sizeof arr, e->array_bytes);
            if (strcmp(e->level, "dram") == 0)
                snprintf(ws, sizeof ws, "%d x %s shared", e->arrays, arr);
            else
                snprintf(ws, sizeof ws, "%d x %s per thread", e->arrays, arr);
            fprintf(f, "  %-5s %-6s %-28s", e->level, e->kernel, ws);
            print_stat(f, &e->one_thread);
            print_stat(f, &e->all_threads);
            fprintf(f, "\n");
        }
        fprintf(f, "  DRAM arrays: %s\n", c->dram_note);
    }
    for (size_t d = 0; d < c->n_devices; d++) {
        const hy_ceil_device *dv = &c->devices[d];
        fprintf(f, "\nDevice %s: %s\n", dv->backend, dv->note);
        for (size_t k = 0; k < dv->n_compute; k++) {
            const hy_ceil_compute *e = &dv->compute[k];
            fprintf(f, "  %-12s %-24s GFLOP/s", e->id, e->instruction);
            if (!e->available) fprintf(f, "  not available: %s\n", e->note);
            else print_stat(f, &e->one_thread), fprintf(f, "\n");
        }
        for (size_t k = 0; k < dv->n_bandwidth; k++) {
            const hy_ceil_bandwidth *e = &dv->bandwidth[k];
            char arr[32];
            format_bytes(arr, sizeof arr, e->array_bytes);
            fprintf(f, "  %-12s %-24s GB/s   ", e->kernel, arr);
            if (!dv->available) fprintf(f, "  not available\n");
            else print_stat(f, &e->one_thread), fprintf(f, "\n");
        }
    }
}

/* ---- JSON -------------------------------------------------------------------- */

static void json_number(hy_strbuf *b, double v)
{
    if (isfinite(v)) hy_strbuf_printf(b, "%.6g", v);
    else hy_strbuf_printf(b, "null");
}

static void json_stat(hy_strbuf *b, const char *key, const hy_ceil_stat *s)
{
    hy_strbuf_printf(b, "\"%s\": ", key);
    if (!s->measured) {
        hy_strbuf_printf(b, "null");
        return;
    }
    hy_strbuf_printf(b, "{\"best\": ");
    json_number(b, s->best);
    hy_strbuf_printf(b, ", \"median\": ");
    json_number(b, s->median);
    hy_strbuf_printf(b, ", \"worst\": ");
    json_number(b, s->worst);
    hy_strbuf_printf(b, ", \"spread\": ");
    json_number(b, s->spread);
    hy_strbuf_printf(b, ", \"repetitions\": %d, \"disturbed\": %d}", s->repetitions,
                     s->disturbed);
}

static void json_cache(hy_strbuf *b, const char *key, const hy_cache_level *lv)
{
    hy_strbuf_printf(b, "\"%s\": {\"bytes\": %zu, \"shared_by_cpus\": %d, \"source\": ", key,
                     lv->bytes, lv->shared_by_cpus);
    hy_strbuf_json_string(b, lv->source);
    hy_strbuf_printf(b, "}");
}

/* One compute ceiling: {"id", "isa", "dtype", ..., "one_thread", "all_threads"}. */
static void json_compute_entry(hy_strbuf *b, const hy_ceil_compute *e)
{
    hy_strbuf_printf(b, "{\"id\": ");
    hy_strbuf_json_string(b, e->id);
    hy_strbuf_printf(b, ", \"isa\": ");
    hy_strbuf_json_string(b, e->isa);
    hy_strbuf_printf(b, ", \"dtype\": ");
    hy_strbuf_json_string(b, e->dtype);
    hy_strbuf_printf(b, ", \"instruction\": ");
    hy_strbuf_json_string(b, e->instruction);
    hy_strbuf_printf(b, ", \"flops_per_instruction\": %d, \"chains\": %d, \"available\": %s",
                     e->flops_per_instruction, e->chains, e->available ? "true" : "false");
    if (!e->available) {
        hy_strbuf_printf(b, ", \"reason\": ");
        hy_strbuf_json_string(b, e->note);
    }
    hy_strbuf_printf(b, ", ");
    json_stat(b, "one_thread", &e->one_thread);
    hy_strbuf_printf(b, ", ");
    json_stat(b, "all_threads", &e->all_threads);
    hy_strbuf_printf(b, "}");
}

/* One bandwidth ceiling: {"level", "kernel", ..., "one_thread", "all_threads"}. */
static void json_bandwidth_entry(hy_strbuf *b, const hy_ceil_bandwidth *e)
{
    hy_strbuf_printf(b, "{\"level\": ");
    hy_strbuf_json_string(b, e->level);
    hy_strbuf_printf(b, ", \"kernel\": ");
    hy_strbuf_json_string(b, e->kernel);
    hy_strbuf_printf(b,
                     ", \"arrays\": %d, \"bytes_per_element\": %d, \"array_bytes\": %zu, "
                     "\"working_set_bytes\": %zu, \"working_set_per\": \"%s\", ",
                     e->arrays, e->bytes_per_element, e->array_bytes, e->working_set_bytes,
                     strcmp(e->level, "l1") == 0 || strcmp(e->level, "l2") == 0 ? "thread" : "run");
    json_stat(b, "one_thread", &e->one_thread);
    hy_strbuf_printf(b, ", ");
    json_stat(b, "all_threads", &e->all_threads);
    hy_strbuf_printf(b, "}");
}

void hy_ceilings_to_json(hy_strbuf *b, const hy_ceilings *c)
{
    hy_strbuf_printf(b, "{\"threads\": %d, \"openmp\": %s, \"quick\": %s, ", c->threads,
                     c->openmp ? "true" : "false", c->quick ? "true" : "false");
    hy_strbuf_printf(b, "\"seconds_per_repetition\": ");
    json_number(b, c->seconds_per_rep);
    hy_strbuf_printf(b, ", \"repetitions\": %d, \"statistic\": \"best of repetitions\", ",
                     c->repetitions);
    hy_strbuf_printf(b, "\"timer\": ");
    hy_strbuf_json_string(b, c->timer ? c->timer : "");
    hy_strbuf_printf(b, ", \"elapsed_seconds\": ");
    json_number(b, c->elapsed_seconds);
    hy_strbuf_printf(b, ",\n \"caches\": {");
    json_cache(b, "l1d", &c->caches.l1d);
    hy_strbuf_printf(b, ", ");
    json_cache(b, "l2", &c->caches.l2);
    hy_strbuf_printf(b, ", ");
    json_cache(b, "l3", &c->caches.l3);
    hy_strbuf_printf(b, ", \"line_bytes\": %zu, \"line_source\": ", c->caches.line_bytes);
    hy_strbuf_json_string(b, c->caches.line_source ? c->caches.line_source : "");
    hy_strbuf_printf(b, "},\n \"compute_unit\": \"GFLOP/s\", \"compute\": [");
    for (size_t k = 0; k < c->n_compute; k++) {
        hy_strbuf_printf(b, "%s\n  ", k ? "," : "");
        json_compute_entry(b, &c->compute[k]);
    }
    hy_strbuf_printf(b, "],\n \"bandwidth_unit\": \"GB/s\", \"bandwidth_isa\": ");
    hy_strbuf_json_string(b, c->bandwidth_isa ? c->bandwidth_isa : "");
    hy_strbuf_printf(b, ", \"byte_counting\": ");
    hy_strbuf_json_string(b, c->byte_counting ? c->byte_counting : "");
    hy_strbuf_printf(b, ", \"dram_array_bytes\": %zu, \"dram_note\": ", c->dram_array_bytes);
    hy_strbuf_json_string(b, c->dram_note);
    hy_strbuf_printf(b, ", \"bandwidth\": [");
    for (size_t k = 0; k < c->n_bandwidth; k++) {
        hy_strbuf_printf(b, "%s\n  ", k ? "," : "");
        json_bandwidth_entry(b, &c->bandwidth[k]);
    }
    hy_strbuf_printf(b, "],\n \"devices\": [");
    for (size_t d = 0; d < c->n_devices; d++) {
        const hy_ceil_device *dv = &c->devices[d];
        hy_strbuf_printf(b, "%s\n  {\"backend\": ", d ? "," : "");
        hy_strbuf_json_string(b, dv->backend);
        hy_strbuf_printf(b, ", \"available\": %s, \"note\": ", dv->available ? "true" : "false");
        hy_strbuf_json_string(b, dv->note);
        hy_strbuf_printf(b, ", \"timer\": \"device events\", \"array_bytes\": %zu, \"compute\": [",
                         dv->array_bytes);
        for (size_t k = 0; k < dv->n_compute; k++) {
            hy_strbuf_printf(b, "%s\n   ", k ? "," : "");
            json_compute_entry(b, &dv->compute[k]);
        }
        hy_strbuf_printf(b, "], \"bandwidth\": [");
        for (size_t k = 0; k < dv->n_bandwidth; k++) {
            hy_strbuf_printf(b, "%s\n   ", k ? "," : "");
            json_bandwidth_entry(b, &dv->bandwidth[k]);
        }
        hy_strbuf_printf(b, "]}");
    }
    hy_strbuf_printf(b, "]}");
}

/* A "best" figure of a ceilings file entry, into dst. */
static void load_stat(hy_ceil_stat *dst, const hy_json *obj, const char *key)
{
    const hy_json *st = hy_json_get(obj, key), *b = hy_json_get(st, "best");
    if (b && b->type == HY_JSON_NUMBER) {
        dst->best = b->number;
        dst->measured = 1;
    }
}

static const char *load_str(const hy_json *obj, const char *key, const char *dflt)
{
    const hy_json *v = hy_json_get(obj, key);
    return v && v->type == HY_JSON_STRING ? v->string : dflt;
}

/* Compute entries of a "compute" array into out: [max]; returns the count. */
static size_t load_compute(const hy_json *arr, hy_ceil_compute *out, size_t max, const char *path)
{
    size_t n = 0;
    for (size_t i = 0; arr && arr->type == HY_JSON_ARRAY && i < arr->count && n < max; i++) {
        const hy_json *e = &arr->items[i], *av = hy_json_get(e, "available");
        const char *id = load_str(e, "id", NULL);
        if (!id) continue;
        hy_ceil_compute *d = &out[n++];
        memset(d, 0, sizeof *d);
        snprintf(d->id, sizeof d->id, "%s", id);
        snprintf(d->isa, sizeof d->isa, "%s", load_str(e, "isa", ""));
        snprintf(d->dtype, sizeof d->dtype, "%s", load_str(e, "dtype", "f32"));
        snprintf(d->instruction, sizeof d->instruction, "%s", load_str(e, "instruction", ""));
        d->available = av && av->type == HY_JSON_BOOL && av->boolean;
        if (!d->available) snprintf(d->note, sizeof d->note, "not available in %s", path);
        load_stat(&d->one_thread, e, "one_thread");
        load_stat(&d->all_threads, e, "all_threads");
    }
    return n;
}

static size_t load_bandwidth(const hy_json *arr, hy_ceil_bandwidth *out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; arr && arr->type == HY_JSON_ARRAY && i < arr->count && n < max; i++) {
        const hy_json *e = &arr->items[i];
        const char *lv = load_str(e, "level", NULL), *k = load_str(e, "kernel", NULL);
        if (!lv || !k) continue;
        hy_ceil_bandwidth *d = &out[n++];
        memset(d, 0, sizeof *d);
        snprintf(d->level, sizeof d->level, "%s", lv);
        snprintf(d->kernel, sizeof d->kernel, "%s", k);
        load_stat(&d->one_thread, e, "one_thread");
        load_stat(&d->all_threads, e, "all_threads");
    }
    return n;
}

/* Reads a ceilings file (see hy_ceilings.h). */
int hy_ceilings_load(const char *path, hy_ceilings *c, char **raw, hy_error *err)
{
    size_t len = 0;
    hy_json *j = NULL;
    *raw = NULL;
    if (hy_read_file(path, raw, &len, err)) return -1;
    if (hy_json_parse(*raw, len, &j, err)) return hy_fail_prefix(err, "%s", path);
    memset(c, 0, sizeof *c);
    const hy_json *comp = hy_json_get(j, "compute"), *bw = hy_json_get(j, "bandwidth");
    if (!comp || comp->type != HY_JSON_ARRAY || !bw || bw->type != HY_JSON_ARRAY) {
        hy_json_free(j);
        return hy_fail(err, "%s: not a ceilings file (no compute[] and bandwidth[])", path);
    }
    const hy_json *th = hy_json_get(j, "threads");
    c->threads = th && th->type == HY_JSON_NUMBER ? (int)th->number : 0;
    c->n_compute = load_compute(comp, c->compute, HY_CEIL_MAX_COMPUTE, path);
    c->n_bandwidth = load_bandwidth(bw, c->bandwidth, HY_CEIL_MAX_BANDWIDTH);
    const hy_json *devs = hy_json_get(j, "devices");
    for (size_t i = 0; devs && devs->type == HY_JSON_ARRAY && i < devs->count &&
                       c->n_devices < HY_CEIL_MAX_DEVICES; i++) {
        const hy_json *e = &devs->items[i], *av = hy_json_get(e, "available");
        const char *backend = load_str(e, "backend", NULL);
        if (!backend) continue;
        hy_ceil_device *d = &c->devices[c->n_devices++];
        snprintf(d->backend, sizeof d->backend, "%s", backend);
        snprintf(d->note, sizeof d->note, "%s", load_str(e, "note", ""));
        d->available = av && av->type == HY_JSON_BOOL && av->boolean;
        d->n_compute = load_compute(hy_json_get(e, "compute"), d->compute, HY_CEIL_DEVICE_COMPUTE, path);
        d->n_bandwidth = load_bandwidth(hy_json_get(e, "bandwidth"), d->bandwidth, HY_CEIL_DEVICE_BANDWIDTH);
    }
    hy_json_free(j);
    return 0;
}

int hy_ceilings_backend_peaks(const hy_ceilings *c, const char *backend, double *gflops,
                              double *gbps, const char **compute_id)
{
    hy_roofline r;
    hy_error ignored;
    *gflops = *gbps = 0;
    if (compute_id) *compute_id = NULL;
    if (!c) return -1;
    /* at intensity 1 the roofline reports both ceilings it would use */
    int rc = hy_ceilings_find_device(c, backend)
                 ? hy_roofline_bound_device(c, 1.0, backend, "f32", &r, &ignored)
                 : hy_roofline_bound(c, 1.0, NULL, 1, &r, &ignored);
    if (rc) return -1;
    *gflops = r.peak_gflops;
    *gbps = r.bandwidth_gbs;
    if (compute_id) *compute_id = r.compute_id;
    return 0;
}
