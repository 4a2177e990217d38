/* hy_bench.c — validate, then time, one variant on one shape, and record
 * it.  See hy_bench.h. */
#include "hy_bench.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hy_cache_info.h"
#include "hy_stats.h"
#include "hy_stream_timing.h"

const char *hy_cache_mode_name(hy_cache_mode m)
{
    switch (m) {
    case HY_CACHE_WARM: return "warm";
    case HY_CACHE_COLD: return "cold";
    case HY_CACHE_STREAMED: return "streamed";
    default: return "auto";
    }
}

void hy_bench_opts_default(hy_bench_opts *o)
{
    memset(o, 0, sizeof *o);
    o->cache = HY_CACHE_AUTO;
    o->validate_flops = HY_BENCH_VALIDATE_FLOPS;
    o->seed = 42;
    o->threads = 1;
}

/* What the timer calls: one launch of the timed case. */
typedef struct launch_ctx {
    hy_val_case *vc; /* the validated case, or a timing-only case (no
                        reference) of the full shape */
    const hy_backend *b;
    hy_exec *ex;
    int sync; /* synchronise after each launch (device memory, no device clock) */
} launch_ctx;

static int launch_once(void *p, double *manual_seconds, hy_error *err)
{
    launch_ctx *c = p;
    (void)manual_seconds; /* device time comes from the backend's clock (timer options) */
    int rc = hy_val_case_launch(c->vc, err);
    if (rc == HY_UNSUPPORTED) return hy_fail_prefix(err, "unsupported during timing");
    if (rc) return -1;
    if (c->sync) return c->b->synchronize(c->ex, err);
    return 0;
}

/* The backend's device clock as the timer's (hy_timer_clock). */
static int clock_begin(void *p, hy_error *err)
{
    launch_ctx *c = p;
    return c->b->timing_begin(c->ex, err);
}

static int clock_end(void *p, double *seconds, hy_error *err)
{
    launch_ctx *c = p;
    return c->b->timing_end(c->ex, seconds, err);
}

static int backend_has_clock(const hy_backend *b)
{
    return b->timing_begin != NULL && b->timing_end != NULL;
}

static void set_outcome_failure(hy_bench_outcome *out, const char *status, const char *msg)
{
    snprintf(out->status, sizeof out->status, "%s", status);
    snprintf(out->message, sizeof out->message, "%.500s", msg);
}

/* Peak figures for the roofline of a shape (0 when not measured).  A GPU
 * backend's kernels are held to its device ceilings (hy_ceilings.h: the
 * FMA peak, or the tensor-core peak for a bf16 variant, and the device
 * copy bandwidth); host backends to the CPU's (opts.roofline_isa, all
 * threads, DRAM triad). */
void hy_bench_roofline_peaks(const hy_ceilings *ceil, const hy_backend *b,
                             const hy_kernel_variant *v, const hy_bench_opts *o, double intensity,
                             double *peak_gflops, double *peak_gbps)
{
    *peak_gflops = 0;
    *peak_gbps = 0;
    if (!ceil) return;
    hy_roofline r;
    hy_error ignored;
    const hy_ceil_device *dev = hy_ceilings_find_device(ceil, b->name);
    if (dev) {
        const char *dtype = v->dtype == HY_BF16 ? "bf16" : "f32";
        if (intensity > 0 && hy_roofline_bound_device(ceil, intensity, b->name, dtype, &r, &ignored) == 0) {
            *peak_gflops = r.peak_gflops;
            *peak_gbps = r.bandwidth_gbs;
            return;
        }
        for (size_t k = 0; dev->available && k < dev->n_bandwidth; k++)
            if (strcmp(dev->bandwidth[k].kernel, "copy") == 0 && dev->bandwidth[k].one_thread.measured)
                *peak_gbps = dev->bandwidth[k].one_thread.best;
        return;
    }
    if (intensity > 0 && hy_roofline_bound(ceil, intensity, o->roofline_isa, 1, &r, &ignored) == 0) {
        *peak_gflops = r.peak_gflops;
        *peak_gbps = r.bandwidth_gbs;
        return;
    }
    const hy_ceil_bandwidth *bw = hy_ceilings_find_bandwidth(ceil, "dram", "triad");
    if (bw && bw->all_threads.measured) *peak_gbps = bw->all_threads.best;
}

/* The PAPI pass: `iters` launches counted, per iteration.  Cold mode
 * evicts before each launch, outside the counted region. */
