/* test_report.c — hybench report (report/hy_report.h) on the committed
 * sample results (results/samples/): every chart exists and is non-empty
 * (or, without gnuplot, the report says why), table values equal the
 * input data read here independently, files of different versions and
 * files with missing fields are flagged, the sweep sections render from a
 * hand-written sweep with hand-computed speedups, and "no sweep in these
 * results" shows when there is none. */
#include "hy_json.h"
#include "hy_report.h"
#include "hy_test.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_SAMPLES 8

static char samples_dir[1024];
static char *sample_paths[MAX_SAMPLES];
static size_t n_samples;

static void find_samples(void)
{
    /* tests/test_report.c -> results/samples */
    snprintf(samples_dir, sizeof samples_dir, "%s", __FILE__);
    char *slash = strrchr(samples_dir, '/');
    if (slash) *slash = 0;
    else snprintf(samples_dir, sizeof samples_dir, ".");
    strncat(samples_dir, "/../results/samples", sizeof samples_dir - strlen(samples_dir) - 1);
    DIR *d = opendir(samples_dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d)) && n_samples < MAX_SAMPLES) {
        size_t n = strlen(e->d_name);
        if (n < 6 || strcmp(e->d_name + n - 5, ".json") != 0) continue;
        char *p = malloc(strlen(samples_dir) + n + 2);
        sprintf(p, "%s/%s", samples_dir, e->d_name);
        sample_paths[n_samples++] = p;
    }
    closedir(d);
    /* a fixed order: by name */
    for (size_t i = 0; i < n_samples; i++)
        for (size_t j = i + 1; j < n_samples; j++)
            if (strcmp(sample_paths[j], sample_paths[i]) < 0) {
                char *t = sample_paths[i];
                sample_paths[i] = sample_paths[j];
                sample_paths[j] = t;
            }
}

static char *slurp(const char *path)
{
    char *data = NULL;
    size_t len = 0;
    hy_error err;
    if (hy_read_file(path, &data, &len, &err)) return NULL;
    return data;
}

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static const char *jstr(const hy_json *o, const char *k)
{
    const hy_json *v = hy_json_get(o, k);
    return v && v->type == HY_JSON_STRING ? v->string : NULL;
}

static double jnum(const hy_json *o, const char *k)
{
    const hy_json *v = hy_json_get(o, k);
    return v && v->type == HY_JSON_NUMBER ? v->number : NAN;
}

/* Every "NAME.gp" in dir has a non-empty NAME.svg and a non-empty NAME.dat;
 * returns the number of charts. */
static int check_charts(const char *dir, int expect_svg)
{
    DIR *d = opendir(dir);
    CHECK(d != NULL);
    if (!d) return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 4 || strcmp(e->d_name + len - 3, ".gp") != 0) continue;
        char stem[256], path[1400];
        snprintf(stem, sizeof stem, "%.*s", (int)(len - 3), e->d_name);
        snprintf(path, sizeof path, "%s/%s.dat", dir, stem);
        CHECK(file_size(path) > 0);
        snprintf(path, sizeof path, "%s/%s.svg", dir, stem);
        if (expect_svg) {
            long sz = file_size(path);
            if (sz <= 0) fprintf(stderr, "  chart %s: no svg\n", stem);
            CHECK(sz > 0);
            char *svg = slurp(path);
            CHECK(svg && strstr(svg, "<svg") != NULL);
            free(svg);
        } else {
            CHECK(file_size(path) < 0);
        }
        n++;
    }
    closedir(d);
    return n;
}

/* The Markdown row of benchmark b (family/variant, backend, phase, L) holds
 * the median time of the input, formatted here. */
