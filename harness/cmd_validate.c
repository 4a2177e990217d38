/* cmd_validate.c — `hybench validate`: every variant of every available
 * backend (or the one named) over the family shape sets, then the model
 * forward of each backend against the reference forward on the tiny
 * presets in prefill, decode and chunked modes.  Exit 1 on any failure. */
#include "backend.h"
#include "hy_build_info.h"
#include "hy_json.h"
#include "hy_cli.h"
#include "hy_config.h"
#include "hy_validate.h"
#include "hy_weights.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *const validate_help =
    "usage: hybench validate [--backend NAME|all] [--family FAMILY] [--quick] [--seed S]\n"
    "                        [--verbose] [--out FILE]\n\n"
    "Runs every kernel variant of every available backend (or of the one named)\n"
    "against the reference kernels over each family's shape set, then the whole\n"
    "model forward of each backend against the reference forward on the tiny\n"
    "presets (prefill, decode and chunked; relative error <= 1e-4).\n\n"
    "  --backend NAME   one backend (an unavailable one is an error), or all (default)\n"
    "  --family FAMILY  only this kernel family (linear, rmsnorm, conv1d, scan, ssd,\n"
    "                   attention, moe, mlp); skips the model forward\n"
    "  --quick          the quick subset of shapes and presets\n"
    "  --seed S         seed of the random inputs (default 1)\n"
    "  --verbose        print the message of passing checks too\n"
    "  --out FILE       also write every row as JSON (for `hybench report`):\n"
    "                   {context: {date, host_name, hybench: {version, git_commit,\n"
    "                   device, command}}, validation: [{backend, family, variant,\n"
    "                   shape, status, error, tolerance, message}]}\n\n"
    "Each row: backend, family, variant, shape, error = max|got-ref|/max|ref|,\n"
    "tolerance, and PASS, FAIL, UNSUPPORTED (the variant declines the shape or the\n"
    "backend has no variant of the family) or ERROR (could not run).\n"
    "Exit status: 0 when nothing failed, 1 on any FAIL or ERROR, 2 on a usage error.\n";

#define FWD_TOKENS 13
#define FWD_CHUNK 5

typedef struct tally {
    int counts[4]; /* by hy_check_status */
} tally;

/* --out: every printed row is also appended here as one JSON object. */
static hy_strbuf *g_rows;
static size_t g_nrows;

static void json_number_or_null(hy_strbuf *b, double v)
{
    if (isfinite(v))
        hy_strbuf_printf(b, "%.9g", v);
    else
        hy_strbuf_printf(b, "null");
}

static void record_row(const char *backend, const char *family, const char *variant,
                       const char *shape, const hy_check_result *r)
{
    if (!g_rows) return;
    static const char *const status_names[] = {"pass", "fail", "unsupported", "error"};
    hy_strbuf_printf(g_rows, "%s\n    {\"backend\": ", g_nrows++ ? "," : "");
    hy_strbuf_json_string(g_rows, backend);
    hy_strbuf_printf(g_rows, ", \"family\": ");
    hy_strbuf_json_string(g_rows, family);
    hy_strbuf_printf(g_rows, ", \"variant\": ");
    hy_strbuf_json_string(g_rows, variant);
    hy_strbuf_printf(g_rows, ", \"shape\": ");
    hy_strbuf_json_string(g_rows, shape);
    hy_strbuf_printf(g_rows, ", \"status\": \"%s\", \"error\": ",
                     (unsigned)r->status < 4 ? status_names[r->status] : "error");
    json_number_or_null(g_rows, r->error);
    hy_strbuf_printf(g_rows, ", \"tolerance\": ");
    json_number_or_null(g_rows, r->tolerance);
    hy_strbuf_printf(g_rows, ", \"message\": ");
    hy_strbuf_json_string(g_rows, r->message);
    hy_strbuf_printf(g_rows, "}");
}

