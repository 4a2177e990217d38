/* test_results.c — the results writer: entries and aggregates against
 * hand-computed values, failures, resume, CSV, and a file that survives
 * SIGKILL at random moments. */
#include "hy_json.h"
#include "hy_results.h"
#include "hy_test.h"

#include <dirent.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char dir[1024];

static const char *path_in(const char *name)
{
    static char p[4][1200];
    static int k;
    k = (k + 1) % 4;
    snprintf(p[k], sizeof p[k], "%s/%s", dir, name);
    return p[k];
}

static hy_json *load(const char *path)
{
    char *text = NULL;
    size_t len = 0;
    hy_error err = {{0}};
    if (hy_read_file(path, &text, &len, &err)) {
        fprintf(stderr, "  %s\n", err.msg);
        return NULL;
    }
    hy_json *doc = NULL;
    if (hy_json_parse(text, len, &doc, &err)) fprintf(stderr, "  %s\n", err.msg);
    free(text);
    return doc;
}

static double num(const hy_json *o, const char *key)
{
    const hy_json *v = hy_json_get(o, key);
    return v && v->type == HY_JSON_NUMBER ? v->number : NAN;
}

static const char *str(const hy_json *o, const char *key)
{
    const hy_json *v = hy_json_get(o, key);
    return v && v->type == HY_JSON_STRING ? v->string : "";
}

/* A timing as an engine would return it: R repetitions of given seconds. */
static void fake_timing(hy_timing *t, int R, const double *seconds, int64_t iterations)
{
    hy_timer_options o = hy_timer_default_options();
    hy_error err = {{0}};
    if (hy_timing_alloc(t, "builtin", R, 0, 0, &o, &err)) abort();
    for (int r = 0; r < R; r++) {
        t->seconds[r] = seconds[r];
        t->cpu_seconds[r] = 2 * seconds[r];
        t->iterations[r] = iterations;
    }
}

static hy_bench_meta scan_meta(const char *shape)
{
    hy_bench_meta m;
    memset(&m, 0, sizeof m);
    m.family = "scan";
    m.variant = "seq";
    m.backend = "cpu";
    m.shape = shape;
    m.threads = 2;
    m.flops = 2e6;
    m.bytes = 1e6;
    m.peak_gflops = 10;
    m.peak_gbps = 1;
    m.validation_error = 1e-7;
    return m;
}

static const hy_json *entry_named(const hy_json *bm, const char *name)
{
    for (size_t i = 0; bm && i < bm->count; i++)
        if (strcmp(str(&bm->items[i], "name"), name) == 0) return &bm->items[i];
    return NULL;
}

