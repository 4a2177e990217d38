/* hy_report_load.c — reads results files into hy_rp_source: bench files
 * (Google Benchmark shape + context.hybench), validation files
 * (`hybench validate --out`) and sweep sections.  A field the report needs
 * but the file lacks is recorded as an issue of the source, never filled
 * in with a guess. */
#include "hy_report_data.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *dup_or_empty(const char *s)
{
    return strdup(s ? s : "");
}

static const char *json_str(const hy_json *obj, const char *key)
{
    const hy_json *v = hy_json_get(obj, key);
    return v && v->type == HY_JSON_STRING ? v->string : NULL;
}

static double json_num(const hy_json *obj, const char *key)
{
    const hy_json *v = hy_json_get(obj, key);
    return v && v->type == HY_JSON_NUMBER ? v->number : NAN;
}

/* Adds one issue line to s (deduplicated). */
static int add_issue(hy_rp_source *s, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static int add_issue(hy_rp_source *s, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    for (size_t i = 0; i < s->nissues; i++)
        if (strcmp(s->issues[i], line) == 0) return 0;
    char **grown = realloc(s->issues, (s->nissues + 1) * sizeof *grown);
    if (!grown) return -1;
    s->issues = grown;
    if (!(s->issues[s->nissues] = strdup(line))) return -1;
    s->nissues++;
    return 0;
}

/* Context fields shared by all kinds of results files. */
static int load_context(hy_rp_source *s, const hy_json *root)
{
    const hy_json *ctx = hy_json_get(root, "context");
    const hy_json *hb = hy_json_get(ctx, "hybench");
    if (!ctx || ctx->type != HY_JSON_OBJECT) add_issue(s, "no \"context\" object");
    else if (!hb || hb->type != HY_JSON_OBJECT)
        add_issue(s, "no context.hybench: not written by hybench, version unknown");
    const char *version = json_str(hb, "version");
    if (hb && !version) add_issue(s, "context.hybench.version missing: version unknown");
    s->version = dup_or_empty(version);
    s->git_commit = dup_or_empty(json_str(hb, "git_commit"));
    s->date = dup_or_empty(json_str(ctx, "date"));
    s->host = dup_or_empty(json_str(ctx, "host_name"));
    s->device = dup_or_empty(json_str(hb, "device"));
    s->backends = dup_or_empty(json_str(hb, "backends"));
    s->engine = dup_or_empty(json_str(hb, "engine"));
    s->papi = dup_or_empty(json_str(hb, "papi_status"));
    if (!s->version || !s->git_commit || !s->date || !s->host || !s->device || !s->backends ||
        !s->engine || !s->papi)
        return -1;
    return 0;
}

/* The all-threads best of a ceilings entry ({"all_threads": {"best": x}}). */
static double all_threads_best(const hy_json *entry)
{
    return json_num(hy_json_get(entry, "all_threads"), "best");
}

static void load_ceilings(hy_rp_source *s, const hy_json *ceil)
{
    hy_rp_ceilings *c = &s->ceil;
    c->peak_gflops = c->dram_gbps = c->l2_gbps = c->l1_gbps = NAN;
    c->peak_id[0] = 0;
    if (!ceil || ceil->type != HY_JSON_OBJECT) {
        add_issue(s, "context.hybench.ceilings missing: no roofline chart");
        return;
    }
    double th = json_num(ceil, "threads");
    c->threads = isfinite(th) ? (int)th : 0;
    const hy_json *compute = hy_json_get(ceil, "compute");
    for (size_t i = 0; compute && compute->type == HY_JSON_ARRAY && i < compute->count; i++) {
        const hy_json *e = &compute->items[i];
        const char *dtype = json_str(e, "dtype");
        const hy_json *avail = hy_json_get(e, "available");
        if (!dtype || strcmp(dtype, "f32") != 0) continue;
        if (avail && avail->type == HY_JSON_BOOL && !avail->boolean) continue;
        double best = all_threads_best(e);
        if (isfinite(best) && (!isfinite(c->peak_gflops) || best > c->peak_gflops)) {
            c->peak_gflops = best;
            snprintf(c->peak_id, sizeof c->peak_id, "%s", json_str(e, "id") ? json_str(e, "id") : "?");
        }
    }
    const hy_json *bw = hy_json_get(ceil, "bandwidth");
    for (size_t i = 0; bw && bw->type == HY_JSON_ARRAY && i < bw->count; i++) {
        const hy_json *e = &bw->items[i];
        const char *level = json_str(e, "level"), *kernel = json_str(e, "kernel");
        if (!level || !kernel || strcmp(kernel, "triad") != 0) continue;
        double best = all_threads_best(e);
        if (strcmp(level, "dram") == 0) c->dram_gbps = best;
        else if (strcmp(level, "l2") == 0) c->l2_gbps = best;
        else if (strcmp(level, "l1") == 0) c->l1_gbps = best;
    }
    if (!isfinite(c->peak_gflops)) add_issue(s, "ceilings: no measured f32 compute ceiling");
    if (!isfinite(c->dram_gbps)) add_issue(s, "ceilings: no measured DRAM triad bandwidth");
}

/* Splits the shape "preset/phase/L=512/role/T=..." into phase, role, seq. */
static void parse_shape(hy_rp_bench *b)
{
    const char *shape = b->shape;
    b->seq = -1;
    const char *phase = "";
    if (strstr(shape, "/prefill/") || strncmp(shape, "prefill/", 8) == 0) phase = "prefill";
    else if (strstr(shape, "/decode/") || strncmp(shape, "decode/", 7) == 0) phase = "decode";
    b->phase = strdup(phase);
    const char *l = strstr(shape, "L=");
    while (l && l != shape && l[-1] != '/') l = strstr(l + 1, "L=");
    if (l) b->seq = strtol(l + 2, NULL, 10);
    /* role: the segments after L=..., without the last one when it holds
     * the kernel's key=value list ("in_proj" of .../L=256/in_proj/T=256,in=...;
     * "ratio=1:7" of a whole-model run .../L=512/ratio=1:7) */
    char role[64] = "";
    if (l) {
        const char *first = strchr(l, '/');
        if (first) {
            first++;
            const char *last = strrchr(first, '/');
            const char *tail = last ? last + 1 : first;
            const char *end = strchr(tail, ',') ? (last ? last : first) : first + strlen(first);
            size_t n = (size_t)(end - first);
            if (n >= sizeof role) n = sizeof role - 1;
            memcpy(role, first, n);
            role[n] = 0;
        }
    } else {
        /* an explicit shape: the sequence length is T (prefill) or pos0+T */
        const char *t = strstr(shape, "T=");
        while (t && t != shape && t[-1] != ',' && t[-1] != '/') t = strstr(t + 1, "T=");
        const char *p = strstr(shape, "pos0=");
        long tv = t ? strtol(t + 2, NULL, 10) : -1, pv = p ? strtol(p + 5, NULL, 10) : 0;
        if (tv > 0) b->seq = tv + pv;
        /* its phase: one new token is a decode step, more a prefill */
        if (tv > 0 && !phase[0]) {
            free(b->phase);
            b->phase = strdup(tv == 1 ? "decode" : "prefill");
        }
    }
    b->role = strdup(role);
}

static void free_bench(hy_rp_bench *b)
{
    free(b->name), free(b->family), free(b->variant), free(b->backend), free(b->shape);
    free(b->phase), free(b->role), free(b->status), free(b->message);
}

/* Index of the benchmark group called run_name, adding it when new. */
static hy_rp_bench *group_of(hy_rp_source *s, const char *run_name, size_t *cap)
{
    for (size_t i = s->nbench; i-- > 0;)
        if (strcmp(s->bench[i].name, run_name) == 0) return &s->bench[i];
    if (s->nbench == *cap) {
        size_t nc = *cap ? *cap * 2 : 64;
        hy_rp_bench *grown = realloc(s->bench, nc * sizeof *grown);
        if (!grown) return NULL;
        s->bench = grown;
        *cap = nc;
    }
    hy_rp_bench *b = &s->bench[s->nbench];
    memset(b, 0, sizeof *b);
    b->time_ns = b->time_lo_ns = b->time_hi_ns = b->cv = NAN;
    b->gflops = b->gbps = b->intensity = b->roofline_fraction = b->validation_error = NAN;
    b->flops = b->bytes = NAN;
    if (!(b->name = strdup(run_name))) return NULL;
    s->nbench++;
    return b;
}

static double to_ns(double v, const char *unit)
{
    if (!unit || strcmp(unit, "ns") == 0) return v;
    if (strcmp(unit, "us") == 0) return v * 1e3;
    if (strcmp(unit, "ms") == 0) return v * 1e6;
    if (strcmp(unit, "s") == 0) return v * 1e9;
    return NAN;
}

/* Copies the strings and counters of entry e into b (first entry wins for
 * the strings; counters come from the entry chosen as central). */
static int take_strings(hy_rp_source *s, hy_rp_bench *b, const hy_json *e)
{
    if (b->family) return 0;
    static const char *const keys[] = {"family", "variant", "backend", "shape"};
    char **dst[] = {&b->family, &b->variant, &b->backend, &b->shape};
    for (int k = 0; k < 4; k++) {
        const char *v = json_str(e, keys[k]);
        if (!v) add_issue(s, "benchmark entries lack \"%s\"", keys[k]);
        if (!(*dst[k] = dup_or_empty(v))) return -1;
    }
    const char *status = json_str(e, "status");
    if (!status) add_issue(s, "benchmark entries lack \"status\"");
    b->status = dup_or_empty(status ? status : "ok");
    b->message = dup_or_empty(json_str(e, "error_message"));
    if (!b->status || !b->message) return -1;
    parse_shape(b);
    return b->phase && b->role ? 0 : -1;
}

static void take_central(hy_rp_source *s, hy_rp_bench *b, const hy_json *e)
{
    const char *unit = json_str(e, "time_unit");
    b->time_ns = to_ns(json_num(e, "real_time"), unit);
    static const char *const needed[] = {"flops", "bytes", "GFLOPS", "GBps", "intensity",
                                         "roofline_fraction", "validation_error"};
    double *dst[] = {&b->flops, &b->bytes, &b->gflops, &b->gbps, &b->intensity,
                     &b->roofline_fraction, &b->validation_error};
    /* the eight kernel families carry every counter; whole-model runs
     * ("model") and helpers such as the embedding gather have none of the
     * roofline counters, and that is not a missing field */
    int kernel = hy_rp_family_rank(b->family) < 8;
    for (int k = 0; k < 7; k++) {
        *dst[k] = json_num(e, needed[k]);
        if (kernel && !hy_json_get(e, needed[k]))
            add_issue(s, "%s benchmark entries lack counter \"%s\"", b->family, needed[k]);
    }
    if (!isfinite(b->time_ns)) add_issue(s, "benchmark entries lack real_time/time_unit");
}

static int load_benchmarks(hy_rp_source *s, const hy_json *list, hy_error *err)
{
    size_t cap = 0;
    /* pass 1: groups, strings, central values; pass 2: spread */
    for (size_t i = 0; i < list->count; i++) {
        const hy_json *e = &list->items[i];
        if (e->type != HY_JSON_OBJECT) return hy_fail(err, "benchmarks[%zu] is not an object", i);
        const char *run_name = json_str(e, "run_name");
        if (!run_name) run_name = json_str(e, "name");
        if (!run_name) return hy_fail(err, "benchmarks[%zu] has no name", i);
        hy_rp_bench *b = group_of(s, run_name, &cap);
        if (!b || take_strings(s, b, e)) return hy_fail(err, "out of memory");
        const hy_json *failed = hy_json_get(e, "error_occurred");
        if (failed && failed->type == HY_JSON_BOOL && failed->boolean) {
            if (strcmp(b->status, "ok") == 0) {
                free(b->status);
                if (!(b->status = strdup("error"))) return hy_fail(err, "out of memory");
            }
            continue;
        }
        const char *run_type = json_str(e, "run_type");
        const char *agg = json_str(e, "aggregate_name");
        double reps = json_num(e, "repetitions");
        if (isfinite(reps)) b->repetitions = (int)reps;
        if (run_type && strcmp(run_type, "aggregate") == 0) {
            const char *unit = json_str(e, "time_unit");
            double t = to_ns(json_num(e, "real_time"), unit);
            if (!agg) continue;
            if (strcmp(agg, "median") == 0) take_central(s, b, e);
            else if (strcmp(agg, "p10") == 0) b->time_lo_ns = t;
            else if (strcmp(agg, "p90") == 0) b->time_hi_ns = t;
            else if (strcmp(agg, "min") == 0 && !isfinite(b->time_lo_ns)) b->time_lo_ns = t;
            else if (strcmp(agg, "max") == 0 && !isfinite(b->time_hi_ns)) b->time_hi_ns = t;
            else if (strcmp(agg, "cv") == 0) b->cv = json_num(e, "real_time");
        } else if (b->repetitions <= 1) {
            take_central(s, b, e); /* one repetition: no aggregates */
        }
    }
    for (size_t i = 0; i < s->nbench; i++) {
        hy_rp_bench *b = &s->bench[i];
        if (strcmp(b->status, "ok") != 0) continue;
        if (b->repetitions >= 2 && !isfinite(b->time_ns))
            add_issue(s, "benchmark %s has repetitions but no median aggregate", b->name);
        if (b->repetitions >= 2 && (!isfinite(b->time_lo_ns) || !isfinite(b->time_hi_ns)))
            add_issue(s, "some benchmarks lack the p10/p90 (or min/max) aggregates: no spread");
    }
    return 0;
}

static int load_checks(hy_rp_source *s, const hy_json *list, hy_error *err)
{
    s->checks = calloc(list->count ? list->count : 1, sizeof *s->checks);
    if (!s->checks) return hy_fail(err, "out of memory");
    for (size_t i = 0; i < list->count; i++) {
        const hy_json *e = &list->items[i];
        hy_rp_check *c = &s->checks[s->nchecks];
        static const char *const keys[] = {"backend", "family", "variant", "shape", "status"};
        char **dst[] = {&c->backend, &c->family, &c->variant, &c->shape, &c->status};
        for (int k = 0; k < 5; k++) {
            const char *v = json_str(e, keys[k]);
            if (!v) add_issue(s, "validation rows lack \"%s\"", keys[k]);
            if (!(*dst[k] = dup_or_empty(v))) return hy_fail(err, "out of memory");
        }
        c->error = json_num(e, "error");
        c->tolerance = json_num(e, "tolerance");
        s->nchecks++;
    }
    return 0;
}

/* A sweep summary (`hybench sweep` writes <results>.summary.json with
 * "sweep_schema_version" at the top), or a "sweep" object holding one. */
static const hy_json *find_sweep(const hy_json *root)
{
    if (hy_json_get(root, "sweep_schema_version")) return root;
    const hy_json *sw = hy_json_get(root, "sweep");
    return sw && sw->type == HY_JSON_OBJECT && hy_json_get(sw, "sweep_schema_version") ? sw : NULL;
}

/* The summary beside a results file; absent or unreadable: left NULL
 * (a broken summary is an issue of the source, not an error). */
static int load_sweep_beside(hy_rp_source *s)
{
    size_t n = strlen(s->path);
    char *p = malloc(n + 16);
    if (!p) return -1;
    memcpy(p, s->path, n);
    memcpy(p + n, ".summary.json", 14);
    FILE *f = fopen(p, "rb");
    if (!f) {
        free(p);
        return 0;
    }
    fclose(f);
    char *text = NULL;
    size_t len = 0;
    hy_error err;
    if (hy_read_file(p, &text, &len, &err) || hy_json_parse(text, len, &s->sweep_root, &err)) {
        add_issue(s, "sweep summary %s: %s", p, err.msg);
    } else if (!(s->sweep = find_sweep(s->sweep_root))) {
        add_issue(s, "%s holds no sweep_schema_version: not read", p);
    } else {
        free(s->sweep_path);
        s->sweep_path = p;
        p = NULL;
    }
    free(text);
    free(p);
    return 0;
}

static char *default_label(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(base);
    if (n > 5 && strcmp(base + n - 5, ".json") == 0) n -= 5;
    char *l = malloc(n + 1);
    if (l) memcpy(l, base, n), l[n] = 0;
    return l;
}

static int load_one(hy_rp_source *s, const char *path, const char *label, hy_error *err)
{
    char *text = NULL;
    size_t len = 0;
    if (hy_read_file(path, &text, &len, err)) return -1;
    int rc = hy_json_parse(text, len, &s->root, err);
    free(text);
    if (rc) return hy_fail_prefix(err, "%s", path);
    if (s->root->type != HY_JSON_OBJECT) return hy_fail(err, "%s: not a JSON object", path);
    if (!(s->path = strdup(path)) || !(s->label = label ? strdup(label) : default_label(path)))
        return hy_fail(err, "out of memory");
    const hy_json *bench = hy_json_get(s->root, "benchmarks");
    const hy_json *checks = hy_json_get(s->root, "validation");
    s->sweep = find_sweep(s->root);
    int is_bench = bench && bench->type == HY_JSON_ARRAY;
    int is_val = checks && checks->type == HY_JSON_ARRAY;
    if (!(s->sweep_path = strdup(s->sweep ? path : ""))) return hy_fail(err, "out of memory");
    if (is_bench && !s->sweep && load_sweep_beside(s)) return hy_fail(err, "out of memory");
    if (!is_bench && !is_val && !s->sweep)
        return hy_fail(err, "%s: not a hybench results file (no \"benchmarks\", \"validation\" or "
                            "\"sweep_schema_version\")", path);
    char kind[64] = "";
    if (is_bench) strcat(kind, "bench");
    if (is_val) strcat(kind, kind[0] ? "+validation" : "validation");
    if (s->sweep) strcat(kind, kind[0] ? "+sweep" : "sweep");
    if (!(s->kind = strdup(kind)) || load_context(s, s->root)) return hy_fail(err, "out of memory");
    if (is_bench) {
        load_ceilings(s, hy_json_get(hy_json_get(hy_json_get(s->root, "context"), "hybench"),
                                     "ceilings"));
        if (load_benchmarks(s, bench, err)) return hy_fail_prefix(err, "%s", path);
    } else {
        s->ceil.peak_gflops = s->ceil.dram_gbps = s->ceil.l2_gbps = s->ceil.l1_gbps = NAN;
    }
    if (is_val && load_checks(s, checks, err)) return hy_fail_prefix(err, "%s", path);
    return 0;
}

int hy_rp_load(hy_rp_set *set, const char *const *paths, const char *const *labels, size_t n,
               hy_error *err)
{
    memset(set, 0, sizeof *set);
    if (n == 0) return hy_fail(err, "no results files given");
    set->src = calloc(n, sizeof *set->src);
    if (!set->src) return hy_fail(err, "out of memory");
    for (size_t i = 0; i < n; i++) {
        set->n = i + 1;
        if (load_one(&set->src[i], paths[i], labels ? labels[i] : NULL, err)) {
            hy_rp_free(set);
            return -1;
        }
    }
    /* labels must tell the sources apart */
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(set->src[i].label, set->src[j].label) == 0) {
                char *l = malloc(strlen(set->src[i].label) + 24);
                if (!l) {
                    hy_rp_free(set);
                    return hy_fail(err, "out of memory");
                }
                sprintf(l, "%s#%zu", set->src[i].label, i + 1);
                free(set->src[i].label);
                set->src[i].label = l;
            }
    for (size_t i = 1; i < n; i++)
        if (strcmp(set->src[i].version, set->src[0].version) != 0 || !set->src[i].version[0])
            set->mixed_versions = 1;
    if (n && !set->src[0].version[0]) set->mixed_versions = n > 1;
    return 0;
}

void hy_rp_free(hy_rp_set *set)
{
    for (size_t i = 0; set->src && i < set->n; i++) {
        hy_rp_source *s = &set->src[i];
        free(s->path), free(s->label), free(s->kind), free(s->version), free(s->git_commit);
        free(s->date), free(s->host), free(s->device), free(s->backends), free(s->engine);
        free(s->papi);
        for (size_t k = 0; k < s->nbench; k++) free_bench(&s->bench[k]);
        free(s->bench);
        for (size_t k = 0; k < s->nchecks; k++) {
            hy_rp_check *c = &s->checks[k];
            free(c->backend), free(c->family), free(c->variant), free(c->shape), free(c->status);
        }
        free(s->checks);
        for (size_t k = 0; k < s->nissues; k++) free(s->issues[k]);
        free(s->issues);
        hy_json_free(s->root);
        hy_json_free(s->sweep_root);
        free(s->sweep_path);
    }
    free(set->src);
    memset(set, 0, sizeof *set);
}
