/* test_bench.c — `hybench bench`'s engine: shapes derived from a preset
 * (checked against hand-derived numbers), --shape parsing and its errors,
 * the validation-shape reduction, a small bench run whose results file
 * parses and whose counters agree with each other, a wrong variant that
 * is recorded as failed and never timed, the PAPI status and the topology
 * JSON. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hy_bench.h"
#include "hy_stream_timing.h"
#include "hy_json.h"
#include "hy_test.h"
#include "hy_topology.h"

/* ---- shapes of hybrid-3b by hand ----------------------------------------------
 * hybrid-3b: H 2560, expand 2 -> Di 5120, d_state 16, dt_rank 160 (given),
 * 20 heads of 128, 4 kv heads, I 6912, one expert (dense), K 4. */
static void test_derive(void)
{
    hy_config c;
    hy_error err = {{0}};
    CHECK_OK(hy_config_preset("hybrid-3b", &c, &err), &err);
    hy_bench_shape s[HY_BENCH_MAX_SHAPES_PER_FAMILY];
    size_t n = 0;
    char why[200];
    CHECK_OK(hy_bench_derive(&c, "hybrid-3b", HY_FAM_LINEAR, HY_PHASE_PREFILL, 512, s, 8, &n, why,
                             sizeof why, &err), &err);
    CHECK(n == 7);
    static const struct { const char *role; int64_t in, out; } lin[7] = {
        {"in_proj", 2560, 10240}, {"x_proj", 5120, 160 + 32}, {"dt_proj", 160, 5120},
        {"out_proj", 5120, 2560}, {"q_proj", 2560, 2560},     {"kv_proj", 2560, 512},
        {"o_proj", 2560, 2560}};
    for (size_t i = 0; i < 7 && i < n; i++) {
        CHECK(strcmp(s[i].role, lin[i].role) == 0);
        CHECK(s[i].v.s.linear.T == 512 && s[i].v.s.linear.in == lin[i].in &&
              s[i].v.s.linear.out == lin[i].out);
        CHECK(s[i].phase == HY_PHASE_PREFILL);
    }
    CHECK(strcmp(s[0].name, "hybrid-3b/prefill/L=512/in_proj/T=512,in=2560,out=10240,bias=0") == 0);

    CHECK_OK(hy_bench_derive(&c, "hybrid-3b", HY_FAM_SCAN, HY_PHASE_DECODE, 2048, s, 8, &n, why,
                             sizeof why, &err), &err);
    CHECK(n == 1);
    CHECK(s[0].v.s.scan.T == 1 && s[0].v.s.scan.D == 5120 && s[0].v.s.scan.N == 16);
    CHECK(s[0].v.s.scan.has_z && s[0].v.s.scan.has_dt_bias && s[0].v.state == HY_VAL_STATE_RANDOM);
    CHECK(strcmp(s[0].name, "hybrid-3b/decode/L=2048/scan/T=1,D=5120,N=16,z=1,dt_bias=1,state=random") == 0);

    CHECK_OK(hy_bench_derive(&c, "hybrid-3b", HY_FAM_ATTENTION, HY_PHASE_DECODE, 2048, s, 8, &n, why,
                             sizeof why, &err), &err);
    CHECK(n == 1 && s[0].v.s.attention.T == 1 && s[0].v.s.attention.pos0 == 2048 &&
          s[0].v.s.attention.cap == 2049 && s[0].v.s.attention.nH == 20 &&
          s[0].v.s.attention.nKV == 4 && s[0].v.s.attention.hd == 128);
    CHECK_NEAR(s[0].v.s.attention.scale, 1.0 / sqrt(128.0), 1e-7);
    CHECK_OK(hy_bench_derive(&c, "hybrid-3b", HY_FAM_ATTENTION, HY_PHASE_PREFILL, 300, s, 8, &n, why,
                             sizeof why, &err), &err);
    CHECK(n == 1 && s[0].v.s.attention.T == 300 && s[0].v.s.attention.pos0 == 0 &&
          s[0].v.s.attention.cap == 300);

    CHECK_OK(hy_bench_derive(&c, "hybrid-3b", HY_FAM_CONV1D, HY_PHASE_PREFILL, 64, s, 8, &n, why,
                             sizeof why, &err), &err);
    CHECK(n == 1 && s[0].v.s.conv1d.C == 5120 && s[0].v.s.conv1d.K == 4 && s[0].v.s.conv1d.silu == 1 &&
          s[0].v.s.conv1d.has_bias == 1 && s[0].v.state == HY_VAL_STATE_ZERO);

    CHECK_OK(hy_bench_derive(&c, "hybrid-3b", HY_FAM_RMSNORM, HY_PHASE_DECODE, 64, s, 8, &n, why,
                             sizeof why, &err), &err);
    CHECK(n == 3 && s[0].v.s.rmsnorm.D == 2560 && s[1].v.s.rmsnorm.D == 160 && s[2].v.s.rmsnorm.D == 16);

    /* dense model: no MoE shapes, and the reason; an MLP */
    CHECK_OK(hy_bench_derive(&c, "hybrid-3b", HY_FAM_MOE, HY_PHASE_PREFILL, 64, s, 8, &n, why,
                             sizeof why, &err), &err);
    CHECK(n == 0 && strstr(why, "no MoE layers") != NULL);
    CHECK_OK(hy_bench_derive(&c, "hybrid-3b", HY_FAM_MLP, HY_PHASE_PREFILL, 64, s, 8, &n, why,
                             sizeof why, &err), &err);
    CHECK(n == 1 && s[0].v.s.mlp.T == 64 && s[0].v.s.mlp.H == 2560 && s[0].v.s.mlp.I == 6912);

    /* jamba-v0.1: 16 experts, top-2, H 4096, I 14336 */
    CHECK_OK(hy_config_preset("jamba-v0.1", &c, &err), &err);
    CHECK_OK(hy_bench_derive(&c, "jamba-v0.1", HY_FAM_MOE, HY_PHASE_DECODE, 4096, s, 8, &n, why,
                             sizeof why, &err), &err);
    CHECK(n == 1 && s[0].v.s.moe.T == 1 && s[0].v.s.moe.E == 16 && s[0].v.s.moe.k == 2 &&
          s[0].v.s.moe.H == 4096 && s[0].v.s.moe.I == 14336);
    /* pure-Mamba twin: no attention */
    CHECK_OK(hy_config_preset("jamba-v0.1-mamba", &c, &err), &err);
    CHECK_OK(hy_bench_derive(&c, "jamba-v0.1-mamba", HY_FAM_ATTENTION, HY_PHASE_DECODE, 64, s, 8, &n,
                             why, sizeof why, &err), &err);
    CHECK(n == 0 && strstr(why, "no attention layers") != NULL);
    CHECK_FAILS(hy_bench_derive(&c, "x", HY_FAM_SCAN, HY_PHASE_DECODE, 0, s, 8, &n, why, sizeof why,
                                &err), &err, "sequence length");
}

