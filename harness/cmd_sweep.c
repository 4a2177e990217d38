/* cmd_sweep.c — `hybench sweep`: layer-kind costs across lengths, composed
 * per attention:Mamba (and local:global) ratio, checked against
 * whole-model runs (hy_sweep.h). */
#include <math.h>
#include <sys/stat.h>
#include <time.h>

#include "hy_cli.h"
#include "hy_results_open.h"
#include "hy_config.h"
#include "hy_sweep.h"
#include "hy_topology.h"

#ifdef HYBENCH_HAVE_OPENMP
#include <omp.h>
#endif

static const char *const CMD = "sweep";

static void usage(FILE *f)
{
    fprintf(f,
            "usage: hybench sweep --preset P [--width-div D] | --config FILE\n"
            "                     [--seq L,...] [--ratios R,...] [--phase prefill,decode]\n"
            "                     [--window W] [--check-ratios R,... | --no-check] [--check-seq L]\n"
            "                     [--backend B] [--repetitions N] [--min-time S] [--seed S]\n"
            "                     [--max-time S] [--length-budget S] [--check-budget S]\n"
            "                     [--out FILE | --resume FILE] [--csv FILE] [--summary FILE]\n"
            "                     [--ceilings FILE] [--validate-flops F] [--quick]\n"
            "                     [--decode-cache auto|streamed|warm]\n"
            "Times every layer kind (attention mixer, local attention, Mamba mixer, MoE FFN,\n"
            "dense FFN, head; norms and projections included) at each length, validated\n"
            "first, composes each ratio's per-token prefill and decode cost, memory and the\n"
            "crossover length against the pure transformer, and checks the composition\n"
            "against whole-model runs.\n"
            "  --preset P         model config (hybench info lists them)\n"
            "  --width-div D      divide hidden, heads, kv heads, intermediate and dt_rank by D\n"
            "                     (head_dim, state, experts, vocab and layers kept): a preset's\n"
            "                     layer mix at a size this machine can sweep\n"
            "  --config FILE      a Hugging Face config.json instead of a preset\n"
            "  --seq L,...        lengths: prefill tokens / decode context (default\n"
            "                     512,2048,8192,32768; quick 128,512)\n"
            "  --ratios R,...     attention:mamba ratios and swaLOCAL:GLOBAL layouts (default\n"
            "                     0:1,1:7,1:3,1:1,1:0; swa7:1 needs --window)\n"
            "  --phase P,...      prefill, decode or both (default both)\n"
            "  --window W         window of the local layers of swa ratios\n"
            "  --check-ratios R,. whole-model checks (default 1:7,1:0)\n"
            "  --check-seq L      length of the checks (default the smallest --seq)\n"
            "  --no-check         no whole-model checks\n"
            "  --max-time S       start nothing after S seconds; keep what was measured\n"
            "  --length-budget S  skip a (phase, length) estimated to take longer (default 120)\n"
            "  --check-budget S   skip a whole-model check estimated to take longer (default 180)\n"
            "  --out FILE         results file (default results/runs/sweep-<date>.json)\n"
            "  --resume FILE      continue FILE: finished measurements are not repeated\n"
            "  --summary FILE     derived numbers (default <results>.summary.json)\n"
            "  --csv FILE         also export the results as CSV\n"
            "  --ceilings FILE    ceilings from `hybench ceilings --out` (default: quick probe)\n"
            "  --validate-flops F reference FLOP budget per kernel validation (default 2.5e8)\n"
            "  --decode-cache M   decode kernels timed streamed (through distinct copies of\n"
            "                     their data, cold, back to back: a layer of a model larger\n"
            "                     than the cache) or warm; auto (default): streamed when the\n"
            "                     model's weights exceed the last-level cache\n"
            "  --repetitions N, --min-time S, --seed S   as in hybench bench\n"
            "  --quick            short lengths, fewer repetitions (smoke runs)\n");
}

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
    if (p) *n = max + 1; /* too many */
    return copy;
}

static int parse_ratios(const char *s, hy_sweep_ratio *out, size_t max, size_t *n)
{
    char *parts[HY_SWEEP_MAX_RATIOS + 1];
    char *copy = split(s, ',', parts, HY_SWEEP_MAX_RATIOS, n);
    if (!copy) return -1;
    if (*n > max) {
        hy_cli_error(CMD, "at most %zu ratios", max);
        free(copy);
        return -1;
    }
    for (size_t i = 0; i < *n; i++) {
        hy_error err = {{0}};
        if (hy_sweep_parse_ratio(parts[i], &out[i], &err)) {
            hy_cli_error(CMD, "%s", err.msg);
            free(copy);
            return -1;
        }
    }
    free(copy);
    return 0;
}


