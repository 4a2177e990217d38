/* hy_report_tables.c — tables of the report, built once and rendered to
 * HTML and Markdown: the sources (what each file is: version, commit,
 * machine, ceilings, issues), the lottery figures, the validation matrix
 * and the kernel benchmarks side by side with ratios against the first
 * results file (only between files of the same hybench version). */
#include "hy_report_parts.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ---- table storage ------------------------------------------------------ */

static char *dup_s(const char *s)
{
    return strdup(s ? s : "");
}

hy_rp_table *hy_rp_table_new(hy_rp_tables *t, const char *id, const char *title,
                             const char *caption, size_t ncols, const char *const *header)
{
    if (t->n == t->cap) {
        size_t nc = t->cap ? t->cap * 2 : 8;
        hy_rp_table *grown = realloc(t->items, nc * sizeof *grown);
        if (!grown) {
            t->failed = 1;
            return NULL;
        }
        t->items = grown;
        t->cap = nc;
    }
    hy_rp_table *tb = &t->items[t->n];
    memset(tb, 0, sizeof *tb);
    tb->ncols = ncols;
    tb->header = calloc(ncols, sizeof *tb->header);
    tb->title = dup_s(title);
    tb->caption = dup_s(caption);
    tb->id = dup_s(id);
    if (!tb->header || !tb->title || !tb->caption || !tb->id) {
        free(tb->header), free(tb->title), free(tb->caption), free(tb->id);
        t->failed = 1;
        return NULL;
    }
    t->n++;
    for (size_t i = 0; i < ncols; i++) {
        tb->header[i].text = dup_s(header[i]);
        tb->header[i].cls = "";
        if (!tb->header[i].text) t->failed = 1;
    }
    return tb;
}

int hy_rp_table_row(hy_rp_tables *t, hy_rp_table *tb)
{
    if (tb->nrows == tb->cap) {
        size_t nc = tb->cap ? tb->cap * 2 : 16;
        hy_rp_cell *grown = realloc(tb->cells, nc * tb->ncols * sizeof *grown);
        if (!grown) {
            t->failed = 1;
            return -1;
        }
        tb->cells = grown;
        tb->cap = nc;
    }
    for (size_t c = 0; c < tb->ncols; c++)
        tb->cells[tb->nrows * tb->ncols + c] = (hy_rp_cell){NULL, ""};
    tb->nrows++;
    return 0;
}

void hy_rp_table_set(hy_rp_tables *t, hy_rp_table *tb, size_t col, const char *cls,
                     const char *fmt, ...)
{
    if (tb->nrows == 0 || col >= tb->ncols) return;
    hy_rp_cell *cell = &tb->cells[(tb->nrows - 1) * tb->ncols + col];
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    free(cell->text);
    cell->text = strdup(buf);
    cell->cls = cls ? cls : "";
    if (!cell->text) t->failed = 1;
}

void hy_rp_tables_free(hy_rp_tables *t)
{
    for (size_t i = 0; i < t->n; i++) {
        hy_rp_table *tb = &t->items[i];
        for (size_t c = 0; c < tb->ncols; c++) free(tb->header[c].text);
        for (size_t c = 0; c < tb->nrows * tb->ncols; c++) free(tb->cells[c].text);
        free(tb->header), free(tb->cells), free(tb->title), free(tb->caption), free(tb->id);
    }
    free(t->items);
    memset(t, 0, sizeof *t);
}

/* ---- number formatting -------------------------------------------------- */

void hy_rp_fmt_time(char *buf, size_t len, double ns)
{
    if (!isfinite(ns)) snprintf(buf, len, "—");
    else if (ns < 1e3) snprintf(buf, len, "%.3g ns", ns);
    else if (ns < 1e6) snprintf(buf, len, "%.3g µs", ns / 1e3);
    else if (ns < 1e9) snprintf(buf, len, "%.3g ms", ns / 1e6);
    else snprintf(buf, len, "%.3g s", ns / 1e9);
}

void hy_rp_fmt_num(char *buf, size_t len, double v)
{
    if (!isfinite(v)) snprintf(buf, len, "—");
    else snprintf(buf, len, "%.3g", v);
}