static int count_events(const hy_bench_env *env, launch_ctx *lc, int cold, int64_t iters,
                        hy_bench_meta *meta, char (*names)[40], hy_error *err)
{
    hy_counters *ctr = env->counters;
    int n = hy_counters_count(ctr);
    if (n == 0 || iters < 1) return 0;
    long long total[HY_COUNTERS_MAX] = {0}, v[HY_COUNTERS_MAX];
    double dummy = -1;
    int64_t reps = cold ? iters : 1, per = cold ? 1 : iters;
    for (int64_t r = 0; r < reps; r++) {
        if (cold && env->evictor) hy_evict_caches(env->evictor);
        if (hy_counters_start(ctr, err)) return -1;
        for (int64_t i = 0; i < per; i++)
            if (launch_once(lc, &dummy, err)) {
                hy_counters_stop(ctr, v, NULL);
                return -1;
            }
        if (hy_counters_stop(ctr, v, err)) return -1;
        for (int k = 0; k < n; k++) total[k] += v[k];
    }
    for (int k = 0; k < n && meta->nextra < HY_RESULTS_MAX_EXTRA; k++) {
        snprintf(names[k], sizeof names[k], "papi_%s", hy_counters_name(ctr, k));
        meta->extra[meta->nextra].name = names[k];
        meta->extra[meta->nextra].value = (double)total[k] / (double)iters;
        meta->nextra++;
    }
    return 0;
}

static void log_line(const hy_bench_opts *o, const hy_bench_outcome *out)
{
    if (!o->log) return;
    if (strcmp(out->status, "ok") == 0) {
        fprintf(o->log, "%-7s %s\n        %10.4g ms  %8.2f GFLOP/s  %8.2f GB/s  AI %6.2f", "ok",
                out->name, out->median_s * 1e3, out->gflops, out->gbps, out->intensity);
        if (isfinite(out->roofline_fraction))
            fprintf(o->log, "  roofline %5.1f%%", 100 * out->roofline_fraction);
        fprintf(o->log, "  %s  err %.2g%s\n", hy_cache_mode_name(out->cache), out->validation_error,
                out->validation_reduced ? " (validated at reduced T)" : "");
    } else {
        fprintf(o->log, "%-7s %s\n        %s\n", out->status, out->name, out->message);
    }
    fflush(o->log);
}

/* Times the one case in lc in place: warm (repeated launches), or cold
 * (one launch per repetition after evicting the caches). */
static int time_in_place(const hy_bench_env *env, const hy_bench_opts *o, int cold,
                         const char *name, launch_ctx *lc, hy_timing *timing, hy_error *err)
{
    const hy_backend *b = lc->b;
    hy_timer_options topts = hy_timer_default_options();
    topts.engine = o->engine;
    if (backend_has_clock(b))
        topts.clock = (hy_timer_clock){.name = b->timing_clock ? b->timing_clock : "device clock",
                                       .begin = clock_begin, .end = clock_end, .ctx = lc};
    if (cold) {
        topts.evict = hy_evict_caches;
        topts.evict_ctx = env->evictor;
        topts.repetitions = o->repetitions > 0 ? o->repetitions : 20;
    } else {
        topts.repetitions = o->repetitions > 0 ? o->repetitions : 5;
        if (o->min_time_s > 0) topts.min_time_s = o->min_time_s;
    }
    return hy_time_function(name, launch_once, lc, &topts, timing, err);
}

/* Times shape s streamed through distinct copies (hy_stream_timing.h);
 * the copies go into meta's extra counters. */
static int time_streamed(const hy_bench_env *env, const hy_kernel_variant *v,
                         const hy_bench_shape *s, const hy_bench_opts *o, hy_val_case *first,
                         hy_bench_meta *meta, hy_timing *timing, int *copies, hy_error *err)
{
    double llc = env->llc_bytes;
    if (!(llc > 0)) {
        hy_cache_info ci;
        hy_cache_info_detect(&ci);
        llc = (double)hy_cache_llc_bytes(&ci);
    }
    hy_stream_plan plan;
    hy_stream_plan_make(&s->v, llc, &plan);
    if (plan.memory_capped && o->log)
        fprintf(o->log, "        %d copies for the memory available (fewer than the cache "
                        "needs: partly warm)\n", plan.copies);
    char why[300] = "";
    int rounds = o->repetitions > 0 ? o->repetitions : 20;
    if (hy_stream_time(env->backend, env->ex, v, &s->v, o->seed, &plan, rounds, first, timing,
                       why, sizeof why))
        return hy_fail(err, "streamed timing: %s", why);
    *copies = plan.copies;
    if (meta->nextra + 2 <= HY_RESULTS_MAX_EXTRA) {
        meta->extra[meta->nextra++] = (hy_result_counter){"copies", (double)plan.copies};
        meta->extra[meta->nextra++] = (hy_result_counter){"copies_bytes", plan.footprint};
    }
    return 0;
}