static void check_kernel_rows(const char *md, const hy_json *root, const char *label, int *checked)
{
    const hy_json *list = hy_json_get(root, "benchmarks");
    for (size_t i = 0; list && i < list->count; i++) {
        const hy_json *e = &list->items[i];
        const char *agg = jstr(e, "aggregate_name");
        if (!agg || strcmp(agg, "median") != 0) continue;
        const char *shape = jstr(e, "shape");
        const char *lpos = shape ? strstr(shape, "/L=") : NULL;
        if (!lpos) continue;
        /* expected median time, formatted independently */
        double ns = jnum(e, "real_time");
        const char *unit = jstr(e, "time_unit");
        if (unit && strcmp(unit, "ms") == 0) ns *= 1e6;
        else if (unit && strcmp(unit, "us") == 0) ns *= 1e3;
        char want[64];
        if (ns < 1e6) snprintf(want, sizeof want, "%.3g µs", ns / 1e3);
        else if (ns < 1e9) snprintf(want, sizeof want, "%.3g ms", ns / 1e6);
        else snprintf(want, sizeof want, "%.3g s", ns / 1e9);
        /* the row: "| family/variant | backend | phase, tensor | L |" */
        const char *phase = strstr(shape, "/prefill/") ? "prefill" : "decode";
        char row[256];
        long L = strtol(lpos + 3, NULL, 10);
        const char *after = strchr(lpos + 1, '/');
        char role[64] = "";
        if (after) {
            const char *end = strchr(after + 1, '/');
            if (end) snprintf(role, sizeof role, "%.*s", (int)(end - after - 1), after + 1);
        }
        snprintf(row, sizeof row, "| %s/%s | %s | %s, %s | %ld |", jstr(e, "family"), jstr(e, "variant"),
                 jstr(e, "backend"), phase, role, L);
        const char *line = strstr(md, row);
        CHECK(line != NULL);
        if (!line) {
            fprintf(stderr, "  no row '%s' (%s)\n", row, label);
            continue;
        }
        const char *eol = strchr(line, '\n');
        size_t n = eol ? (size_t)(eol - line) : strlen(line);
        char *copy = strndup(line, n);
        int found = copy && strstr(copy, want) != NULL;
        if (!found) fprintf(stderr, "  row '%s' lacks %s (%s)\n", row, want, label);
        CHECK(found);
        free(copy);
        (*checked)++;
    }
}

/* The lottery figure of `family` prefill in one file, computed here: the
 * highest roofline_fraction of the median entries at the largest L. */
static double lottery_of(const hy_json *root, const char *family)
{
    const hy_json *list = hy_json_get(root, "benchmarks");
    long best_L = -1;
    double best = NAN;
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; list && i < list->count; i++) {
            const hy_json *e = &list->items[i];
            const char *agg = jstr(e, "aggregate_name"), *f = jstr(e, "family");
            const char *shape = jstr(e, "shape");
            if (!agg || strcmp(agg, "median") || !f || strcmp(f, family) || !shape) continue;
            long L = -1;
            const char *lp = strstr(shape, "/L=");
            if (lp && strstr(shape, "/prefill/")) L = strtol(lp + 3, NULL, 10);
            else if (!lp && !strstr(shape, "/decode/")) {
                const char *t = strstr(shape, "T=");
                L = t && (t == shape || t[-1] == ',' || t[-1] == '/') ? strtol(t + 2, NULL, 10) : -1;
                if (L <= 1) L = -1;
            }
            if (L < 0) continue;
            double v = jnum(e, "roofline_fraction");
            if (pass == 0 && L > best_L) best_L = L;
            if (pass == 1 && L == best_L && (!isfinite(best) || v > best)) best = v;
        }
    return best;
}

