/* test_sweep.c — the sweep (harness/hy_sweep.h): layouts per ratio
 * (including sliding-window layouts), composition and crossover
 * arithmetic on hand-computed cases, the check's verdict on hand-made
 * numbers, memory per layout, the scaled config, and small real sweeps:
 * whole-model checks whose agreement is recomputed from the results file
 * entries, --max-time, resume,
 * and a sweep killed with SIGKILL that leaves a parseable file and
 * resumes. */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hy_config.h"
#include "hy_stream_timing.h"
#include "hy_json.h"
#include "hy_sweep.h"
#include "hy_test.h"

#ifdef HYBENCH_HAVE_OPENMP
#include <omp.h>
#endif

static hy_sweep_ratio R(const char *text)
{
    hy_sweep_ratio r;
    hy_error err = {{0}};
    if (hy_sweep_parse_ratio(text, &r, &err)) fprintf(stderr, "  %s\n", err.msg);
    return r;
}

static void test_parse(void)
{
    hy_sweep_ratio r;
    hy_error err = {{0}};
    CHECK_OK(hy_sweep_parse_ratio("1:7", &r, &err), &err);
    CHECK(!r.swa && r.a == 1 && r.b == 7);
    CHECK_OK(hy_sweep_parse_ratio("swa7:1", &r, &err), &err);
    CHECK(r.swa && r.a == 7 && r.b == 1);
    CHECK_FAILS(hy_sweep_parse_ratio("0:0", &r, &err), &err, "zero");
    CHECK_FAILS(hy_sweep_parse_ratio("swa7:0", &r, &err), &err, "global");
    CHECK_FAILS(hy_sweep_parse_ratio("1:", &r, &err), &err, "attention:mamba");
    CHECK_FAILS(hy_sweep_parse_ratio("a:b", &r, &err), &err, "attention:mamba");
    CHECK_FAILS(hy_sweep_parse_ratio("1:7x", &r, &err), &err, "attention:mamba");
}

static void test_layout(void)
{
    hy_config tiny, jamba;
    hy_error err = {{0}};
    hy_sweep_layout l;
    CHECK_OK(hy_config_preset("tiny", &tiny, &err), &err);
    CHECK_OK(hy_config_preset("jamba-v0.1", &jamba, &err), &err);
    /* tiny: 8 layers, MoE on odd layers (period 2, offset 1). */
    hy_sweep_ratio r = R("1:3"); /* period 4, attention at 2 and 6 */
    CHECK_OK(hy_sweep_layout_of(&tiny, &r, &l, NULL, &err), &err);
    CHECK(l.n_layers == 8 && l.mixers[HY_MIX_ATTN] == 2 && l.mixers[HY_MIX_MAMBA] == 6);
    CHECK(l.mixers[HY_MIX_ATTN_LOCAL] == 0 && l.ffns[HY_FFN_MOE] == 4 && l.ffns[HY_FFN_DENSE] == 4);
    r = R("swa3:1"); /* layers 0-2 local, 3 global, 4-6 local, 7 global */
    CHECK_OK(hy_sweep_layout_of(&tiny, &r, &l, NULL, &err), &err);
    CHECK(l.mixers[HY_MIX_ATTN_LOCAL] == 6 && l.mixers[HY_MIX_ATTN] == 2 && l.mixers[HY_MIX_MAMBA] == 0);
    r = R("1:7");
    CHECK_OK(hy_sweep_layout_of(&jamba, &r, &l, NULL, &err), &err);
    CHECK(l.mixers[HY_MIX_ATTN] == 4 && l.mixers[HY_MIX_MAMBA] == 28);
    CHECK(l.ffns[HY_FFN_MOE] == 16 && l.ffns[HY_FFN_DENSE] == 16);
    r = R("swa7:1");
    CHECK_OK(hy_sweep_layout_of(&jamba, &r, &l, NULL, &err), &err);
    CHECK(l.mixers[HY_MIX_ATTN_LOCAL] == 28 && l.mixers[HY_MIX_ATTN] == 4);
    r = R("0:1");
    CHECK_OK(hy_sweep_layout_of(&jamba, &r, &l, NULL, &err), &err);
    CHECK(l.mixers[HY_MIX_ATTN] == 0 && l.mixers[HY_MIX_MAMBA] == 32);
    r = R("1:0");
    CHECK_OK(hy_sweep_layout_of(&jamba, &r, &l, NULL, &err), &err);
    CHECK(l.mixers[HY_MIX_ATTN] == 32 && l.mixers[HY_MIX_MAMBA] == 0);
    r = R("2:3"); /* hy_config_with_ratio writes only 1:m layouts */
    CHECK_FAILS(hy_sweep_layout_of(&jamba, &r, &l, NULL, &err), &err, "not supported");
}

