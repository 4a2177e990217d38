/* hy_sweep.c — the sweep loop and the layer-kind costs (hy_sweep.h): for
 * each length and phase, the kernel calls of every layer kind, validated
 * and timed through hy_bench_run, summed into per-kind costs. */
#include "hy_sweep_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hy_cache_info.h"
#include "hy_config.h"
#include "hy_json.h"
#include "hy_stats.h"

/* ---- small tables ---------------------------------------------------------- */

/* The entry of key, created with NaN seconds when absent; NULL without memory. */
static sweep_known *table_slot(sweep_table *t, const char *key)
{
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->items[i].key, key) == 0) return &t->items[i];
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 64;
        sweep_known *g = realloc(t->items, cap * sizeof *g);
        if (!g) return NULL;
        t->items = g;
        t->cap = cap;
    }
    sweep_known *k = &t->items[t->n++];
    snprintf(k->key, sizeof k->key, "%s", key);
    k->s.median = k->s.lo = k->s.hi = NAN;
    return k;
}

int sweep_table_put(sweep_table *t, const char *key, const hy_sweep_spread *s)
{
    sweep_known *k = table_slot(t, key);
    if (!k) return -1;
    k->s = *s;
    return 0;
}

int sweep_table_get(const sweep_table *t, const char *key, hy_sweep_spread *s)
{
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->items[i].key, key) == 0 && isfinite(t->items[i].s.median)) {
            *s = t->items[i].s;
            return 1;
        }
    return 0;
}

void sweep_table_free(sweep_table *t)
{
    free(t->items);
    memset(t, 0, sizeof *t);
}

/* ---- machine ------------------------------------------------------------------ */

void sweep_peaks(const hy_ceilings *c, const hy_backend *b, double *gflops, double *gbps)
{
    if (hy_ceilings_backend_peaks(c, b ? b->name : NULL, gflops, gbps, NULL) || !(*gflops > 0) ||
        !(*gbps > 0))
        *gflops = 10, *gbps = 5;
}

double sweep_time_left(const sweep_ctx *x)
{
    return x->deadline > 0 ? x->deadline - hy_timer_now() : INFINITY;
}

int sweep_out_of_time(sweep_ctx *x)
{
    if (x->deadline > 0 && hy_timer_now() >= x->deadline) x->res->stopped = 1;
    return x->res->stopped;
}

void hy_sweep_opts_default(hy_sweep_opts *o)
{
    memset(o, 0, sizeof *o);
    o->phases[HY_PHASE_PREFILL] = o->phases[HY_PHASE_DECODE] = 1;
    hy_bench_opts_default(&o->bench);
    o->bench.validate_flops = 2.5e8;
    o->log = stdout;
}

/* ---- resume: medians already in the results file ------------------------------- */

static double unit_seconds(const char *unit)
{
    if (!unit || strcmp(unit, "ns") == 0) return 1e-9;
    if (strcmp(unit, "us") == 0) return 1e-6;
    if (strcmp(unit, "ms") == 0) return 1e-3;
    return 1;
}

static const char *jstr(const hy_json *o, const char *key)
{
    const hy_json *v = hy_json_get(o, key);
    return v && v->type == HY_JSON_STRING ? v->string : NULL;
}

static double jnum(const hy_json *o, const char *key)
{
    const hy_json *v = hy_json_get(o, key);
    return v && v->type == HY_JSON_NUMBER ? v->number : NAN;
}

/* Every finished timing of the file: the median, p10 and p90 aggregates,
 * or the single repetition of a one-repetition benchmark (all three). */