static void test_write_and_reparse(void)
{
    hy_error err = {{0}};
    const char *path = path_in("run.json");
    hy_results_info info = {0};
    info.executable = "hybench";
    info.backends = "cpu";
    info.device = "test CPU";
    info.engine = "builtin";
    info.papi_status = "unavailable: no PMU in this VM";
    info.ceilings_json = "{\"peak_gflops\": 100, \"peak_gbps\": 20.5}";
    info.topology_json = "[1, 2]";
    hy_results *r = NULL;
    CHECK_OK(hy_results_open(&r, path, &info, &err), &err);
    if (!r) return;

    /* The file is valid from the start, with no benchmarks. */
    hy_json *doc = load(path);
    CHECK(doc && hy_json_get(doc, "benchmarks") && hy_json_get(doc, "benchmarks")->count == 0);
    hy_json_free(doc);

    hy_timing t;
    const double secs[3] = {1e-3, 2e-3, 3e-3};
    fake_timing(&t, 3, secs, 10);
    hy_bench_meta m = scan_meta("T=4,D=8");
    CHECK_OK(hy_results_add_timing(r, &m, &t, &err), &err);
    CHECK_FAILS(hy_results_add_timing(r, &m, &t, &err), &err, "already");

    hy_bench_meta f;
    memset(&f, 0, sizeof f);
    f.family = "attention";
    f.variant = "flash";
    f.backend = "cpu";
    f.shape = "B=1,T=8";
    f.validation_error = 0.03;
    f.flops = 100;
    CHECK_OK(hy_results_add_failure(r, &f, "validation-failed", "max error 0.03 > tolerance 1e-4", &err), &err);
    hy_bench_meta f2 = f;
    f2.shape = "B=2,T=8";
    CHECK_FAILS(hy_results_add_failure(r, &f2, "ok", "x", &err), &err, "status");

    hy_timing t1;
    const double one[1] = {4e-3};
    fake_timing(&t1, 1, one, 1000);
    hy_bench_meta m2 = scan_meta("T=16,D=8");
    m2.time_unit = "us";
    m2.extra[0] = (hy_result_counter){"state_bytes", 4096};
    m2.nextra = 1;
    CHECK_OK(hy_results_add_timing(r, &m2, &t1, &err), &err);

    hy_bench_meta bad = scan_meta("x");
    bad.variant = "a/b";
    CHECK_FAILS(hy_results_add_timing(r, &bad, &t1, &err), &err, "contains '/'");
    bad = scan_meta("z");
    bad.extra[0] = (hy_result_counter){"GFLOPS", 1};
    bad.nextra = 1;
    CHECK_FAILS(hy_results_add_timing(r, &bad, &t1, &err), &err, "given twice");
    bad.extra[0] = (hy_result_counter){"status", 1};
    CHECK_FAILS(hy_results_add_timing(r, &bad, &t1, &err), &err, "entry field");
    bad = scan_meta("y");
    bad.time_unit = "fortnights";
    CHECK_FAILS(hy_results_add_timing(r, &bad, &t1, &err), &err, "time unit");

    CHECK(hy_results_count(r) == 3);
    CHECK(hy_results_has(r, "scan/seq/cpu/T=4,D=8"));
    CHECK(hy_results_has(r, "attention/flash/cpu/B=1,T=8"));
    CHECK(!hy_results_has(r, "scan/seq/cpu/T=4"));
    hy_results_close(r);

    doc = load(path);
    CHECK(doc != NULL);
    if (!doc) return;
    const hy_json *ctx = hy_json_get(doc, "context");
    const hy_json *hb = hy_json_get(ctx, "hybench");
    CHECK(str(ctx, "date")[0] != 0);
    CHECK(str(ctx, "host_name")[0] != 0);
    CHECK(strcmp(str(ctx, "executable"), "hybench") == 0);
    CHECK(num(ctx, "num_cpus") >= 1);
    CHECK(hy_json_get(ctx, "caches") && hy_json_get(ctx, "caches")->type == HY_JSON_ARRAY);
    CHECK(strcmp(str(hb, "engine"), "builtin") == 0);
    CHECK(strcmp(str(hb, "backends"), "cpu") == 0);
    CHECK(strcmp(str(hb, "papi_status"), "unavailable: no PMU in this VM") == 0);
    CHECK(str(hb, "version")[0] && str(hb, "git_commit")[0] && str(hb, "compiler")[0]);
    CHECK_NEAR(num(hy_json_get(hb, "ceilings"), "peak_gbps"), 20.5, 0);
    CHECK(hy_json_get(hb, "topology") && hy_json_get(hb, "topology")->count == 2);
    CHECK(hy_json_get(hb, "resumed") && hy_json_get(hb, "resumed")->type == HY_JSON_NULL);

    const hy_json *bm = hy_json_get(doc, "benchmarks");
    CHECK(bm && bm->count == 3 + 9 + 1 + 1);
    /* Repetition 1: 2 ms -> 2e6 ns, 1 GFLOP/s, 0.5 GB/s; attainable
     * min(10, 2 * 1) = 2 GFLOP/s, so 0.5 of the roofline. */
    const hy_json *e = bm && bm->count > 1 ? &bm->items[1] : NULL;
    CHECK(e && strcmp(str(e, "name"), "scan/seq/cpu/T=4,D=8") == 0);
    CHECK(strcmp(str(e, "run_name"), "scan/seq/cpu/T=4,D=8") == 0);
    CHECK(strcmp(str(e, "run_type"), "iteration") == 0);
    CHECK_NEAR(num(e, "repetitions"), 3, 0);
    CHECK_NEAR(num(e, "repetition_index"), 1, 0);
    CHECK_NEAR(num(e, "threads"), 2, 0);
    CHECK_NEAR(num(e, "iterations"), 10, 0);
    CHECK_NEAR(num(e, "real_time"), 2e6, 1e-6);
    CHECK_NEAR(num(e, "cpu_time"), 4e6, 1e-6);
    CHECK(strcmp(str(e, "time_unit"), "ns") == 0);
    CHECK_NEAR(num(e, "flops"), 2e6, 0);
    CHECK_NEAR(num(e, "bytes"), 1e6, 0);
    CHECK_NEAR(num(e, "intensity"), 2, 0);
    CHECK_NEAR(num(e, "GFLOPS"), 1, 1e-12);
    CHECK_NEAR(num(e, "GBps"), 0.5, 1e-12);
    CHECK_NEAR(num(e, "roofline_fraction"), 0.5, 1e-12);
    CHECK_NEAR(num(e, "validation_error"), 1e-7, 0);
    CHECK(strcmp(str(e, "family"), "scan") == 0 && strcmp(str(e, "shape"), "T=4,D=8") == 0);
    CHECK(strcmp(str(e, "status"), "ok") == 0);
    CHECK(strcmp(str(e, "engine"), "builtin") == 0);
    CHECK(strcmp(str(e, "time_source"), "real") == 0 && strcmp(str(e, "cache"), "warm") == 0);
    CHECK_NEAR(num(e, "family_index"), 0, 0);
    CHECK(hy_json_get(e, "error_occurred") == NULL);

    /* Aggregates over 1, 2, 3 ms (in ns): mean 2e6, sample stddev 1e6,
     * cv 0.5, p10 1.2e6 (h = 0.2), p90 2.8e6 (h = 1.8), mad 1e6. */
    static const struct { const char *suffix; double real; } agg[] = {
        {"mean", 2e6}, {"median", 2e6}, {"stddev", 1e6}, {"cv", 0.5}, {"min", 1e6},
        {"max", 3e6},  {"p10", 1.2e6},  {"p90", 2.8e6},  {"mad", 1e6},
    };
    for (size_t i = 0; i < sizeof agg / sizeof agg[0]; i++) {
        char name[128];
        snprintf(name, sizeof name, "scan/seq/cpu/T=4,D=8_%s", agg[i].suffix);
        const hy_json *a = entry_named(bm, name);
        CHECK(a != NULL);
        if (!a) continue;
        CHECK(strcmp(str(a, "run_type"), "aggregate") == 0);
        CHECK(strcmp(str(a, "aggregate_name"), agg[i].suffix) == 0);
        CHECK(strcmp(str(a, "aggregate_unit"), strcmp(agg[i].suffix, "cv") ? "time" : "percentage") == 0);
        CHECK_NEAR(num(a, "real_time"), agg[i].real, 1e-6 * agg[i].real);
        CHECK_NEAR(num(a, "iterations"), 3, 0);
        CHECK(strcmp(str(a, "run_name"), "scan/seq/cpu/T=4,D=8") == 0);
    }
    /* counters: median of GFLOPS 2, 1, 0.667 is 1; max GFLOPS is 2 */
    CHECK_NEAR(num(entry_named(bm, "scan/seq/cpu/T=4,D=8_median"), "GFLOPS"), 1, 1e-12);
    CHECK_NEAR(num(entry_named(bm, "scan/seq/cpu/T=4,D=8_max"), "GFLOPS"), 2, 1e-12);
    CHECK_NEAR(num(entry_named(bm, "scan/seq/cpu/T=4,D=8_stddev"), "flops"), 0, 0);

    const hy_json *fe = entry_named(bm, "attention/flash/cpu/B=1,T=8");
    CHECK(fe != NULL);
    const hy_json *eo = hy_json_get(fe, "error_occurred");
    CHECK(eo && eo->type == HY_JSON_BOOL && eo->boolean);
    CHECK(strcmp(str(fe, "error_message"), "max error 0.03 > tolerance 1e-4") == 0);
    CHECK(strcmp(str(fe, "status"), "validation-failed") == 0);
    CHECK(hy_json_get(fe, "real_time") == NULL && hy_json_get(fe, "iterations") == NULL);
    CHECK_NEAR(num(fe, "validation_error"), 0.03, 0);
    CHECK_NEAR(num(fe, "family_index"), 1, 0);
    CHECK_NEAR(num(fe, "per_family_instance_index"), 0, 0);

    const hy_json *s1 = entry_named(bm, "scan/seq/cpu/T=16,D=8");
    CHECK(s1 != NULL);
    CHECK(strcmp(str(s1, "time_unit"), "us") == 0);
    CHECK_NEAR(num(s1, "real_time"), 4000, 1e-9);
    CHECK_NEAR(num(s1, "iterations"), 1000, 0);
    CHECK_NEAR(num(s1, "state_bytes"), 4096, 0);
    CHECK_NEAR(num(s1, "family_index"), 0, 0);
    CHECK_NEAR(num(s1, "per_family_instance_index"), 1, 0);
    CHECK(entry_named(bm, "scan/seq/cpu/T=16,D=8_median") == NULL); /* R = 1: no aggregates */
    hy_json_free(doc);

    /* CSV: hand-written rows (the median aggregate; the single repetition;
     * the failure). */
    const char *csv_path = path_in("run.csv");
    CHECK_OK(hy_results_export_csv(path, csv_path, &err), &err);
    char *csv = NULL;
    size_t len = 0;
    CHECK_OK(hy_read_file(csv_path, &csv, &len, &err), &err);
    const char *expect =
        "name,family,variant,backend,shape,status,repetitions,threads,median_time_ns,cv,gflops,"
        "gbps,intensity,roofline_fraction,validation_error,engine,error_message\r\n"
        "\"scan/seq/cpu/T=4,D=8\",scan,seq,cpu,\"T=4,D=8\",ok,3,2,2000000,0.5,1,0.5,2,0.5,1e-07,"
        "builtin,\r\n"
        "\"attention/flash/cpu/B=1,T=8\",attention,flash,cpu,\"B=1,T=8\",validation-failed,0,1,"
        ",,,,,,0.03,,max error 0.03 > tolerance 1e-4\r\n"
        "\"scan/seq/cpu/T=16,D=8\",scan,seq,cpu,\"T=16,D=8\",ok,1,2,4000000,,0.5,0.25,2,0.25,1e-07,"
        "builtin,\r\n";
    CHECK(csv && strcmp(csv, expect) == 0);
    if (csv && strcmp(csv, expect) != 0) fprintf(stderr, "got:\n%s\nwanted:\n%s\n", csv, expect);
    free(csv);

    hy_timing_free(&t);
    hy_timing_free(&t1);

    /* Raw JSON from the caller must parse. */
    info.ceilings_json = "{\"peak\": }";
    r = NULL;
    CHECK_FAILS(hy_results_open(&r, path_in("bad.json"), &info, &err), &err, "ceilings JSON");
    CHECK(r == NULL);
}

