/* cmd_run.c — `hybench run`, the main job: info, validate, ceilings, a
 * default bench and a default sweep, all into one results folder, sized to
 * finish in about 10 minutes on a 2-core machine (--quick: 1-2).  Each
 * step is the command of the same name, called in this process with the
 * arguments printed before it runs, so any step can be repeated by hand. */
#include <errno.h>
#include <sys/stat.h>
#include <time.h>

#include "hy_bench.h"
#include "hy_cli.h"
#include "hy_progress.h"
#include "hy_report.h"
#include "hy_sweep.h"
#include "hy_timer.h"

static const char *const CMD = "run";

static void usage(FILE *f)
{
    fprintf(f,
            "usage: hybench run [--out-dir DIR] [--backend B] [--quick]\n"
            "The main job, into one folder (default results/runs/<date>-<time>):\n"
            "  info        what the machine and the build offer (printed)\n"
            "  validate    every kernel and the model forward against the reference\n"
            "              -> validate.json\n"
            "  ceilings    measured peak FLOP/s and bandwidth -> ceilings.json\n"
            "  bench       one hybrid-3b layer's kernels at 512 and 2048 tokens, prefill\n"
            "              and decode, validated then timed -> bench.json, bench.csv\n"
            "  sweep       jamba-v0.1 at 1/16 width (all 32 layers, 16 experts): layer\n"
            "              kinds at 256..8192 tokens, ratios 0:1 1:7 1:3 1:1 1:0 and\n"
            "              swa7:1 (window 1024), whole-model checks of 1:7 and 1:0 at 256\n"
            "              -> sweep.json, sweep.json.summary.json, sweep.csv\n"
            "  report      HTML page and Markdown summary of the above -> report/\n"
            "Time: 5-10 minutes on 2 cores (bench and sweep are capped by --max-time);\n"
            "--quick: one to two minutes, smaller everything (sweep at 256 and 2048).\n"
            "A failing step is reported and the others still run; the exit status is\n"
            "the worst of them.\n");
}

/* Runs one command with the given arguments (copied: commands may
 * reorder their argv), echoing the command line first. */
static int step(const char *title, int (*cmd)(int, char **), const char *const *args)
{
    char *argv[48];
    int argc = 0;
    printf("\n== %s ==\n$ hybench", title);
    for (; args[argc] && argc < 47; argc++) {
        argv[argc] = strdup(args[argc]);
        printf(" %s", args[argc]);
    }
    argv[argc] = NULL;
    printf("\n");
    fflush(stdout);
    double t0 = hy_timer_now();
    int rc = cmd(argc, argv);
    fflush(stdout);
    char took[16];
    hy_progress_duration(hy_timer_now() - t0, took, sizeof took);
    printf("== %s: %s in %s ==\n", title, rc == 0 ? "done" : rc == 1 ? "FAILED" : "usage error",
           took);
    for (int i = 0; i < argc; i++) free(argv[i]);
    return rc;
}

static int make_dirs(const char *path)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            if (mkdir(buf, 0777) && errno != EEXIST) return -1;
            *p = '/';
        }
    return mkdir(buf, 0777) && errno != EEXIST ? -1 : 0;
}