static int positive(const char *what, const char *s, double *out)
{
    char *end = NULL;
    double v = strtod(s, &end);
    if (end == s || *end || !(v > 0) || !isfinite(v)) {
        hy_cli_error(CMD, "--%s: '%s' is not a positive number", what, s);
        return -1;
    }
    *out = v;
    return 0;
}

int hy_cmd_sweep(int argc, char **argv)
{
    hy_opt opts[] = {
        {"preset", 1, NULL, 0},        {"width-div", 1, NULL, 0},    {"config", 1, NULL, 0},
        {"seq", 1, NULL, 0},           {"ratios", 1, NULL, 0},       {"phase", 1, NULL, 0},
        {"window", 1, NULL, 0},        {"check-ratios", 1, NULL, 0}, {"check-seq", 1, NULL, 0},
        {"no-check", 0, NULL, 0},      {"backend", 1, NULL, 0},      {"repetitions", 1, NULL, 0},
        {"min-time", 1, NULL, 0},      {"seed", 1, NULL, 0},         {"max-time", 1, NULL, 0},
        {"length-budget", 1, NULL, 0}, {"check-budget", 1, NULL, 0}, {"out", 1, NULL, 0},
        {"resume", 1, NULL, 0},        {"csv", 1, NULL, 0},          {"summary", 1, NULL, 0},
        {"ceilings", 1, NULL, 0},      {"validate-flops", 1, NULL, 0}, {"quick", 0, NULL, 0},
        {"decode-cache", 1, NULL, 0},
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
    hy_sweep_opts *o = calloc(1, sizeof *o);
    hy_sweep_result *res = calloc(1, sizeof *res);
    hy_ceilings *ceil = calloc(1, sizeof *ceil);
    if (!o || !res || !ceil) {
        free(o), free(res), free(ceil);
        return HY_EXIT_FAIL;
    }
    hy_sweep_opts_default(o);
    int status = HY_EXIT_USAGE;
    char label[64] = "";
    int64_t iv;
    hy_counters *counters = NULL;
    char *ceil_raw = NULL;
    hy_strbuf topo_json = {0}, ceil_json = {0};
    hy_exec *ex = NULL;
    hy_results *results = NULL;
    const hy_backend *b = NULL;

    /* --- the model ------------------------------------------------------------ */
    if (OPT("preset")->present == OPT("config")->present) {
        hy_cli_error(CMD, "give exactly one of --preset P and --config FILE (see --help)");
        goto done;
    }
    if (OPT("preset")->present) {
        if (hy_config_preset(OPT("preset")->value, &o->base, &err)) {
            hy_cli_error(CMD, "--preset: %s", err.msg);
            goto done;
        }
        snprintf(label, sizeof label, "%s", OPT("preset")->value);
    } else {
        if (hy_config_load(OPT("config")->value, &o->base, &err)) {
            hy_cli_error(CMD, "--config: %s", err.msg);
            status = HY_EXIT_FAIL;
            goto done;
        }
        snprintf(label, sizeof label, "config");
    }
    if (OPT("width-div")->present) {
        if (hy_cli_int64(CMD, "width-div", OPT("width-div")->value, 1, 1024, &iv)) goto done;
        if (hy_sweep_scale_config(&o->base, iv, &o->base, &err)) {
            hy_cli_error(CMD, "--width-div: %s", err.msg);
            goto done;
        }
        if (iv > 1) {
            size_t l = strlen(label);
            snprintf(label + l, sizeof label - l, "-div%lld", (long long)iv);
        }
    }
    for (char *p = label; *p; p++)
        if (*p == '/') *p = '_';
    o->label = label;

    /* --- lengths, ratios, phases ------------------------------------------------ */
    {
        const char *s = OPT("seq")->present ? OPT("seq")->value : quick ? "128,512" : "512,2048,8192,32768";
        char *parts[HY_SWEEP_MAX_SEQ + 1];
        size_t n = 0;
        char *copy = split(s, ',', parts, HY_SWEEP_MAX_SEQ, &n);
        if (!copy) goto done;
        if (n > HY_SWEEP_MAX_SEQ) {
            hy_cli_error(CMD, "--seq: at most %d lengths", HY_SWEEP_MAX_SEQ);
            free(copy);
            goto done;
        }
        for (size_t i = 0; i < n; i++)
            if (hy_cli_int64(CMD, "seq", parts[i], 1, (int64_t)1 << 22, &o->seqs[i])) {
                free(copy);
                goto done;
            }
        free(copy);
        o->n_seq = n;
        for (size_t i = 1; i < n; i++)
            if (o->seqs[i] <= o->seqs[i - 1]) {
                hy_cli_error(CMD, "--seq: lengths must be ascending and distinct");
                goto done;
            }
    }
    if (parse_ratios(OPT("ratios")->present ? OPT("ratios")->value : "0:1,1:7,1:3,1:1,1:0",
                     o->ratios, HY_SWEEP_MAX_RATIOS, &o->n_ratios))
        goto done;
    if (OPT("phase")->present) {
        const char *p = OPT("phase")->value;
        o->phases[0] = strstr(p, "prefill") != NULL || strcmp(p, "both") == 0;
        o->phases[1] = strstr(p, "decode") != NULL || strcmp(p, "both") == 0;
        char *parts[4];
        size_t n = 0;
        char *copy = split(p, ',', parts, 3, &n);
        for (size_t i = 0; copy && i < n && i < 3; i++)
            if (strcmp(parts[i], "prefill") && strcmp(parts[i], "decode") && strcmp(parts[i], "both")) {
                hy_cli_error(CMD, "--phase: '%s' is not prefill, decode or both", parts[i]);
                free(copy);
                goto done;
            }
        free(copy);
    }
    if (OPT("window")->present) {
        if (hy_cli_int64(CMD, "window", OPT("window")->value, 1, (int64_t)1 << 30, &o->window)) goto done;
    }
    if (OPT("no-check")->present && (OPT("check-ratios")->present || OPT("check-seq")->present)) {
        hy_cli_error(CMD, "--no-check excludes --check-ratios and --check-seq");
        goto done;
    }
    if (!OPT("no-check")->present &&
        parse_ratios(OPT("check-ratios")->present ? OPT("check-ratios")->value : "1:7,1:0", o->checks,
                     HY_SWEEP_MAX_CHECKS, &o->n_checks))
        goto done;
    o->check_seq = o->seqs[0];
    if (OPT("check-seq")->present &&
        hy_cli_int64(CMD, "check-seq", OPT("check-seq")->value, 1, (int64_t)1 << 22, &o->check_seq))
        goto done;

    /* --- timing options ------------------------------------------------------------- */
    if (quick) {
        o->bench.repetitions = 3;
        o->bench.min_time_s = 0.02;
        o->check_repetitions = 2;
        o->decode_steps = 4;
    }
    if (OPT("repetitions")->present) {
        if (hy_cli_int64(CMD, "repetitions", OPT("repetitions")->value, 1, 10000, &iv)) goto done;
        o->bench.repetitions = (int)iv;
    }
    if ((OPT("min-time")->present && positive("min-time", OPT("min-time")->value, &o->bench.min_time_s)) ||
        (OPT("max-time")->present && positive("max-time", OPT("max-time")->value, &o->max_time)) ||
        (OPT("length-budget")->present &&
         positive("length-budget", OPT("length-budget")->value, &o->length_budget)) ||
        (OPT("check-budget")->present &&
         positive("check-budget", OPT("check-budget")->value, &o->check_budget)) ||
        (OPT("validate-flops")->present &&
         positive("validate-flops", OPT("validate-flops")->value, &o->bench.validate_flops)))
        goto done;
    if (OPT("seed")->present && hy_cli_uint64(CMD, "seed", OPT("seed")->value, &o->bench.seed)) goto done;
    if (OPT("out")->present && OPT("resume")->present) {
        hy_cli_error(CMD, "--out and --resume exclude each other (--resume FILE writes FILE)");
        goto done;
    }
    o->summary_path = OPT("summary")->present ? OPT("summary")->value : NULL;
    if (OPT("decode-cache")->present) {
        const char *m = OPT("decode-cache")->value;
        if (strcmp(m, "auto") == 0) o->decode_cache = HY_CACHE_AUTO;
        else if (strcmp(m, "streamed") == 0) o->decode_cache = HY_CACHE_STREAMED;
        else if (strcmp(m, "warm") == 0) o->decode_cache = HY_CACHE_WARM;
        else {
            hy_cli_error(CMD, "--decode-cache: '%s' is not auto, streamed or warm", m);
            goto done;
        }
    }

    /* --- backend, ceilings, results file ---------------------------------------------- */
    status = HY_EXIT_FAIL;
    b = OPT("backend")->present ? hy_backend_find(OPT("backend")->value) : hy_backend_best();
    if (!b) {
        hy_cli_error(CMD, "--backend: '%s' is not compiled in", OPT("backend")->present ? OPT("backend")->value : "?");
        status = HY_EXIT_USAGE;
        goto done;
    }
    char why[256] = "";
    if (!b->probe(why, sizeof why)) {
        hy_cli_error(CMD, "backend %s is not usable here: %s", b->name, why);
        goto done;
    }
#ifdef HYBENCH_HAVE_OPENMP
    o->bench.threads = omp_get_max_threads();
#endif
    {
        hy_topology topo;
        hy_error terr = {{0}};
        hy_topology_detect(&topo, &terr);
        hy_topology_to_json(&topo_json, &topo, "not bound");
    }
    if (hy_counters_open(&counters, &err)) {
        hy_cli_error(CMD, "%s", err.msg);
        goto done;
    }
    if (OPT("ceilings")->present) {
        if (hy_ceilings_load(OPT("ceilings")->value, ceil, &ceil_raw, &err)) {
            hy_cli_error(CMD, "--ceilings: %s", err.msg);
            goto done;
        }
    } else {
        hy_ceilings_opts co;
        hy_ceilings_opts_default(&co);
        co.quick = 1;
        co.threads = o->bench.threads;
        printf("ceilings: measuring (quick probe, a few seconds)...\n");
        fflush(stdout);
        if (hy_ceilings_measure(&co, ceil, &err)) {
            hy_cli_error(CMD, "ceilings: %s", err.msg);
            goto done;
        }
        hy_ceilings_to_json(&ceil_json, ceil);
    }
    if (b->exec_create(&ex, &err)) {
        hy_cli_error(CMD, "%s", err.msg);
        goto done;
    }
    {
        hy_results_open_args ra = {
            .command_name = "sweep",
            .resume = OPT("resume")->present ? OPT("resume")->value : NULL,
            .out = OPT("out")->present ? OPT("out")->value : NULL,
            .argc = argc, .argv = argv, .backend = b,
            .ceilings_json = ceil_raw ? ceil_raw : ceil_json.data,
            .papi_status = hy_counters_status(counters),
            .topology_json = topo_json.data};
        int orc = hy_results_open_for_run(&ra, &results, &err);
        if (orc) {
            hy_cli_error(CMD, "%s", err.msg);
            goto done;
        }
    }

    /* --- the sweep ------------------------------------------------------------------------ */
    {
        /* no evictor: the sweep times warm, or streamed (hy_sweep.h) */
        hy_bench_env env = {.backend = b, .ex = ex, .ceilings = ceil, .counters = counters,
                            .results = results};
        const hy_config *c = &o->base;
        printf("model %s: H %lld, %lld layers, %lld/%lld heads of %lld, I %lld, %lld experts top-%lld, "
               "Di %lld, N %lld, vocab %lld; backend %s\n",
               label, (long long)c->hidden, (long long)c->n_layers, (long long)c->n_heads,
               (long long)c->n_kv_heads, (long long)c->head_dim, (long long)c->intermediate,
               (long long)c->n_experts, (long long)c->top_k, (long long)c->d_inner,
               (long long)c->d_state, (long long)c->vocab, b->name);
        if (hy_sweep_run(&env, o, res, &err)) {
            hy_cli_error(CMD, "%s", err.msg);
            goto done;
        }
        hy_sweep_print(stdout, o, res);
        printf("results: %s\nsummary: %s\n", hy_results_path(results), res->summary_path);
        status = HY_EXIT_OK;
        if (OPT("csv")->present) {
            if (hy_results_export_csv(hy_results_path(results), OPT("csv")->value, &err)) {
                hy_cli_error(CMD, "--csv: %s", err.msg);
                status = HY_EXIT_FAIL;
            } else {
                printf("csv:     %s\n", OPT("csv")->value);
            }
        }
        if (res->kernels_failed > 0) status = HY_EXIT_FAIL;
        for (size_t k = 0; k < res->n_checks; k++)
            if (strcmp(res->checks[k].status, "validation-failed") == 0 ||
                strcmp(res->checks[k].status, "error") == 0)
                status = HY_EXIT_FAIL;
    }
done:
    hy_results_close(results);
    if (ex) b->exec_destroy(ex);
    hy_counters_close(counters);
    free(ceil_raw);
    hy_strbuf_free(&ceil_json);
    hy_strbuf_free(&topo_json);
    free(ceil);
    free(res);
    free(o);
    return status;
#undef OPT
}
