/* cmd_bench.c — `hybench bench`: kernel microbenchmarks (hy_bench.h). */
#include <math.h>
#include <sys/stat.h>
#include <time.h>

#include "hy_bench.h"
#include "hy_cli.h"
#include "hy_results_open.h"
#include "hy_topology.h"

#ifdef HYBENCH_HAVE_OPENMP
#include <omp.h>
#endif

static const char *const CMD = "bench";

static void usage(FILE *f)
{
    fprintf(f,
            "usage: hybench bench [--backend B] [--family F[,F...]] [--variant V]\n"
            "                     [--preset P] [--seq L[,L...]] [--phase prefill|decode|both]\n"
            "                     [--shape 'family:key=value,...[;family:...]']\n"
            "                     [--repetitions N] [--min-time S] [--cache M] [--bind]\n"
            "                     [--out FILE | --resume FILE] [--csv FILE] [--max-time S]\n"
            "                     [--ceilings FILE] [--validate-flops F] [--seed S] [--quick]\n"
            "Validates each (family, variant, shape) against the reference, then times it.\n"
            "  --backend B        backend (default: the best available)\n"
            "  --family F,...     families (default: linear,rmsnorm,conv1d,scan,attention,moe,mlp)\n"
            "  --variant V        only variants named V (default: every variant of the family)\n"
            "  --preset P         model config the shapes come from (default hybrid-3b)\n"
            "  --seq L,...        prefill length / decode context (default 512,2048; quick 256)\n"
            "  --phase X          prefill, decode or both (default both)\n"
            "  --shape S          explicit shapes instead of a preset, ';'-separated, e.g.\n"
            "                     'scan:T=2048,D=8192,N=16;attention:T=1,nH=32,nKV=8,hd=128,pos0=4096'\n"
            "                     bf16 storage: linear w=bf16 (weights), attention kv=bf16\n"
            "                     (KV cache); only the variants that read it are timed\n"
            "  --repetitions N    repetitions (default 5 warm, 20 cold or streamed; quick 3 / 10)\n"
            "  --min-time S       seconds per warm repetition (default 0.1; quick 0.02)\n"
            "  --cache M          auto (default: streamed for decode shapes, warm for\n"
            "                     prefill), warm, cold (caches evicted before each call) or\n"
            "                     streamed (back to back through distinct copies of the\n"
            "                     case: data cold, threads awake, as a layer in a model)\n"
            "  --cold / --warm    the same as --cache cold / --cache warm\n"
            "  --bind             bind OpenMP threads one per core (hwloc)\n"
            "  --out FILE         results file (default results/runs/bench-<date>.json)\n"
            "  --resume FILE      continue FILE, skipping benchmarks already in it\n"
            "  --csv FILE         also export a flat CSV table\n"
            "  --max-time S       start no benchmark after S seconds; keep what was measured\n"
            "  --ceilings FILE    ceilings from `hybench ceilings --out FILE` instead of a\n"
            "                     quick measurement now\n"
            "  --validate-flops F reference FLOP budget per validation (default %.0e); larger\n"
            "                     shapes are validated at a reduced T (recorded)\n"
            "  --seed S           input seed (default 42)\n"
            "  --quick            shorter everything (smoke runs)\n",
            HY_BENCH_VALIDATE_FLOPS);
}

/* Splits s at `sep` into a malloc'ed copy whose parts are parts[0..n-1]. */
static char *split(const char *s, char sep, char **parts, size_t max, size_t *n)
{
    char *copy = strdup(s);
    *n = 0;
    if (!copy) return NULL;
    char *p = copy;
    while (p && *n < max) {
        parts[(*n)++] = p;
        p = strchr(p, sep);
        if (p) *p++ = 0;
    }
    return copy;
}


#define MAX_SHAPES 256

typedef struct bench_run {
    hy_bench_env env;
    hy_bench_opts opts;
    const char *variant_filter;
    double deadline; /* hy_timer_now() after which nothing starts; 0: none */
    int n_ok, n_failed, n_unsupported, n_skipped, n_variants_matched, stopped;
    size_t n_left;
} bench_run;