int hy_bench_run(const hy_bench_env *env, const hy_kernel_variant *v, const hy_bench_shape *s,
                 const hy_bench_opts *o, hy_bench_outcome *out, hy_error *err)
{
    memset(out, 0, sizeof *out);
    out->median_s = out->gflops = out->gbps = out->roofline_fraction = NAN;
    out->validation_error = NAN;
    if (!env || !env->backend || !env->results || !v || !s || !o)
        return hy_fail(err, "bench: missing backend, results, variant, shape or options");
    const hy_backend *b = env->backend;
    hy_cost cost = hy_val_shape_cost(&s->v);
    out->flops = cost.flops;
    out->bytes = cost.bytes;
    out->intensity = hy_cost_intensity(cost);
    out->cache = o->cache != HY_CACHE_AUTO         ? o->cache
                 : s->phase == HY_PHASE_DECODE ? HY_CACHE_STREAMED
                                               : HY_CACHE_WARM;

    hy_bench_meta meta = {.family = hy_family_name(s->v.family), .variant = v->name,
                          .backend = b->name, .shape = s->name, .threads = o->threads,
                          .flops = cost.flops, .bytes = cost.bytes, .validation_error = -1};
    hy_bench_roofline_peaks(env->ceilings, b, v, o, out->intensity, &meta.peak_gflops,
                            &meta.peak_gbps);
    if (hy_bench_name(&meta, out->name, sizeof out->name, err)) return -1;
    if (hy_results_has(env->results, out->name)) {
        set_outcome_failure(out, "skipped", "already in the resumed results file");
        log_line(o, out);
        return 0;
    }

    /* 1. Validation (on the full shape, or the reduced one). */
    hy_val_shape vshape;
    double budget = o->validate_flops > 0 ? o->validate_flops : HY_BENCH_VALIDATE_FLOPS;
    out->validation_reduced = hy_bench_validation_shape(&s->v, budget, &vshape);
    hy_cost vcost = hy_val_shape_cost(&vshape);
    out->tolerance = hy_variant_tolerance(v, s->v.family, vcost.reduction_len);
    switch (vshape.family) {
    case HY_FAM_LINEAR: out->validated_T = vshape.s.linear.T; break;
    case HY_FAM_RMSNORM: out->validated_T = vshape.s.rmsnorm.T; break;
    case HY_FAM_CONV1D: out->validated_T = vshape.s.conv1d.T; break;
    case HY_FAM_SCAN: out->validated_T = vshape.s.scan.T; break;
    case HY_FAM_SSD: out->validated_T = vshape.s.ssd.T; break;
    case HY_FAM_ATTENTION: out->validated_T = vshape.s.attention.T; break;
    case HY_FAM_MOE: out->validated_T = vshape.s.moe.T; break;
    case HY_FAM_MLP: out->validated_T = vshape.s.mlp.T; break;
    default: break;
    }
    meta.extra[meta.nextra++] = (hy_result_counter){"validated_T", (double)out->validated_T};
    meta.extra[meta.nextra++] = (hy_result_counter){"validation_reduced", out->validation_reduced};
    meta.extra[meta.nextra++] = (hy_result_counter){"tolerance", out->tolerance};

    hy_error kerr = {{0}};
    hy_val_case *vc = NULL;
    hy_check_result check;
    memset(&check, 0, sizeof check);
    int rc = 0;
    if (hy_val_case_create(b, env->ex, &vshape, o->seed, &vc, &kerr) ||
        hy_val_case_bind(vc, v, &kerr) || hy_val_case_reset(vc, &kerr)) {
        check.status = HY_CHECK_ERROR;
        snprintf(check.message, sizeof check.message, "%.500s", kerr.msg);
    } else if ((rc = hy_val_case_launch(vc, &kerr)) == HY_UNSUPPORTED) {
        check.status = HY_CHECK_UNSUPPORTED;
        snprintf(check.message, sizeof check.message, "%.500s", kerr.msg[0] ? kerr.msg : "unsupported shape");
    } else if (rc != 0) {
        check.status = HY_CHECK_ERROR;
        snprintf(check.message, sizeof check.message, "kernel failed: %.480s", kerr.msg);
    } else {
        hy_val_case_check(vc, &check);
    }
    out->validation_error = check.error;
    if (check.status != HY_CHECK_PASS) {
        const char *status = check.status == HY_CHECK_FAIL          ? "validation-failed"
                             : check.status == HY_CHECK_UNSUPPORTED ? "unsupported"
                                                                    : "error";
        char msg[640];
        snprintf(msg, sizeof msg, "%s at T=%lld: %.500s", hy_check_status_name(check.status),
                 (long long)out->validated_T, check.message);
        set_outcome_failure(out, status, msg);
        hy_val_case_destroy(vc);
        if (isfinite(check.error)) meta.validation_error = check.error;
        int wrc = hy_results_add_failure(env->results, &meta, status, msg, err);
        log_line(o, out);
        return wrc;
    }
    meta.validation_error = check.error;

    /* 2. The case to time: the validated one, or a timing-only full one. */
    launch_ctx lc = {.vc = vc, .b = b, .ex = env->ex,
                     .sync = !b->host_memory && b->synchronize && !backend_has_clock(b)};
    if (out->validation_reduced) {
        hy_val_case_destroy(vc);
        vc = NULL;
        lc.vc = NULL;
        if (hy_val_case_create_opts(b, env->ex, &s->v, o->seed, 0, &vc, &kerr) ||
            hy_val_case_bind(vc, v, &kerr)) {
            char msg[600];
            snprintf(msg, sizeof msg, "setting up the full shape: %.500s", kerr.msg);
            set_outcome_failure(out, "error", msg);
            hy_val_case_destroy(vc);
            int wrc = hy_results_add_failure(env->results, &meta, "error", msg, err);
            log_line(o, out);
            return wrc;
        }
        lc.vc = vc;
    }

    /* 3. Timing. */
    if (out->cache == HY_CACHE_COLD && !env->evictor) {
        hy_val_case_destroy(vc);
        return hy_fail(err, "bench: cold-cache timing needs an evictor");
    }
    hy_timing timing;
    memset(&timing, 0, sizeof timing);
    char counter_names[HY_COUNTERS_MAX][40]; /* meta.extra points here */
    int trc = out->cache == HY_CACHE_STREAMED
                  ? time_streamed(env, v, s, o, lc.vc, &meta, &timing, &out->copies, &kerr)
                  : time_in_place(env, o, out->cache == HY_CACHE_COLD, out->name, &lc, &timing,
                                  &kerr);
    if (trc == 0) {
        int64_t iters = timing.iterations[0];
        if (iters > 100) iters = 100;
        /* streamed: counted per call as cold calls (the copies are gone) */
        if (lc.vc && count_events(env, &lc, out->cache != HY_CACHE_WARM, iters, &meta,
                                  counter_names, &kerr)) {
            /* counters that fail mid-run do not invalidate the timing */
            if (o->log) fprintf(o->log, "        PAPI: %s\n", kerr.msg);
        }
        /* launches since the clock's last stop may still be running */
        hy_error ignored;
        if (!b->host_memory && b->synchronize) (void)b->synchronize(env->ex, &ignored);
    }
    hy_val_case_destroy(vc);
    if (trc != 0) {
        set_outcome_failure(out, "error", kerr.msg);
        int wrc = hy_results_add_failure(env->results, &meta, "error", kerr.msg, err);
        log_line(o, out);
        hy_timing_free(&timing);
        return wrc;
    }
    out->median_s = hy_stats_median(timing.seconds, (size_t)timing.repetitions);
    out->gflops = cost.flops > 0 ? cost.flops / out->median_s / 1e9 : NAN;
    out->gbps = cost.bytes > 0 ? cost.bytes / out->median_s / 1e9 : NAN;
    if (meta.peak_gflops > 0 && meta.peak_gbps > 0 && cost.flops > 0 && cost.bytes > 0)
        out->roofline_fraction =
            out->gflops / fmin(meta.peak_gflops, out->intensity * meta.peak_gbps);
    else if (cost.flops <= 0 && meta.peak_gbps > 0)
        out->roofline_fraction = out->gbps / meta.peak_gbps;
    snprintf(out->status, sizeof out->status, "ok");
    int wrc = hy_results_add_timing(env->results, &meta, &timing, err);
    hy_timing_free(&timing);
    log_line(o, out);
    return wrc;
}