static void test_compose(void)
{
    hy_config tiny;
    hy_error err = {{0}};
    CHECK_OK(hy_config_preset("tiny", &tiny, &err), &err);
    hy_sweep_costs c = {.mixer = {3, 5, 2}, .ffn = {7, 11}, .head = 13};
    hy_sweep_layout l;
    hy_sweep_ratio r = R("1:3");
    CHECK_OK(hy_sweep_layout_of(&tiny, &r, &l, NULL, &err), &err);
    CHECK_NEAR(hy_sweep_compose(&l, &c), 2 * 3 + 6 * 2 + 4 * 7 + 4 * 11 + 13, 1e-12); /* 103 */
    c.mixer[HY_MIX_ATTN_LOCAL] = NAN; /* unused by 1:3: ignored */
    CHECK_NEAR(hy_sweep_compose(&l, &c), 103, 1e-12);
    r = R("swa3:1");
    CHECK_OK(hy_sweep_layout_of(&tiny, &r, &l, NULL, &err), &err);
    CHECK(isnan(hy_sweep_compose(&l, &c))); /* used and unknown */
    c.mixer[HY_MIX_ATTN_LOCAL] = 5;
    CHECK_NEAR(hy_sweep_compose(&l, &c), 6 * 5 + 2 * 3 + 28 + 44 + 13, 1e-12); /* 121 */
    r = R("1:0");
    CHECK_OK(hy_sweep_layout_of(&tiny, &r, &l, NULL, &err), &err);
    CHECK_NEAR(hy_sweep_compose(&l, &c), 8 * 3 + 28 + 44 + 13, 1e-12); /* 109 */
    r = R("0:1");
    CHECK_OK(hy_sweep_layout_of(&tiny, &r, &l, NULL, &err), &err);
    CHECK_NEAR(hy_sweep_compose(&l, &c), 8 * 2 + 28 + 44 + 13, 1e-12); /* 101 */
}

/* The check's verdict on hand-made numbers: signed agreement, and a status
 * that says "outside 10%" whenever the numbers are (never "ok"). */
static void test_check_judge(void)
{
    hy_sweep_check k;
    memset(&k, 0, sizeof k);
    hy_sweep_check_judge(&k, 2.5, 1.0); /* a model 150% slower than its composition */
    CHECK_NEAR(k.agreement, 1.5, 1e-12);
    CHECK(strcmp(k.status, "outside 10%") == 0 && hy_sweep_check_measured(&k));
    CHECK(k.measured_s == 2.5 && k.composed_s == 1.0);
    hy_sweep_check_judge(&k, 0.85, 1.0); /* 15% faster */
    CHECK_NEAR(k.agreement, -0.15, 1e-12);
    CHECK(strcmp(k.status, "outside 10%") == 0);
    hy_sweep_check_judge(&k, 0.021, 0.02); /* +5% */
    CHECK_NEAR(k.agreement, 0.05, 1e-12);
    CHECK(strcmp(k.status, "within 10%") == 0 && hy_sweep_check_measured(&k));
    hy_sweep_check_judge(&k, 0.92, 1.0); /* -8% */
    CHECK_NEAR(k.agreement, -0.08, 1e-12);
    CHECK(strcmp(k.status, "within 10%") == 0);
    hy_sweep_check_judge(&k, 1.0, 0.0); /* nothing to compare with */
    CHECK(isnan(k.agreement) && strcmp(k.status, "error") == 0 && !hy_sweep_check_measured(&k));
    hy_sweep_check_judge(&k, NAN, 1.0);
    CHECK(isnan(k.agreement) && strcmp(k.status, "error") == 0);
}

