/* hy_results.c — results files: benchmark groups, entries in Google
 * Benchmark's shape, atomic rewrites and resume (see hy_results.h). */
#include "hy_results_internal.h"
#include "hy_stats.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

/* One benchmark: its name, kernel family and its entries, already
 * formatted (at indent level 2, joined by ",\n"). */
typedef struct result_group {
    char *name;
    char *family;
    char *text;
} result_group;

struct hy_results {
    char *path;
    char *context; /* the formatted context object */
    result_group *groups;
    size_t ngroups, cap;
};

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

static void free_group(result_group *g)
{
    free(g->name);
    free(g->family);
    free(g->text);
}

void hy_results_close(hy_results *r)
{
    if (!r) return;
    for (size_t i = 0; i < r->ngroups; i++) free_group(&r->groups[i]);
    free(r->groups);
    free(r->context);
    free(r->path);
    free(r);
}

const char *hy_results_path(const hy_results *r)
{
    return r ? r->path : NULL;
}

size_t hy_results_count(const hy_results *r)
{
    return r ? r->ngroups : 0;
}

static result_group *find_group(const hy_results *r, const char *name)
{
    for (size_t i = 0; i < r->ngroups; i++)
        if (strcmp(r->groups[i].name, name) == 0) return &r->groups[i];
    return NULL;
}

int hy_results_has(const hy_results *r, const char *name)
{
    return r && name && find_group(r, name) != NULL;
}

/* Takes ownership of name, family and text (frees them on failure). */
static int push_group(hy_results *r, char *name, char *family, char *text, hy_error *err)
{
    if (!name || !family || !text) goto oom;
    if (r->ngroups == r->cap) {
        size_t ncap = r->cap ? 2 * r->cap : 32;
        result_group *g = realloc(r->groups, ncap * sizeof *g);
        if (!g) goto oom;
        r->groups = g;
        r->cap = ncap;
    }
    r->groups[r->ngroups++] = (result_group){name, family, text};
    return 0;
oom:
    free(name);
    free(family);
    free(text);
    return hy_fail(err, "out of memory");
}

/* Rewrites the whole file: temporary file, fsync, rename. */
static int rewrite(const hy_results *r, hy_error *err)
{
    hy_strbuf b = {0};
    hy_strbuf_printf(&b, "{\n  \"context\": %s,\n  \"benchmarks\": [", r->context);
    for (size_t i = 0; i < r->ngroups; i++)
        hy_strbuf_printf(&b, "%s\n%s", i ? "," : "", r->groups[i].text);
    hy_strbuf_printf(&b, "%s]\n}\n", r->ngroups ? "\n  " : "");
    if (b.failed) {
        hy_strbuf_free(&b);
        return hy_fail(err, "%s: out of memory formatting results", r->path);
    }
    int rc = hy_write_file_atomic(r->path, b.data, b.len, err);
    hy_strbuf_free(&b);
    return rc;
}

/* Removes "<path>.tmp.<pid>" files left by writers that no longer run. */
static void remove_stale_temps(const char *path)
{
    const char *slash = strrchr(path, '/');
    char dir[4096];
    const char *base = path;
    if (slash) {
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path) == 0 ? 1 : (int)(slash - path), path);
        base = slash + 1;
    } else {
        snprintf(dir, sizeof dir, ".");
    }
    size_t blen = strlen(base);
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        const char *n = e->d_name;
        if (strncmp(n, base, blen) != 0 || strncmp(n + blen, ".tmp.", 5) != 0) continue;
        char *end;
        long pid = strtol(n + blen + 5, &end, 10);
        if (*end || pid <= 0) continue;
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH) continue; /* still alive */
        char full[8192];
        snprintf(full, sizeof full, "%s/%s", dir, n);
        remove(full);
    }
    closedir(d);
}