void hy_rp_fmt_bytes(char *buf, size_t len, double bytes)
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    if (!isfinite(bytes)) {
        snprintf(buf, len, "—");
        return;
    }
    int u = 0;
    while (fabs(bytes) >= 1024 && u < 4) bytes /= 1024, u++;
    snprintf(buf, len, "%.3g %s", bytes, units[u]);
}

/* ---- sources -------------------------------------------------------------- */

int hy_rp_tables_sources(hy_rp_tables *t, const hy_rp_set *set)
{
    static const char *const h[] = {"label", "file", "contents", "hybench", "git commit", "date",
                                    "host", "device", "threads", "engine", "peak GFLOP/s",
                                    "DRAM GB/s", "PAPI", "issues"};
    hy_rp_table *tb = hy_rp_table_new(
        t, "sources", "What each file is",
        "Each file is one column of every comparison (a machine, a backend build, a before or an "
        "after). Ceilings are the ones measured in that run: the roofline fractions use them.",
        sizeof h / sizeof h[0], h);
    if (!tb) return -1;
    for (size_t i = 0; i < set->n; i++) {
        const hy_rp_source *s = &set->src[i];
        if (hy_rp_table_row(t, tb)) return -1;
        char a[64], b[64];
        hy_rp_table_set(t, tb, 0, "", "%s", s->label);
        hy_rp_table_set(t, tb, 1, "", "%s", s->path);
        hy_rp_table_set(t, tb, 2, "", "%s (%zu benchmarks, %zu checks)", s->kind, s->nbench, s->nchecks);
        hy_rp_table_set(t, tb, 3, s->version[0] && !set->mixed_versions ? "" : "warn", "%s",
                        s->version[0] ? s->version : "unknown");
        hy_rp_table_set(t, tb, 4, "", "%s", s->git_commit[0] ? s->git_commit : "—");
        hy_rp_table_set(t, tb, 5, "", "%s", s->date[0] ? s->date : "—");
        hy_rp_table_set(t, tb, 6, "", "%s", s->host[0] ? s->host : "—");
        hy_rp_table_set(t, tb, 7, "", "%s", s->device[0] ? s->device : "—");
        if (s->ceil.threads > 0) hy_rp_table_set(t, tb, 8, "num", "%d", s->ceil.threads);
        else hy_rp_table_set(t, tb, 8, "num", "—");
        hy_rp_table_set(t, tb, 9, "", "%s", s->engine[0] ? s->engine : "—");
        hy_rp_fmt_num(a, sizeof a, s->ceil.peak_gflops);
        hy_rp_fmt_num(b, sizeof b, s->ceil.dram_gbps);
        hy_rp_table_set(t, tb, 10, "num", "%s%s%s%s", a, s->ceil.peak_id[0] ? " (" : "",
                        s->ceil.peak_id, s->ceil.peak_id[0] ? ")" : "");
        hy_rp_table_set(t, tb, 11, "num", "%s", b);
        /* PAPI: the verdict; the long reason stays in the results file */
        const char *colon = strchr(s->papi, ':');
        int plen = colon ? (int)(colon - s->papi) : (int)strlen(s->papi);
        if (plen) hy_rp_table_set(t, tb, 12, "", "%.*s", plen, s->papi);
        else hy_rp_table_set(t, tb, 12, "", "—");
        hy_rp_table_set(t, tb, 13, s->nissues ? "warn" : "", "%zu", s->nissues);
    }
    return 0;
}

/* ---- lottery -------------------------------------------------------------- */