static void test_samples_report(const char *out, int with_gnuplot)
{
    hy_report_opts o = {.out_dir = out, .gnuplot = with_gnuplot ? NULL : "/nonexistent/gnuplot"};
    hy_report_summary sum;
    hy_error err = {{0}};
    CHECK_OK(hy_report_build((const char *const *)sample_paths, n_samples, &o, &sum, &err), &err);
    CHECK(sum.charts_planned > 0);
    CHECK(!sum.mixed_versions);
    CHECK(sum.sources_with_issues == 0);
    char charts[1200];
    snprintf(charts, sizeof charts, "%s/charts", out);
    char *md = slurp(sum.md_path), *html = slurp(sum.html_path);
    CHECK(md != NULL && html != NULL);
    if (!md || !html) {
        free(md), free(html);
        return;
    }
    if (with_gnuplot) {
        int n = check_charts(charts, 1);
        printf("  %d charts drawn, summary says %d of %d\n", n, sum.charts_drawn, sum.charts_planned);
        CHECK(n == sum.charts_planned);
        CHECK(sum.charts_drawn == sum.charts_planned);
        CHECK(sum.charts_note[0] == 0);
        /* every chart is in the page, embedded */
        size_t imgs = 0;
        for (const char *p = html; (p = strstr(p, "data:image/svg+xml;base64,")); p++) imgs++;
        CHECK(imgs == (size_t)sum.charts_planned);
        /* the kinds of charts the issue asks for */
        char path[1400];
        static const char *const needed[] = {"lottery", "validation", "family-attention-time",
                                             "family-attention-throughput", "family-scan-time"};
        for (size_t i = 0; i < sizeof needed / sizeof needed[0]; i++) {
            snprintf(path, sizeof path, "%s/%s.svg", charts, needed[i]);
            CHECK(file_size(path) > 0);
        }
        int rooflines = 0;
        DIR *d = opendir(charts);
        struct dirent *e;
        while (d && (e = readdir(d)))
            rooflines += strncmp(e->d_name, "roofline-", 9) == 0 && strstr(e->d_name, ".svg") != NULL;
        if (d) closedir(d);
        CHECK(rooflines >= 2); /* one per machine and backend */
    } else {
        check_charts(charts, 0);
        CHECK(sum.charts_drawn == 0);
        CHECK(strstr(sum.charts_note, "not an executable") != NULL);
        CHECK(strstr(html, "id=\"charts-note\"") != NULL);
        CHECK(strstr(md, "**Charts:** no charts") != NULL);
        CHECK(strstr(html, "data:image/svg+xml") == NULL);
    }
    CHECK(strstr(md, "No sweep in these results") != NULL);
    CHECK(strstr(html, "id=\"no-sweep\"") != NULL);

    /* table values against the input files, read here */
    int checked = 0, bench_files = 0;
    for (size_t i = 0; i < n_samples; i++) {
        char *text = slurp(sample_paths[i]);
        hy_json *root = NULL;
        CHECK_OK(hy_json_parse(text, strlen(text), &root, &err), &err);
        free(text);
        if (!root) continue;
        if (hy_json_get(root, "benchmarks")) {
            bench_files++;
            check_kernel_rows(md, root, sample_paths[i], &checked);
            /* lottery: attention prefill of this file appears as "xx.x % (L=...)" */
            double v = lottery_of(root, "attention");
            if (isfinite(v)) {
                char want[32];
                snprintf(want, sizeof want, "%.1f %%", 100 * v);
                const char *row = strstr(md, "| attention |");
                CHECK(row != NULL && strstr(row, want) != NULL);
            }
            /* the source table shows the version and commit of the file */
            const hy_json *hb = hy_json_get(hy_json_get(root, "context"), "hybench");
            if (jstr(hb, "git_commit")) CHECK(strstr(md, jstr(hb, "git_commit")) != NULL);
        }
        hy_json_free(root);
    }
    printf("  %d benchmark rows checked against %d bench files\n", checked, bench_files);
    CHECK(bench_files >= 2);
    CHECK(checked >= 20);
    /* validation matrix: a pass cell of the validate sample */
    CHECK(strstr(md, "| attention | pass") != NULL);
    free(md);
    free(html);
}

/* Writes text to dir/name; returns the path (static buffer per call index). */
static const char *write_tmp(const char *dir, const char *name, const char *text, char *path, size_t len)
{
    snprintf(path, len, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f) return NULL;
    fputs(text, f);
    fclose(f);
    return path;
}

/* Replaces the first occurrence of from with to (new string). */
static char *replace_once(const char *s, const char *from, const char *to)
{
    const char *p = strstr(s, from);
    if (!p) return NULL;
    size_t n = strlen(s) - strlen(from) + strlen(to) + 1;
    char *r = malloc(n);
    sprintf(r, "%.*s%s%s", (int)(p - s), s, to, p + strlen(from));
    return r;
}

static const char *first_bench_sample(void)
{
    for (size_t i = 0; i < n_samples; i++) {
        char *t = slurp(sample_paths[i]);
        int is_bench = t && strstr(t, "\"benchmarks\"") != NULL;
        free(t);
        if (is_bench) return sample_paths[i];
    }
    return NULL;
}