static int open_common(hy_results **out, const char *path, const hy_results_info *info,
                       const hy_json *previous, size_t carried, hy_results *r, hy_error *err)
{
    hy_strbuf ctx = {0};
    if (hy_results_write_context(&ctx, info, previous, carried, err)) {
        hy_strbuf_free(&ctx);
        hy_results_close(r);
        return hy_fail_prefix(err, "%s", path);
    }
    r->context = ctx.data; /* ownership moves to r */
    if (rewrite(r, err)) {
        hy_results_close(r);
        return -1;
    }
    *out = r;
    return 0;
}

static hy_results *new_results(const char *path)
{
    hy_results *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->path = dup_str(path);
    if (!r->path) {
        free(r);
        return NULL;
    }
    return r;
}

int hy_results_open(hy_results **out, const char *path, const hy_results_info *info,
                    hy_error *err)
{
    if (!out || !path || !path[0]) return hy_fail(err, "results file without a path");
    *out = NULL;
    hy_results *r = new_results(path);
    if (!r) return hy_fail(err, "out of memory");
    remove_stale_temps(path);
    return open_common(out, path, info, NULL, 0, r, err);
}

/* The family of an entry: its "family" string, or the name up to '/'. */
static char *entry_family(const hy_json *e, const char *name)
{
    const hy_json *f = hy_json_get(e, "family");
    if (f && f->type == HY_JSON_STRING) return dup_str(f->string);
    size_t n = strcspn(name, "/");
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, name, n);
        d[n] = 0;
    }
    return d;
}

/* Adds the entries of a parsed file to r, grouped by run_name. */
static int carry_entries(hy_results *r, const hy_json *benchmarks, const char *path, hy_error *err)
{
    for (size_t i = 0; i < benchmarks->count; i++) {
        const hy_json *e = &benchmarks->items[i];
        const hy_json *rn = hy_json_get(e, "run_name");
        if (!rn || rn->type != HY_JSON_STRING) rn = hy_json_get(e, "name");
        if (e->type != HY_JSON_OBJECT || !rn || rn->type != HY_JSON_STRING)
            return hy_fail(err, "%s: benchmark entry %zu has no name", path, i);
        hy_strbuf t = {0};
        result_group *g = find_group(r, rn->string);
        if (g) hy_strbuf_printf(&t, "%s,\n", g->text);
        hy_strbuf_printf(&t, "    ");
        hy_results_write_value(&t, e, 2);
        if (t.failed) {
            hy_strbuf_free(&t);
            return hy_fail(err, "out of memory");
        }
        if (g) {
            free(g->text);
            g->text = t.data;
        } else if (push_group(r, dup_str(rn->string), entry_family(e, rn->string), t.data, err)) {
            return -1;
        }
    }
    return 0;
}

int hy_results_open_resume(hy_results **out, const char *path, const hy_results_info *info,
                           hy_error *err)
{
    if (!out || !path || !path[0]) return hy_fail(err, "results file without a path");
    *out = NULL;
    char *text = NULL;
    size_t len = 0;
    hy_error read_err;
    if (hy_read_file(path, &text, &len, &read_err)) {
        FILE *f = fopen(path, "r");
        if (f) { /* exists but could not be read: do not overwrite it */
            fclose(f);
            return hy_fail(err, "%s", read_err.msg);
        }
        return hy_results_open(out, path, info, err); /* nothing to resume */
    }
    hy_json *doc = NULL;
    if (hy_json_parse(text, len, &doc, err)) {
        free(text);
        return hy_fail_prefix(err, "%s is not a results file", path);
    }
    free(text);
    const hy_json *benchmarks = hy_json_get(doc, "benchmarks");
    const hy_json *context = hy_json_get(doc, "context");
    if (!benchmarks || benchmarks->type != HY_JSON_ARRAY || !context ||
        context->type != HY_JSON_OBJECT) {
        hy_json_free(doc);
        return hy_fail(err, "%s is not a results file (no context object or benchmarks array)", path);
    }
    hy_results *r = new_results(path);
    if (!r) {
        hy_json_free(doc);
        return hy_fail(err, "out of memory");
    }
    if (carry_entries(r, benchmarks, path, err)) {
        hy_json_free(doc);
        hy_results_close(r);
        return -1;
    }
    remove_stale_temps(path);
    int rc = open_common(out, path, info, context, r->ngroups, r, err);
    hy_json_free(doc);
    return rc;
}

