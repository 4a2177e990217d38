/* hy_timer.h — the engine-neutral timing API.
 *
 * A benchmark is a C function that runs ONE iteration of the work.  The
 * timer warms it up, chooses how many iterations make one repetition, runs
 * the repetitions and returns the seconds per iteration of each.  Two
 * engines do the timing and fill the same result:
 *   "google-benchmark"  Google Benchmark, through the C++ shim
 *                       (hy_gbench_shim.cc), when the build found it
 *   "builtin"           a small loop in hy_timer_builtin.c, everywhere
 * The result says which engine timed it.
 *
 * Time source:
 *   - CPU backends: wall-clock ("real") time, because the kernels are
 *     multi-threaded and CPU time would add up every thread.
 *   - Device backends: "manual" time (Google Benchmark's UseManualTime),
 *     from one of two sources:
 *       a device clock in the options (opts.clock, e.g. CUDA events from
 *       the backend's timing_begin / timing_end): the engine starts it
 *       before a repetition's iterations and stops it after them, so the
 *       launches run back to back on the device with no host
 *       synchronisation in between, and the repetition's time is the
 *       device time of the whole batch (cold mode: of its one iteration);
 *       or, without a clock, the function itself writing the device time
 *       of its iteration into *manual_seconds (a function that does not
 *       leaves it negative; which of the two applies is decided by the
 *       first warm-up call and must not change afterwards).
 *     The result names the clock that timed it (hy_timing.clock).
 *
 * Warm vs cold caches:
 *   - Warm (evict == NULL): after the warm-up, the number of iterations per
 *     repetition grows until one repetition lasts at least min_time_s; every
 *     repetition then runs that many iterations back to back.
 *   - Cold (evict != NULL): every repetition is exactly ONE iteration, and
 *     evict(evict_ctx) runs before each of them, outside the timed region.
 *     This is "iteration-per-repetition manual timing": rather than
 *     stopping and restarting the clock around the eviction inside a long
 *     loop (Google Benchmark's PauseTiming/ResumeTiming, which costs
 *     microseconds per call and distorts short kernels), the clock only
 *     ever runs around a single cold call.  Use more repetitions (e.g. 20+)
 *     instead of a longer min time.
 */
#ifndef HY_TIMER_H
#define HY_TIMER_H

#include "hy_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Runs one iteration.  Device backends write the iteration's device time
 * to *manual_seconds (>= 0); others leave it as it is (negative).
 * Returns 0, or -1 with a message in err, which stops the timing. */
typedef int (*hy_bench_fn)(void *ctx, double *manual_seconds, hy_error *err);

#define HY_TIMER_MAX_COUNTERS 8

/* A user counter set on every repetition.  With is_rate == 0 the reported
 * value is `value` itself; with is_rate != 0 `value` is an amount per
 * iteration (FLOPs, bytes) and the reported value is that amount per
 * second of measured time: value / seconds_per_iteration (Google
 * Benchmark's kIsIterationInvariantRate). */
typedef struct hy_timer_counter {
    const char *name;
    double value;
    int is_rate;
} hy_timer_counter;

/* A device clock: begin(ctx) marks the start, end(ctx, &s) the stop, waits
 * for it and gives the device seconds in between.  Both return 0, or -1
 * with a message.  name says what it is ("cuda events"). */
typedef struct hy_timer_clock {
    const char *name;
    int (*begin)(void *ctx, hy_error *err);
    int (*end)(void *ctx, double *seconds, hy_error *err);
    void *ctx;
} hy_timer_clock;

typedef struct hy_timer_options {
    int repetitions;          /* >= 1                                     */
    double min_time_s;        /* warm mode: minimum time of one repetition */
    double warmup_s;          /* untimed calls first, for at least this long
                                 (always at least one call)               */
    int64_t fixed_iterations; /* > 0: exactly this many per repetition (no
                                 calibration); 0: calibrate               */
    int64_t max_iterations;   /* calibration cap per repetition            */
    void (*evict)(void *evict_ctx); /* cold-cache mode when non-NULL       */
    void *evict_ctx;
    const char *engine;       /* "google-benchmark", "builtin", or NULL /
                                 "auto" (Google Benchmark when built in)  */
    hy_timer_clock clock;     /* device clock; unused when begin is NULL   */
    hy_timer_counter counters[HY_TIMER_MAX_COUNTERS];
    int ncounters;
} hy_timer_options;