int sweep_load_file(sweep_ctx *x, hy_error *err)
{
    if (x->file_entries == hy_results_count(x->env->results) && x->file.n > 0) return 0;
    char *text = NULL;
    size_t len = 0;
    if (hy_read_file(hy_results_path(x->env->results), &text, &len, err)) return -1;
    hy_json *j = NULL;
    if (hy_json_parse(text, len, &j, err)) {
        free(text);
        return -1;
    }
    free(text);
    sweep_table_free(&x->file);
    const hy_json *bs = hy_json_get(j, "benchmarks");
    for (size_t i = 0; bs && bs->type == HY_JSON_ARRAY && i < bs->count; i++) {
        const hy_json *e = &bs->items[i];
        const char *rt = jstr(e, "run_type"), *agg = jstr(e, "aggregate_name"),
                   *name = jstr(e, "run_name");
        double reps = jnum(e, "repetitions"), t = jnum(e, "real_time");
        if (!name || !rt || !isfinite(t)) continue;
        t *= unit_seconds(jstr(e, "time_unit"));
        int aggregate = strcmp(rt, "aggregate") == 0 && agg;
        int single = strcmp(rt, "iteration") == 0 && reps == 1;
        if (!single && !(aggregate && (strcmp(agg, "median") == 0 || strcmp(agg, "p10") == 0 ||
                                       strcmp(agg, "p90") == 0)))
            continue;
        sweep_known *k = table_slot(&x->file, name);
        if (!k) {
            hy_json_free(j);
            return hy_fail(err, "out of memory");
        }
        if (single) k->s.median = k->s.lo = k->s.hi = t;
        else if (strcmp(agg, "median") == 0) k->s.median = t;
        else if (strcmp(agg, "p10") == 0) k->s.lo = t;
        else k->s.hi = t;
    }
    hy_json_free(j);
    x->file_entries = hy_results_count(x->env->results);
    return 0;
}

/* ---- the kernel calls of each layer kind ----------------------------------------- */

typedef struct part_def {
    int ffn;          /* 0: mixer kind, 1: FFN kind, 2: head */
    int kind;
    hy_family family;
    const char *role; /* role in hy_bench_derive, or "lm_head" / "embed" */
    int times;        /* calls per layer                                 */
} part_def;

static const part_def PARTS[] = {
    {0, HY_MIX_ATTN, HY_FAM_RMSNORM, "layernorm", 1},
    {0, HY_MIX_ATTN, HY_FAM_LINEAR, "q_proj", 1},
    {0, HY_MIX_ATTN, HY_FAM_LINEAR, "kv_proj", 2},
    {0, HY_MIX_ATTN, HY_FAM_ATTENTION, "attention", 1},
    {0, HY_MIX_ATTN, HY_FAM_LINEAR, "o_proj", 1},
    {0, HY_MIX_ATTN_LOCAL, HY_FAM_RMSNORM, "layernorm", 1},
    {0, HY_MIX_ATTN_LOCAL, HY_FAM_LINEAR, "q_proj", 1},
    {0, HY_MIX_ATTN_LOCAL, HY_FAM_LINEAR, "kv_proj", 2},
    {0, HY_MIX_ATTN_LOCAL, HY_FAM_ATTENTION, "attention", 1}, /* window W */
    {0, HY_MIX_ATTN_LOCAL, HY_FAM_LINEAR, "o_proj", 1},
    {0, HY_MIX_MAMBA, HY_FAM_RMSNORM, "layernorm", 1},
    {0, HY_MIX_MAMBA, HY_FAM_LINEAR, "in_proj", 1},
    {0, HY_MIX_MAMBA, HY_FAM_CONV1D, "conv1d", 1},
    {0, HY_MIX_MAMBA, HY_FAM_LINEAR, "x_proj", 1},
    {0, HY_MIX_MAMBA, HY_FAM_RMSNORM, "dt_layernorm", 1},
    {0, HY_MIX_MAMBA, HY_FAM_RMSNORM, "bc_layernorm", 2},
    {0, HY_MIX_MAMBA, HY_FAM_LINEAR, "dt_proj", 1},
    {0, HY_MIX_MAMBA, HY_FAM_SCAN, "scan", 1},
    {0, HY_MIX_MAMBA, HY_FAM_LINEAR, "out_proj", 1},
    {1, HY_FFN_DENSE, HY_FAM_RMSNORM, "layernorm", 1},
    {1, HY_FFN_DENSE, HY_FAM_MLP, "mlp", 1},
    {1, HY_FFN_MOE, HY_FAM_RMSNORM, "layernorm", 1},
    {1, HY_FFN_MOE, HY_FAM_MOE, "moe", 1},
    {2, 0, HY_FAM_RMSNORM, "layernorm", 1}, /* final_layernorm: same shape */
    {2, 0, HY_FAM_LINEAR, "lm_head", 1},
};
#define N_PARTS (sizeof PARTS / sizeof PARTS[0])

static int part_needed(const sweep_ctx *x, const part_def *p)
{
    if (p->ffn == 0) return x->need_mixer[p->kind];
    if (p->ffn == 1) return x->need_ffn[p->kind];
    return 1;
}