/* ---- names ------------------------------------------------------------- */

int hy_bench_name(const hy_bench_meta *m, char *buf, size_t len, hy_error *err)
{
    if (!m) return hy_fail(err, "no benchmark description");
    if (m->name) {
        if (!m->name[0]) return hy_fail(err, "empty benchmark name");
        if ((size_t)snprintf(buf, len, "%s", m->name) >= len)
            return hy_fail(err, "benchmark name too long: %s", m->name);
        return 0;
    }
    const char *parts[3] = {m->family, m->variant, m->backend};
    const char *what[3] = {"family", "variant", "backend"};
    for (int i = 0; i < 3; i++) {
        if (!parts[i] || !parts[i][0]) return hy_fail(err, "benchmark without a %s", what[i]);
        if (strchr(parts[i], '/'))
            return hy_fail(err, "benchmark %s \"%s\" contains '/'", what[i], parts[i]);
    }
    if (!m->shape || !m->shape[0]) return hy_fail(err, "benchmark without a shape");
    if ((size_t)snprintf(buf, len, "%s/%s/%s/%s", m->family, m->variant, m->backend, m->shape) >= len)
        return hy_fail(err, "benchmark name too long");
    return 0;
}

/* ---- entries ----------------------------------------------------------- */

typedef struct entry {
    hy_strbuf *b;
    int first;
} entry;

static void entry_begin(entry *e, hy_strbuf *b)
{
    e->b = b;
    e->first = 1;
    if (b->len) hy_strbuf_printf(b, ",\n");
    hy_strbuf_printf(b, "    {");
}

static void entry_key(entry *e, const char *k)
{
    hy_strbuf_printf(e->b, "%s\n      ", e->first ? "" : ",");
    e->first = 0;
    hy_strbuf_json_string(e->b, k);
    hy_strbuf_printf(e->b, ": ");
}

static void entry_str(entry *e, const char *k, const char *v)
{
    if (!v) return;
    entry_key(e, k);
    hy_strbuf_json_string(e->b, v);
}

static void entry_int(entry *e, const char *k, int64_t v)
{
    entry_key(e, k);
    hy_strbuf_printf(e->b, "%" PRId64, v);
}

static void entry_num(entry *e, const char *k, double v)
{
    if (!isfinite(v)) return; /* JSON has no NaN or infinity */
    entry_key(e, k);
    hy_results_write_number(e->b, v);
}

static void entry_end(entry *e)
{
    hy_strbuf_printf(e->b, "\n    }");
}

/* Names and indices shared by the entries of one benchmark. */
typedef struct group_info {
    const char *name, *family, *variant, *backend, *shape;
    int64_t family_index, instance_index;
    int threads;
} group_info;

static void entry_head(entry *e, const group_info *g, const char *name)
{
    entry_str(e, "name", name);
    entry_int(e, "family_index", g->family_index);
    entry_int(e, "per_family_instance_index", g->instance_index);
    entry_str(e, "run_name", g->name);
}

static void entry_tail(entry *e, const group_info *g, const char *status)
{
    entry_str(e, "family", g->family);
    entry_str(e, "variant", g->variant);
    entry_str(e, "backend", g->backend);
    entry_str(e, "shape", g->shape);
    entry_str(e, "status", status);
}

static int prepare_group(const hy_results *r, const hy_bench_meta *m, char *name, size_t len,
                         group_info *g, hy_error *err)
{
    if (!r) return hy_fail(err, "no results file");
    if (hy_bench_name(m, name, len, err)) return -1;
    if (find_group(r, name)) return hy_fail(err, "%s is already in %s", name, r->path);
    memset(g, 0, sizeof *g);
    g->name = name;
    g->family = m->family;
    g->variant = m->variant;
    g->backend = m->backend;
    g->shape = m->shape;
    g->threads = m->threads > 0 ? m->threads : 1;
    /* family_index: order of first appearance of the family in the file. */
    size_t flen = m->family ? strlen(m->family) : strcspn(name, "/");
    const char *fam = m->family ? m->family : name;
    int64_t families = 0, index = -1, instances = 0;
    for (size_t i = 0; i < r->ngroups; i++) {
        const char *gf = r->groups[i].family;
        int same = strlen(gf) == flen && strncmp(gf, fam, flen) == 0;
        if (same) instances++;
        int seen = 0;
        for (size_t j = 0; j < i && !seen; j++) seen = strcmp(r->groups[j].family, gf) == 0;
        if (!seen) {
            if (same) index = families;
            families++;
        }
    }
    g->family_index = index >= 0 ? index : families;
    g->instance_index = instances;
    return 0;
}