static void test_mixed_and_missing(const char *dir)
{
    const char *src = first_bench_sample();
    CHECK(src != NULL);
    if (!src) return;
    char *text = slurp(src);
    /* another version */
    char *other = replace_once(text, "\"version\":\"0.1.0\"", "\"version\":\"9.9.9\"");
    if (!other) other = replace_once(text, "\"version\": \"0.1.0\"", "\"version\": \"9.9.9\"");
    CHECK(other != NULL);
    /* a counter missing everywhere: rename every "GFLOPS" key */
    char *missing = strdup(text);
    for (char *p = missing; (p = strstr(p, "\"GFLOPS\"")); p++) memcpy(p, "\"GFLOPz\"", 8);
    char p1[1200], p2[1200], out[1200];
    write_tmp(dir, "other-version.json", other ? other : text, p1, sizeof p1);
    write_tmp(dir, "missing-gflops.json", missing, p2, sizeof p2);
    const char *paths[] = {src, p1, p2};
    snprintf(out, sizeof out, "%s/mixed", dir);
    hy_report_opts o = {.out_dir = out, .no_charts = 1};
    hy_report_summary sum;
    hy_error err = {{0}};
    CHECK_OK(hy_report_build(paths, 3, &o, &sum, &err), &err);
    CHECK(sum.mixed_versions == 1);
    CHECK(sum.sources_with_issues == 1);
    CHECK(sum.charts_drawn == 0 && strstr(sum.charts_note, "--no-charts") != NULL);
    char *md = slurp(sum.md_path);
    CHECK(md && strstr(md, "different hybench versions") != NULL);
    CHECK(md && strstr(md, "not compared: hybench 0.1.0 vs 9.9.9") != NULL);
    CHECK(md && strstr(md, "missing-gflops lacks fields") != NULL);
    CHECK(md && strstr(md, "GFLOPS") != NULL);
    /* the same file twice (before/after of one version) is compared */
    const char *same[] = {src, src};
    snprintf(out, sizeof out, "%s/same", dir);
    o.out_dir = out;
    CHECK_OK(hy_report_build(same, 2, &o, &sum, &err), &err);
    CHECK(!sum.mixed_versions);
    char *md2 = slurp(sum.md_path);
    CHECK(md2 && strstr(md2, "x1.00 (within noise)") != NULL);
    CHECK(md2 && strstr(md2, "not compared: hybench") == NULL);
    free(md2);
    free(md);
    free(text), free(other), free(missing);

    /* not a results file: an error naming the file */
    char p3[1200];
    write_tmp(dir, "not-results.json", "{\"foo\": 1}", p3, sizeof p3);
    const char *bad[] = {p3};
    CHECK_FAILS(hy_report_build(bad, 1, &o, &sum, &err), &err, "not a hybench results file");
    write_tmp(dir, "broken.json", "{\"benchmarks\": [", p3, sizeof p3);
    CHECK_FAILS(hy_report_build(bad, 1, &o, &sum, &err), &err, "broken.json");
}

/* A sweep summary (hybench sweep's schema) beside a results file, with
 * hand-computed numbers: at 4K the transformer takes 4 ms per prefill
 * token, the hybrid 1 ms (x4.00, spread 0.0038/0.00105 .. 0.0042/0.00095);
 * decode 6 ms vs 2 ms (x3.00); cache 8 GiB vs 1 GiB (x8.00). */