static void test_resume(void)
{
    hy_error err = {{0}};
    const char *path = path_in("run.json"); /* written by the test above */
    hy_json *before = load(path);
    hy_results *r = NULL;
    CHECK_OK(hy_results_open_resume(&r, path, NULL, &err), &err);
    if (!r || !before) return;
    CHECK(hy_results_count(r) == 3);
    CHECK(hy_results_has(r, "scan/seq/cpu/T=4,D=8"));
    CHECK(hy_results_has(r, "attention/flash/cpu/B=1,T=8"));
    CHECK(hy_results_has(r, "scan/seq/cpu/T=16,D=8"));
    hy_timing t;
    const double secs[2] = {1e-3, 1e-3};
    fake_timing(&t, 2, secs, 5);
    hy_bench_meta m = scan_meta("T=32,D=8");
    CHECK_OK(hy_results_add_timing(r, &m, &t, &err), &err);
    hy_timing_free(&t);
    hy_results_close(r);

    hy_json *after = load(path);
    CHECK(after != NULL);
    if (!after) {
        hy_json_free(before);
        return;
    }
    const hy_json *b0 = hy_json_get(before, "benchmarks"), *b1 = hy_json_get(after, "benchmarks");
    CHECK(b1->count == b0->count + 2 + 9);
    /* Carried entries are unchanged, field by field. */
    int same = 1;
    for (size_t i = 0; i < b0->count && i < b1->count; i++) {
        const hy_json *x = &b0->items[i], *y = &b1->items[i];
        if (x->count != y->count) same = 0;
        for (size_t k = 0; k < x->count && same; k++) {
            const hy_json *v = hy_json_get(y, x->keys[k]);
            if (!v || v->type != x->items[k].type) same = 0;
            else if (v->type == HY_JSON_NUMBER && v->number != x->items[k].number) same = 0;
            else if (v->type == HY_JSON_STRING && strcmp(v->string, x->items[k].string)) same = 0;
        }
    }
    CHECK(same);
    const hy_json *res = hy_json_get(hy_json_get(hy_json_get(after, "context"), "hybench"), "resumed");
    CHECK_NEAR(num(res, "benchmarks_carried"), 3, 0);
    CHECK(strcmp(str(res, "previous_date"), str(hy_json_get(before, "context"), "date")) == 0);
    const hy_json *n = entry_named(b1, "scan/seq/cpu/T=32,D=8");
    CHECK_NEAR(num(n, "family_index"), 0, 0);
    CHECK_NEAR(num(n, "per_family_instance_index"), 2, 0);
    hy_json_free(before);
    hy_json_free(after);

    /* Not a results file: refused, and left as it was. */
    const char *other = path_in("other.json");
    CHECK_OK(hy_write_file_atomic(other, "{\"a\": 1}", 8, &err), &err);
    CHECK_FAILS(hy_results_open_resume(&r, other, NULL, &err), &err, "not a results file");
    char *text = NULL;
    size_t len = 0;
    CHECK_OK(hy_read_file(other, &text, &len, &err), &err);
    CHECK(text && strcmp(text, "{\"a\": 1}") == 0);
    free(text);
    CHECK_OK(hy_write_file_atomic(other, "{\"a\": ", 6, &err), &err);
    CHECK_FAILS(hy_results_open_resume(&r, other, NULL, &err), &err, "not a results file");

    /* A missing file starts a new run. */
    const char *fresh = path_in("fresh.json");
    remove(fresh);
    CHECK_OK(hy_results_open_resume(&r, fresh, NULL, &err), &err);
    CHECK(r && hy_results_count(r) == 0);
    hy_results_close(r);
}