/* Writes the --out file atomically: context, then the recorded rows. */
static int write_validation_json(const char *path, int argc, char **argv, hy_error *err)
{
    hy_strbuf b = {0};
    char host[256] = "unknown", date[64] = "", device[512] = "";
    if (gethostname(host, sizeof host) != 0) snprintf(host, sizeof host, "unknown");
    host[sizeof host - 1] = 0;
    time_t now = time(NULL);
    struct tm tm;
    if (gmtime_r(&now, &tm)) strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S+00:00", &tm);
    size_t nb = 0;
    const hy_backend *const *list = hy_backends(&nb);
    for (size_t i = 0; i < nb; i++) {
        char why[256] = "";
        if (list[i]->describe && list[i]->probe && list[i]->probe(why, sizeof why)) {
            list[i]->describe(device, sizeof device);
            break;
        }
    }
    hy_strbuf cmdline = {0};
    hy_strbuf_printf(&cmdline, "hybench");
    for (int i = 0; i < argc; i++) hy_strbuf_printf(&cmdline, " %s", argv[i]);
    hy_strbuf_printf(&b, "{\n  \"context\": {\"date\": ");
    hy_strbuf_json_string(&b, date);
    hy_strbuf_printf(&b, ", \"host_name\": ");
    hy_strbuf_json_string(&b, host);
    hy_strbuf_printf(&b, ",\n    \"hybench\": {\"version\": ");
    hy_strbuf_json_string(&b, HYBENCH_VERSION);
    hy_strbuf_printf(&b, ", \"git_commit\": ");
    hy_strbuf_json_string(&b, HYBENCH_GIT_COMMIT);
    hy_strbuf_printf(&b, ", \"device\": ");
    hy_strbuf_json_string(&b, device);
    hy_strbuf_printf(&b, ", \"command\": ");
    hy_strbuf_json_string(&b, cmdline.failed || !cmdline.data ? "hybench validate" : cmdline.data);
    hy_strbuf_printf(&b, "}},\n  \"validation\": [%s\n  ]\n}\n",
                     g_rows && g_rows->data ? g_rows->data : "");
    hy_strbuf_free(&cmdline);
    int rc = -1;
    if (b.failed || (g_rows && g_rows->failed))
        hy_fail(err, "out of memory while writing %s", path);
    else
        rc = hy_write_file_atomic(path, b.data, b.len, err);
    hy_strbuf_free(&b);
    return rc;
}

static void print_header(void)
{
    printf("%-8s %-10s %-14s %-42s %-10s %-10s %s\n", "backend", "family", "variant", "shape",
           "error", "tolerance", "result");
}

static void print_row(const char *backend, const char *family, const char *variant,
                      const char *shape, const hy_check_result *r, int verbose)
{
    char err[32];
    if (isnan(r->error))
        snprintf(err, sizeof err, "-");
    else
        snprintf(err, sizeof err, "%.3g", r->error);
    printf("%-8s %-10s %-14s %-42s %-10s %-10.3g %s\n", backend, family, variant, shape, err,
           r->tolerance, hy_check_status_name(r->status));
    record_row(backend, family, variant, shape, r);
    if (r->message[0] && (verbose || r->status != HY_CHECK_PASS)) printf("    %s\n", r->message);
    fflush(stdout);
}

