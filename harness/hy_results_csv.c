/* hy_results_csv.c — a results file as a flat CSV table, one row per
 * benchmark (see hy_results.h for the columns). */
#include "hy_results_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The entries of one benchmark that a row is made of. */
typedef struct csv_row {
    const char *name;
    const hy_json *first;  /* first entry seen                  */
    const hy_json *median; /* the "median" aggregate, if any     */
    const hy_json *cv;     /* the "cv" aggregate, if any         */
    const hy_json *error;  /* an entry with error_occurred: true */
} csv_row;

static const char *str_field(const hy_json *e, const char *key)
{
    const hy_json *v = hy_json_get(e, key);
    return v && v->type == HY_JSON_STRING ? v->string : NULL;
}

static double num_field(const hy_json *e, const char *key)
{
    const hy_json *v = hy_json_get(e, key);
    return v && v->type == HY_JSON_NUMBER ? v->number : NAN;
}

/* RFC 4180: quote when the cell holds a comma, quote or line break. */
static void cell_str(hy_strbuf *b, const char *s, int last)
{
    if (!s) s = "";
    if (strpbrk(s, ",\"\r\n")) {
        hy_strbuf_printf(b, "\"");
        for (const char *p = s; *p; p++) {
            if (*p == '"') hy_strbuf_printf(b, "\"\"");
            else hy_strbuf_printf(b, "%c", *p);
        }
        hy_strbuf_printf(b, "\"");
    } else {
        hy_strbuf_printf(b, "%s", s);
    }
    hy_strbuf_printf(b, last ? "\r\n" : ",");
}

static void cell_num(hy_strbuf *b, double x)
{
    if (isfinite(x)) hy_strbuf_printf(b, "%.10g", x);
    hy_strbuf_printf(b, ",");
}

static double to_ns(double t, const char *unit)
{
    if (!unit || strcmp(unit, "ns") == 0) return t;
    if (strcmp(unit, "us") == 0) return t * 1e3;
    if (strcmp(unit, "ms") == 0) return t * 1e6;
    if (strcmp(unit, "s") == 0) return t * 1e9;
    return NAN;
}

/* Part `index` (0 family, 1 variant, 2 backend, 3 shape = the rest) of a
 * name "family/variant/backend/shape...", into buf. */
static const char *name_part(const char *name, int index, char *buf, size_t len)
{
    const char *p = name;
    for (int i = 0; i < index; i++) {
        p = strchr(p, '/');
        if (!p) return "";
        p++;
    }
    size_t n = index == 3 ? strlen(p) : strcspn(p, "/");
    snprintf(buf, len, "%.*s", (int)n, p);
    return buf;
}

static void write_row(hy_strbuf *b, const csv_row *row)
{
    const hy_json *main = row->error ? row->error : row->median ? row->median : row->first;
    static const char *parts[4] = {"family", "variant", "backend", "shape"};
    char buf[4][512];
    cell_str(b, row->name, 0);
    for (int i = 0; i < 4; i++) {
        const char *s = str_field(main, parts[i]);
        cell_str(b, s ? s : name_part(row->name, i, buf[i], sizeof buf[i]), 0);
    }
    const char *status = str_field(main, "status");
    cell_str(b, status ? status : row->error ? "error" : "ok", 0);
    cell_num(b, num_field(main, "repetitions"));
    cell_num(b, num_field(main, "threads"));
    if (row->error) {
        for (int i = 0; i < 6; i++) hy_strbuf_printf(b, ",");
    } else {
        cell_num(b, to_ns(num_field(main, "real_time"), str_field(main, "time_unit")));
        cell_num(b, row->cv ? num_field(row->cv, "real_time") : NAN);
        cell_num(b, num_field(main, "GFLOPS"));
        cell_num(b, num_field(main, "GBps"));
        cell_num(b, num_field(main, "intensity"));
        cell_num(b, num_field(main, "roofline_fraction"));
    }
    cell_num(b, num_field(main, "validation_error"));
    cell_str(b, str_field(main, "engine"), 0);
    cell_str(b, str_field(main, "error_message"), 1);
}

int hy_results_csv(const char *json_text, size_t len, char **csv, size_t *csv_len, hy_error *err)
{
    hy_json *doc = NULL;
    if (hy_json_parse(json_text, len, &doc, err)) return hy_fail_prefix(err, "results file");
    const hy_json *bm = hy_json_get(doc, "benchmarks");
    if (!bm || bm->type != HY_JSON_ARRAY) {
        hy_json_free(doc);
        return hy_fail(err, "not a results file: no benchmarks array");
    }
    csv_row *rows = calloc(bm->count ? bm->count : 1, sizeof *rows);
    if (!rows) {
        hy_json_free(doc);
        return hy_fail(err, "out of memory");
    }
    size_t nrows = 0;
    for (size_t i = 0; i < bm->count; i++) {
        const hy_json *e = &bm->items[i];
        const char *name = str_field(e, "run_name");
        if (!name) name = str_field(e, "name");
        if (!name) continue;
        csv_row *row = NULL;
        for (size_t k = nrows; k-- > 0 && !row;)
            if (strcmp(rows[k].name, name) == 0) row = &rows[k];
        if (!row) {
            row = &rows[nrows++];
            row->name = name;
            row->first = e;
        }
        const hy_json *eo = hy_json_get(e, "error_occurred");
        const char *agg = str_field(e, "aggregate_name");
        if (eo && eo->type == HY_JSON_BOOL && eo->boolean) row->error = e;
        else if (agg && strcmp(agg, "median") == 0) row->median = e;
        else if (agg && strcmp(agg, "cv") == 0) row->cv = e;
    }
    hy_strbuf b = {0};
    hy_strbuf_printf(&b, "name,family,variant,backend,shape,status,repetitions,threads,"
                         "median_time_ns,cv,gflops,gbps,intensity,roofline_fraction,"
                         "validation_error,engine,error_message\r\n");
    for (size_t k = 0; k < nrows; k++) write_row(&b, &rows[k]);
    free(rows);
    hy_json_free(doc);
    if (b.failed) {
        hy_strbuf_free(&b);
        return hy_fail(err, "out of memory");
    }
    *csv = b.data;
    *csv_len = b.len;
    return 0;
}

int hy_results_export_csv(const char *json_path, const char *csv_path, hy_error *err)
{
    char *text = NULL, *csv = NULL;
    size_t len = 0, csv_len = 0;
    if (hy_read_file(json_path, &text, &len, err)) return -1;
    int rc = hy_results_csv(text, len, &csv, &csv_len, err);
    free(text);
    if (rc) return hy_fail_prefix(err, "%s", json_path);
    rc = hy_write_file_atomic(csv_path, csv, csv_len, err);
    free(csv);
    return rc;
}