static void test_parse(void)
{
    hy_bench_shape s;
    hy_error err = {{0}};
    CHECK_OK(hy_bench_parse_shape("scan:T=2048,D=8192,N=16", &s, &err), &err);
    CHECK(s.v.family == HY_FAM_SCAN && s.v.s.scan.T == 2048 && s.v.s.scan.D == 8192 &&
          s.v.s.scan.N == 16 && s.v.s.scan.has_z == 1 && s.v.state == HY_VAL_STATE_ZERO);
    CHECK(s.phase == HY_PHASE_PREFILL);
    CHECK(strcmp(s.name, "T=2048,D=8192,N=16,z=1,dt_bias=1,state=zero") == 0);
    CHECK_OK(hy_bench_parse_shape("attention:T=1,nH=32,nKV=8,hd=128,pos0=4096", &s, &err), &err);
    CHECK(s.phase == HY_PHASE_DECODE && s.v.s.attention.cap == 4097 && s.v.s.attention.window == 0);
    CHECK_OK(hy_bench_parse_shape("scan:T=1,D=8,N=4,state=null", &s, &err), &err);
    CHECK(s.v.state == HY_VAL_STATE_NULL);
    CHECK_OK(hy_bench_parse_shape("moe:T=4,H=8,I=16,E=4,k=2", &s, &err), &err);
    CHECK(s.v.s.moe.E == 4 && s.v.s.moe.k == 2);

    CHECK_FAILS(hy_bench_parse_shape("scan", &s, &err), &err, "expected family:key=value");
    CHECK_FAILS(hy_bench_parse_shape("bogus:T=1", &s, &err), &err, "unknown family 'bogus'");
    CHECK_FAILS(hy_bench_parse_shape("scan:", &s, &err), &err, "no keys");
    CHECK_FAILS(hy_bench_parse_shape("scan:T=2,D=8,N=4,Q=1", &s, &err), &err, "unknown key 'Q'");
    CHECK_FAILS(hy_bench_parse_shape("scan:T=2,D=8,N=4,T=3", &s, &err), &err, "'T' given twice");
    CHECK_FAILS(hy_bench_parse_shape("scan:T=2,D=8", &s, &err), &err, "missing required key 'N'");
    CHECK_FAILS(hy_bench_parse_shape("scan:T=2x,D=8,N=4", &s, &err), &err, "not a non-negative decimal");
    CHECK_FAILS(hy_bench_parse_shape("scan:T=-2,D=8,N=4", &s, &err), &err, "not a non-negative decimal");
    CHECK_FAILS(hy_bench_parse_shape("scan:T=0,D=8,N=4", &s, &err), &err, "outside [1,");
    CHECK_FAILS(hy_bench_parse_shape("scan:T=2,D=8,N=4,z=2", &s, &err), &err, "value of 'z'");
    CHECK_FAILS(hy_bench_parse_shape("scan:T=2,D=8,N=4,", &s, &err), &err, "trailing ','");
    CHECK_FAILS(hy_bench_parse_shape("scan:T=2,D,N=4", &s, &err), &err, "'D' is not key=value");
    CHECK_FAILS(hy_bench_parse_shape("scan:T=2,D=8,N=4,state=full", &s, &err), &err, "null, zero or random");
    CHECK_FAILS(hy_bench_parse_shape("scan:T=2,D=8,N=", &s, &err), &err, "'N' has no value");
    CHECK_FAILS(hy_bench_parse_shape("mlp:T=2,H=8,I=8,state=zero", &s, &err), &err, "unknown key 'state'");
    /* the family's own invariants: kv heads must divide heads, k <= E */
    hy_error e2 = {{0}};
    CHECK(hy_bench_parse_shape("attention:T=2,nH=6,nKV=4,hd=8", &s, &e2) != 0 && e2.msg[0]);
    CHECK(hy_bench_parse_shape("moe:T=2,H=8,I=8,E=2,k=3", &s, &e2) != 0 && e2.msg[0]);
    CHECK(hy_bench_parse_shape("attention:T=4,nH=4,nKV=2,hd=8,pos0=8,cap=10", &s, &e2) != 0);
}