static void test_sweep(const char *dir, int with_gnuplot)
{
    const char *results =
        "{\"context\": {\"date\": \"2026-01-01\", \"host_name\": \"h\", \"hybench\": {\"version\": "
        "\"0.1.0\", \"git_commit\": \"abc\", \"backends\": \"cpu\"}}, \"benchmarks\": []}\n";
#define PT(ph, L, t, kv, ssm) \
    "{\"phase\": \"" ph "\", \"L\": " #L ", \"call_seconds\": 1, \"seconds_per_token\": " #t \
    ", \"tokens_per_second\": 1, \"memory_bytes\": {\"weights\": 1e9, \"kv_cache\": " #kv \
    ", \"ssm_state\": " #ssm ", \"conv_state\": 0}"
    const char *summary =
        "{\"sweep_schema_version\": 1, \"label\": \"hybrid-3b\", \"window\": 0,\n"
        " \"lengths\": [1024, 4096, 32768], \"stopped\": false, \"layer_costs\": [],\n"
        " \"ratios\": [\n"
        "  {\"ratio\": \"1:0\", \"points\": [\n"
        "    " PT("prefill", 1024, 0.001, 2147483648, 0) "},\n"
        "    " PT("prefill", 4096, 0.004, 8589934592, 0) ", \"seconds_per_token_lo\": 0.0038, "
        "\"seconds_per_token_hi\": 0.0042},\n"
        "    " PT("prefill", 32768, 0.03, 68719476736, 0) "},\n"
        "    " PT("decode", 4096, 0.006, 8589934592, 0) "},\n"
        "    " PT("decode", 32768, 0.04, 68719476736, 0) "}],\n"
        "   \"crossover\": {}},\n"
        "  {\"ratio\": \"1:7\", \"points\": [\n"
        "    " PT("prefill", 1024, 0.0015, 268435456, 67108864) "},\n"
        "    " PT("prefill", 4096, 0.001, 1006632960, 67108864) ", \"seconds_per_token_lo\": 0.00095, "
        "\"seconds_per_token_hi\": 0.00105},\n"
        "    " PT("prefill", 32768, 0.002, 8589934592, 67108864) "},\n"
        "    " PT("decode", 4096, 0.002, 1006632960, 67108864) "},\n"
        "    " PT("decode", 32768, 0.003, 8589934592, 67108864) "}],\n"
        "   \"crossover\": {\"prefill\": {\"kind\": \"at\", \"length\": 2000, \"length_lo\": 1800, "
        "\"length_hi\": 2300, \"text\": \"at L~2000\"}, \"decode\": {\"kind\": \"always\", \"length\": "
        "4096, \"text\": \"always (from L=4096)\"}}}],\n"
        " \"checks\": [{\"ratio\": \"1:7\", \"phase\": \"prefill\", \"L\": 1024, \"status\": \"ok\", "
        "\"measured_seconds\": 1.05, \"composed_seconds\": 1.0, \"agreement\": 0.05, \"message\": \"\"}]}\n";
#undef PT
    char path[1200], spath[1300], out[1200];
    write_tmp(dir, "sweeprun.json", results, path, sizeof path);
    write_tmp(dir, "sweeprun.json.summary.json", summary, spath, sizeof spath);
    snprintf(out, sizeof out, "%s/sweep-report", dir);
    const char *paths[] = {path};
    hy_report_opts o = {.out_dir = out, .no_charts = !with_gnuplot};
    hy_report_summary sum;
    hy_error err = {{0}};
    CHECK_OK(hy_report_build(paths, 1, &o, &sum, &err), &err);
    CHECK(sum.have_sweep == 1);
    CHECK(sum.sources_with_issues == 1); /* the hand-written results file has no ceilings */
    char *md = slurp(sum.md_path);
    CHECK(md != NULL);
    if (!md) return;
    CHECK(strstr(md, "No sweep in these results") == NULL);
    CHECK(strstr(md, "sweep summary") == NULL || strstr(md, "sweeprun.json.summary.json") != NULL);
    CHECK(strstr(md, "ceilings missing") != NULL);
    const char *row4k = strstr(md, "| 4K |");
    CHECK(row4k != NULL);
    if (row4k) {
        char *line = strndup(row4k, (size_t)(strchr(row4k, '\n') - row4k));
        CHECK(strstr(line, "x4.00") != NULL); /* 0.004 / 0.001 */
        CHECK(strstr(line, "[3.62 – 4.42]") != NULL);
        CHECK(strstr(line, "x3.00 (no spread in the sweep)") != NULL); /* 0.006 / 0.002 */
        CHECK(strstr(line, "x8.00") != NULL); /* 8 GiB / (0.9375 GiB + 64 MiB) */
        free(line);
    }
    const char *row32 = strstr(md, "| 32K |");
    CHECK(row32 && strstr(row32, "x15.00") != NULL); /* 0.03 / 0.002 */
    CHECK(strstr(md, "| 128K | length not in the sweep") != NULL);
    CHECK(strstr(md, "at L~2000") != NULL && strstr(md, "1800 – 2300") != NULL);
    CHECK(strstr(md, "always (from L=4096)") != NULL);
    CHECK(strstr(md, "+5.0 %") != NULL); /* the whole-model check's agreement */
    if (with_gnuplot) {
        char svg[1400];
        snprintf(svg, sizeof svg, "%s/charts/model-sweeprun-prefill.svg", out);
        CHECK(file_size(svg) > 0);
        snprintf(svg, sizeof svg, "%s/charts/model-sweeprun-decode.svg", out);
        CHECK(file_size(svg) > 0);
        snprintf(svg, sizeof svg, "%s/charts/memory-sweeprun.svg", out);
        CHECK(file_size(svg) > 0);
    }
    free(md);
}

static int have_gnuplot(void)
{
#ifdef HYBENCH_GNUPLOT
    if (access(HYBENCH_GNUPLOT, X_OK) == 0) return 1;
#endif
    const char *path = getenv("PATH");
    char buf[1200];
    while (path && *path) {
        const char *c = strchr(path, ':');
        size_t n = c ? (size_t)(c - path) : strlen(path);
        snprintf(buf, sizeof buf, "%.*s/gnuplot", (int)n, path);
        if (n && access(buf, X_OK) == 0) return 1;
        path += n + (c ? 1 : 0);
    }
    return 0;
}

int main(void)
{
    find_samples();
    printf("samples: %zu files in %s\n", n_samples, samples_dir);
    CHECK(n_samples >= 2);
    const char *tmp = hy_test_tmpdir("report");
    char out[1200];
    int gp = have_gnuplot();
    if (!gp) printf("gnuplot not found: the charts are checked to be missing with a message\n");
    if (n_samples >= 2) {
        snprintf(out, sizeof out, "%s/samples", tmp);
        test_samples_report(out, gp);
        snprintf(out, sizeof out, "%s/samples-nognuplot", tmp);
        test_samples_report(out, 0);
        test_mixed_and_missing(tmp);
    }
    test_sweep(tmp, gp);
    for (size_t i = 0; i < n_samples; i++) free(sample_paths[i]);
    return hy_test_finish();
}