/* Every selected variant on one shape. */
static int run_shape(bench_run *r, const hy_bench_shape *s, hy_error *err)
{
    const hy_kernel_variant *vars[16];
    size_t nv = hy_backend_variants(r->env.backend, s->v.family, vars, 16);
    if (nv == 0) {
        fprintf(stderr, "note: %s is not supported by backend %s (nothing to time)\n",
                hy_family_name(s->v.family), r->env.backend->name);
        return 0;
    }
    size_t n_readers = 0;
    for (size_t i = 0; i < nv && i < 16; i++) {
        if (r->variant_filter && strcmp(vars[i]->name, r->variant_filter) != 0) continue;
        /* only the variants that read this shape's storage (f32 or bf16) */
        if (!hy_variant_storage_ok(vars[i], &s->v.s, NULL)) continue;
        r->n_variants_matched++;
        n_readers++;
        if (r->stopped || (r->deadline > 0 && hy_timer_now() > r->deadline)) {
            r->stopped = 1;
            r->n_left++;
            continue;
        }
        hy_bench_outcome o;
        if (hy_bench_run(&r->env, vars[i], s, &r->opts, &o, err)) return -1;
        if (strcmp(o.status, "ok") == 0) r->n_ok++;
        else if (strcmp(o.status, "skipped") == 0) r->n_skipped++;
        else if (strcmp(o.status, "unsupported") == 0) r->n_unsupported++; /* a data point, not a failure */
        else r->n_failed++;
    }
    if (n_readers == 0 && !r->variant_filter)
        fprintf(stderr, "note: no %s variant of backend %s reads the storage of %s (nothing to time)\n",
                hy_family_name(s->v.family), r->env.backend->name, s->name);
    return 0;
}

