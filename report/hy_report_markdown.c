/* hy_report_markdown.c — the Markdown summary (GitHub-flavoured tables;
 * for CI job summaries and pull-request comments) and the warning lines
 * both outputs print first. */
#include "hy_report_parts.h"

#include <stdlib.h>
#include <string.h>

size_t hy_rp_warnings(const hy_rp_set *set, char ***out)
{
    char **w = calloc(set->n + 2, sizeof *w);
    size_t n = 0;
    *out = w;
    if (!w) return 0;
    if (set->mixed_versions) {
        hy_strbuf b = {0};
        hy_strbuf_printf(&b, "These files come from different hybench versions (");
        for (size_t i = 0; i < set->n; i++)
            hy_strbuf_printf(&b, "%s%s: %s", i ? ", " : "", set->src[i].label,
                             set->src[i].version[0] ? set->src[i].version : "unknown");
        hy_strbuf_printf(&b, "); each is shown in its own column and files of different versions "
                             "are never compared in one ratio.");
        if (!b.failed && b.data) w[n++] = b.data;
        else hy_strbuf_free(&b);
    }
    for (size_t i = 0; i < set->n; i++) {
        const hy_rp_source *s = &set->src[i];
        if (!s->nissues) continue;
        hy_strbuf b = {0};
        hy_strbuf_printf(&b, "%s lacks fields the report needs (%zu issue%s): %s%s", s->label,
                         s->nissues, s->nissues == 1 ? "" : "s", s->issues[0],
                         s->nissues > 1 ? "; ..." : "");
        if (!b.failed && b.data) w[n++] = b.data;
        else hy_strbuf_free(&b);
    }
    return n;
}

/* A cell: '|' escaped, newlines flattened. */
static void cell(hy_strbuf *b, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '|') hy_strbuf_printf(b, "\\|");
        else if (*s == '\n') hy_strbuf_printf(b, " ");
        else hy_strbuf_printf(b, "%c", *s);
    }
}

static void table_md(hy_strbuf *b, const hy_rp_table *tb)
{
    hy_strbuf_printf(b, "### %s\n\n", tb->title);
    if (tb->caption[0]) hy_strbuf_printf(b, "%s\n\n", tb->caption);
    hy_strbuf_printf(b, "|");
    for (size_t c = 0; c < tb->ncols; c++) {
        hy_strbuf_printf(b, " ");
        cell(b, tb->header[c].text);
        hy_strbuf_printf(b, " |");
    }
    hy_strbuf_printf(b, "\n|");
    for (size_t c = 0; c < tb->ncols; c++)
        hy_strbuf_printf(b, "%s|", tb->cells && strcmp(tb->cells[c].cls ? tb->cells[c].cls : "", "num") == 0
                                       ? "---:" : "---");
    hy_strbuf_printf(b, "\n");
    for (size_t r = 0; r < tb->nrows; r++) {
        hy_strbuf_printf(b, "|");
        for (size_t c = 0; c < tb->ncols; c++) {
            const hy_rp_cell *x = &tb->cells[r * tb->ncols + c];
            const char *cls = x->cls ? x->cls : "";
            const char *mark = strcmp(cls, "fail") == 0 || strcmp(cls, "worse") == 0 ? "**" : "";
            hy_strbuf_printf(b, " %s", mark);
            cell(b, x->text);
            hy_strbuf_printf(b, "%s |", mark);
        }
        hy_strbuf_printf(b, "\n");
    }
    hy_strbuf_printf(b, "\n");
}

static void tables_with_prefix(hy_strbuf *b, const hy_rp_tables *t, const char *prefix)
{
    for (size_t i = 0; i < t->n; i++)
        if (strncmp(t->items[i].id, prefix, strlen(prefix)) == 0) table_md(b, &t->items[i]);
}

int hy_rp_write_markdown(const hy_rp_doc *d, const char *path, hy_error *err)
{
    hy_strbuf b = {0};
    const hy_rp_set *set = d->set;
    hy_strbuf_printf(&b, "# %s\n\n%zu results file%s:", d->title, set->n, set->n == 1 ? "" : "s");
    for (size_t i = 0; i < set->n; i++)
        hy_strbuf_printf(&b, "%s `%s` (%s)", i ? "," : "", set->src[i].label, set->src[i].kind);
    hy_strbuf_printf(&b, ". The full page with charts: `report.html` beside this file.\n\n");
    char **warn = NULL;
    size_t nw = hy_rp_warnings(set, &warn);
    for (size_t i = 0; i < nw; i++) {
        hy_strbuf_printf(&b, "> **Warning:** %s\n>\n", warn[i]);
        free(warn[i]);
    }
    free(warn);
    if (nw) hy_strbuf_printf(&b, "\n");
    if (d->charts->note[0]) hy_strbuf_printf(&b, "> **Charts:** %s\n\n", d->charts->note);

    hy_strbuf_printf(&b, "## Model: hybrid against pure transformer\n\n");
    if (d->have_sweep) {
        tables_with_prefix(&b, d->tables, "headline");
        tables_with_prefix(&b, d->tables, "crossovers");
        tables_with_prefix(&b, d->tables, "checks");
    } else {
        hy_strbuf_printf(&b, "No sweep in these results (the headline table and crossover lengths "
                             "come from `hybench sweep`).\n\n");
    }
    hy_strbuf_printf(&b, "## Hardware lottery and validation\n\n");
    tables_with_prefix(&b, d->tables, "lottery");
    tables_with_prefix(&b, d->tables, "validation");
    hy_strbuf_printf(&b, "## Results files\n\n");
    tables_with_prefix(&b, d->tables, "sources");
    hy_strbuf_printf(&b, "## Benchmarks\n\n");
    tables_with_prefix(&b, d->tables, "kernels");
    size_t drawn = 0;
    for (size_t i = 0; i < d->charts->n; i++) drawn += d->charts->items[i].drawn != 0;
    hy_strbuf_printf(&b, "## Charts\n\n%zu of %zu charts drawn; each has its `.dat` and `.gp` beside it.\n\n",
                     drawn, d->charts->n);
    for (size_t i = 0; i < d->charts->n; i++) {
        const hy_rp_chart *ch = &d->charts->items[i];
        if (ch->drawn) hy_strbuf_printf(&b, "- [%s](charts/%s.svg)\n", ch->title, ch->name);
        else hy_strbuf_printf(&b, "- %s (not drawn; data: charts/%s.dat)\n", ch->title, ch->name);
    }
    if (b.failed) {
        hy_strbuf_free(&b);
        return hy_fail(err, "out of memory while writing %s", path);
    }
    int rc = hy_write_file_atomic(path, b.data, b.len, err);
    hy_strbuf_free(&b);
    return rc;
}