static void test_crossover(void)
{
    const int64_t L[3] = {512, 2048, 8192};
    hy_crossover c;
    char text[64];
    /* Slower at 512 (2 vs 1), faster at 2048 (1 vs 2): log-log midpoint 1024. */
    double h1[3] = {2, 1, 1}, b1[3] = {1, 2, 4};
    hy_sweep_crossover(L, h1, b1, 3, &c);
    CHECK(c.kind == HY_CROSS_AT);
    CHECK_NEAR(c.length, 1024, 1e-6);
    hy_sweep_crossover_text(&c, text, sizeof text);
    CHECK(strcmp(text, "at L~1024") == 0);
    /* Slower by 4x at 2048, faster by 2x at 8192: d0 = log 4, d1 = -log 2,
     * log L* = log 2048 + 2/3 (log 8192 - log 2048): L* = 2048 * 4^(2/3). */
    double h2[3] = {8, 8, 1}, b2[3] = {1, 2, 2};
    hy_sweep_crossover(L, h2, b2, 3, &c);
    CHECK(c.kind == HY_CROSS_AT);
    CHECK_NEAR(c.length, 2048 * pow(4, 2.0 / 3), 1e-6);
    double h3[3] = {0.5, 0.5, 0.5}, b3[3] = {1, 1, 1};
    hy_sweep_crossover(L, h3, b3, 3, &c);
    CHECK(c.kind == HY_CROSS_ALWAYS && c.lmin == 512);
    double h4[3] = {2, 2, 2};
    hy_sweep_crossover(L, h4, b3, 3, &c);
    CHECK(c.kind == HY_CROSS_NONE && c.lmax == 8192);
    hy_sweep_crossover_text(&c, text, sizeof text);
    CHECK(strcmp(text, "none up to L=8192") == 0);
    /* An unmeasured point is left out: the first comparable length is 2048. */
    double h5[3] = {NAN, 0.5, 0.5};
    hy_sweep_crossover(L, h5, b3, 3, &c);
    CHECK(c.kind == HY_CROSS_ALWAYS && c.lmin == 2048);
    double h6[3] = {NAN, NAN, NAN};
    hy_sweep_crossover(L, h6, b3, 3, &c);
    CHECK(c.kind == HY_CROSS_UNKNOWN);
    /* Only the first sign change counts (a later slower point does not undo it). */
    double h7[3] = {2, 0.5, 2};
    hy_sweep_crossover(L, h7, b3, 3, &c);
    CHECK(c.kind == HY_CROSS_AT && c.length > 512 && c.length < 2048);
}

/* Spreads of repeated timings: median and 10th/90th percentiles with
 * linear interpolation between the sorted values. */
static void test_spread(void)
{
    hy_sweep_spread sp;
    const double x[5] = {5, 1, 4, 2, 3}; /* sorted 1..5: p10 at 0.4, p90 at 3.6 of the index */
    hy_sweep_spread_of(x, 5, &sp);
    CHECK_NEAR(sp.median, 3, 1e-12);
    CHECK_NEAR(sp.lo, 1.4, 1e-12);
    CHECK_NEAR(sp.hi, 4.6, 1e-12);
    const double one = 7;
    hy_sweep_spread_of(&one, 1, &sp);
    CHECK(sp.median == 7 && sp.lo == 7 && sp.hi == 7);
    hy_sweep_spread_of(x, 0, &sp);
    CHECK(isnan(sp.median) && isnan(sp.lo) && isnan(sp.hi));
    /* An outlier moves neither the median nor the p10/p90 by much. */
    const double y[11] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 100};
    hy_sweep_spread_of(y, 11, &sp);
    CHECK(sp.median == 1 && sp.lo == 1 && sp.hi == 1);
}

/* Copies of a streamed decode case: the others move at least twice the
 * LLC between two calls of one copy, and one copy fewer would not. */
static void test_stream_copies(void)
{
    const double llc = 32.0 * 1024 * 1024;
    CHECK(hy_stream_copies(64.0 * 1024 * 1024, llc, 1024) == 1); /* evicts itself */
    CHECK(hy_stream_copies(100e6, llc, 1024) == 1);
    CHECK(hy_stream_copies(1024.0 * 1024, llc, 1024) == 65);    /* 64 others x 1 MiB */
    CHECK(hy_stream_copies(1.5 * llc, llc, 1024) == 3);         /* 2 others x 1.5 LLC */
    CHECK(hy_stream_copies(3000, llc, 1024) == 1024);           /* capped */
    CHECK(hy_stream_copies(0, llc, 16) == 16);
    CHECK(hy_stream_copies(1000, llc, 0) == 1);
    const double sizes[4] = {5e5, 1.1e6, 7.3e6, 2.9e7};
    for (int i = 0; i < 4; i++) {
        int k = hy_stream_copies(sizes[i], llc, 100000);
        CHECK((k - 1) * sizes[i] >= 2 * llc && (k - 2) * sizes[i] < 2 * llc);
    }
}

/* The composition with spreads: lo and hi are the layout's sums of the
 * kinds' lo and hi; the crossover range pairs the hybrid's lo with the
 * base's hi (earliest) and the hybrid's hi with the base's lo (latest). */