/* The shape of part p at (phase, L): derived from a config that has every
 * kind (1:1 layout; the local window for local attention). */
static int part_shape(const sweep_ctx *x, const part_def *p, hy_phase ph, int64_t L,
                      hy_bench_shape *out, hy_error *err)
{
    const hy_config *base = &x->o->base;
    hy_config c = *base;
    if (base->n_layers >= 2 && hy_config_with_ratio(base, "1:1", &c, err)) return -1;
    c.sliding_window = p->ffn == 0 && p->kind == HY_MIX_ATTN_LOCAL ? x->o->window : 0;
    if (p->ffn == 1 && p->kind == HY_FFN_MOE) {
        c.expert_period = 1; /* every layer MoE, so derive gives the shape */
        c.expert_offset = 0;
    }
    if (p->ffn == 1 && p->kind == HY_FFN_DENSE) {
        c.n_experts = 1;
        c.top_k = 1;
    }
    if (strcmp(p->role, "lm_head") == 0) {
        memset(out, 0, sizeof *out);
        if (hy_config_validate(&c, err)) return -1;
        out->v.family = HY_FAM_LINEAR;
        out->v.s.linear = (hy_linear_shape){.T = ph == HY_PHASE_DECODE ? 1 : L, .in = c.hidden,
                                            .out = c.vocab};
        snprintf(out->v.label, sizeof out->v.label, "lm_head");
        out->phase = ph;
        snprintf(out->role, sizeof out->role, "lm_head");
        char params[160];
        hy_bench_shape_params(&out->v, params, sizeof params);
        snprintf(out->name, sizeof out->name, "%s/%s/L=%lld/lm_head/%s", x->o->label,
                 hy_phase_name(ph), (long long)L, params);
        return 0;
    }
    hy_bench_shape shapes[HY_BENCH_MAX_SHAPES_PER_FAMILY];
    size_t n = 0;
    char why[200];
    if (hy_bench_derive(&c, x->o->label, p->family, ph, L, shapes, HY_BENCH_MAX_SHAPES_PER_FAMILY,
                        &n, why, sizeof why, err))
        return -1;
    for (size_t i = 0; i < n; i++)
        if (strcmp(shapes[i].role, p->role) == 0) {
            *out = shapes[i];
            return 0;
        }
    return hy_fail(err, "%s: no %s shape for %s (%s)", x->o->label, p->role,
                   hy_family_name(p->family), why);
}

/* Reuse key: the same kernel shape is the same measurement at any L. */
static void reuse_key(const hy_kernel_variant *v, const char *backend, const hy_bench_shape *s,
                      char *buf, size_t len)
{
    char params[160];
    hy_bench_shape_params(&s->v, params, sizeof params);
    snprintf(buf, len, "%s/%s/%s|%s|%s", hy_family_name(s->v.family), v->name, backend,
             hy_phase_name(s->phase), params);
}

/* Roofline time of one call (s). */
static double roofline_seconds(const sweep_ctx *x, const hy_bench_shape *s)
{
    double gf, gb;
    sweep_peaks(x->env->ceilings, x->env->backend, &gf, &gb);
    hy_cost c = hy_val_shape_cost(&s->v);
    double tc = c.flops / (gf * 1e9), tb = c.bytes / (gb * 1e9);
    return tc > tb ? tc : tb;
}

/* Whether decode shape s is timed streamed (hy_sweep.h: the model's
 * weights exceed the last-level cache), or warm. */
static int shape_streamed(const sweep_ctx *x, const hy_bench_shape *s)
{
    return s->phase == HY_PHASE_DECODE && x->decode_streamed;
}