static char *family_of(const group_info *g)
{
    if (g->family) return dup_str(g->family);
    size_t n = strcspn(g->name, "/");
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, g->name, n);
        d[n] = 0;
    }
    return d;
}

static int commit_group(hy_results *r, const group_info *g, hy_strbuf *text, hy_error *err)
{
    if (text->failed) {
        hy_strbuf_free(text);
        return hy_fail(err, "out of memory");
    }
    if (push_group(r, dup_str(g->name), family_of(g), text->data, err)) return -1;
    if (rewrite(r, err)) {
        r->ngroups--; /* keep memory and file in agreement */
        free_group(&r->groups[r->ngroups]);
        return -1;
    }
    return 0;
}

static double unit_scale(const char *unit, hy_error *err, int *ok)
{
    *ok = 1;
    if (!unit || strcmp(unit, "ns") == 0) return 1e9;
    if (strcmp(unit, "us") == 0) return 1e6;
    if (strcmp(unit, "ms") == 0) return 1e3;
    if (strcmp(unit, "s") == 0) return 1;
    *ok = 0;
    hy_fail(err, "unknown time unit \"%s\" (ns, us, ms or s)", unit);
    return 0;
}

/* A counter column: one value per repetition. */
typedef struct column {
    char name[64];
    double *v; /* [repetitions] */
} column;

#define MAX_COLUMNS (8 + HY_TIMER_MAX_COUNTERS + HY_RESULTS_MAX_EXTRA)

static double roofline_fraction(const hy_bench_meta *m, double seconds)
{
    if (!(seconds > 0)) return NAN;
    if (m->flops > 0 && m->bytes > 0 && m->peak_gflops > 0 && m->peak_gbps > 0) {
        double attainable = fmin(m->peak_gflops, m->flops / m->bytes * m->peak_gbps);
        return m->flops / seconds / 1e9 / attainable;
    }
    if (m->flops <= 0 && m->bytes > 0 && m->peak_gbps > 0) return m->bytes / seconds / 1e9 / m->peak_gbps;
    return NAN;
}

/* Fills the counter columns for every repetition; returns their number. */
static int build_columns(const hy_bench_meta *m, const hy_timing *t, column *cols, double *store)
{
    int n = 0, R = t->repetitions;
    int have_roof = isfinite(roofline_fraction(m, 1.0));
    int have_verr = m->validation_error >= 0 && isfinite(m->validation_error);
#define COLUMN(label, expr)                                                                  \
    do {                                                                                     \
        snprintf(cols[n].name, sizeof cols[n].name, "%s", (label));                          \
        cols[n].v = store + (size_t)n * (size_t)R;                                           \
        for (int r_ = 0; r_ < R; r_++) {                                                     \
            double s_ = t->seconds[r_];                                                      \
            (void)s_;                                                                        \
            cols[n].v[r_] = (expr);                                                          \
        }                                                                                    \
        n++;                                                                                 \
    } while (0)
    if (m->flops > 0) COLUMN("flops", m->flops);
    if (m->bytes > 0) COLUMN("bytes", m->bytes);
    if (m->flops > 0 && m->bytes > 0) COLUMN("intensity", m->flops / m->bytes);
    if (m->flops > 0) COLUMN("GFLOPS", s_ > 0 ? m->flops / s_ / 1e9 : NAN);
    if (m->bytes > 0) COLUMN("GBps", s_ > 0 ? m->bytes / s_ / 1e9 : NAN);
    if (have_roof) COLUMN("roofline_fraction", roofline_fraction(m, s_));
    if (have_verr) COLUMN("validation_error", m->validation_error);
    for (int c = 0; c < t->ncounters; c++)
        COLUMN(t->counter_names[c], t->counter_values[(size_t)r_ * (size_t)t->ncounters + (size_t)c]);
    for (int c = 0; c < m->nextra && c < HY_RESULTS_MAX_EXTRA; c++)
        COLUMN(m->extra[c].name ? m->extra[c].name : "extra", m->extra[c].value);
#undef COLUMN
    return n;
}