static void test_compose_spread(void)
{
    hy_config tiny;
    hy_error err = {{0}};
    CHECK_OK(hy_config_preset("tiny", &tiny, &err), &err);
    hy_sweep_point p;
    memset(&p, 0, sizeof p);
    p.costs = (hy_sweep_costs){.mixer = {3, NAN, 2}, .ffn = {7, 11}, .head = 13};
    p.costs_lo = (hy_sweep_costs){.mixer = {2, NAN, 1}, .ffn = {6, 9}, .head = 12};
    p.costs_hi = (hy_sweep_costs){.mixer = {5, NAN, 4}, .ffn = {8, 14}, .head = 20};
    hy_sweep_layout l;
    hy_sweep_ratio r = R("1:3"); /* tiny: 2 attention, 6 Mamba, 4 dense, 4 MoE */
    CHECK_OK(hy_sweep_layout_of(&tiny, &r, &l, NULL, &err), &err);
    hy_sweep_spread sp;
    hy_sweep_compose_spread(&l, &p, &sp);
    CHECK_NEAR(sp.median, 2 * 3 + 6 * 2 + 4 * 7 + 4 * 11 + 13, 1e-12); /* 103 */
    CHECK_NEAR(sp.lo, 2 * 2 + 6 * 1 + 4 * 6 + 4 * 9 + 12, 1e-12);     /* 82 */
    CHECK_NEAR(sp.hi, 2 * 5 + 6 * 4 + 4 * 8 + 4 * 14 + 20, 1e-12);    /* 142 */

    const int64_t L[3] = {512, 2048, 8192};
    hy_crossover early, late;
    /* Hybrid lo under the base's hi already at 512: earliest "always".
     * Hybrid hi: 2x slower, 1.5x slower, 2x faster than the base's lo:
     * d0 = log 1.5, d1 = -log 2 between 2048 and 8192. */
    double th_lo[3] = {0.9, 0.5, 0.3}, th_hi[3] = {2, 1.5, 0.5};
    double tb_lo[3] = {1, 1, 1}, tb_hi[3] = {1, 1, 1};
    hy_sweep_crossover_range(L, th_lo, th_hi, tb_lo, tb_hi, 3, &early, &late);
    CHECK(early.kind == HY_CROSS_ALWAYS && early.length == 512);
    CHECK(late.kind == HY_CROSS_AT);
    double f = log(1.5) / (log(1.5) + log(2));
    CHECK_NEAR(late.length, 2048 * pow(4, f), 1e-6);
    /* The base's spread matters too: with its hi at 3x, the hybrid's lo
     * wins everywhere; with its lo at 0.1x the hybrid's hi never does. */
    double wide_lo[3] = {0.1, 0.1, 0.1}, wide_hi[3] = {3, 3, 3};
    hy_sweep_crossover_range(L, th_hi, th_hi, wide_lo, wide_hi, 3, &early, &late);
    CHECK(early.kind == HY_CROSS_ALWAYS && late.kind == HY_CROSS_NONE && late.lmax == 8192);
}

static void test_memory_and_scale(void)
{
    hy_config tiny, jamba, s;
    hy_error err = {{0}};
    CHECK_OK(hy_config_preset("tiny", &tiny, &err), &err);
    CHECK_OK(hy_config_preset("jamba-v0.1", &jamba, &err), &err);
    hy_memory_bytes m;
    /* tiny: nKV 2, hd 16, f32: 2 x 2 x 16 x 4 = 256 bytes per token per layer. */
    hy_sweep_ratio r = R("1:3");
    CHECK_OK(hy_sweep_memory(&tiny, &r, 16, 100, &m, &err), &err);
    CHECK_NEAR(m.kv_cache, 2 * 100 * 256, 1e-6);
    r = R("swa3:1"); /* 2 global x 100 tokens + 6 local x 16 tokens */
    CHECK_OK(hy_sweep_memory(&tiny, &r, 16, 100, &m, &err), &err);
    CHECK_NEAR(m.kv_cache, (2 * 100 + 6 * 16) * 256, 1e-6);
    CHECK_OK(hy_sweep_memory(&tiny, &r, 1000, 100, &m, &err), &err); /* window above context */
    CHECK_NEAR(m.kv_cache, 8 * 100 * 256, 1e-6);
    CHECK(m.ssm_state == 0);
    CHECK_OK(hy_sweep_scale_config(&jamba, 8, &s, &err), &err);
    CHECK(s.hidden == 512 && s.n_heads == 4 && s.n_kv_heads == 1 && s.head_dim == 128);
    CHECK(s.intermediate == 1792 && s.dt_rank == 32 && s.d_inner == 1024 && s.n_layers == 32);
    CHECK(s.n_experts == 16 && s.vocab == 65536);
    CHECK_FAILS(hy_sweep_scale_config(&jamba, 3, &s, &err), &err, "does not divide");
}

/* ---- real sweeps on the tiny preset ------------------------------------------------- */

typedef struct sweep_env {
    const hy_backend *b;
    hy_exec *ex;
    hy_results *res;
} sweep_env;

static int open_env(sweep_env *e, const char *path, int resume, hy_error *err)
{
    memset(e, 0, sizeof *e);
    e->b = hy_backend_find("cpu");
    if (!e->b) return hy_fail(err, "no cpu backend");
    if (e->b->exec_create(&e->ex, err)) return -1;
    hy_results_info info = {.executable = "test_sweep", .command = "test_sweep"};
    return resume ? hy_results_open_resume(&e->res, path, &info, err)
                  : hy_results_open(&e->res, path, &info, err);
}