/* Estimated seconds to validate and time shape s (nothing measured yet). */
static double estimate_shape(const sweep_ctx *x, const hy_bench_shape *s)
{
    double call = roofline_seconds(x, s) * x->slowdown[s->v.family];
    const hy_bench_opts *b = &x->o->bench;
    int streamed = shape_streamed(x, s);
    int reps = b->repetitions > 0 ? b->repetitions : streamed ? 3 : 5;
    double min_time = b->min_time_s > 0 ? b->min_time_s : 0.1;
    if (streamed) min_time = 0.02;
    double timing = fmax(reps * min_time, (reps + 2) * call) + call;
    if (streamed) {
        /* a round moves every copy's bytes from DRAM, at half the triad
         * bandwidth, plus ~2 us a call; the cases are filled at ~300 MB/s */
        double footprint, gf, gb;
        int k = sweep_stream_plan(x, s, &footprint);
        int rounds = b->repetitions > 0 ? b->repetitions : 15;
        sweep_peaks(x->env->ceilings, x->env->backend, &gf, &gb);
        double per_call = 2 * hy_val_shape_cost(&s->v).bytes / (gb * 1e9) + 2e-6;
        timing += (rounds + 1) * k * per_call + footprint / 3e8;
    }
    double vf = b->validate_flops > 0 ? b->validate_flops : HY_BENCH_VALIDATE_FLOPS;
    double flops = hy_val_shape_cost(&s->v).flops;
    return timing + fmin(flops, vf) / 3e8 + call; /* reference at ~0.3 GFLOP/s, plus the checked run */
}

/* Bytes a case of shape s holds (inputs, outputs, reference copies), or
 * the streamed copies of it. */
static double shape_memory(const sweep_ctx *x, const hy_bench_shape *s)
{
    double m = 3.0 * hy_val_shape_cost(&s->v).bytes, footprint = 0;
    if (shape_streamed(x, s)) sweep_stream_plan(x, s, &footprint);
    return fmax(m, footprint);
}

/* The timing-only embedding gather of the head: T rows of H floats out of
 * a [V, H] table, as hy_runtime does on the host. */
typedef struct gather_ctx {
    const float *table; /* [V, H] */
    float *dst;         /* [T, H] */
    const int32_t *tokens;
    int64_t T, H;
} gather_ctx;

static int gather_once(void *p, double *manual, hy_error *err)
{
    (void)manual;
    (void)err;
    gather_ctx *g = p;
    for (int64_t t = 0; t < g->T; t++)
        memcpy(g->dst + t * g->H, g->table + (int64_t)g->tokens[t] * g->H,
               (size_t)g->H * sizeof(float));
    return 0;
}

/* One measurement of a part: known now (memo), or an entry of the results
 * file to read after the length's kernels ran (name). */
typedef struct part_time {
    char name[400]; /* "" when s is final or the part failed        */
    char key[400];  /* reuse key                                    */
    hy_sweep_spread s;
    int fresh;      /* timed by this run (not reused, not resumed)   */
} part_time;

static void part_failed(part_time *pt)
{
    pt->name[0] = 0;
    pt->s.median = pt->s.lo = pt->s.hi = NAN;
}

/* The embedding gather; 0, or -1 when the results file cannot be written. */
static int measure_gather(sweep_ctx *x, hy_phase ph, int64_t L, part_time *pt, hy_error *err)
{
    const hy_config *c = &x->o->base;
    int64_t T = ph == HY_PHASE_DECODE ? 1 : L;
    char shape[200];
    snprintf(shape, sizeof shape, "%s/%s/L=%lld/embed/T=%lld,H=%lld,V=%lld", x->o->label,
             hy_phase_name(ph), (long long)L, (long long)T, (long long)c->hidden,
             (long long)c->vocab);
    snprintf(pt->name, sizeof pt->name, "embed/gather/host/%s", shape);
    snprintf(pt->key, sizeof pt->key, "embed|%s|T=%lld,H=%lld", hy_phase_name(ph), (long long)T,
             (long long)c->hidden);
    if (sweep_table_get(&x->memo, pt->key, &pt->s)) {
        pt->name[0] = 0;
        return 0;
    }
    if (hy_results_has(x->env->results, pt->name)) {
        x->res->kernels_resumed++;
        return 0;
    }
    size_t table_n = (size_t)c->vocab * (size_t)c->hidden;
    float *table = malloc(table_n * sizeof *table);
    float *dst = malloc((size_t)T * (size_t)c->hidden * sizeof *dst);
    int32_t *tok = malloc((size_t)T * sizeof *tok);
    if (!table || !dst || !tok) {
        free(table), free(dst), free(tok);
        part_failed(pt);
        return 0;
    }
    for (size_t i = 0; i < table_n; i++) table[i] = (float)(i % 7);
    hy_val_rng rng;
    hy_val_rng_seed(&rng, x->o->bench.seed + 7);
    for (int64_t t = 0; t < T; t++) tok[t] = (int32_t)(hy_val_rng_next(&rng) % (uint64_t)c->vocab);
    gather_ctx g = {table, dst, tok, T, c->hidden};
    hy_timer_options to = hy_timer_default_options();
    if (x->o->bench.repetitions > 0) to.repetitions = x->o->bench.repetitions;
    if (x->o->bench.min_time_s > 0) to.min_time_s = x->o->bench.min_time_s;
    to.engine = x->o->bench.engine;
    hy_timing t;
    int rc = 0;
    if (hy_time_function(pt->name, gather_once, &g, &to, &t, err) == 0) {
        hy_bench_meta m = {.family = "embed", .variant = "gather", .backend = "host",
                           .shape = shape, .threads = 1,
                           .bytes = 2.0 * (double)T * (double)c->hidden * sizeof(float),
                           .validation_error = NAN};
        rc = hy_results_add_timing(x->env->results, &m, &t, err);
        hy_timing_free(&t);
        x->res->kernels_timed++;
    } else {
        part_failed(pt);
    }
    free(table), free(dst), free(tok);
    return rc;
}