/* Counter names must not repeat, nor take the name of an entry field. */
static int check_column_names(const column *cols, int n, const char *bench, hy_error *err)
{
    static const char *reserved[] = {
        "name", "family_index", "per_family_instance_index", "run_name", "run_type",
        "repetitions", "repetition_index", "threads", "iterations", "real_time", "cpu_time",
        "time_unit", "aggregate_name", "aggregate_unit", "error_occurred", "error_message",
        "family", "variant", "backend", "shape", "status", "engine", "time_source", "cache",
    };
    for (int i = 0; i < n; i++) {
        if (!cols[i].name[0]) return hy_fail(err, "%s: a counter has no name", bench);
        for (size_t k = 0; k < sizeof reserved / sizeof reserved[0]; k++)
            if (strcmp(cols[i].name, reserved[k]) == 0)
                return hy_fail(err, "%s: counter name \"%s\" is an entry field", bench, cols[i].name);
        for (int j = 0; j < i; j++)
            if (strcmp(cols[i].name, cols[j].name) == 0)
                return hy_fail(err, "%s: counter \"%s\" given twice", bench, cols[i].name);
    }
    return 0;
}

/* The aggregates written for R >= 2, in this order. */
static const struct {
    const char *name;
    int percentage;
} aggregates[] = {
    {"mean", 0}, {"median", 0}, {"stddev", 0}, {"cv", 1}, {"min", 0},
    {"max", 0},  {"p10", 0},    {"p90", 0},    {"mad", 0},
};

static double pick(const hy_summary *s, const char *stat)
{
    if (strcmp(stat, "mean") == 0) return s->mean;
    if (strcmp(stat, "median") == 0) return s->median;
    if (strcmp(stat, "stddev") == 0) return s->stddev;
    if (strcmp(stat, "cv") == 0) return s->cv;
    if (strcmp(stat, "min") == 0) return s->min;
    if (strcmp(stat, "max") == 0) return s->max;
    if (strcmp(stat, "p10") == 0) return s->p10;
    if (strcmp(stat, "p90") == 0) return s->p90;
    return s->mad;
}

/* Statistic `stat` of v[n]; NaN when a value is not finite. */
static double column_stat(const double *v, int n, const char *stat)
{
    hy_summary s;
    if (hy_stats_summarize(v, (size_t)n, &s, NULL)) return NAN;
    return pick(&s, stat);
}