static void close_env(sweep_env *e)
{
    hy_results_close(e->res);
    if (e->ex) e->b->exec_destroy(e->ex);
}

static void tiny_opts(hy_sweep_opts *o, const int64_t *seqs, size_t n_seq, const char *const *ratios,
                      size_t n_ratios)
{
    hy_error err = {{0}};
    hy_sweep_opts_default(o);
    hy_config_preset("tiny", &o->base, &err);
    o->label = "tiny";
    for (size_t i = 0; i < n_seq; i++) o->seqs[i] = seqs[i];
    o->n_seq = n_seq;
    for (size_t i = 0; i < n_ratios; i++) o->ratios[i] = R(ratios[i]);
    o->n_ratios = n_ratios;
    o->window = 8;
    o->bench.repetitions = 3;
    o->bench.min_time_s = 0.001;
    o->bench.validate_flops = 5e6;
    o->check_repetitions = 3;
    o->decode_steps = 5;
    /* The budgets extrapolate the slowest call seen against the roofline;
     * a toy model on a loaded machine can make that look like minutes. */
    o->length_budget = 1e6;
    o->check_budget = 1e6;
    o->log = NULL;
}

static hy_json *load_json(const char *path)
{
    char *text = NULL;
    size_t len = 0;
    hy_error err = {{0}};
    hy_json *j = NULL;
    if (hy_read_file(path, &text, &len, &err) == 0) hy_json_parse(text, len, &j, &err);
    free(text);
    return j;
}

/* obj[key + "_lo"] <= obj[key] <= obj[key + "_hi"], all numbers. */
static int ordered(const hy_json *obj, const char *key)
{
    char k[64];
    const hy_json *v = hy_json_get(obj, key);
    snprintf(k, sizeof k, "%s_lo", key);
    const hy_json *lo = hy_json_get(obj, k);
    snprintf(k, sizeof k, "%s_hi", key);
    const hy_json *hi = hy_json_get(obj, k);
    if (!v || !lo || !hi || v->type != HY_JSON_NUMBER || lo->type != HY_JSON_NUMBER ||
        hi->type != HY_JSON_NUMBER)
        return 0;
    return lo->number <= v->number && v->number <= hi->number;
}