/* ---- SIGKILL at random moments ------------------------------------------ */

#define KILL_BENCHMARKS 60
#define KILL_REPS 5

static void kill_name(int i, char *buf, size_t len)
{
    snprintf(buf, len, "T=%d", i);
}

/* The child: resumes the file and adds the missing benchmarks in order.
 * Appends each name it adds to a log (O_APPEND line writes), so the parent
 * can tell whether anything was added twice. */
static int writer(const char *path, const char *log_path)
{
    hy_error err = {{0}};
    hy_results *r = NULL;
    if (hy_results_open_resume(&r, path, NULL, &err)) {
        fprintf(stderr, "child: %s\n", err.msg);
        return 1;
    }
    FILE *log = fopen(log_path, "a");
    if (!log) return 1;
    setvbuf(log, NULL, _IONBF, 0);
    hy_timing t;
    double secs[KILL_REPS];
    for (int k = 0; k < KILL_REPS; k++) secs[k] = 1e-4 * (k + 1);
    fake_timing(&t, KILL_REPS, secs, 100);
    for (int i = 0; i < KILL_BENCHMARKS; i++) {
        char shape[32];
        kill_name(i, shape, sizeof shape);
        hy_bench_meta m = scan_meta(shape);
        char name[128];
        if (hy_bench_name(&m, name, sizeof name, &err)) return 1;
        if (hy_results_has(r, name)) continue;
        fprintf(log, "%s\n", name); /* before the write: a kill may come between */
        if (hy_results_add_timing(r, &m, &t, &err)) {
            fprintf(stderr, "child: %s\n", err.msg);
            return 1;
        }
    }
    hy_timing_free(&t);
    hy_results_close(r);
    fclose(log);
    return 0;
}

