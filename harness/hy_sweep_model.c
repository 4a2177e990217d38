/* hy_sweep_model.c — the sweep's whole-model checks (hy_sweep.h): the
 * full-depth model of a ratio, validated on a tiny model of the same
 * layout, then timed through hy_runtime (prefill and decode at the check
 * length) and compared with the composed cost. */
#include "hy_sweep_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hy_config.h"
#include "hy_forward.h"
#include "hy_stats.h"
#include "hy_weights.h"

/* The same layer layout (layers, attention and expert periods) at toy
 * sizes, for checking the backend's forward against the reference. */
static int tiny_twin(const hy_config *big, hy_config *t, hy_error *err)
{
    *t = *big;
    snprintf(t->name, sizeof t->name, "%.50s-tiny", big->name);
    t->vocab = 256;
    t->hidden = 64;
    t->n_heads = 4;
    t->n_kv_heads = big->n_kv_heads == big->n_heads ? 4 : big->n_kv_heads == 1 ? 1 : 2;
    t->head_dim = 16;
    t->intermediate = 96;
    t->n_experts = big->n_experts < 4 ? big->n_experts : 4;
    t->top_k = big->top_k < t->n_experts ? big->top_k : t->n_experts;
    t->d_inner = 0;
    t->dt_rank = 0;
    t->max_positions = 4096;
    if (t->sliding_window > 8) t->sliding_window = 8;
    return hy_config_validate(t, err);
}

/* Forward of the runtime against the reference on the tiny twin, prefill
 * and decode.  0 with *ok set; the message says what failed. */
static int validate_layout(const hy_backend *b, const hy_config *cfg, uint64_t seed, int *ok,
                           double *error, char *msg, size_t msg_len, hy_error *err)
{
    hy_config t;
    hy_model *m = NULL;
    *ok = 0;
    if (tiny_twin(cfg, &t, err) || hy_model_random(&t, seed, &m, err))
        return hy_fail_prefix(err, "tiny model of the layout");
    *error = 0;
    *ok = 1;
    const hy_forward_mode modes[2] = {HY_FWD_PREFILL, HY_FWD_DECODE};
    for (int i = 0; i < 2; i++) {
        hy_check_result r;
        hy_validate_forward(b, &t, &m->w, modes[i], 8, 0, seed, HY_FORWARD_TOLERANCE, &r);
        if (r.status != HY_CHECK_PASS) {
            *ok = 0;
            snprintf(msg, msg_len, "forward %s of a tiny model with this layout: %s (error %.2e, "
                                   "tolerance %.1e) %s",
                     hy_forward_mode_name(modes[i]), hy_check_status_name(r.status), r.error,
                     r.tolerance, r.message);
            break;
        }
        if (r.error > *error) *error = r.error;
    }
    hy_model_free(m);
    return 0;
}

typedef struct check_run {
    hy_runtime *rt;
    int32_t *tokens; /* [L + steps] */
    float *logits;   /* [L, V]      */
} check_run;

/* Adds one whole-model timing entry.  secs [n] seconds per call. */
static int add_entry(sweep_ctx *x, const char *shape, const double *secs, int n, double tokens,
                     double composed, double verr, hy_error *err)
{
    hy_timer_options to = hy_timer_default_options();
    to.ncounters = 0;
    hy_timing t;
    if (hy_timing_alloc(&t, "builtin", n, 0, 0, &to, err)) return -1;
    for (int i = 0; i < n; i++) {
        t.seconds[i] = secs[i];
        t.cpu_seconds[i] = secs[i];
        t.iterations[i] = 1;
    }
    double med = hy_stats_median(secs, (size_t)n);
    hy_bench_meta m = {.family = "model", .variant = "forward", .backend = x->env->backend->name,
                       .shape = shape, .threads = x->o->bench.threads, .validation_error = verr,
                       .time_unit = "ms"};
    m.extra[m.nextra++] = (hy_result_counter){"tokens", tokens};
    m.extra[m.nextra++] = (hy_result_counter){"composed_seconds", composed};
    m.extra[m.nextra++] = (hy_result_counter){"agreement", (med - composed) / composed};
    int rc = hy_results_add_timing(x->env->results, &m, &t, err);
    hy_timing_free(&t);
    return rc;
}

