/* hy_timer_builtin.c — the built-in timing engine, for machines without
 * Google Benchmark (a lent GPU machine has no Debian packages).
 *
 * After the warm-up (done by hy_timer.c):
 *   1. calibration (warm mode, unless a fixed count is given): run 1
 *      iteration, then keep multiplying the count (by min_time*1.4/elapsed,
 *      at most 10x, as Google Benchmark does) until one batch lasts at
 *      least min_time_s or the count reaches max_iterations; calibration
 *      batches are not reported;
 *   2. `repetitions` batches of that many iterations, each timed as a
 *      whole (wall clock; the device clock of the options, started before
 *      the batch's first launch and stopped after its last; or the sum of
 *      the device times fn reports), giving seconds per iteration.
 * Cold mode is one iteration per repetition with the eviction before it,
 * outside the timed region. */
#include "hy_timer.h"

#include <string.h>

typedef struct batch_time {
    double seconds;     /* wall or manual seconds of the whole batch */
    double cpu_seconds; /* process CPU seconds of the whole batch    */
} batch_time;

static int run_batch(hy_bench_fn fn, void *ctx, const hy_timer_options *o, int manual,
                     int64_t iterations, batch_time *bt, hy_error *err)
{
    if (o->evict) o->evict(o->evict_ctx);
    const int clock = hy_timer_has_clock(o);
    double manual_sum = 0;
    double c0 = hy_timer_cpu_now();
    double t0 = hy_timer_now();
    if (clock && o->clock.begin(o->clock.ctx, err)) return hy_fail_prefix(err, "device clock");
    for (int64_t i = 0; i < iterations; i++) {
        double m = -1;
        if (fn(ctx, &m, err)) return -1;
        if (manual && !clock) {
            if (!(m >= 0))
                return hy_fail(err, "the function reported device time during warm-up but "
                                    "not in iteration %lld", (long long)i);
            manual_sum += m;
        }
    }
    if (clock && o->clock.end(o->clock.ctx, &manual_sum, err)) return hy_fail_prefix(err, "device clock");
    double t1 = hy_timer_now();
    double c1 = hy_timer_cpu_now();
    bt->seconds = manual ? manual_sum : t1 - t0;
    bt->cpu_seconds = c1 - c0;
    return 0;
}

static int calibrate(hy_bench_fn fn, void *ctx, const hy_timer_options *o, int manual,
                     int64_t *iterations, hy_error *err)
{
    int64_t n = 1;
    for (;;) {
        batch_time bt;
        if (run_batch(fn, ctx, o, manual, n, &bt, err)) return -1;
        if (bt.seconds >= o->min_time_s || n >= o->max_iterations) break;
        double multiplier = 10;
        if (bt.seconds > 0 && bt.seconds / o->min_time_s > 0.1)
            multiplier = o->min_time_s * 1.4 / bt.seconds;
        if (multiplier > 10) multiplier = 10;
        double next = (double)n * multiplier;
        if (next < (double)n + 1) next = (double)n + 1;
        if (next > (double)o->max_iterations) next = (double)o->max_iterations;
        n = (int64_t)next;
    }
    *iterations = n;
    return 0;
}

int hy_timer_builtin_run(const char *name, hy_bench_fn fn, void *ctx, const hy_timer_options *o,
                         int manual, hy_timing *out, hy_error *err)
{
    (void)name;
    int64_t iterations = o->fixed_iterations;
    if (iterations <= 0 && calibrate(fn, ctx, o, manual, &iterations, err))
        return hy_fail_prefix(err, "calibration");
    if (hy_timing_alloc(out, "builtin", o->repetitions, manual, o->evict != NULL, o, err))
        return -1;
    for (int r = 0; r < o->repetitions; r++) {
        batch_time bt;
        if (run_batch(fn, ctx, o, manual, iterations, &bt, err)) {
            hy_timing_free(out);
            return hy_fail_prefix(err, "repetition %d", r + 1);
        }
        out->iterations[r] = iterations;
        out->seconds[r] = bt.seconds / (double)iterations;
        out->cpu_seconds[r] = bt.cpu_seconds / (double)iterations;
        hy_timing_set_counters(out, r, o);
    }
    return 0;
}
