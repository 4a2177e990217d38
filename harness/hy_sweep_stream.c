/* hy_sweep_stream.c — the sweep's streamed decode timing (hy_sweep.h): a
 * decode kernel timed as a layer of a model larger than the cache runs it,
 * its data evicted by the other layers' and its threads hot, by cycling
 * back to back through K distinct copies of its case. */
#include "hy_sweep_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define STREAM_MAX_COPIES 1024

/* Bytes one case of s holds: what a call moves, and for MoE every
 * expert's weights although a call reads top_k of them. */
static double case_footprint(const hy_bench_shape *s)
{
    double bytes = hy_val_shape_cost(&s->v).bytes;
    if (s->v.family == HY_FAM_MOE && s->v.s.moe.k > 0)
        bytes *= (double)s->v.s.moe.E / (double)s->v.s.moe.k;
    return bytes;
}

int sweep_stream_plan(const sweep_ctx *x, const hy_bench_shape *s, double *footprint)
{
    int k = hy_sweep_stream_copies(hy_val_shape_cost(&s->v).bytes, x->llc_bytes, STREAM_MAX_COPIES);
    *footprint = k * case_footprint(s);
    return k;
}

static void destroy_all(hy_val_case **cs, int n) /* cs: [n], NULL entries allowed */
{
    for (int i = 0; i < n; i++) hy_val_case_destroy(cs[i]);
    free(cs);
}

/* One round: every copy once, back to back; the device (if any) is
 * synchronised at the end only. */
static int round_once(const sweep_ctx *x, hy_val_case **cs, int k, double *seconds, hy_error *err)
{
    const hy_backend *b = x->env->backend;
    double t0 = hy_timer_now();
    for (int i = 0; i < k; i++) {
        int rc = hy_val_case_launch(cs[i], err);
        if (rc == HY_UNSUPPORTED) return hy_fail(err, "unsupported during timing");
        if (rc) return -1;
    }
    if (!b->host_memory && b->synchronize && b->synchronize(x->env->ex, err)) return -1;
    *seconds = hy_timer_now() - t0;
    return 0;
}

int sweep_time_streamed(sweep_ctx *x, const hy_kernel_variant *v, const hy_bench_shape *s,
                        const char *shape_name, double validation_error, char *why,
                        size_t why_len, hy_error *err)
{
    const hy_backend *b = x->env->backend;
    hy_cost cost = hy_val_shape_cost(&s->v);
    hy_bench_meta m = {.family = hy_family_name(s->v.family), .variant = v->name,
                       .backend = b->name, .shape = shape_name, .threads = x->o->bench.threads,
                       .flops = cost.flops, .bytes = cost.bytes,
                       .validation_error = validation_error};
    hy_bench_roofline_peaks(x->env->ceilings, b, v, &x->o->bench, hy_cost_intensity(cost),
                            &m.peak_gflops, &m.peak_gbps);
    char name[400];
    if (hy_bench_name(&m, name, sizeof name, err)) return -1;
    if (hy_results_has(x->env->results, name)) return 0; /* resumed */

    double footprint;
    int k = sweep_stream_plan(x, s, &footprint), made = 0;
    double avail = sweep_available_memory();
    if (avail > 0 && footprint > 0.5 * avail) {
        k = (int)fmax(1, floor(0.5 * avail / case_footprint(s)));
        footprint = k * case_footprint(s);
        hy_progress_note(&x->progress, "%s: %d copies for the memory available (fewer than the "
                                       "cache needs: partly warm)", name, k);
    }
    hy_val_case **cs = calloc((size_t)k, sizeof *cs);
    if (!cs) {
        snprintf(why, why_len, "out of memory for %d copies", k);
        return 1;
    }
    hy_error kerr = {{0}};
    for (; made < k; made++)
        if (hy_val_case_create_opts(b, x->env->ex, &s->v, x->o->bench.seed + 1000 + (uint64_t)made,
                                    0, &cs[made], &kerr) ||
            hy_val_case_bind(cs[made], v, &kerr))
            break;
    int rounds = x->o->bench.repetitions > 0 ? x->o->bench.repetitions : 15;
    if (rounds < 3) rounds = 3;
    hy_timer_options to = hy_timer_default_options();
    to.ncounters = 0;
    hy_timing t;
    memset(&t, 0, sizeof t);
    double warmup = 0;
    if (made < k || hy_timing_alloc(&t, "builtin", rounds, 0, 1, &to, &kerr) ||
        round_once(x, cs, k, &warmup, &kerr)) {
        snprintf(why, why_len, "copy %d of %d: %.200s", made + 1, k, kerr.msg);
        destroy_all(cs, k); /* calloc'd: the copies not made are NULL */
        hy_timing_free(&t);
        return 1;
    }
    for (int r = 0; r < rounds; r++) {
        double sec;
        if (round_once(x, cs, k, &sec, &kerr)) {
            snprintf(why, why_len, "round %d: %.200s", r + 1, kerr.msg);
            destroy_all(cs, k);
            hy_timing_free(&t);
            return 1;
        }
        t.seconds[r] = t.cpu_seconds[r] = sec / k;
        t.iterations[r] = k;
    }
    destroy_all(cs, k);
    t.warmup_calls = k;
    t.warmup_seconds = warmup;
    m.extra[m.nextra++] = (hy_result_counter){"copies", (double)k};
    m.extra[m.nextra++] = (hy_result_counter){"copies_bytes", footprint};
    int rc = hy_results_add_timing(x->env->results, &m, &t, err);
    if (!rc && x->o->log) {
        hy_sweep_spread sp;
        hy_sweep_spread_of(t.seconds, (size_t)rounds, &sp);
        fprintf(x->o->log, "ok      %s\n        %10.4g ms  [p10 %.4g, p90 %.4g]  streamed through "
                           "%d copies (%.1f MB)\n",
                name, sp.median * 1e3, sp.lo * 1e3, sp.hi * 1e3, k, footprint / 1e6);
    }
    hy_timing_free(&t);
    return rc ? -1 : 0;
}