/* The shape part of the streamed entry: the role gets "/streamed". */
static void streamed_shape_name(const sweep_ctx *x, const hy_bench_shape *s, int64_t L, char *buf,
                                size_t len)
{
    char params[160];
    hy_bench_shape_params(&s->v, params, sizeof params);
    snprintf(buf, len, "%s/%s/L=%lld/%s/streamed/%s", x->o->label, hy_phase_name(s->phase),
             (long long)L, s->role, params);
}

/* Shape s at length L: validated and timed (warm, plus streamed for a
 * streamed decode shape), or known.  A failure is recorded and leaves the
 * part NaN; -1 only when the results file cannot be written. */
static int measure_shape(sweep_ctx *x, const hy_bench_shape *s, int64_t L, part_time *pt,
                         hy_error *err)
{
    const hy_backend *b = x->env->backend;
    const hy_kernel_variant *v = hy_backend_select(b, s->v.family);
    if (!v) {
        hy_progress_note(&x->progress, "note: %s is not supported by backend %s",
                         hy_family_name(s->v.family), b->name);
        part_failed(pt);
        pt->key[0] = 0;
        return 0;
    }
    reuse_key(v, b->name, s, pt->key, sizeof pt->key);
    if (sweep_table_get(&x->memo, pt->key, &pt->s)) {
        x->res->kernels_reused++;
        pt->name[0] = 0;
        return 0;
    }
    int streamed = shape_streamed(x, s);
    hy_bench_opts bo = x->o->bench;
    bo.cache = HY_CACHE_WARM;
    bo.log = x->o->log;
    if (streamed) { /* the warm timing is the validated reference here */
        bo.repetitions = 3;
        bo.min_time_s = 0.02;
    }
    hy_bench_outcome out;
    if (hy_bench_run(x->env, v, s, &bo, &out, err)) return -1;
    if (strcmp(out.status, "ok") == 0) {
        x->res->kernels_timed++;
        pt->fresh = 1;
    } else if (strcmp(out.status, "skipped") == 0) {
        x->res->kernels_resumed++;
    } else {
        x->res->kernels_failed++;
        hy_progress_note(&x->progress, "%s: %s %s", out.name, out.status, out.message);
        part_failed(pt);
        return 0;
    }
    snprintf(pt->name, sizeof pt->name, "%s", out.name);
    if (!streamed) return 0;
    char shape[300], why[240] = "";
    streamed_shape_name(x, s, L, shape, sizeof shape);
    hy_bench_meta m = {.family = hy_family_name(s->v.family), .variant = v->name,
                       .backend = b->name, .shape = shape};
    if (hy_bench_name(&m, pt->name, sizeof pt->name, err)) return -1;
    int rc = sweep_time_streamed(x, v, s, shape, out.validation_error, why, sizeof why, err);
    if (rc < 0) return -1;
    if (rc > 0) {
        x->res->kernels_failed++;
        hy_progress_note(&x->progress, "%s: not timed streamed: %s", pt->name, why);
        part_failed(pt);
    }
    return 0;
}

/* ---- one (phase, length) ----------------------------------------------------------- */

static void add_part(double *to, double *lo, double *hi, const hy_sweep_spread *s, int times)
{
    *to += times * s->median;
    *lo += times * s->lo;
    *hi += times * s->hi;
}

