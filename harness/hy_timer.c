/* hy_timer.c — options, warm-up and engine choice of hy_timer.h; the
 * engines themselves live in hy_timer_builtin.c and hy_gbench_shim.cc. */
#include "hy_timer.h"

#ifdef HYBENCH_HAVE_GBENCH_SHIM
#include "hy_gbench_shim.h"
#endif

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Command-line overrides (hy_timer_init), applied to every timing. */
static int override_repetitions;       /* 0: none */
static double override_min_time = -1;  /* < 0: none */
static int64_t override_iterations;    /* 0: none */

int hy_timer_have_gbench(void)
{
#ifdef HYBENCH_HAVE_GBENCH_SHIM
    return 1;
#else
    return 0;
#endif
}

const char *hy_timer_default_engine(void)
{
    return hy_timer_have_gbench() ? "google-benchmark" : "builtin";
}

hy_timer_options hy_timer_default_options(void)
{
    hy_timer_options o;
    memset(&o, 0, sizeof o);
    o.repetitions = 5;
    o.min_time_s = 0.1;
    o.warmup_s = 0.05;
    o.fixed_iterations = 0;
    o.max_iterations = 1000000000;
    o.evict = NULL;
    o.evict_ctx = NULL;
    o.engine = NULL;
    o.ncounters = 0;
    return o;
}

double hy_timer_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

double hy_timer_cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void hy_timing_free(hy_timing *t)
{
    if (!t) return;
    free(t->seconds);
    free(t->cpu_seconds);
    free(t->iterations);
    free(t->counter_values);
    memset(t, 0, sizeof *t);
}

int hy_timer_has_clock(const hy_timer_options *opts)
{
    return opts && opts->clock.begin && opts->clock.end;
}

const char *hy_timer_clock_name(const hy_timer_options *opts, int manual)
{
    if (hy_timer_has_clock(opts)) return opts->clock.name ? opts->clock.name : "device clock";
    return manual ? "reported by the function" : "wall clock";
}

int hy_timing_alloc(hy_timing *t, const char *engine, int repetitions, int manual, int cold,
                    const hy_timer_options *opts, hy_error *err)
{
    memset(t, 0, sizeof *t);
    snprintf(t->engine, sizeof t->engine, "%s", engine);
    snprintf(t->clock, sizeof t->clock, "%s", hy_timer_clock_name(opts, manual));
    t->manual_time = manual;
    t->cold = cold;
    t->repetitions = repetitions;
    t->ncounters = opts->ncounters;
    for (int c = 0; c < opts->ncounters; c++)
        snprintf(t->counter_names[c], sizeof t->counter_names[c], "%s", opts->counters[c].name);
    size_t n = (size_t)repetitions;
    t->seconds = calloc(n, sizeof *t->seconds);
    t->cpu_seconds = calloc(n, sizeof *t->cpu_seconds);
    t->iterations = calloc(n, sizeof *t->iterations);
    t->counter_values = calloc(n * (size_t)(opts->ncounters > 0 ? opts->ncounters : 1),
                               sizeof *t->counter_values);
    if (!t->seconds || !t->cpu_seconds || !t->iterations || !t->counter_values) {
        hy_timing_free(t);
        return hy_fail(err, "out of memory for %d repetitions", repetitions);
    }
    return 0;
}

void hy_timing_set_counters(hy_timing *t, int rep, const hy_timer_options *opts)
{
    for (int c = 0; c < opts->ncounters; c++) {
        double v = opts->counters[c].value;
        if (opts->counters[c].is_rate) v = t->seconds[rep] > 0 ? v / t->seconds[rep] : 0;
        t->counter_values[(size_t)rep * (size_t)opts->ncounters + (size_t)c] = v;
    }
}

/* --- command-line options ---------------------------------------------- */

/* Parses "T", "Ts" (seconds) or "Nx" (iterations) of --benchmark_min_time. */
static int parse_min_time(const char *v, double *seconds, int64_t *iterations, hy_error *err)
{
    char *end = NULL;
    errno = 0;
    double d = strtod(v, &end);
    if (end == v || errno || !isfinite(d) || d < 0)
        return hy_fail(err, "--benchmark_min_time: \"%s\" is not a time", v);
    if (*end == 'x' && end[1] == 0) {
        if (d < 1 || d != floor(d))
            return hy_fail(err, "--benchmark_min_time: \"%s\" is not a whole iteration count", v);
        *iterations = (int64_t)d;
        return 0;
    }
    if (*end != 0 && !(*end == 's' && end[1] == 0))
        return hy_fail(err, "--benchmark_min_time: \"%s\" is not a time (use 0.5 or 0.5s or 100x)", v);
    *seconds = d;
    return 0;
}