static void validate_kernels(const hy_backend *b, hy_exec *ex, int family_filter, int quick,
                             uint64_t seed, int verbose, tally *t)
{
    for (int fi = 0; fi < HY_FAM_COUNT; fi++) {
        hy_family f = (hy_family)fi;
        if (family_filter >= 0 && fi != family_filter) continue;
        const hy_kernel_variant *vs[32];
        size_t nv = hy_backend_variants(b, f, vs, 32);
        if (nv > 32) nv = 32;
        if (nv == 0) {
            hy_check_result r = {.status = HY_CHECK_UNSUPPORTED, .error = NAN, .tolerance = NAN};
            snprintf(r.message, sizeof r.message, "no %s variant in the %s kernel table",
                     hy_family_name(f), b->name);
            print_row(b->name, hy_family_name(f), "-", "-", &r, verbose);
            t->counts[r.status]++;
            continue;
        }
        size_t ns = hy_val_shapes(f, quick, NULL, 0);
        hy_val_shape *shapes = calloc(ns ? ns : 1, sizeof *shapes);
        if (!shapes) {
            hy_check_result r = {.status = HY_CHECK_ERROR, .error = NAN, .tolerance = NAN};
            snprintf(r.message, sizeof r.message, "out of memory");
            print_row(b->name, hy_family_name(f), "-", "-", &r, verbose);
            t->counts[r.status]++;
            continue;
        }
        hy_val_shapes(f, quick, shapes, ns);
        for (size_t v = 0; v < nv; v++)
            for (size_t s = 0; s < ns; s++) {
                /* a variant meets only the shapes of the storage it reads
                 * (f32 or bf16 W / KV cache): the other pairs are not rows */
                if (!hy_variant_storage_ok(vs[v], &shapes[s].s, NULL)) continue;
                hy_check_result r;
                hy_validate_variant(b, ex, vs[v], &shapes[s], seed, &r);
                print_row(b->name, hy_family_name(f), vs[v]->name, shapes[s].label, &r, verbose);
                t->counts[r.status]++;
            }
        free(shapes);
    }
}

static void validate_model(const hy_backend *b, int quick, uint64_t seed, int verbose, tally *t)
{
    size_t np = 0;
    const char *const *names = hy_preset_names(&np);
    static const hy_forward_mode modes[] = {HY_FWD_PREFILL, HY_FWD_DECODE, HY_FWD_CHUNKED};
    int any = 0;
    for (size_t i = 0; i < np; i++) {
        if (strncmp(names[i], "tiny", 4) != 0) continue;
        if (quick && strcmp(names[i], "tiny") != 0 && strcmp(names[i], "tiny-dense") != 0) continue;
        any = 1;
        hy_error err = {{0}};
        hy_config cfg;
        hy_model *m = NULL;
        char label[64];
        if (hy_config_preset(names[i], &cfg, &err) || hy_model_random(&cfg, seed, &m, &err)) {
            hy_check_result r = {.status = HY_CHECK_ERROR, .error = NAN, .tolerance = HY_FORWARD_TOLERANCE};
            snprintf(r.message, sizeof r.message, "%.440s", err.msg);
            print_row(b->name, "model", names[i], "-", &r, verbose);
            t->counts[r.status]++;
            continue;
        }
        for (size_t k = 0; k < sizeof modes / sizeof modes[0]; k++) {
            hy_check_result r;
            hy_validate_forward(b, &m->config, &m->w, modes[k], FWD_TOKENS, FWD_CHUNK, seed,
                                HY_FORWARD_TOLERANCE, &r);
            if (modes[k] == HY_FWD_CHUNKED)
                snprintf(label, sizeof label, "%s_t%d_chunk%d", hy_forward_mode_name(modes[k]),
                         FWD_TOKENS, FWD_CHUNK);
            else
                snprintf(label, sizeof label, "%s_t%d", hy_forward_mode_name(modes[k]), FWD_TOKENS);
            print_row(b->name, "model", names[i], label, &r, verbose);
            t->counts[r.status]++;
        }
        hy_model_free(m);
    }
    if (!any) printf("%-8s model: no tiny presets to validate\n", b->name);
}

static int validate_backend(const hy_backend *b, int family_filter, int quick, uint64_t seed,
                            int verbose, tally *t)
{
    hy_error err = {{0}};
    hy_exec *ex = NULL;
    if (b->exec_create && b->exec_create(&ex, &err)) {
        hy_check_result r = {.status = HY_CHECK_ERROR, .error = NAN, .tolerance = NAN};
        snprintf(r.message, sizeof r.message, "exec_create: %.440s", err.msg);
        print_row(b->name, "-", "-", "-", &r, verbose);
        t->counts[r.status]++;
        return -1;
    }
    validate_kernels(b, ex, family_filter, quick, seed, verbose, t);
    if (b->exec_destroy && ex) b->exec_destroy(ex);
    if (family_filter < 0) validate_model(b, quick, seed, verbose, t);
    return 0;
}