/* Defaults: 5 repetitions, 0.1 s min time, 0.05 s warm-up, calibrated
 * iterations capped at 1e9, warm caches, automatic engine, no counters.
 * Overrides given on the command line through hy_timer_init
 * (--benchmark_repetitions, --benchmark_min_time) are applied on top. */
hy_timer_options hy_timer_default_options(void);

typedef struct hy_timing {
    char engine[32];           /* "google-benchmark" or "builtin"          */
    int manual_time;           /* times are device (manual) times          */
    char clock[48];            /* what timed it: "wall clock", the device
                                  clock's name ("cuda events"), or
                                  "reported by the function"               */
    int cold;                  /* cold-cache mode was used                 */
    int streamed_copies;       /* > 0: streamed through this many copies of
                                  the case (hy_stream_timing.h)            */
    int repetitions;
    double *seconds;           /* [repetitions] seconds per iteration      */
    double *cpu_seconds;       /* [repetitions] process CPU seconds per
                                  iteration (all threads together)         */
    int64_t *iterations;       /* [repetitions] iterations of each          */
    int ncounters;
    char counter_names[HY_TIMER_MAX_COUNTERS][64];
    double *counter_values;    /* [repetitions, ncounters]                  */
    double warmup_seconds;     /* wall time spent warming up               */
    int warmup_calls;
} hy_timing;

void hy_timing_free(hy_timing *t);

/* Whether Google Benchmark was compiled in, and the default engine name. */
int hy_timer_have_gbench(void);
const char *hy_timer_default_engine(void);

/* Hands --benchmark_* options to the timing engines and removes them from
 * argv (argc is updated; other arguments keep their order).  Call once,
 * before the first hy_time_function.
 *   --benchmark_repetitions=N and --benchmark_min_time=T[s] (or =Nx, a
 *     fixed iteration count) override the options of every later timing,
 *     for both engines.
 *   --benchmark_out / --benchmark_out_format are refused: hybench writes
 *     its own results file, already in Google Benchmark's format.
 *   Every other --benchmark_* option goes to benchmark::Initialize; without
 *     Google Benchmark it is refused with a message saying so.
 * Returns 0, or -1 with a message. */
int hy_timer_init(int *argc, char **argv, hy_error *err);

/* Times fn(ctx) under `name` (the stable benchmark name; Google Benchmark
 * uses it as the registered name).  opts may be NULL for the defaults.
 * On success fills *out (free with hy_timing_free) and returns 0; if fn
 * fails, returns -1 with its message prefixed by the name. */
int hy_time_function(const char *name, hy_bench_fn fn, void *ctx, const hy_timer_options *opts,
                     hy_timing *out, hy_error *err);

/* --- pieces shared by the engines (used by hy_timer_builtin.c and the shim) */

double hy_timer_now(void);      /* monotonic wall clock, seconds */
double hy_timer_cpu_now(void);  /* process CPU time, seconds     */

/* Allocates the per-repetition arrays of *t for `repetitions` entries and
 * copies engine name, mode, clock name and counter names.  Returns 0 or -1. */
int hy_timing_alloc(hy_timing *t, const char *engine, int repetitions, int manual, int cold,
                    const hy_timer_options *opts, hy_error *err);
/* Fills counter_values of repetition `rep` from its seconds per iteration. */
void hy_timing_set_counters(hy_timing *t, int rep, const hy_timer_options *opts);

/* The clock name a timing records (see hy_timing.clock). */
const char *hy_timer_clock_name(const hy_timer_options *opts, int manual);
/* Whether opts carries a device clock (begin and end both set). */
int hy_timer_has_clock(const hy_timer_options *opts);

/* The built-in engine (hy_timer_builtin.c); opts already resolved, manual
 * already decided by the warm-up (always 1 with a device clock). */
int hy_timer_builtin_run(const char *name, hy_bench_fn fn, void *ctx, const hy_timer_options *opts,
                         int manual, hy_timing *out, hy_error *err);

/* A cache evictor for cold-cache mode: a buffer larger than the last-level
 * cache that hy_evict_caches streams through (read and written), so that
 * the benchmark's data is no longer cached.  bytes = 0 chooses 4x the
 * largest cache found in /sys (at least 64 MiB). */
typedef struct hy_evictor {
    unsigned char *buf;
    size_t bytes;
    unsigned sum; /* keeps the reads observable */
} hy_evictor;
int hy_evictor_init(hy_evictor *e, size_t bytes, hy_error *err);
void hy_evictor_free(hy_evictor *e);
void hy_evict_caches(void *evictor); /* an hy_evictor*, for opts.evict */

#ifdef __cplusplus
}
#endif
#endif