/* The first part before i measured with the same kernel shape as part i
 * (its reuse key), or i. */
static size_t same_shape_before(const sweep_ctx *x, const hy_bench_shape *shapes,
                                const part_time *times, size_t i)
{
    const hy_kernel_variant *v = hy_backend_select(x->env->backend, shapes[i].v.family);
    if (!v) return i;
    char key[400];
    reuse_key(v, x->env->backend->name, &shapes[i], key, sizeof key);
    for (size_t j = 0; j < i; j++)
        if (part_needed(x, &PARTS[j]) && strcmp(times[j].key, key) == 0) return j;
    return i;
}

static int run_point(sweep_ctx *x, hy_phase ph, size_t si, hy_error *err)
{
    const int64_t L = x->o->seqs[si];
    hy_sweep_point *pt = &x->res->points[ph][si];
    hy_sweep_costs *c = &pt->costs;
    hy_sweep_costs_unknown(c);
    hy_sweep_costs_unknown(&pt->costs_lo);
    hy_sweep_costs_unknown(&pt->costs_hi);
    hy_bench_shape shapes[N_PARTS];

    /* Estimates first: time of what is not known yet, memory of the largest case. */
    double est = 0, mem = 0;
    for (size_t i = 0; i < N_PARTS; i++) {
        if (!part_needed(x, &PARTS[i])) continue;
        if (part_shape(x, &PARTS[i], ph, L, &shapes[i], err)) return -1;
        const hy_kernel_variant *v = hy_backend_select(x->env->backend, shapes[i].v.family);
        char key[400];
        hy_sweep_spread known;
        if (v) reuse_key(v, x->env->backend->name, &shapes[i], key, sizeof key);
        if (v && !sweep_table_get(&x->memo, key, &known)) est += estimate_shape(x, &shapes[i]);
        if (shape_memory(x, &shapes[i]) > mem) mem = shape_memory(x, &shapes[i]);
    }
    double budget = x->o->length_budget > 0 ? x->o->length_budget : 120, left = sweep_time_left(x);
    double avail = hy_available_memory();
    if (avail > 0 && mem > 0.8 * avail)
        snprintf(pt->skipped, sizeof pt->skipped,
                 "needs about %.1f GB for its largest kernel case, %.1f GB available", mem / 1e9,
                 avail / 1e9);
    else if (est > budget)
        snprintf(pt->skipped, sizeof pt->skipped,
                 "estimated %.0f s, over the per-length budget of %.0f s (--length-budget)", est,
                 budget);
    else if (est > left)
        snprintf(pt->skipped, sizeof pt->skipped,
                 "estimated %.0f s, more than the %.0f s left under --max-time", est, left);
    if (pt->skipped[0]) {
        hy_progress_note(&x->progress, "skipping %s at L=%lld: %s", hy_phase_name(ph), (long long)L,
                         pt->skipped);
        return 0;
    }

    part_time *times = calloc(N_PARTS + 1, sizeof *times);
    if (!times) return hy_fail(err, "out of memory");
    int rc = 0;
    for (size_t i = 0; i < N_PARTS && !rc; i++) {
        const part_def *p = &PARTS[i];
        part_failed(&times[i]);
        if (!part_needed(x, p)) continue;
        if (sweep_out_of_time(x)) {
            snprintf(pt->skipped, sizeof pt->skipped, "stopped by --max-time before %s",
                     p->role);
            free(times);
            return 0;
        }
        char item[200];
        snprintf(item, sizeof item, "%s L=%lld %s", hy_phase_name(ph), (long long)L, p->role);
        hy_progress_update(&x->progress, x->steps_done, item, -1);
        /* A shape used twice at one length (the norms) is timed once. */
        size_t same = same_shape_before(x, shapes, times, i);
        if (same < i) {
            times[i] = times[same];
            times[i].fresh = 0;
            x->res->kernels_reused++;
        } else {
            rc = measure_shape(x, &shapes[i], L, &times[i], err);
        }
    }
    if (!rc) rc = measure_gather(x, ph, L, &times[N_PARTS], err);
    /* The timings just added are read back with their spreads. */
    if (!rc) rc = sweep_load_file(x, err);
    if (rc) {
        free(times);
        return -1;
    }
    double mixer[3][HY_MIX_COUNT] = {{0}}, ffn[3][HY_FFN_COUNT] = {{0}}, head[3] = {0};
    for (size_t i = 0; i <= N_PARTS; i++) {
        part_time *t = &times[i];
        if (i < N_PARTS && !part_needed(x, &PARTS[i])) continue;
        if (t->name[0]) {
            if (!sweep_table_get(&x->file, t->name, &t->s)) part_failed(t);
            else if (!isfinite(t->s.lo) || !isfinite(t->s.hi)) t->s.lo = t->s.hi = t->s.median;
            if (isfinite(t->s.median) && t->key[0] && sweep_table_put(&x->memo, t->key, &t->s)) {
                free(times);
                return hy_fail(err, "out of memory");
            }
        }
        if (i == N_PARTS) {
            add_part(&head[0], &head[1], &head[2], &t->s, 1);
            continue;
        }
        const part_def *p = &PARTS[i];
        double roof = roofline_seconds(x, &shapes[i]);
        if (t->fresh && roof > 0 && t->s.median / roof > x->slowdown[p->family])
            x->slowdown[p->family] = t->s.median / roof;
        if (p->ffn == 0) add_part(&mixer[0][p->kind], &mixer[1][p->kind], &mixer[2][p->kind], &t->s, p->times);
        else if (p->ffn == 1) add_part(&ffn[0][p->kind], &ffn[1][p->kind], &ffn[2][p->kind], &t->s, p->times);
        else add_part(&head[0], &head[1], &head[2], &t->s, p->times);
    }
    free(times);
    hy_sweep_costs *out[3] = {c, &pt->costs_lo, &pt->costs_hi};
    for (int w = 0; w < 3; w++) {
        for (int k = 0; k < HY_MIX_COUNT; k++)
            if (x->need_mixer[k]) out[w]->mixer[k] = mixer[w][k];
        for (int k = 0; k < HY_FFN_COUNT; k++)
            if (x->need_ffn[k]) out[w]->ffn[k] = ffn[w][k];
        out[w]->head = head[w];
    }
    pt->done = isfinite(c->head);
    for (int k = 0; k < HY_MIX_COUNT; k++)
        if (x->need_mixer[k] && !isfinite(c->mixer[k])) pt->done = 0;
    for (int k = 0; k < HY_FFN_COUNT; k++)
        if (x->need_ffn[k] && !isfinite(c->ffn[k])) pt->done = 0;
    if (!pt->done) snprintf(pt->skipped, sizeof pt->skipped, "a kernel failed or is unsupported");
    return 0;
}