int hy_cmd_bench(int argc, char **argv)
{
    hy_opt opts[] = {
        {"backend", 1, NULL, 0},     {"family", 1, NULL, 0},        {"variant", 1, NULL, 0},
        {"preset", 1, NULL, 0},      {"seq", 1, NULL, 0},           {"phase", 1, NULL, 0},
        {"shape", 1, NULL, 0},       {"repetitions", 1, NULL, 0},   {"min-time", 1, NULL, 0},
        {"cold", 0, NULL, 0},        {"warm", 0, NULL, 0},          {"bind", 0, NULL, 0},
        {"cache", 1, NULL, 0},
        {"out", 1, NULL, 0},         {"resume", 1, NULL, 0},        {"csv", 1, NULL, 0},
        {"max-time", 1, NULL, 0},    {"ceilings", 1, NULL, 0},      {"validate-flops", 1, NULL, 0},
        {"seed", 1, NULL, 0},        {"quick", 0, NULL, 0},
    };
    const size_t n_opts = sizeof opts / sizeof opts[0];
    int help = 0;
    hy_error err = {{0}};
    if (hy_timer_init(&argc, argv, &err)) {
        hy_cli_error(CMD, "%s", err.msg);
        return HY_EXIT_USAGE;
    }
    int rc = hy_cli_parse(argc, argv, opts, n_opts, &help);
    if (rc) return rc;
    if (help) {
        usage(stdout);
        return HY_EXIT_OK;
    }
#define OPT(name) hy_cli_opt(opts, n_opts, name)
    int quick = OPT("quick")->present;
    bench_run run;
    memset(&run, 0, sizeof run);
    hy_bench_opts_default(&run.opts);
    run.opts.log = stdout;
    if (quick) {
        run.opts.min_time_s = 0.02;
    }

    /* --- options --------------------------------------------------------------- */
    int64_t iv;
    if (OPT("repetitions")->present) {
        if (hy_cli_int64(CMD, "repetitions", OPT("repetitions")->value, 1, 100000, &iv)) return HY_EXIT_USAGE;
        run.opts.repetitions = (int)iv;
    } else if (quick) {
        run.opts.repetitions = 3;
    }
    double max_time = 0;
    const char *dnames[] = {"min-time", "max-time", "validate-flops"};
    double *dvals[] = {&run.opts.min_time_s, &max_time, &run.opts.validate_flops};
    for (int k = 0; k < 3; k++) {
        const hy_opt *o = OPT(dnames[k]);
        if (!o->present) continue;
        char *end = NULL;
        double v = strtod(o->value, &end);
        if (end == o->value || *end || !(v > 0) || !isfinite(v)) {
            hy_cli_error(CMD, "--%s: '%s' is not a positive number", dnames[k], o->value);
            return HY_EXIT_USAGE;
        }
        *dvals[k] = v;
    }
    if (OPT("seed")->present && hy_cli_uint64(CMD, "seed", OPT("seed")->value, &run.opts.seed))
        return HY_EXIT_USAGE;
    if (OPT("cold")->present + OPT("warm")->present + OPT("cache")->present > 1) {
        hy_cli_error(CMD, "--cold, --warm and --cache exclude each other");
        return HY_EXIT_USAGE;
    }
    run.opts.cache = OPT("cold")->present ? HY_CACHE_COLD : OPT("warm")->present ? HY_CACHE_WARM : HY_CACHE_AUTO;
    if (OPT("cache")->present) {
        const char *m = OPT("cache")->value;
        hy_cache_mode modes[] = {HY_CACHE_AUTO, HY_CACHE_WARM, HY_CACHE_COLD, HY_CACHE_STREAMED};
        size_t k = 0;
        while (k < 4 && strcmp(m, hy_cache_mode_name(modes[k])) != 0) k++;
        if (k == 4) {
            hy_cli_error(CMD, "--cache: '%s' is not auto, warm, cold or streamed", m);
            return HY_EXIT_USAGE;
        }
        run.opts.cache = modes[k];
    }
    if (OPT("out")->present && OPT("resume")->present) {
        hy_cli_error(CMD, "--out and --resume exclude each other (--resume FILE writes FILE)");
        return HY_EXIT_USAGE;
    }
    if (OPT("shape")->present && (OPT("preset")->present || OPT("seq")->present || OPT("phase")->present ||
                                  OPT("family")->present)) {
        hy_cli_error(CMD, "--shape gives the shapes itself; it excludes --preset, --seq, --phase and --family");
        return HY_EXIT_USAGE;
    }
    int phases[2] = {1, 1};
    if (OPT("phase")->present) {
        const char *p = OPT("phase")->value;
        if (strcmp(p, "prefill") == 0) phases[1] = 0;
        else if (strcmp(p, "decode") == 0) phases[0] = 0;
        else if (strcmp(p, "both") != 0) {
            hy_cli_error(CMD, "--phase: '%s' is not prefill, decode or both", p);
            return HY_EXIT_USAGE;
        }
    }
    int64_t seqs[16];
    size_t n_seq = 0;
    {
        const char *s = OPT("seq")->present ? OPT("seq")->value : quick ? "256" : "512,2048";
        char *parts[16];
        char *copy = split(s, ',', parts, 16, &n_seq);
        if (!copy) return HY_EXIT_FAIL;
        for (size_t i = 0; i < n_seq; i++)
            if (hy_cli_int64(CMD, "seq", parts[i], 1, (int64_t)1 << 24, &seqs[i])) {
                free(copy);
                return HY_EXIT_USAGE;
            }
        free(copy);
    }
    int families[HY_FAM_COUNT] = {0};
    {
        const char *s = OPT("family")->present ? OPT("family")->value
                                               : "linear,rmsnorm,conv1d,scan,attention,moe,mlp";
        char *parts[HY_FAM_COUNT + 4];
        size_t n = 0;
        char *copy = split(s, ',', parts, HY_FAM_COUNT + 4, &n);
        if (!copy) return HY_EXIT_FAIL;
        for (size_t i = 0; i < n; i++) {
            hy_family f;
            if (hy_family_parse(parts[i], &f)) {
                hy_cli_error(CMD, "--family: unknown family '%s'", parts[i]);
                free(copy);
                return HY_EXIT_USAGE;
            }
            families[f] = 1;
        }
        free(copy);
    }
    const char *preset = OPT("preset")->present ? OPT("preset")->value : "hybrid-3b";
    hy_config cfg;
    if (!OPT("shape")->present && hy_config_preset(preset, &cfg, &err)) {
        hy_cli_error(CMD, "--preset: %s", err.msg);
        return HY_EXIT_USAGE;
    }

    /* --- shapes ---------------------------------------------------------------------- */
    hy_bench_shape *shapes = calloc(MAX_SHAPES, sizeof *shapes);
    if (!shapes) return HY_EXIT_FAIL;
    size_t n_shapes = 0;
    int status = HY_EXIT_OK;
    if (OPT("shape")->present) {
        char *parts[MAX_SHAPES];
        size_t n = 0;
        char *copy = split(OPT("shape")->value, ';', parts, MAX_SHAPES, &n);
        for (size_t i = 0; copy && i < n; i++)
            if (hy_bench_parse_shape(parts[i], &shapes[n_shapes++], &err)) {
                hy_cli_error(CMD, "--shape: %s", err.msg);
                free(copy);
                free(shapes);
                return HY_EXIT_USAGE;
            }
        free(copy);
    } else {
        for (int f = 0; f < HY_FAM_COUNT; f++) {
            if (!families[f]) continue;
            for (int ph = 0; ph < 2; ph++) {
                if (!phases[ph]) continue;
                for (size_t i = 0; i < n_seq; i++) {
                    size_t n = 0;
                    char why[200];
                    if (hy_bench_derive(&cfg, preset, (hy_family)f, (hy_phase)ph, seqs[i], shapes + n_shapes,
                                        MAX_SHAPES - n_shapes, &n, why, sizeof why, &err)) {
                        hy_cli_error(CMD, "%s", err.msg);
                        free(shapes);
                        return HY_EXIT_USAGE;
                    }
                    if (n == 0 && ph == (phases[0] ? 0 : 1) && i == 0)
                        fprintf(stderr, "note: no %s shapes: %s\n", hy_family_name((hy_family)f), why);
                    n_shapes += n;
                }
            }
        }
    }

    /* --- backend, threads, topology, counters, ceilings ------------------------------------ */
    const hy_backend *b = OPT("backend")->present ? hy_backend_find(OPT("backend")->value) : hy_backend_best();
    if (!b) {
        hy_cli_error(CMD, "--backend: '%s' is not compiled in", OPT("backend")->present ? OPT("backend")->value : "?");
        free(shapes);
        return HY_EXIT_USAGE;
    }
    char why[256] = "";
    if (!b->probe(why, sizeof why)) {
        hy_cli_error(CMD, "backend %s is not usable here: %s", b->name, why);
        free(shapes);
        return HY_EXIT_FAIL;
    }
    run.variant_filter = OPT("variant")->present ? OPT("variant")->value : NULL;
#ifdef HYBENCH_HAVE_OPENMP
    run.opts.threads = omp_get_max_threads();
#endif
    char binding[200] = "not bound (--bind not given)";
    if (OPT("bind")->present && hy_topology_bind_threads(run.opts.threads, binding, sizeof binding, &err)) {
        hy_cli_error(CMD, "%s", err.msg);
        free(shapes);
        return HY_EXIT_FAIL;
    }
    hy_topology topo;
    hy_error terr = {{0}};
    hy_topology_detect(&topo, &terr);
    hy_strbuf topo_json = {0}, ceil_json = {0};
    hy_topology_to_json(&topo_json, &topo, binding);
    char topo_line[400];
    hy_topology_summary(&topo, topo_line, sizeof topo_line);
    printf("topology: %s\nbinding:  %s\n", topo_line, binding);

    hy_counters *counters = NULL;
    hy_ceilings *ceil = calloc(1, sizeof *ceil);
    char *ceil_raw = NULL;
    hy_evictor ev = {0};
    hy_exec *ex = NULL;
    hy_results *res = NULL;
    if (!ceil || hy_counters_open(&counters, &err)) {
        hy_cli_error(CMD, "out of memory");
        status = HY_EXIT_FAIL;
        goto done;
    }
    printf("papi:     %s\n", hy_counters_status(counters));
    if (OPT("ceilings")->present) {
        if (hy_ceilings_load(OPT("ceilings")->value, ceil, &ceil_raw, &err)) {
            hy_cli_error(CMD, "--ceilings: %s", err.msg);
            status = HY_EXIT_FAIL;
            goto done;
        }
    } else {
        hy_ceilings_opts co;
        hy_ceilings_opts_default(&co);
        co.quick = 1;
        co.threads = run.opts.threads;
        printf("ceilings: measuring (quick probe, a few seconds)...\n");
        fflush(stdout);
        if (hy_ceilings_measure(&co, ceil, &err)) {
            hy_cli_error(CMD, "ceilings: %s", err.msg);
            status = HY_EXIT_FAIL;
            goto done;
        }
        hy_ceilings_to_json(&ceil_json, ceil);
    }
    {
        double gf, gb;
        const char *id;
        const int device = hy_ceilings_find_device(ceil, b->name) != NULL;
        if (hy_ceilings_backend_peaks(ceil, b->name, &gf, &gb, &id) == 0)
            printf("ceilings: %s %.1f GFLOP/s, %s %.1f GB/s%s\n", id ? id : "?", gf,
                   device ? "device copy" : "DRAM triad", gb, device ? "" : " (all threads)");
        else
            printf("ceilings: not measured for backend %s (no roofline fractions)\n", b->name);
    }
    if (hy_evictor_init(&ev, 0, &err) || b->exec_create(&ex, &err)) {
        hy_cli_error(CMD, "%s", err.msg);
        status = HY_EXIT_FAIL;
        goto done;
    }

    /* --- results file ------------------------------------------------------------------------ */
    {
        hy_results_open_args ra = {
            .command_name = "bench",
            .resume = OPT("resume")->present ? OPT("resume")->value : NULL,
            .out = OPT("out")->present ? OPT("out")->value : NULL,
            .argc = argc, .argv = argv, .backend = b,
            .ceilings_json = ceil_raw ? ceil_raw : ceil_json.data,
            .papi_status = hy_counters_status(counters),
            .topology_json = topo_json.data};
        int orc = hy_results_open_for_run(&ra, &res, &err);
        if (orc) {
            hy_cli_error(CMD, "%s", err.msg);
            status = HY_EXIT_FAIL;
            goto done;
        }
    }

    /* --- the benchmarks ------------------------------------------------------------------------ */
    run.env = (hy_bench_env){.backend = b, .ex = ex, .ceilings = ceil, .counters = counters,
                             .evictor = &ev, .results = res};
    run.deadline = max_time > 0 ? hy_timer_now() + max_time : 0;
    printf("%zu shape%s on backend %s\n", n_shapes, n_shapes == 1 ? "" : "s", b->name);
    for (size_t i = 0; i < n_shapes; i++)
        if (run_shape(&run, &shapes[i], &err)) {
            hy_cli_error(CMD, "%s", err.msg);
            status = HY_EXIT_FAIL;
            goto done;
        }
    if (run.variant_filter && run.n_variants_matched == 0) {
        hy_cli_error(CMD, "--variant: no selected family of backend %s has a variant '%s'", b->name,
                     run.variant_filter);
        status = HY_EXIT_USAGE;
    }
    printf("\n%d timed, %d failed, %d unsupported here, %d already in the file", run.n_ok,
           run.n_failed, run.n_unsupported, run.n_skipped);
    if (run.stopped)
        printf("; stopped by --max-time with %zu left (continue with --resume %s)", run.n_left,
               hy_results_path(res));
    printf("\nresults: %s\n", hy_results_path(res));
    if (OPT("csv")->present) {
        if (hy_results_export_csv(hy_results_path(res), OPT("csv")->value, &err)) {
            hy_cli_error(CMD, "--csv: %s", err.msg);
            status = HY_EXIT_FAIL;
        } else {
            printf("csv:     %s\n", OPT("csv")->value);
        }
    }
    if (status == HY_EXIT_OK && run.n_failed > 0) status = HY_EXIT_FAIL;
done:
    hy_results_close(res);
    if (ex) b->exec_destroy(ex);
    hy_evictor_free(&ev);
    hy_counters_close(counters);
    free(ceil);
    free(ceil_raw);
    hy_strbuf_free(&ceil_json);
    hy_strbuf_free(&topo_json);
    free(shapes);
    return status;
#undef OPT
}