int hy_timer_init(int *argc, char **argv, hy_error *err)
{
    if (!argc || !argv || *argc < 1) return hy_fail(err, "hy_timer_init: no argv");
    int n = *argc;
    char **passed = calloc((size_t)n + 1, sizeof *passed); /* for Google Benchmark */
    if (!passed) return hy_fail(err, "out of memory");
    int npassed = 0, kept = 1;
    passed[npassed++] = argv[0];
    int rc = 0;
    for (int i = 1; i < n && rc == 0; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--benchmark_", 12) != 0) {
            argv[kept++] = argv[i];
            continue;
        }
        const char *eq = strchr(a, '=');
        if (strncmp(a, "--benchmark_repetitions=", 24) == 0) {
            char *end = NULL;
            long r = strtol(a + 24, &end, 10);
            if (end == a + 24 || *end || r < 1 || r > 1000000)
                rc = hy_fail(err, "--benchmark_repetitions: \"%s\" is not a count >= 1", a + 24);
            else
                override_repetitions = (int)r;
        } else if (strncmp(a, "--benchmark_min_time=", 21) == 0) {
            double s = -1;
            int64_t it = 0;
            rc = parse_min_time(a + 21, &s, &it, err);
            if (rc == 0 && it > 0) override_iterations = it, override_min_time = -1;
            else if (rc == 0) override_min_time = s, override_iterations = 0;
        } else if (strncmp(a, "--benchmark_out", 15) == 0) {
            rc = hy_fail(err, "%.*s is not supported: hybench writes its own results file, "
                              "already in Google Benchmark's JSON format",
                         eq ? (int)(eq - a) : (int)strlen(a), a);
        } else if (!hy_timer_have_gbench()) {
            rc = hy_fail(err, "%s needs Google Benchmark, which this build does not have "
                              "(install libbenchmark-dev and reconfigure); the built-in timer "
                              "understands only --benchmark_repetitions and --benchmark_min_time", a);
        } else {
            passed[npassed++] = argv[i];
        }
    }
    if (rc == 0) {
        *argc = kept;
        argv[kept] = NULL;
    }
#ifdef HYBENCH_HAVE_GBENCH_SHIM
    if (rc == 0) rc = hy_gbench_init(npassed, passed, err);
#endif
    free(passed);
    return rc;
}

/* --- timing ------------------------------------------------------------ */

static int resolve_options(const hy_timer_options *given, hy_timer_options *o, hy_error *err)
{
    *o = given ? *given : hy_timer_default_options();
    if (override_repetitions > 0) o->repetitions = override_repetitions;
    if (override_min_time >= 0) o->min_time_s = override_min_time, o->fixed_iterations = 0;
    if (override_iterations > 0) o->fixed_iterations = override_iterations;
    if (o->repetitions < 1) return hy_fail(err, "repetitions must be >= 1, got %d", o->repetitions);
    if (!(o->min_time_s >= 0) || !isfinite(o->min_time_s))
        return hy_fail(err, "min time must be >= 0 seconds, got %g", o->min_time_s);
    if (!(o->warmup_s >= 0) || !isfinite(o->warmup_s))
        return hy_fail(err, "warm-up must be >= 0 seconds, got %g", o->warmup_s);
    if (o->fixed_iterations < 0) return hy_fail(err, "fixed iterations must be >= 0");
    if (o->max_iterations <= 0) o->max_iterations = 1000000000;
    if (o->ncounters < 0 || o->ncounters > HY_TIMER_MAX_COUNTERS)
        return hy_fail(err, "%d counters given, at most %d allowed", o->ncounters,
                       HY_TIMER_MAX_COUNTERS);
    for (int c = 0; c < o->ncounters; c++)
        if (!o->counters[c].name || !o->counters[c].name[0])
            return hy_fail(err, "counter %d has no name", c);
    if ((o->clock.begin != NULL) != (o->clock.end != NULL))
        return hy_fail(err, "a device clock needs both begin and end");
    if (o->evict) o->fixed_iterations = 1; /* cold: one iteration per repetition */
    if (!o->engine || strcmp(o->engine, "auto") == 0) o->engine = hy_timer_default_engine();
    if (strcmp(o->engine, "builtin") != 0 && strcmp(o->engine, "google-benchmark") != 0)
        return hy_fail(err, "unknown timing engine \"%s\" (google-benchmark, builtin or auto)",
                       o->engine);
    if (strcmp(o->engine, "google-benchmark") == 0 && !hy_timer_have_gbench())
        return hy_fail(err, "timing engine google-benchmark is not built in "
                            "(libbenchmark-dev was missing at configure time); use builtin");
    return 0;
}