int hy_rp_tables_lottery(hy_rp_tables *t, const hy_rp_set *set)
{
    static const char *const fams[] = {"attention", "scan", "ssd", "moe"};
    static const char *const phases[] = {"prefill", "decode"};
    char heads[65][160];
    const char *hp[65];
    size_t col_src[64], ncols = 0;
    const char *col_bk[64], *col_ph[64];
    const char **bks[64] = {0};
    snprintf(heads[0], sizeof heads[0], "family");
    hp[0] = heads[0];
    for (size_t s = 0; s < set->n && s < 64; s++) {
        size_t nb = hy_rp_source_backends(&set->src[s], &bks[s]);
        for (size_t b = 0; b < nb; b++)
            for (int p = 0; p < 2 && ncols < 64; p++) {
                int any = 0;
                for (int f = 0; f < 4; f++)
                    any |= isfinite(hy_rp_lottery(&set->src[s], bks[s][b], fams[f], phases[p], NULL));
                if (!any) continue;
                snprintf(heads[ncols + 1], sizeof heads[0], "%s %s %s", set->src[s].label, bks[s][b],
                         phases[p]);
                hp[ncols + 1] = heads[ncols + 1];
                col_src[ncols] = s, col_bk[ncols] = bks[s][b], col_ph[ncols] = phases[p];
                ncols++;
            }
    }
    int rc = 0;
    if (ncols) {
        hy_rp_table *tb = hy_rp_table_new(
            t, "lottery", "The hardware lottery: fraction of roofline",
            "Highest fraction of the measured roofline reached by any variant of the family, at the "
            "longest sequence length measured for it (in brackets).",
            ncols + 1, hp);
        for (int f = 0; tb && f < 4 && rc == 0; f++) {
            if ((rc = hy_rp_table_row(t, tb))) break;
            hy_rp_table_set(t, tb, 0, "", "%s", fams[f]);
            for (size_t k = 0; k < ncols; k++) {
                long seq = -1;
                double v = hy_rp_lottery(&set->src[col_src[k]], col_bk[k], fams[f], col_ph[k], &seq);
                if (isfinite(v)) hy_rp_table_set(t, tb, k + 1, "num", "%.1f %% (L=%ld)", 100 * v, seq);
                else hy_rp_table_set(t, tb, k + 1, "num", "—");
            }
        }
        if (!tb) rc = -1;
    }
    for (size_t s = 0; s < set->n && s < 64; s++) free(bks[s]);
    return rc;
}

/* ---- validation ------------------------------------------------------------ */

int hy_rp_tables_validation(hy_rp_tables *t, const hy_rp_set *set)
{
    const char **fams = NULL;
    size_t nf = hy_rp_families(set, &fams);
    char heads[65][160];
    const char *hp[65];
    size_t col_src[64], ncols = 0;
    const char *col_bk[64];
    const char **bks[64] = {0};
    snprintf(heads[0], sizeof heads[0], "family");
    hp[0] = heads[0];
    for (size_t s = 0; s < set->n && s < 64; s++) {
        size_t nb = hy_rp_source_backends(&set->src[s], &bks[s]);
        for (size_t b = 0; b < nb && ncols < 64; b++) {
            snprintf(heads[ncols + 1], sizeof heads[0], "%s %s", set->src[s].label, bks[s][b]);
            hp[ncols + 1] = heads[ncols + 1];
            col_src[ncols] = s, col_bk[ncols] = bks[s][b];
            ncols++;
        }
    }
    int rc = 0;
    if (ncols && nf) {
        hy_rp_table *tb = hy_rp_table_new(
            t, "validation", "Validation matrix",
            "Per family and backend: pass (all checks passed; unsupported shapes allowed), fail (any "
            "check or benchmark validation failed), unsupported (no variant ran), — (no data). "
            "Counts: passed / failed / unsupported.",
            ncols + 1, hp);
        for (size_t f = 0; tb && f < nf && rc == 0; f++) {
            if ((rc = hy_rp_table_row(t, tb))) break;
            hy_rp_table_set(t, tb, 0, "", "%s", fams[f]);
            for (size_t k = 0; k < ncols; k++) {
                int np = 0, nfl = 0, nu = 0;
                const char *v = hy_rp_validation_cell(&set->src[col_src[k]], col_bk[k], fams[f], &np,
                                                      &nfl, &nu);
                if (v) hy_rp_table_set(t, tb, k + 1, v, "%s %d/%d/%d", v, np, nfl, nu);
                else hy_rp_table_set(t, tb, k + 1, "", "—");
            }
        }
        if (!tb) rc = -1;
    }
    for (size_t s = 0; s < set->n && s < 64; s++) free(bks[s]);
    free(fams);
    return rc;
}