static void test_real_sweep(const char *dir)
{
    char path[512];
    snprintf(path, sizeof path, "%s/real.json", dir);
    hy_error err = {{0}};
    sweep_env e;
    CHECK_OK(open_env(&e, path, 0, &err), &err);
    hy_sweep_opts *o = calloc(1, sizeof *o);
    hy_sweep_result *res = calloc(1, sizeof *res);
    const int64_t seqs[2] = {16, 64};
    const char *const ratios[3] = {"1:3", "1:0", "swa3:1"};
    tiny_opts(o, seqs, 2, ratios, 3);
    o->checks[0] = R("1:3");
    o->checks[1] = R("1:0");
    o->n_checks = 2;
    o->check_seq = 64;
    hy_bench_env env = {.backend = e.b, .ex = e.ex, .results = e.res};
    CHECK_OK(hy_sweep_run(&env, o, res, &err), &err);
    CHECK(!res->stopped && res->kernels_failed == 0 && res->kernels_timed > 0);
    CHECK(res->kernels_reused > 0); /* decode shapes other than attention repeat at L = 64 */
    for (int ph = 0; ph < 2; ph++)
        for (size_t i = 0; i < 2; i++) CHECK(res->points[ph][i].done);
    /* Every check ran and carries a verdict; how close a toy model's
     * whole-model run comes to its composition is not asserted here (at
     * 64 hidden and 16-64 tokens per-call overheads dominate), but the
     * verdict must be the one its own numbers give. */
    CHECK(res->n_checks == 4);
    for (size_t k = 0; k < res->n_checks; k++) {
        const hy_sweep_check *c = &res->checks[k];
        CHECK(hy_sweep_check_measured(c));
        CHECK(c->measured_s > 0 && c->composed_s > 0);
        double ag = (c->measured_s - c->composed_s) / c->composed_s;
        CHECK_NEAR(c->agreement, ag, 1e-12);
        CHECK(strcmp(c->status, fabs(ag) <= 0.10 ? "within 10%" : "outside 10%") == 0);
    }
    /* The composed cost is the layout's sum of the kind costs. */
    const hy_sweep_costs *c = &res->points[HY_PHASE_PREFILL][1].costs;
    double want = 2 * c->mixer[HY_MIX_ATTN] + 6 * c->mixer[HY_MIX_MAMBA] + 4 * c->ffn[HY_FFN_DENSE] +
                  4 * c->ffn[HY_FFN_MOE] + c->head;
    CHECK_NEAR(hy_sweep_ratio_seconds(o, res, &o->ratios[0], HY_PHASE_PREFILL, 1), want, 1e-15);
    /* Local attention (window 8) costs no more than global at 64 tokens... by
     * design of the kernel it does less work; allow noise of 50%. */
    CHECK(c->mixer[HY_MIX_ATTN_LOCAL] < 1.5 * c->mixer[HY_MIX_ATTN]);
    close_env(&e);

    /* Both files parse; the results file holds the whole-model entries with
     * the composed cost beside the measurement, and each check's agreement
     * is (measured - composed) / composed of those entries. */
    hy_json *j = load_json(path);
    CHECK(j != NULL);
    const hy_json *bs = hy_json_get(j, "benchmarks");
    double file_agreement[4] = {NAN, NAN, NAN, NAN};
    for (size_t k = 0; k < res->n_checks; k++) {
        const hy_sweep_check *ck = &res->checks[k];
        char entry_name[200];
        snprintf(entry_name, sizeof entry_name, "model/forward/cpu/tiny/%s/L=64/ratio=%s_median",
                 hy_phase_name(ck->phase), ck->ratio.text);
        for (size_t i = 0; bs && i < bs->count; i++) {
            const hy_json *en = &bs->items[i];
            const hy_json *n = hy_json_get(en, "name"), *rt = hy_json_get(en, "real_time"),
                          *tu = hy_json_get(en, "time_unit"), *cs = hy_json_get(en, "composed_seconds");
            if (!n || n->type != HY_JSON_STRING || strcmp(n->string, entry_name) != 0) continue;
            CHECK(rt && rt->type == HY_JSON_NUMBER && cs && cs->type == HY_JSON_NUMBER);
            CHECK(tu && tu->type == HY_JSON_STRING && strcmp(tu->string, "ms") == 0);
            if (!rt || !cs || rt->type != HY_JSON_NUMBER || cs->type != HY_JSON_NUMBER) continue;
            double measured = rt->number * 1e-3, composed = cs->number;
            CHECK_NEAR(composed, ck->composed_s, 1e-9 * ck->composed_s);
            file_agreement[k] = (measured - composed) / composed;
            CHECK_NEAR(ck->agreement, file_agreement[k], 1e-9);
        }
        CHECK(isfinite(file_agreement[k])); /* the entry was found */
    }
    hy_json_free(j);
    j = load_json(res->summary_path);
    CHECK(j != NULL);
    const hy_json *ratios_j = hy_json_get(j, "ratios"), *checks_j = hy_json_get(j, "checks");
    CHECK(ratios_j && ratios_j->type == HY_JSON_ARRAY && ratios_j->count == 3);
    CHECK(checks_j && checks_j->type == HY_JSON_ARRAY && checks_j->count == 4);
    /* The summary keeps the signed agreement and the verdict. */
    for (size_t k = 0; checks_j && k < checks_j->count && k < 4; k++) {
        const hy_json *ag = hy_json_get(&checks_j->items[k], "agreement");
        const hy_json *pc = hy_json_get(&checks_j->items[k], "agreement_percent");
        const hy_json *st = hy_json_get(&checks_j->items[k], "status");
        CHECK(ag && ag->type == HY_JSON_NUMBER && pc && pc->type == HY_JSON_NUMBER);
        CHECK(st && st->type == HY_JSON_STRING);
        if (!ag || !pc || !st || ag->type != HY_JSON_NUMBER || pc->type != HY_JSON_NUMBER ||
            st->type != HY_JSON_STRING)
            continue;
        CHECK_NEAR(ag->number, file_agreement[k], 1e-7); /* printed with %.9g */
        CHECK_NEAR(pc->number, 100 * file_agreement[k], 1e-5);
        CHECK(strcmp(st->string, fabs(file_agreement[k]) <= 0.10 ? "within 10%" : "outside 10%") == 0);
        /* the measured and composed spreads bracket their medians */
        const hy_json *ck = &checks_j->items[k];
        CHECK(ordered(ck, "measured_seconds") && ordered(ck, "composed_seconds"));
        const hy_json *reps = hy_json_get(ck, "repetitions");
        CHECK(reps && reps->type == HY_JSON_NUMBER && reps->number == (k % 2 == 0 ? 3 : 5));
    }
    /* Every point has its spread, every crossover its range keys. */
    size_t points = 0;
    for (size_t r = 0; ratios_j && r < ratios_j->count; r++) {
        const hy_json *pts = hy_json_get(&ratios_j->items[r], "points");
        for (size_t i = 0; pts && i < pts->count; i++, points++)
            CHECK(ordered(&pts->items[i], "seconds_per_token") &&
                  ordered(&pts->items[i], "call_seconds"));
        const hy_json *x = hy_json_get(hy_json_get(&ratios_j->items[r], "crossover"), "decode");
        if (r != 1) CHECK(x && hy_json_get(x, "length_lo") && hy_json_get(x, "length_hi"));
    }
    CHECK(points == 3 * 4);
    for (int ph = 0; ph < 2; ph++)
        for (size_t i = 0; i < 2; i++) {
            const hy_sweep_point *pt = &res->points[ph][i];
            CHECK(pt->costs_lo.head <= pt->costs.head && pt->costs.head <= pt->costs_hi.head);
            CHECK(pt->costs_lo.mixer[HY_MIX_MAMBA] <= pt->costs.mixer[HY_MIX_MAMBA] &&
                  pt->costs.mixer[HY_MIX_MAMBA] <= pt->costs_hi.mixer[HY_MIX_MAMBA]);
        }
    hy_json_free(j);
    free(o);
    free(res);
}