int hy_cmd_validate(int argc, char **argv)
{
    const char *cmd = argv[0];
    hy_opt opts[] = {
        {.name = "backend", .takes_value = 1}, {.name = "family", .takes_value = 1},
        {.name = "quick"},                     {.name = "seed", .takes_value = 1},
        {.name = "verbose"},                   {.name = "out", .takes_value = 1},
    };
    size_t n_opts = sizeof opts / sizeof opts[0];
    int help = 0;
    int rc = hy_cli_parse(argc, argv, opts, n_opts, &help);
    if (rc) return rc;
    if (help) {
        fputs(validate_help, stdout);
        return HY_EXIT_OK;
    }
    const char *backend_name = opts[0].present ? opts[0].value : "all";
    int family_filter = -1;
    if (opts[1].present) {
        hy_family f;
        if (hy_family_parse(opts[1].value, &f)) {
            hy_cli_error(cmd, "--family: unknown family '%s' (linear, rmsnorm, conv1d, scan, ssd, "
                              "attention, moe, mlp)", opts[1].value);
            return HY_EXIT_USAGE;
        }
        family_filter = (int)f;
    }
    int quick = opts[2].present, verbose = opts[4].present;
    uint64_t seed = 1;
    if (opts[3].present && hy_cli_uint64(cmd, "seed", opts[3].value, &seed)) return HY_EXIT_USAGE;

    size_t nb = 0;
    const hy_backend *const *list = hy_backends(&nb);
    const hy_backend *only = NULL;
    if (strcmp(backend_name, "all") != 0) {
        only = hy_backend_find(backend_name);
        if (!only) {
            char names[256] = "";
            for (size_t i = 0; i < nb; i++) {
                size_t used = strlen(names);
                snprintf(names + used, sizeof names - used, "%s%s", i ? ", " : "", list[i]->name);
            }
            hy_cli_error(cmd, "--backend: '%s' is not compiled in (have: %s, all)", backend_name,
                         names);
            return HY_EXIT_USAGE;
        }
        char why[512] = "";
        if (!only->probe || !only->probe(why, sizeof why)) {
            hy_cli_error(cmd, "backend %s is not available: %s", only->name,
                         why[0] ? why : "its probe says no");
            return HY_EXIT_FAIL;
        }
    }

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    tally t = {{0}};
    int validated = 0;
    hy_strbuf rows = {0};
    if (opts[5].present) g_rows = &rows;
    print_header();
    for (size_t i = 0; i < nb; i++) {
        const hy_backend *b = list[i];
        if (only && b != only) continue;
        char why[512] = "";
        if (!only && (!b->probe || !b->probe(why, sizeof why))) {
            printf("%-8s skipped: not available: %s\n", b->name, why[0] ? why : "probe says no");
            continue;
        }
        validated++;
        validate_backend(b, family_filter, quick, seed, verbose, &t);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (opts[5].present) {
        hy_error werr = {{0}};
        int wrc = write_validation_json(opts[5].value, argc, argv, &werr);
        hy_strbuf_free(&rows);
        g_rows = NULL;
        if (wrc) {
            hy_cli_error(cmd, "--out: %s", werr.msg);
            return HY_EXIT_FAIL;
        }
    }
    double secs = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    printf("\nvalidate: %d backend%s, %d passed, %d failed, %d unsupported, %d errors (%.1f s)\n",
           validated, validated == 1 ? "" : "s", t.counts[HY_CHECK_PASS], t.counts[HY_CHECK_FAIL],
           t.counts[HY_CHECK_UNSUPPORTED], t.counts[HY_CHECK_ERROR], secs);
    if (validated == 0) {
        hy_cli_error(cmd, "no backend is available on this machine");
        return HY_EXIT_FAIL;
    }
    if (t.counts[HY_CHECK_FAIL] || t.counts[HY_CHECK_ERROR]) {
        hy_cli_error(cmd, "%d check%s failed", t.counts[HY_CHECK_FAIL] + t.counts[HY_CHECK_ERROR],
                     t.counts[HY_CHECK_FAIL] + t.counts[HY_CHECK_ERROR] == 1 ? "" : "s");
        return HY_EXIT_FAIL;
    }
    return HY_EXIT_OK;
}