/* ---- kernels side by side ---------------------------------------------------- */

typedef struct name_ref {
    const hy_rp_bench *b; /* first occurrence */
    size_t order;
} name_ref;

static int cmp_names(const void *x, const void *y)
{
    const hy_rp_bench *a = ((const name_ref *)x)->b, *b = ((const name_ref *)y)->b;
    int c = hy_rp_family_rank(a->family) - hy_rp_family_rank(b->family);
    if (c) return c;
    if ((c = strcmp(a->family, b->family))) return c;
    if ((c = strcmp(b->phase, a->phase))) return c;
    if ((c = strcmp(a->role, b->role))) return c;
    if (a->seq != b->seq) return a->seq < b->seq ? -1 : 1;
    if ((c = strcmp(a->variant, b->variant))) return c;
    if ((c = strcmp(a->backend, b->backend))) return c;
    return strcmp(a->name, b->name);
}

/* "1.23 ms [1.20–1.31]" */
static void time_cell(char *buf, size_t len, const hy_rp_bench *b)
{
    char m[32], lo[32], hi[32];
    hy_rp_fmt_time(m, sizeof m, b->time_ns);
    if (isfinite(b->time_lo_ns) && isfinite(b->time_hi_ns)) {
        hy_rp_fmt_time(lo, sizeof lo, b->time_lo_ns);
        hy_rp_fmt_time(hi, sizeof hi, b->time_hi_ns);
        snprintf(buf, len, "%s [%s – %s]", m, lo, hi);
    } else {
        snprintf(buf, len, "%s", m);
    }
}