int hy_results_add_timing(hy_results *r, const hy_bench_meta *m, const hy_timing *t,
                          hy_error *err)
{
    char name[1024];
    group_info g;
    if (prepare_group(r, m, name, sizeof name, &g, err)) return -1;
    if (!t || t->repetitions < 1 || !t->seconds || !t->cpu_seconds || !t->iterations)
        return hy_fail(err, "%s: no timing to record", name);
    int R = t->repetitions;
    for (int i = 0; i < R; i++)
        if (!isfinite(t->seconds[i]) || t->seconds[i] < 0 || !isfinite(t->cpu_seconds[i]))
            return hy_fail(err, "%s: repetition %d has no valid time", name, i);
    int ok;
    double scale = unit_scale(m->time_unit, err, &ok);
    if (!ok) return hy_fail_prefix(err, "%s", name);
    const char *unit = m->time_unit ? m->time_unit : "ns";

    column cols[MAX_COLUMNS];
    double *store = malloc((size_t)(MAX_COLUMNS + 2) * (size_t)R * sizeof *store);
    if (!store) return hy_fail(err, "out of memory");
    int ncols = build_columns(m, t, cols, store);
    if (check_column_names(cols, ncols, name, err)) {
        free(store);
        return -1;
    }
    double *real = store + (size_t)MAX_COLUMNS * (size_t)R, *cpu = real + R;
    for (int i = 0; i < R; i++) {
        real[i] = t->seconds[i] * scale;
        cpu[i] = t->cpu_seconds[i] * scale;
    }
    const char *source = t->manual_time ? "manual" : "real";
    const char *cache = t->streamed_copies > 0 ? "streamed" : t->cold ? "cold" : "warm";

    hy_strbuf text = {0};
    entry e;
    for (int i = 0; i < R; i++) {
        entry_begin(&e, &text);
        entry_head(&e, &g, name);
        entry_str(&e, "run_type", "iteration");
        entry_int(&e, "repetitions", R);
        entry_int(&e, "repetition_index", i);
        entry_int(&e, "threads", g.threads);
        entry_int(&e, "iterations", t->iterations[i]);
        entry_num(&e, "real_time", real[i]);
        entry_num(&e, "cpu_time", cpu[i]);
        entry_str(&e, "time_unit", unit);
        for (int c = 0; c < ncols; c++) entry_num(&e, cols[c].name, cols[c].v[i]);
        entry_tail(&e, &g, "ok");
        entry_str(&e, "engine", t->engine);
        entry_str(&e, "time_source", source);
        entry_str(&e, "clock", t->clock);
        entry_str(&e, "cache", cache);
        entry_end(&e);
    }
    for (size_t a = 0; R >= 2 && a < sizeof aggregates / sizeof aggregates[0]; a++) {
        const char *stat = aggregates[a].name;
        char agg_name[1100];
        snprintf(agg_name, sizeof agg_name, "%s_%s", name, stat);
        entry_begin(&e, &text);
        entry_head(&e, &g, agg_name);
        entry_str(&e, "run_type", "aggregate");
        entry_int(&e, "repetitions", R);
        entry_int(&e, "threads", g.threads);
        entry_str(&e, "aggregate_name", stat);
        entry_str(&e, "aggregate_unit", aggregates[a].percentage ? "percentage" : "time");
        entry_int(&e, "iterations", R);
        entry_num(&e, "real_time", column_stat(real, R, stat));
        entry_num(&e, "cpu_time", column_stat(cpu, R, stat));
        entry_str(&e, "time_unit", unit);
        for (int c = 0; c < ncols; c++) entry_num(&e, cols[c].name, column_stat(cols[c].v, R, stat));
        entry_tail(&e, &g, "ok");
        entry_str(&e, "engine", t->engine);
        entry_str(&e, "time_source", source);
        entry_str(&e, "clock", t->clock);
        entry_str(&e, "cache", cache);
        entry_end(&e);
    }
    free(store);
    return commit_group(r, &g, &text, err);
}

int hy_results_add_failure(hy_results *r, const hy_bench_meta *m, const char *status,
                           const char *message, hy_error *err)
{
    char name[1024];
    group_info g;
    if (prepare_group(r, m, name, sizeof name, &g, err)) return -1;
    if (!status || !status[0] || strcmp(status, "ok") == 0)
        return hy_fail(err, "%s: a failure needs a status other than \"ok\"", name);
    hy_strbuf text = {0};
    entry e;
    entry_begin(&e, &text);
    entry_head(&e, &g, name);
    entry_str(&e, "run_type", "iteration");
    entry_int(&e, "repetitions", 0);
    entry_int(&e, "repetition_index", 0);
    entry_int(&e, "threads", g.threads);
    entry_key(&e, "error_occurred");
    hy_strbuf_printf(&text, "true");
    entry_str(&e, "error_message", message ? message : status);
    if (m->flops > 0) entry_num(&e, "flops", m->flops);
    if (m->bytes > 0) entry_num(&e, "bytes", m->bytes);
    if (m->validation_error >= 0) entry_num(&e, "validation_error", m->validation_error);
    entry_tail(&e, &g, status);
    entry_end(&e);
    return commit_group(r, &g, &text, err);
}