/* ---- the whole sweep ---------------------------------------------------------------- */

static int check_opts(const hy_sweep_opts *o, hy_error *err)
{
    if (!o->label || !o->label[0] || strchr(o->label, '/'))
        return hy_fail(err, "sweep: a label without '/' is needed");
    if (o->n_seq == 0 || o->n_seq > HY_SWEEP_MAX_SEQ)
        return hy_fail(err, "sweep: 1 to %d lengths", HY_SWEEP_MAX_SEQ);
    for (size_t i = 0; i < o->n_seq; i++)
        if (o->seqs[i] < 1 || (i > 0 && o->seqs[i] <= o->seqs[i - 1]))
            return hy_fail(err, "sweep: lengths must be >= 1 and ascending");
    if (o->n_ratios == 0 || o->n_ratios > HY_SWEEP_MAX_RATIOS)
        return hy_fail(err, "sweep: 1 to %d ratios", HY_SWEEP_MAX_RATIOS);
    if (!o->phases[0] && !o->phases[1]) return hy_fail(err, "sweep: no phase selected");
    for (size_t i = 0; i < o->n_ratios; i++)
        if (o->ratios[i].swa && o->window < 1)
            return hy_fail(err, "sweep: ratio %s needs a window (--window W)", o->ratios[i].text);
    if (o->n_checks > HY_SWEEP_MAX_CHECKS) return hy_fail(err, "sweep: too many check ratios");
    if (o->n_checks > 0) {
        int found = 0;
        for (size_t i = 0; i < o->n_seq; i++) found |= o->seqs[i] == o->check_seq;
        if (!found)
            return hy_fail(err, "sweep: the check length %lld must be one of the swept lengths",
                           (long long)o->check_seq);
    }
    return 0;
}