/* Decode kernels timed streamed (forced on a model that fits the cache):
 * every decode kernel has a streamed entry beside its warm one, with the
 * copies it cycled through, and the decode costs come with spreads. */
static void test_streamed(const char *dir)
{
    char path[512];
    snprintf(path, sizeof path, "%s/streamed.json", dir);
    hy_error err = {{0}};
    sweep_env e;
    CHECK_OK(open_env(&e, path, 0, &err), &err);
    hy_sweep_opts *o = calloc(1, sizeof *o);
    hy_sweep_result *res = calloc(1, sizeof *res);
    const int64_t seqs[1] = {16};
    const char *const ratios[2] = {"1:3", "1:0"};
    tiny_opts(o, seqs, 1, ratios, 2);
    o->phases[HY_PHASE_PREFILL] = 0;
    o->decode_cache = HY_CACHE_STREAMED;
    hy_ceilings *ceil = calloc(1, sizeof *ceil);
    hy_test_cpu_ceilings(ceil, 100, 20);
    hy_bench_env env = {.backend = e.b, .ex = e.ex, .results = e.res, .ceilings = ceil};
    CHECK_OK(hy_sweep_run(&env, o, res, &err), &err);
    CHECK(res->decode_streamed && res->kernels_failed == 0);
    const hy_sweep_point *pt = &res->points[HY_PHASE_DECODE][0];
    CHECK(pt->done);
    for (int k = 0; k < HY_MIX_COUNT; k++)
        if (k != HY_MIX_ATTN_LOCAL)
            CHECK(pt->costs_lo.mixer[k] <= pt->costs.mixer[k] &&
                  pt->costs.mixer[k] <= pt->costs_hi.mixer[k] && pt->costs.mixer[k] > 0);
    close_env(&e);
    hy_json *j = load_json(path);
    const hy_json *bs = j ? hy_json_get(j, "benchmarks") : NULL;
    size_t warm = 0, streamed = 0;
    for (size_t i = 0; bs && i < bs->count; i++) {
        const hy_json *en = &bs->items[i];
        const hy_json *n = hy_json_get(en, "name"), *agg = hy_json_get(en, "aggregate_name");
        if (!n || n->type != HY_JSON_STRING || !agg || strcmp(agg->string, "median") != 0 ||
            strncmp(n->string, "embed/", 6) == 0)
            continue;
        /* every timed kernel, streamed or warm, carries its roofline fraction */
        const hy_json *frac = hy_json_get(en, "roofline_fraction");
        CHECK(frac && frac->type == HY_JSON_NUMBER && frac->number > 0);
        if (strstr(n->string, "/streamed/")) {
            streamed++;
            const hy_json *copies = hy_json_get(en, "copies"), *cache = hy_json_get(en, "cache");
            CHECK(copies && copies->type == HY_JSON_NUMBER && copies->number >= 2);
            CHECK(cache && cache->type == HY_JSON_STRING && strcmp(cache->string, "streamed") == 0);
        } else {
            warm++;
        }
    }
    CHECK(streamed > 0 && streamed == warm);
    hy_json_free(j);
    free(ceil);
    free(o);
    free(res);
}