/* Untimed calls for at least warmup_s (at least one).  The first call
 * decides whether fn reports device time.  With a device clock the time
 * is always manual, and every warm-up call is bracketed by the clock's
 * begin and end: end waits for the device, so the warm-up lasts warmup_s
 * of device work rather than queueing launches for that long (which could
 * keep the device busy far longer), and a clock that cannot work fails
 * here, before timing. */
static int warm_up(hy_bench_fn fn, void *ctx, const hy_timer_options *o, int *manual,
                   hy_timing *stats, hy_error *err)
{
    const int clock = hy_timer_has_clock(o);
    double start = hy_timer_now();
    int calls = 0;
    do {
        double m = -1, device_seconds = 0;
        if (clock && o->clock.begin(o->clock.ctx, err)) return hy_fail_prefix(err, "device clock");
        if (fn(ctx, &m, err)) return hy_fail_prefix(err, "warm-up call %d", calls + 1);
        if (clock && o->clock.end(o->clock.ctx, &device_seconds, err))
            return hy_fail_prefix(err, "device clock");
        if (clock) *manual = 1;
        else if (calls == 0) *manual = m >= 0;
        else if ((m >= 0) != *manual)
            return hy_fail(err, "warm-up call %d %s device time but the first call %s", calls + 1,
                           m >= 0 ? "reported" : "did not report", *manual ? "did" : "did not");
        calls++;
    } while (hy_timer_now() - start < o->warmup_s);
    stats->warmup_calls = calls;
    stats->warmup_seconds = hy_timer_now() - start;
    return 0;
}

int hy_time_function(const char *name, hy_bench_fn fn, void *ctx, const hy_timer_options *opts,
                     hy_timing *out, hy_error *err)
{
    if (!name || !name[0]) return hy_fail(err, "benchmark without a name");
    if (!fn || !out) return hy_fail(err, "%s: no function or no result", name);
    memset(out, 0, sizeof *out);
    hy_timer_options o;
    if (resolve_options(opts, &o, err)) return hy_fail_prefix(err, "%s", name);

    hy_timing warm;
    memset(&warm, 0, sizeof warm);
    int manual = 0;
    if (warm_up(fn, ctx, &o, &manual, &warm, err)) return hy_fail_prefix(err, "%s", name);

    int rc;
#ifdef HYBENCH_HAVE_GBENCH_SHIM
    if (strcmp(o.engine, "google-benchmark") == 0)
        rc = hy_gbench_run(name, fn, ctx, &o, manual, out, err);
    else
#endif
        rc = hy_timer_builtin_run(name, fn, ctx, &o, manual, out, err);
    if (rc) {
        hy_timing_free(out);
        return hy_fail_prefix(err, "%s", name);
    }
    out->warmup_calls = warm.warmup_calls;
    out->warmup_seconds = warm.warmup_seconds;
    return 0;
}

/* --- cold-cache eviction ------------------------------------------------ */

/* Largest cache size listed under /sys for cpu0, in bytes (0 if none). */
static size_t largest_cache_bytes(void)
{
    size_t best = 0;
    for (int i = 0; i < 16; i++) {
        char path[128];
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/size", i);
        FILE *f = fopen(path, "r");
        if (!f) break;
        unsigned long v = 0;
        char unit = 0;
        int got = fscanf(f, "%lu%c", &v, &unit);
        fclose(f);
        if (got < 1) continue;
        size_t b = v;
        if (got == 2 && (unit == 'K' || unit == 'k')) b = v * 1024ul;
        else if (got == 2 && unit == 'M') b = v * 1024ul * 1024ul;
        if (b > best) best = b;
    }
    return best;
}

int hy_evictor_init(hy_evictor *e, size_t bytes, hy_error *err)
{
    memset(e, 0, sizeof *e);
    if (bytes == 0) {
        bytes = 4 * largest_cache_bytes();
        if (bytes < (size_t)64 << 20) bytes = (size_t)64 << 20;
    }
    e->buf = malloc(bytes);
    if (!e->buf) return hy_fail(err, "cache evictor: cannot allocate %zu bytes", bytes);
    memset(e->buf, 1, bytes); /* first touch now, not inside the first eviction */
    e->bytes = bytes;
    return 0;
}

void hy_evictor_free(hy_evictor *e)
{
    if (!e) return;
    free(e->buf);
    memset(e, 0, sizeof *e);
}

void hy_evict_caches(void *evictor)
{
    hy_evictor *e = evictor;
    if (!e || !e->buf) return;
    unsigned sum = e->sum;
    for (size_t i = 0; i < e->bytes; i += 64) {
        sum += e->buf[i];
        e->buf[i] = (unsigned char)(e->buf[i] + 1);
    }
    e->sum = sum;
}