/* The reduction halves T until the reference FLOPs fit. */
static void test_validation_shape(void)
{
    hy_val_shape full = {.family = HY_FAM_MLP, .s.mlp = {.T = 2048, .H = 2560, .I = 6912}}, v;
    double budget = 2e9;
    CHECK(hy_bench_validation_shape(&full, budget, &v) == 1);
    CHECK(hy_val_shape_cost(&v).flops <= budget);
    hy_val_shape twice = v;
    twice.s.mlp.T *= 2;
    CHECK(hy_val_shape_cost(&twice).flops > budget);
    CHECK(v.s.mlp.H == 2560 && v.s.mlp.I == 6912 && 2048 % v.s.mlp.T == 0);
    /* 6 T H I FLOPs (three GEMMs) ~ 1.06e8 T: T = 16 fits 2e9, 32 does not */
    CHECK(v.s.mlp.T == 16);
    hy_val_shape att = {.family = HY_FAM_ATTENTION,
                        .s.attention = {.T = 4096, .nH = 8, .nKV = 2, .hd = 64, .pos0 = 0, .cap = 4096,
                                        .scale = 0.125f}};
    CHECK(hy_bench_validation_shape(&att, 1e8, &v) == 1);
    CHECK(v.s.attention.cap == v.s.attention.T && v.s.attention.pos0 == 0 && v.s.attention.T < 4096);
    hy_val_shape dec = {.family = HY_FAM_SCAN, .s.scan = {.T = 1, .D = 64, .N = 16}};
    CHECK(hy_bench_validation_shape(&dec, 1, &v) == 0 && v.s.scan.T == 1);
}