/* Bytes the check needs: weights, caches, logits, activations (generous). */
static double check_memory(const hy_config *c, int64_t L, int64_t cap)
{
    hy_memory_bytes mb = hy_memory_account(c, cap, HY_F32, HY_F32);
    double act = (double)L * (double)(8 * c->hidden + 8 * c->d_inner + 4 * c->n_heads * c->head_dim +
                                      3 * c->top_k * c->intermediate) * 4.0;
    return mb.weights + mb.kv_cache + mb.conv_state + mb.ssm_state + (double)L * (double)c->vocab * 4 +
           1.5 * act;
}

static void set_check(hy_sweep_check *k, const char *status, const char *msg)
{
    snprintf(k->status, sizeof k->status, "%s", status);
    snprintf(k->message, sizeof k->message, "%.239s", msg);
}

/* Says, for a check outside the tolerance, where the difference between a
 * whole model and the sum of its kernel timings can come from. */
static void explain(hy_sweep_check *k)
{
    if (strcmp(k->status, "outside 10%") != 0 || k->message[0]) return;
    if (k->phase == HY_PHASE_PREFILL)
        snprintf(k->message, sizeof k->message,
                 "model %s than its kernels timed alone and warm: in it each kernel follows "
                 "other layers' (their data evicted, threads parked between calls) and MoE "
                 "routes real hidden states",
                 k->agreement > 0 ? "is slower" : "is faster");
    else
        snprintf(k->message, sizeof k->message,
                 "model %s than its kernels streamed through distinct copies of their data: in "
                 "it different kernels follow each other (prefetchers, code), activations stay "
                 "in L1/L2, and other processes add to short calls",
                 k->agreement > 0 ? "is slower" : "is faster");
}