int hy_cmd_run(int argc, char **argv)
{
    hy_opt opts[] = {{"out-dir", 1, NULL, 0}, {"backend", 1, NULL, 0}, {"quick", 0, NULL, 0}};
    const size_t n_opts = sizeof opts / sizeof opts[0];
    int help = 0;
    int rc = hy_cli_parse(argc, argv, opts, n_opts, &help);
    if (rc) return rc;
    if (help) {
        usage(stdout);
        return HY_EXIT_OK;
    }
    int quick = opts[2].present;
    const char *backend = opts[1].present ? opts[1].value : NULL;
    char dir[400];
    if (opts[0].present) {
        snprintf(dir, sizeof dir, "%s", opts[0].value);
    } else {
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        char stamp[32];
        strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
        snprintf(dir, sizeof dir, "results/runs/%s", stamp);
    }
    if (make_dirs(dir)) {
        hy_cli_error(CMD, "cannot create %s: %s", dir, strerror(errno));
        return HY_EXIT_FAIL;
    }
    char validate_json[512], ceilings_json[512], bench_json[512], bench_csv[512], sweep_json[512],
        sweep_csv[512];
    snprintf(validate_json, sizeof validate_json, "%s/validate.json", dir);
    snprintf(ceilings_json, sizeof ceilings_json, "%s/ceilings.json", dir);
    snprintf(bench_json, sizeof bench_json, "%s/bench.json", dir);
    snprintf(bench_csv, sizeof bench_csv, "%s/bench.csv", dir);
    snprintf(sweep_json, sizeof sweep_json, "%s/sweep.json", dir);
    snprintf(sweep_csv, sizeof sweep_csv, "%s/sweep.csv", dir);
    double t0 = hy_timer_now();
    int worst = 0;
#define WORST(x)                      \
    do {                              \
        int r_ = (x);                 \
        if (r_ > worst) worst = r_;   \
    } while (0)

    /* Optional arguments are appended at the NULL-terminated tail. */
    const char *info[] = {"info", NULL};
    WORST(step("info", hy_cmd_info, info));

    const char *validate[8] = {"validate", "--out", validate_json};
    int n = 3;
    if (backend) validate[n++] = "--backend", validate[n++] = backend;
    if (quick) validate[n++] = "--quick";
    WORST(step("validate", hy_cmd_validate, validate));

    const char *ceilings[6] = {"ceilings", "--out", ceilings_json};
    n = 3;
    if (quick) ceilings[n++] = "--quick";
    WORST(step("ceilings", hy_cmd_ceilings, ceilings));
    struct stat st;
    int have_ceilings = stat(ceilings_json, &st) == 0;

    const char *bench[20] = {"bench", "--out", bench_json, "--csv", bench_csv, "--max-time",
                             quick ? "15" : "150"};
    n = 7;
    if (have_ceilings) bench[n++] = "--ceilings", bench[n++] = ceilings_json;
    if (backend) bench[n++] = "--backend", bench[n++] = backend;
    if (quick) bench[n++] = "--quick", bench[n++] = "--family", bench[n++] = "scan,attention,mlp";
    WORST(step("bench", hy_cmd_bench, bench));

    /* jamba-v0.1 at 1/16 width: 32 layers, 16 experts, hidden 256; its
     * weights (about 0.94 GB) exceed the last-level cache as the full
     * model's do, and on 2 cores the lengths below reach the prefill and
     * decode crossovers.  The whole-model checks run at the shortest
     * length, right after it, so --max-time cannot crowd them out. */
    const char *sweep[32] = {"sweep", "--preset", "jamba-v0.1", "--width-div", "16", "--out",
                             sweep_json, "--csv", sweep_csv, "--check-ratios", "1:7,1:0"};
    n = 11;
    if (quick) {
        const char *q[] = {"--quick", "--seq", "256,2048", "--ratios", "0:1,1:7,1:0,swa7:1",
                           "--window", "512", "--max-time", "90", "--length-budget", "90"};
        for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) sweep[n++] = q[i];
    } else {
        const char *full[] = {"--seq", "256,1024,4096,8192", "--ratios", "0:1,1:7,1:3,1:1,1:0,swa7:1",
                              "--window", "1024", "--max-time", "360", "--length-budget", "200"};
        for (size_t i = 0; i < sizeof full / sizeof full[0]; i++) sweep[n++] = full[i];
    }
    if (have_ceilings) sweep[n++] = "--ceilings", sweep[n++] = ceilings_json;
    if (backend) sweep[n++] = "--backend", sweep[n++] = backend;
    WORST(step("sweep", hy_cmd_sweep, sweep));

    char report_dir[512];
    snprintf(report_dir, sizeof report_dir, "%s/report", dir);
    const char *report[] = {"report", bench_json, validate_json, sweep_json, "-o", report_dir, NULL};
    WORST(step("report", hy_cmd_report, report));

    char took[16];
    hy_progress_duration(hy_timer_now() - t0, took, sizeof took);
    printf("\n== hybench run: %s in %s ==\n", worst == 0 ? "all steps done" : "some steps FAILED", took);
    printf("folder:      %s\n", dir);
    printf("validation:  %s\n", validate_json);
    printf("ceilings:    %s\n", ceilings_json);
    printf("bench:       %s (csv %s)\n", bench_json, bench_csv);
    printf("sweep:       %s (summary %s.summary.json, csv %s)\n", sweep_json, sweep_json, sweep_csv);
    printf("report:      %s (HTML and Markdown)\n", report_dir);
    return worst;
#undef WORST
}