int hy_rp_tables_kernels(hy_rp_tables *t, const hy_rp_set *set)
{
    /* distinct benchmark names over all sources */
    size_t n = 0, cap = 0;
    name_ref *names = NULL;
    for (size_t s = 0; s < set->n; s++)
        for (size_t i = 0; i < set->src[s].nbench; i++) {
            const hy_rp_bench *b = &set->src[s].bench[i];
            int seen = 0;
            for (size_t k = 0; k < n && !seen; k++) seen = strcmp(names[k].b->name, b->name) == 0;
            if (seen) continue;
            if (n == cap) {
                cap = cap ? cap * 2 : 64;
                name_ref *grown = realloc(names, cap * sizeof *grown);
                if (!grown) {
                    free(names);
                    t->failed = 1;
                    return -1;
                }
                names = grown;
            }
            names[n] = (name_ref){b, n};
            n++;
        }
    if (n == 0) {
        free(names);
        return 0;
    }
    qsort(names, n, sizeof *names, cmp_names);
    /* the sources holding benchmarks (validation-only files have no column) */
    size_t bs[64], nbs = 0;
    for (size_t s = 0; s < set->n && nbs < 64; s++)
        if (set->src[s].nbench) bs[nbs++] = s;
    const hy_rp_source *first = &set->src[bs[0]];
    /* columns: kernel, phase, L, then per source: time, GFLOP/s, roofline,
     * and for sources after the first: speed against the first */
    size_t ncols = 4 + nbs * 3 + (nbs - 1);
    char (*heads)[160] = calloc(ncols, sizeof *heads);
    const char **hp = calloc(ncols, sizeof *hp);
    if (!heads || !hp) {
        free(heads), free(hp), free(names);
        t->failed = 1;
        return -1;
    }
    snprintf(heads[0], 160, "family/variant");
    snprintf(heads[1], 160, "backend");
    snprintf(heads[2], 160, "phase, tensor");
    snprintf(heads[3], 160, "L");
    size_t col = 4;
    for (size_t k = 0; k < nbs; k++) {
        const char *label = set->src[bs[k]].label;
        snprintf(heads[col++], 160, "%s time [p10 – p90]", label);
        snprintf(heads[col++], 160, "%s GFLOP/s", label);
        snprintf(heads[col++], 160, "%s roofline", label);
        if (k > 0) snprintf(heads[col++], 160, "%s vs %s", label, first->label);
    }
    for (size_t i = 0; i < ncols; i++) hp[i] = heads[i];
    char caption[600];
    snprintf(caption, sizeof caption,
             "Median time per call with its p10 – p90 spread, achieved GFLOP/s and fraction of the "
             "roofline, per results file. The last column of each later file compares it with the "
             "first (%s): \"x1.5 faster\" when the spreads do not overlap, \"within noise\" when "
             "they do; files of different hybench versions are not compared.",
             first->label);
    hy_rp_table *tb = hy_rp_table_new(t, "kernels", "Kernel benchmarks side by side", caption, ncols, hp);
    free(hp);
    free(heads);
    if (!tb) {
        free(names);
        return -1;
    }
    for (size_t r = 0; r < n; r++) {
        const hy_rp_bench *b0 = names[r].b;
        if (hy_rp_table_row(t, tb)) break;
        hy_rp_table_set(t, tb, 0, "", "%s/%s", b0->family, b0->variant);
        hy_rp_table_set(t, tb, 1, "", "%s", b0->backend);
        hy_rp_table_set(t, tb, 2, "", "%s%s%s", b0->phase[0] ? b0->phase : "—", b0->role[0] ? ", " : "",
                        b0->role);
        if (b0->seq > 0) hy_rp_table_set(t, tb, 3, "num", "%ld", b0->seq);
        else hy_rp_table_set(t, tb, 3, "num", "—");
        const hy_rp_bench *ref = hy_rp_find(first, b0->name);
        col = 4;
        for (size_t k = 0; k < nbs; k++) {
            const hy_rp_source *src = &set->src[bs[k]];
            const hy_rp_bench *b = hy_rp_find(src, b0->name);
            char buf[160];
            if (!b) {
                hy_rp_table_set(t, tb, col++, "", "not run");
                hy_rp_table_set(t, tb, col++, "num", "—");
                hy_rp_table_set(t, tb, col++, "num", "—");
            } else if (strcmp(b->status, "ok") != 0) {
                const char *cls = strcmp(b->status, "unsupported") == 0 ? "unsupported" : "fail";
                hy_rp_table_set(t, tb, col++, cls, "%s%s%.200s", b->status, b->message[0] ? ": " : "",
                                b->message);
                hy_rp_table_set(t, tb, col++, "num", "—");
                hy_rp_table_set(t, tb, col++, "num", "—");
            } else {
                time_cell(buf, sizeof buf, b);
                hy_rp_table_set(t, tb, col++, "num", "%s", buf);
                hy_rp_fmt_num(buf, sizeof buf, b->gflops);
                hy_rp_table_set(t, tb, col++, "num", "%s", buf);
                if (isfinite(b->roofline_fraction))
                    hy_rp_table_set(t, tb, col++, "num", "%.1f %%", 100 * b->roofline_fraction);
                else hy_rp_table_set(t, tb, col++, "num", "—");
            }
            if (k == 0) continue;
            if (!hy_rp_comparable(first, src)) {
                hy_rp_table_set(t, tb, col++, "warn", "not compared: hybench %s vs %s",
                                first->version[0] ? first->version : "unknown",
                                src->version[0] ? src->version : "unknown");
            } else if (!b || !ref || strcmp(b->status, "ok") || strcmp(ref->status, "ok") ||
                       !(b->time_ns > 0) || !(ref->time_ns > 0)) {
                hy_rp_table_set(t, tb, col++, "", "—");
            } else {
                double speed = ref->time_ns / b->time_ns; /* > 1: this file is faster */
                int separated = isfinite(b->time_lo_ns) && isfinite(ref->time_lo_ns) &&
                                (b->time_hi_ns < ref->time_lo_ns || ref->time_hi_ns < b->time_lo_ns);
                if (!separated)
                    hy_rp_table_set(t, tb, col++, "", "x%.2f (within noise)", speed);
                else if (speed >= 1)
                    hy_rp_table_set(t, tb, col++, "better", "x%.2f faster", speed);
                else
                    hy_rp_table_set(t, tb, col++, "worse", "x%.2f slower", 1 / speed);
            }
        }
    }
    free(names);
    return t->failed ? -1 : 0;
}