static void test_max_time_and_resume(const char *dir)
{
    char path[512];
    snprintf(path, sizeof path, "%s/resume.json", dir);
    hy_error err = {{0}};
    hy_sweep_opts *o = calloc(1, sizeof *o);
    hy_sweep_result *r1 = calloc(1, sizeof *r1), *r2 = calloc(1, sizeof *r2);
    const int64_t seqs[2] = {16, 32};
    const char *const ratios[2] = {"0:1", "1:0"};
    tiny_opts(o, seqs, 2, ratios, 2);

    /* --max-time: stops cleanly, says so, keeps a valid file. */
    sweep_env e;
    CHECK_OK(open_env(&e, path, 0, &err), &err);
    hy_bench_env env = {.backend = e.b, .ex = e.ex, .results = e.res};
    o->max_time = 1e-6;
    CHECK_OK(hy_sweep_run(&env, o, r1, &err), &err);
    CHECK(r1->stopped);
    CHECK(strstr(r1->points[HY_PHASE_DECODE][1].skipped, "--max-time") != NULL);
    CHECK(!r1->points[HY_PHASE_DECODE][1].done);
    close_env(&e);
    hy_json *j = load_json(path);
    CHECK(j != NULL);
    hy_json_free(j);

    /* A full run, then a resumed one that measures nothing again and
     * composes the same costs from the file. */
    o->max_time = 0;
    CHECK_OK(open_env(&e, path, 0, &err), &err);
    env.ex = e.ex;
    env.results = e.res;
    CHECK_OK(hy_sweep_run(&env, o, r1, &err), &err);
    CHECK(r1->kernels_timed > 0 && r1->kernels_resumed == 0);
    close_env(&e);
    CHECK_OK(open_env(&e, path, 1, &err), &err);
    env.ex = e.ex;
    env.results = e.res;
    CHECK_OK(hy_sweep_run(&env, o, r2, &err), &err);
    CHECK(r2->kernels_timed == 0 && r2->kernels_resumed > 0);
    for (int ph = 0; ph < 2; ph++)
        for (size_t i = 0; i < 2; i++)
            for (size_t r = 0; r < 2; r++) {
                double a = hy_sweep_ratio_seconds(o, r1, &o->ratios[r], (hy_phase)ph, i);
                double b = hy_sweep_ratio_seconds(o, r2, &o->ratios[r], (hy_phase)ph, i);
                CHECK(isfinite(a) && fabs(a - b) <= 1e-9 * a);
            }
    close_env(&e);
    free(o);
    free(r1);
    free(r2);
}

/* A sweep killed with SIGKILL part-way leaves a results file that parses,
 * and a resumed sweep finishes it.  Runs first, before this process starts
 * any OpenMP threads (a forked child of a threaded OpenMP parent may hang). */
static void test_sigkill(const char *dir)
{
    char path[512];
    snprintf(path, sizeof path, "%s/killed.json", dir);
    remove(path);
    const int64_t seqs[2] = {16, 64};
    const char *const ratios[2] = {"0:1", "1:0"};
    pid_t pid = fork();
    if (pid == 0) {
        hy_error err = {{0}};
        sweep_env e;
        hy_sweep_opts *o = calloc(1, sizeof *o);
        hy_sweep_result *res = calloc(1, sizeof *res);
        tiny_opts(o, seqs, 2, ratios, 2);
        o->bench.min_time_s = 0.02;
        if (!o || !res || open_env(&e, path, 0, &err)) _exit(3);
        hy_bench_env env = {.backend = e.b, .ex = e.ex, .results = e.res};
        hy_sweep_run(&env, o, res, &err);
        _exit(0);
    }
    CHECK(pid > 0);
    if (pid <= 0) return;
    usleep(700 * 1000);
    int killed = kill(pid, SIGKILL) == 0;
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(killed);
    hy_json *j = load_json(path);
    CHECK(j != NULL); /* complete, valid JSON whatever the moment of the kill */
    hy_json_free(j);

    hy_error err = {{0}};
    sweep_env e;
    hy_sweep_opts *o = calloc(1, sizeof *o);
    hy_sweep_result *res = calloc(1, sizeof *res);
    tiny_opts(o, seqs, 2, ratios, 2);
    CHECK_OK(open_env(&e, path, 1, &err), &err);
    hy_bench_env env = {.backend = e.b, .ex = e.ex, .results = e.res};
    CHECK_OK(hy_sweep_run(&env, o, res, &err), &err);
    fprintf(stderr, "  after SIGKILL: %zu kernels from the file, %zu timed now\n",
            res->kernels_resumed, res->kernels_timed);
    CHECK(res->kernels_failed == 0);
    for (int ph = 0; ph < 2; ph++)
        for (size_t i = 0; i < 2; i++) CHECK(res->points[ph][i].done);
    close_env(&e);
    free(o);
    free(res);
}

int main(void)
{
    const char *dir = hy_test_tmpdir("test_sweep");
    test_sigkill(dir);
#ifdef HYBENCH_HAVE_OPENMP
    omp_set_num_threads(1); /* toy kernels: fork/join costs would swamp them */
#endif
    test_parse();
    test_layout();
    test_compose();
    test_check_judge();
    test_crossover();
    test_spread();
    test_stream_copies();
    test_compose_spread();
    test_memory_and_scale();
    test_real_sweep(dir);
    test_streamed(dir);
    test_max_time_and_resume(dir);
    return hy_test_finish();
}