/* Checks the file: parses, every benchmark complete (KILL_REPS + 9
 * entries), in order T=0..n-1, none twice.  Returns n, or -1. */
static int check_file(const char *path)
{
    hy_json *doc = load(path);
    if (!doc) return -1;
    const hy_json *bm = hy_json_get(doc, "benchmarks");
    int ok = bm && bm->type == HY_JSON_ARRAY && bm->count % (KILL_REPS + 9) == 0;
    int n = ok ? (int)(bm->count / (KILL_REPS + 9)) : -1;
    for (int i = 0; ok && i < n; i++) {
        char want[64];
        snprintf(want, sizeof want, "scan/seq/cpu/T=%d", i);
        for (int k = 0; k < KILL_REPS + 9; k++)
            if (strcmp(str(&bm->items[(size_t)i * (KILL_REPS + 9) + (size_t)k], "run_name"), want))
                ok = 0;
    }
    hy_json_free(doc);
    return ok ? n : -1;
}

static int count_lines_with(const char *path, const char *needle_exact)
{
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    char line[256];
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = 0;
        if (strcmp(line, needle_exact) == 0) n++;
    }
    fclose(f);
    return n;
}

static void test_sigkill(void)
{
    const char *path = path_in("killed.json");
    const char *log_path = path_in("killed.log");
    remove(path);
    remove(log_path);
    unsigned seed = 12345;
    int previous = 0, kills = 0, all_valid = 1, monotone = 1;
    for (int round = 0; round < 8; round++) {
        fflush(NULL);
        pid_t pid = fork();
        if (pid == 0) _exit(writer(path, log_path));
        seed = seed * 1103515245u + 12345u;
        long delay_us = 5000 + (long)((seed >> 8) % 150000); /* 5..155 ms */
        struct timespec ts = {0, delay_us * 1000};
        nanosleep(&ts, NULL);
        int status = 0;
        if (kill(pid, SIGKILL) == 0) kills++;
        waitpid(pid, &status, 0);
        int n = check_file(path);
        if (n < 0 && !(round == 0 && access(path, F_OK) != 0)) all_valid = 0;
        if (n >= 0 && n < previous) monotone = 0;
        if (n > previous) previous = n;
        printf("  round %d: killed after %ld us, %d benchmarks in the file\n", round, delay_us, n);
    }
    CHECK(kills > 0);
    CHECK(all_valid);
    CHECK(monotone);

    /* Finally let one run to the end: every benchmark exactly once. */
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) _exit(writer(path, log_path));
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK(check_file(path) == KILL_BENCHMARKS);
    /* Resume skipped finished benchmarks: each name was started once, plus
     * once more for each kill that interrupted its write. */
    int restarts = 0, never = 0;
    for (int i = 0; i < KILL_BENCHMARKS; i++) {
        char name[64];
        snprintf(name, sizeof name, "scan/seq/cpu/T=%d", i);
        int c = count_lines_with(log_path, name);
        if (c == 0) never++;
        else restarts += c - 1;
    }
    CHECK(never == 0);
    CHECK(restarts <= kills);
    /* Stale temporary files of killed writers were cleaned up. */
    DIR *d = opendir(dir);
    int stale = 0;
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL)
        if (strncmp(de->d_name, "killed.json.tmp.", 16) == 0) stale++;
    if (d) closedir(d);
    CHECK(stale == 0);
}

int main(void)
{
    snprintf(dir, sizeof dir, "%s", hy_test_tmpdir("test_results"));
    test_write_and_reparse();
    test_resume();
    test_sigkill();
    return hy_test_finish();
}