/* A wrong scan: the cpu backend's first scan, then y[0] pushed off. */
static hy_scan_fn real_scan;
static int wrong_scan(hy_exec *ex, const hy_scan_shape *s, const hy_scan_args *a, void *work,
                      hy_error *err)
{
    int rc = real_scan(ex, s, a, work, err);
    if (rc == 0) a->y[0] += 1.0f;
    return rc;
}

static const hy_json *find_entry(const hy_json *benchmarks, const char *prefix, const char *run_type)
{
    for (size_t i = 0; i < benchmarks->count; i++) {
        const hy_json *e = &benchmarks->items[i], *n = hy_json_get(e, "name"),
                      *t = hy_json_get(e, "run_type");
        if (n && strncmp(n->string, prefix, strlen(prefix)) == 0 &&
            (!run_type || (t && strcmp(t->string, run_type) == 0)))
            return e;
    }
    return NULL;
}

static double num(const hy_json *e, const char *key)
{
    const hy_json *v = hy_json_get(e, key);
    return v && v->type == HY_JSON_NUMBER ? v->number : NAN;
}

static void test_run(void)
{
    hy_error err = {{0}};
    const hy_backend *cpu = hy_backend_find("cpu");
    CHECK(cpu != NULL);
    if (!cpu) return;
    hy_exec *ex = NULL;
    CHECK_OK(cpu->exec_create(&ex, &err), &err);

    /* Ceilings by hand: 100 GFLOP/s peak, 10 GB/s DRAM triad. */
    hy_ceilings ceil;
    memset(&ceil, 0, sizeof ceil);
    ceil.n_compute = 1;
    snprintf(ceil.compute[0].id, sizeof ceil.compute[0].id, "scalar_f32");
    snprintf(ceil.compute[0].isa, sizeof ceil.compute[0].isa, "scalar");
    snprintf(ceil.compute[0].dtype, sizeof ceil.compute[0].dtype, "f32");
    ceil.compute[0].available = 1;
    ceil.compute[0].one_thread = (hy_ceil_stat){.best = 50, .measured = 1};
    ceil.compute[0].all_threads = (hy_ceil_stat){.best = 100, .measured = 1};
    ceil.n_bandwidth = 1;
    snprintf(ceil.bandwidth[0].level, sizeof ceil.bandwidth[0].level, "dram");
    snprintf(ceil.bandwidth[0].kernel, sizeof ceil.bandwidth[0].kernel, "triad");
    ceil.bandwidth[0].all_threads = (hy_ceil_stat){.best = 10, .measured = 1};

    hy_counters *ctr = NULL;
    CHECK_OK(hy_counters_open(&ctr, &err), &err);
    const char *papi = hy_counters_status(ctr);
    CHECK(strncmp(papi, "available: ", 11) == 0 || strncmp(papi, "counters unavailable: ", 22) == 0);
    if (!hy_counters_available(ctr)) {
        long long v[HY_COUNTERS_MAX];
        CHECK(hy_counters_count(ctr) == 0);
        CHECK_OK(hy_counters_start(ctr, &err), &err);
        CHECK_OK(hy_counters_stop(ctr, v, &err), &err);
    }

    hy_topology topo;
    hy_error terr = {{0}};
    hy_topology_detect(&topo, &terr);
    CHECK(topo.pus >= 1);
    hy_strbuf tj = {0};
    hy_topology_to_json(&tj, &topo, "test");
    hy_json *tp = NULL;
    CHECK_OK(hy_json_parse(tj.data, tj.len, &tp, &err), &err);
    CHECK(tp && hy_json_get(tp, "pus") && hy_json_get(tp, "pus")->number == topo.pus);
    CHECK(tp && hy_json_get(tp, "caches") && hy_json_get(tp, "caches")->type == HY_JSON_ARRAY);
    hy_json_free(tp);

    hy_evictor ev;
    CHECK_OK(hy_evictor_init(&ev, 1 << 20, &err), &err);

    char path[512];
    snprintf(path, sizeof path, "%s/bench.json", hy_test_tmpdir("test_bench"));
    hy_results *res = NULL;
    hy_results_info info = {.command = "test_bench", .backends = "cpu", .papi_status = papi,
                            .topology_json = tj.data};
    CHECK_OK(hy_results_open(&res, path, &info, &err), &err);
    if (!res) return;
    hy_bench_env env = {.backend = cpu, .ex = ex, .ceilings = &ceil, .counters = ctr,
                        .evictor = &ev, .results = res};
    hy_bench_opts o;
    hy_bench_opts_default(&o);
    o.repetitions = 2;
    o.min_time_s = 0.001;
    o.threads = 1;
    o.log = stdout;

    hy_bench_shape s;
    hy_bench_outcome out;
    const hy_kernel_variant *scan = hy_backend_select(cpu, HY_FAM_SCAN);
    const hy_kernel_variant *mlp = hy_backend_select(cpu, HY_FAM_MLP);
    CHECK(scan && mlp);
    /* 1. prefill scan, warm */
    CHECK_OK(hy_bench_parse_shape("scan:T=32,D=24,N=8", &s, &err), &err);
    CHECK_OK(hy_bench_run(&env, scan, &s, &o, &out, &err), &err);
    CHECK(strcmp(out.status, "ok") == 0 && out.cache == HY_CACHE_WARM && out.validation_reduced == 0);
    CHECK(out.validation_error <= out.tolerance);
    /* 2. decode scan: streamed by default, through the copies that move
     * twice the LLC given in env; cold (evicted) when asked */
    env.llc_bytes = 64 * 1024;
    CHECK_OK(hy_bench_parse_shape("scan:T=1,D=24,N=8", &s, &err), &err);
    const int want_copies = hy_stream_copies(hy_val_shape_cost(&s.v).bytes, env.llc_bytes,
                                             HY_STREAM_MAX_COPIES);
    CHECK(want_copies > 3);
    CHECK_OK(hy_bench_run(&env, scan, &s, &o, &out, &err), &err);
    CHECK(strcmp(out.status, "ok") == 0 && out.cache == HY_CACHE_STREAMED &&
          out.copies == want_copies && out.median_s > 0);
    o.cache = HY_CACHE_COLD;
    CHECK_OK(hy_bench_parse_shape("scan:T=1,D=16,N=8", &s, &err), &err);
    CHECK_OK(hy_bench_run(&env, scan, &s, &o, &out, &err), &err);
    CHECK(strcmp(out.status, "ok") == 0 && out.cache == HY_CACHE_COLD && out.copies == 0);
    o.cache = HY_CACHE_AUTO;
    /* 3. an MLP over a tiny budget: validated at reduced T, timed in full */
    o.validate_flops = 2e4;
    CHECK_OK(hy_bench_parse_shape("mlp:T=16,H=16,I=24", &s, &err), &err);
    CHECK_OK(hy_bench_run(&env, mlp, &s, &o, &out, &err), &err);
    CHECK(strcmp(out.status, "ok") == 0 && out.validation_reduced == 1 && out.validated_T < 16);
    o.validate_flops = 0;
    /* 4. the same name again is skipped (resume) */
    CHECK_OK(hy_bench_run(&env, mlp, &s, &o, &out, &err), &err);
    CHECK(strcmp(out.status, "skipped") == 0);
    /* 5. a wrong variant: recorded as failed, never timed */
    real_scan = scan->impl.scan.run;
    hy_kernel_variant wrong = *scan;
    wrong.name = "wrong";
    wrong.impl.scan.run = wrong_scan;
    CHECK_OK(hy_bench_parse_shape("scan:T=32,D=24,N=8", &s, &err), &err);
    CHECK_OK(hy_bench_run(&env, &wrong, &s, &o, &out, &err), &err);
    CHECK(strcmp(out.status, "validation-failed") == 0 && isnan(out.median_s));
    hy_results_close(res);

    /* The file: parses, carries the context and consistent counters. */
    char *text = NULL;
    size_t len = 0;
    hy_json *j = NULL;
    CHECK_OK(hy_read_file(path, &text, &len, &err), &err);
    CHECK_OK(hy_json_parse(text, len, &j, &err), &err);
    const hy_json *ctx = hy_json_get(hy_json_get(j, "context"), "hybench");
    const hy_json *ps = hy_json_get(ctx, "papi_status");
    CHECK(ps && ps->type == HY_JSON_STRING && strcmp(ps->string, papi) == 0);
    CHECK(hy_json_get(hy_json_get(ctx, "topology"), "cores") != NULL);
    const hy_json *bm = hy_json_get(j, "benchmarks");
    CHECK(bm && bm->type == HY_JSON_ARRAY);
    if (bm) {
        const hy_json *e = find_entry(bm, "scan/seq/cpu/T=32,D=24,N=8", "iteration");
        if (!e) e = find_entry(bm, "scan/", "iteration");
        CHECK(e != NULL);
        if (e) {
            double t = num(e, "real_time") * 1e-9, flops = num(e, "flops"), bytes = num(e, "bytes");
            hy_cost c = hy_val_shape_cost(&(hy_val_shape){.family = HY_FAM_SCAN,
                                                          .s.scan = {.T = 32, .D = 24, .N = 8,
                                                                     .has_z = 1, .has_dt_bias = 1}});
            CHECK(strcmp(hy_json_get(e, "time_unit")->string, "ns") == 0);
            CHECK_NEAR(flops, c.flops, 0.5);
            CHECK_NEAR(bytes, c.bytes, 0.5);
            CHECK_NEAR(num(e, "GFLOPS"), flops / t / 1e9, 1e-6 * num(e, "GFLOPS"));
            CHECK_NEAR(num(e, "GBps"), bytes / t / 1e9, 1e-6 * num(e, "GBps"));
            CHECK_NEAR(num(e, "intensity"), flops / bytes, 1e-9);
            double bound = fmin(100.0, flops / bytes * 10.0);
            CHECK_NEAR(num(e, "roofline_fraction"), num(e, "GFLOPS") / bound, 1e-6);
            CHECK(num(e, "validation_error") <= num(e, "tolerance"));
            CHECK(num(e, "validated_T") == 32 && num(e, "validation_reduced") == 0);
            CHECK(strcmp(hy_json_get(e, "cache")->string, "warm") == 0);
        }
        const hy_json *streamed = NULL, *cold = NULL;
        for (size_t i = 0; i < bm->count; i++) {
            const hy_json *n = hy_json_get(&bm->items[i], "name");
            const hy_json *rt = hy_json_get(&bm->items[i], "run_type");
            if (!n || !rt || strcmp(rt->string, "iteration") != 0) continue;
            if (strstr(n->string, "T=1,D=24")) streamed = &bm->items[i];
            if (strstr(n->string, "T=1,D=16")) cold = &bm->items[i];
        }
        CHECK(streamed && strcmp(hy_json_get(streamed, "cache")->string, "streamed") == 0);
        CHECK(streamed && num(streamed, "copies") == want_copies && num(streamed, "copies_bytes") > 0);
        CHECK(cold && strcmp(hy_json_get(cold, "cache")->string, "cold") == 0);
        const hy_json *m = find_entry(bm, "mlp/", "iteration");
        CHECK(m && num(m, "validation_reduced") == 1 && num(m, "validated_T") < 16 &&
              num(m, "real_time") > 0);
        const hy_json *w = find_entry(bm, "scan/wrong/cpu/", NULL);
        CHECK(w != NULL);
        if (w) {
            const hy_json *eo = hy_json_get(w, "error_occurred");
            CHECK(eo && eo->type == HY_JSON_BOOL && eo->boolean);
            CHECK(hy_json_get(w, "real_time") == NULL && hy_json_get(w, "GFLOPS") == NULL);
            const hy_json *msg = hy_json_get(w, "error_message");
            CHECK(msg && strstr(msg->string, "FAIL") != NULL);
        }
        size_t wrong_entries = 0;
        for (size_t i = 0; i < bm->count; i++) {
            const hy_json *n = hy_json_get(&bm->items[i], "name");
            if (n && strncmp(n->string, "scan/wrong/", 11) == 0) wrong_entries++;
        }
        CHECK(wrong_entries == 1);
    }
    hy_json_free(j);
    free(text);
    hy_strbuf_free(&tj);
    hy_evictor_free(&ev);
    hy_counters_close(ctr);
    cpu->exec_destroy(ex);
}

int main(void)
{
    test_derive();
    test_parse();
    test_validation_shape();
    test_run();
    return hy_test_finish();
}