/* One ratio: both phases. */
static int run_check(sweep_ctx *x, const hy_sweep_ratio *r, size_t si, hy_error *err)
{
    const hy_sweep_opts *o = x->o;
    const int64_t L = o->seqs[si];
    const int reps = o->check_repetitions > 0 ? o->check_repetitions : 5;
    const int steps = o->decode_steps > 0 ? o->decode_steps : 32;
    hy_sweep_check *ck[2] = {NULL, NULL};
    double composed[2] = {NAN, NAN};
    char shape[2][200], name[2][260];
    int need_run = 0;
    hy_sweep_layout lay;
    hy_config cfg;
    if (hy_sweep_layout_of(&o->base, r, &lay, &cfg, err)) return -1;
    for (int ph = 0; ph < 2; ph++) {
        if (!o->phases[ph]) continue;
        hy_sweep_check *k = ck[ph] = &x->res->checks[x->res->n_checks++];
        memset(k, 0, sizeof *k);
        k->ratio = *r;
        k->phase = (hy_phase)ph;
        k->L = L;
        k->measured_s = k->agreement = NAN;
        hy_sweep_compose_spread(&lay, &x->res->points[ph][si], &k->composed);
        k->measured.median = k->measured.lo = k->measured.hi = NAN;
        composed[ph] = k->composed_s = k->composed.median;
        snprintf(shape[ph], sizeof shape[ph], "%s/%s/L=%lld/ratio=%s", o->label,
                 hy_phase_name((hy_phase)ph), (long long)L, r->text);
        snprintf(name[ph], sizeof name[ph], "model/forward/%.40s/%.199s", x->env->backend->name, shape[ph]);
        hy_sweep_spread known;
        if (r->swa) {
            set_check(k, "skipped", "hy_runtime uses one window for every attention layer, so a "
                                    "local:global layout is composed only");
        } else if (!isfinite(composed[ph])) {
            set_check(k, "skipped", "the layer kinds at this length were not all measured");
        } else if (sweep_table_get(&x->file, name[ph], &known)) {
            hy_sweep_check_judge(k, known.median, composed[ph]);
            k->measured = known;
            snprintf(k->message, sizeof k->message, "from the resumed results file");
        } else {
            need_run = 1;
        }
    }
    if (!need_run) return 0;

    /* Budgets. */
    double est = 0;
    for (int ph = 0; ph < 2; ph++)
        if (ck[ph] && isfinite(composed[ph])) est += composed[ph] * (ph == 0 ? reps + 1 : steps + 1);
    hy_memory_bytes mb = hy_memory_account(&cfg, L + steps, HY_F32, HY_F32);
    est += mb.weights / 1.5e8; /* random weights: about 150 MB/s */
    double need = check_memory(&cfg, L, L + steps), avail = hy_available_memory();
    double budget = o->check_budget > 0 ? o->check_budget : 180;
    char why[240] = "";
    if (avail > 0 && need > 0.8 * avail)
        snprintf(why, sizeof why, "needs about %.1f GB, %.1f GB available", need / 1e9, avail / 1e9);
    else if (est > budget)
        snprintf(why, sizeof why, "estimated %.0f s, over the check budget of %.0f s", est, budget);
    else if (est > sweep_time_left(x))
        snprintf(why, sizeof why, "estimated %.0f s, more than the time left under --max-time", est);
    else if (sweep_out_of_time(x))
        snprintf(why, sizeof why, "not started: --max-time reached");
    if (why[0]) {
        hy_progress_note(&x->progress, "skipping the whole-model check of %s at L=%lld: %s",
                         r->text, (long long)L, why);
        for (int ph = 0; ph < 2; ph++)
            if (ck[ph] && !ck[ph]->status[0]) set_check(ck[ph], "skipped", why);
        return 0;
    }

    /* Validation of this layout's forward on the backend. */
    const hy_backend *b = x->env->backend;
    int ok = 0;
    double verr = NAN;
    char msg[600] = "";
    char item[120];
    snprintf(item, sizeof item, "check %s: validating the forward", r->text);
    hy_progress_update(&x->progress, x->steps_done, item, -1);
    if (validate_layout(b, &cfg, o->bench.seed, &ok, &verr, msg, sizeof msg, err)) return -1;
    if (!ok) {
        for (int ph = 0; ph < 2; ph++) {
            if (!ck[ph] || ck[ph]->status[0]) continue;
            set_check(ck[ph], "validation-failed", msg);
            hy_bench_meta m = {.family = "model", .variant = "forward", .backend = b->name,
                               .shape = shape[ph]};
            if (hy_results_add_failure(x->env->results, &m, "validation-failed", msg, err)) return -1;
        }
        return 0;
    }

    /* The full model. */
    snprintf(item, sizeof item, "check %s: building the model", r->text);
    hy_progress_update(&x->progress, x->steps_done, item, -1);
    hy_model *m = NULL;
    check_run cr = {0};
    double *secs = NULL;
    int rc = 0;
    hy_error kerr = {{0}};
    if (hy_model_random(&cfg, o->bench.seed, &m, &kerr) ||
        hy_runtime_create(b, &cfg, &m->w, L, L + steps, &cr.rt, &kerr)) {
        for (int ph = 0; ph < 2; ph++)
            if (ck[ph] && !ck[ph]->status[0]) set_check(ck[ph], "error", kerr.msg);
        goto done;
    }
    cr.tokens = malloc((size_t)(L + steps) * sizeof *cr.tokens);
    cr.logits = malloc((size_t)L * (size_t)cfg.vocab * sizeof *cr.logits);
    secs = malloc((size_t)(reps > steps ? reps : steps) * sizeof *secs);
    if (!cr.tokens || !cr.logits || !secs) {
        for (int ph = 0; ph < 2; ph++)
            if (ck[ph] && !ck[ph]->status[0]) set_check(ck[ph], "error", "out of host memory");
        goto done;
    }
    hy_val_rng rng;
    hy_val_rng_seed(&rng, o->bench.seed + 11);
    for (int64_t t = 0; t < L + steps; t++)
        cr.tokens[t] = (int32_t)(hy_val_rng_next(&rng) % (uint64_t)cfg.vocab);

    /* Prefill: reset (untimed), L tokens (timed); the last one stays for decode. */
    snprintf(item, sizeof item, "check %s: prefill L=%lld", r->text, (long long)L);
    hy_progress_update(&x->progress, x->steps_done, item, -1);
    int prefill_reps = ck[HY_PHASE_PREFILL] && !ck[HY_PHASE_PREFILL]->status[0] ? reps : 1;
    for (int i = 0; i < prefill_reps && !kerr.msg[0]; i++) {
        hy_runtime_reset(cr.rt);
        double t0 = hy_timer_now();
        if (hy_runtime_forward(cr.rt, cr.tokens, L, cr.logits, &kerr)) break;
        secs[i] = hy_timer_now() - t0;
    }
    hy_sweep_check *k = ck[HY_PHASE_PREFILL];
    if (kerr.msg[0]) {
        for (int ph = 0; ph < 2; ph++)
            if (ck[ph] && !ck[ph]->status[0]) set_check(ck[ph], "error", kerr.msg);
        goto done;
    }
    if (k && !k->status[0]) {
        hy_sweep_spread_of(secs, (size_t)prefill_reps, &k->measured);
        k->repetitions = prefill_reps;
        hy_sweep_check_judge(k, k->measured.median, composed[0]);
        if (add_entry(x, shape[0], secs, prefill_reps, (double)L, composed[0], verr, err)) {
            rc = -1;
            goto done;
        }
    }
    /* Decode: one token per call at context L, L+1, ... */
    k = ck[HY_PHASE_DECODE];
    if (k && !k->status[0]) {
        snprintf(item, sizeof item, "check %s: decode at L=%lld", r->text, (long long)L);
        hy_progress_update(&x->progress, x->steps_done, item, -1);
        for (int i = 0; i < steps; i++) {
            double t0 = hy_timer_now();
            if (hy_runtime_forward(cr.rt, cr.tokens + L + i, 1, cr.logits, &kerr)) break;
            secs[i] = hy_timer_now() - t0;
        }
        if (kerr.msg[0]) {
            set_check(k, "error", kerr.msg);
        } else {
            hy_sweep_spread_of(secs, (size_t)steps, &k->measured);
            k->repetitions = steps;
            hy_sweep_check_judge(k, k->measured.median, composed[1]);
            if (add_entry(x, shape[1], secs, steps, 1, composed[1], verr, err)) rc = -1;
        }
    }
done:
    for (int ph = 0; ph < 2; ph++)
        if (ck[ph]) explain(ck[ph]);
    free(secs);
    free(cr.tokens);
    free(cr.logits);
    hy_runtime_destroy(cr.rt);
    hy_model_free(m);
    for (int ph = 0; ph < 2; ph++)
        if (ck[ph] && o->log && hy_sweep_check_measured(ck[ph]))
            fprintf(o->log, "check %-6s %-7s L=%-6lld measured %10.3f ms [%.3f, %.3f]  composed "
                            "%10.3f ms [%.3f, %.3f]  agreement %+6.1f%%  %s\n",
                    r->text, hy_phase_name((hy_phase)ph), (long long)L, ck[ph]->measured_s * 1e3,
                    ck[ph]->measured.lo * 1e3, ck[ph]->measured.hi * 1e3,
                    ck[ph]->composed_s * 1e3, ck[ph]->composed.lo * 1e3,
                    ck[ph]->composed.hi * 1e3, ck[ph]->agreement * 100, ck[ph]->status);
        else if (ck[ph] && o->log)
            fprintf(o->log, "check %-6s %-7s L=%-6lld %s: %s\n", r->text,
                    hy_phase_name((hy_phase)ph), (long long)L, ck[ph]->status, ck[ph]->message);
    return rc;
}

int sweep_run_checks(sweep_ctx *x, hy_error *err)
{
    const hy_sweep_opts *o = x->o;
    size_t si = 0;
    for (size_t i = 0; i < o->n_seq; i++)
        if (o->seqs[i] == o->check_seq) si = i;
    for (size_t c = 0; c < o->n_checks; c++) {
        if (run_check(x, &o->checks[c], si, err)) return -1;
        x->steps_done++;
        if (hy_sweep_write_summary(o, x->res, x->res->summary_path, err)) return -1;
    }
    return 0;
}