int hy_sweep_run(const hy_bench_env *env, const hy_sweep_opts *o, hy_sweep_result *res,
                 hy_error *err)
{
    memset(res, 0, sizeof *res);
    if (check_opts(o, err)) return -1;
    sweep_ctx x;
    memset(&x, 0, sizeof x);
    x.env = env;
    x.o = o;
    x.res = res;
    x.start = hy_timer_now();
    x.deadline = o->max_time > 0 ? x.start + o->max_time : 0;
    for (int f = 0; f < HY_FAM_COUNT; f++) x.slowdown[f] = 10;
    for (int ph = 0; ph < 2; ph++)
        for (size_t i = 0; i < o->n_seq; i++) hy_sweep_costs_unknown(&res->points[ph][i].costs);
    if (o->summary_path) snprintf(res->summary_path, sizeof res->summary_path, "%s", o->summary_path);
    else snprintf(res->summary_path, sizeof res->summary_path, "%s.summary.json",
                  hy_results_path(env->results));

    /* Kinds any ratio (or check) uses; the pure transformer is always a
     * reference for the crossovers, so it is always included. */
    double weights_max = 0;
    hy_sweep_ratio all[HY_SWEEP_MAX_RATIOS + HY_SWEEP_MAX_CHECKS + 1];
    size_t n_all = 0;
    for (size_t i = 0; i < o->n_ratios; i++) all[n_all++] = o->ratios[i];
    for (size_t i = 0; i < o->n_checks; i++) all[n_all++] = o->checks[i];
    if (hy_sweep_parse_ratio("1:0", &all[n_all], err)) return -1;
    n_all++;
    for (size_t i = 0; i < n_all; i++) {
        hy_sweep_layout lay;
        hy_memory_bytes mb;
        if (hy_sweep_layout_of(&o->base, &all[i], &lay, NULL, err) ||
            hy_sweep_memory(&o->base, &all[i], o->window, 1, &mb, err))
            return hy_fail_prefix(err, "ratio %s", all[i].text);
        for (int k = 0; k < HY_MIX_COUNT; k++) x.need_mixer[k] |= lay.mixers[k] > 0;
        for (int k = 0; k < HY_FFN_COUNT; k++) x.need_ffn[k] |= lay.ffns[k] > 0;
        if (mb.weights > weights_max) weights_max = mb.weights;
    }
    hy_cache_info ci;
    hy_cache_info_detect(&ci);
    x.llc_bytes = (double)hy_cache_llc_bytes(&ci);
    x.decode_streamed = res->decode_streamed =
        o->decode_cache == HY_CACHE_STREAMED || o->decode_cache == HY_CACHE_COLD ||
        (o->decode_cache == HY_CACHE_AUTO && weights_max > x.llc_bytes);
    if (o->log)
        fprintf(o->log, "sweep: %s, %zu lengths, %zu ratios; decode kernels timed %s (weights "
                        "%.1f MB vs last-level cache %.1f MB)\n",
                o->label, o->n_seq, o->n_ratios,
                x.decode_streamed ? "streamed through distinct copies of their data (cold, back "
                                    "to back), after a warm validated run"
                                  : "warm",
                weights_max / 1e6, x.llc_bytes / 1e6);

    int rc = sweep_load_file(&x, err);
    size_t total = o->n_seq * (size_t)(o->phases[0] + o->phases[1]) + o->n_checks;
    hy_progress_init(&x.progress, "sweep", total, o->progress_force);
    for (size_t i = 0; !rc && i < o->n_seq; i++) {
        for (int ph = 0; !rc && ph < 2; ph++) {
            if (!o->phases[ph]) continue;
            if (sweep_out_of_time(&x)) {
                snprintf(res->points[ph][i].skipped, sizeof res->points[ph][i].skipped,
                         "not started: --max-time reached");
            } else {
                rc = run_point(&x, (hy_phase)ph, i, err);
            }
            x.steps_done++;
            if (!rc) rc = hy_sweep_write_summary(o, res, res->summary_path, err);
        }
        /* The checks right after their length, before the longer lengths
         * can use up --max-time. */
        if (!rc && o->seqs[i] == o->check_seq) rc = sweep_run_checks(&x, err);
    }
    if (!rc) rc = hy_sweep_write_summary(o, res, res->summary_path, err);
    hy_progress_finish(&x.progress);
    sweep_table_free(&x.file);
    sweep_table_free(&x.memo);
    return rc;
}
