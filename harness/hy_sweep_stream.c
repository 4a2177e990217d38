/* hy_sweep_stream.c — the sweep's streamed decode entries (hy_sweep.h): a
 * decode kernel timed as a layer of a model larger than the cache runs it,
 * through hy_stream_timing.h, and added beside its warm entry. */
#include "hy_sweep_internal.h"

int sweep_stream_plan(const sweep_ctx *x, const hy_bench_shape *s, double *footprint)
{
    hy_stream_plan p;
    hy_stream_plan_make(&s->v, x->llc_bytes, &p);
    *footprint = p.footprint;
    return p.copies;
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

    hy_stream_plan plan;
    hy_stream_plan_make(&s->v, x->llc_bytes, &plan);
    if (plan.memory_capped)
        hy_progress_note(&x->progress, "%s: %d copies for the memory available (fewer than the "
                                       "cache needs: partly warm)", name, plan.copies);
    const int k = plan.copies;
    const double footprint = plan.footprint;
    int rounds = x->o->bench.repetitions > 0 ? x->o->bench.repetitions : 15;
    if (rounds < 3) rounds = 3;
    hy_timing t;
    if (hy_stream_time(b, x->env->ex, v, &s->v, x->o->bench.seed, &plan, rounds, NULL, &t,
                       why, why_len))
        return 1;
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
