/* hy_report_html.c — the self-contained HTML page: inline CSS, every
 * chart embedded as an SVG data URI (no server, no network, no external
 * file), tables, and a few lines of script that check every chart image
 * decoded and write the result into #render-check (the page's own
 * rendering test, read by tests/cli_report.sh through headless Chromium). */
#include "hy_report_parts.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void esc(hy_strbuf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': hy_strbuf_printf(b, "&lt;"); break;
        case '>': hy_strbuf_printf(b, "&gt;"); break;
        case '&': hy_strbuf_printf(b, "&amp;"); break;
        case '"': hy_strbuf_printf(b, "&quot;"); break;
        default: hy_strbuf_printf(b, "%c", *s);
        }
    }
}

static void base64(hy_strbuf *b, const unsigned char *p, size_t n)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char quad[5] = {0};
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) |
                     (i + 2 < n ? p[i + 2] : 0);
        quad[0] = tab[v >> 18 & 63];
        quad[1] = tab[v >> 12 & 63];
        quad[2] = i + 1 < n ? tab[v >> 6 & 63] : '=';
        quad[3] = i + 2 < n ? tab[v & 63] : '=';
        hy_strbuf_printf(b, "%s", quad);
    }
}

static const char *const css =
    "body{font-family:system-ui,-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;margin:0;"
    "color:#1d1d1f;background:#f6f7f9;line-height:1.45}"
    "header{background:#1f2d3d;color:#fff;padding:18px 32px}header h1{margin:0 0 4px;font-size:24px}"
    "header p{margin:0;color:#c9d3dd;font-size:14px}"
    "nav{background:#fff;border-bottom:1px solid #dde1e6;padding:8px 32px;font-size:14px;position:sticky;top:0}"
    "nav a{margin-right:16px;color:#1f5fa8;text-decoration:none}"
    "main{padding:8px 32px 40px;max-width:1500px}"
    "section{background:#fff;border:1px solid #dde1e6;border-radius:6px;padding:12px 20px;margin:18px 0}"
    "h2{font-size:19px;margin:6px 0 10px}h3{font-size:15px;margin:14px 0 4px}"
    "p.caption{color:#555;font-size:13px;margin:2px 0 8px}"
    ".warn-box{background:#fff4e5;border:1px solid #f0b35b;border-radius:6px;padding:10px 18px;margin:18px 0}"
    ".note{background:#eef4fb;border:1px solid #9dbbe0;border-radius:6px;padding:8px 16px;margin:12px 0}"
    ".scroll{overflow-x:auto}"
    "table{border-collapse:collapse;font-size:13px;margin:6px 0 12px}"
    "th,td{border:1px solid #d5d9de;padding:4px 8px;text-align:left;vertical-align:top}"
    "th{background:#eef1f4;position:sticky;top:0}tr:nth-child(even) td{background:#fafbfc}"
    "td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
    "td.pass{background:#dff3e0 !important}td.fail{background:#fbe0e0 !important}"
    "td.unsupported{background:#ececec !important;color:#555}td.warn{background:#fff4e5 !important}"
    "td.better{color:#1b7a2b;font-weight:600}td.worse{color:#b3261e;font-weight:600}"
    ".charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(560px,1fr));gap:14px}"
    "figure{margin:0;border:1px solid #e3e6ea;border-radius:4px;padding:8px;background:#fff}"
    "figure img{width:100%;height:auto;display:block}"
    "figcaption{font-size:12.5px;color:#444;margin-top:6px}figcaption a{color:#1f5fa8}"
    "#render-check{font-size:12px;color:#666}";

static void table_html(hy_strbuf *b, const hy_rp_table *tb)
{
    hy_strbuf_printf(b, "<h3 id=\"");
    esc(b, tb->id);
    hy_strbuf_printf(b, "\">");
    esc(b, tb->title);
    hy_strbuf_printf(b, "</h3>\n");
    if (tb->caption[0]) {
        hy_strbuf_printf(b, "<p class=\"caption\">");
        esc(b, tb->caption);
        hy_strbuf_printf(b, "</p>\n");
    }
    hy_strbuf_printf(b, "<div class=\"scroll\"><table><thead><tr>");
    for (size_t c = 0; c < tb->ncols; c++) {
        hy_strbuf_printf(b, "<th>");
        esc(b, tb->header[c].text);
        hy_strbuf_printf(b, "</th>");
    }
    hy_strbuf_printf(b, "</tr></thead><tbody>\n");
    for (size_t r = 0; r < tb->nrows; r++) {
        hy_strbuf_printf(b, "<tr>");
        for (size_t c = 0; c < tb->ncols; c++) {
            const hy_rp_cell *cell = &tb->cells[r * tb->ncols + c];
            if (cell->cls && cell->cls[0]) hy_strbuf_printf(b, "<td class=\"%s\">", cell->cls);
            else hy_strbuf_printf(b, "<td>");
            esc(b, cell->text ? cell->text : "");
            hy_strbuf_printf(b, "</td>");
        }
        hy_strbuf_printf(b, "</tr>\n");
    }
    hy_strbuf_printf(b, "</tbody></table></div>\n");
}

static void tables_with_prefix(hy_strbuf *b, const hy_rp_tables *t, const char *prefix)
{
    for (size_t i = 0; i < t->n; i++)
        if (strncmp(t->items[i].id, prefix, strlen(prefix)) == 0) table_html(b, &t->items[i]);
}

/* Embeds NAME.svg as a data URI in a figure; a chart not drawn says so. */
static void figure(hy_strbuf *b, const hy_rp_charts *c, const hy_rp_chart *ch)
{
    hy_strbuf_printf(b, "<figure>");
    char path[1400];
    snprintf(path, sizeof path, "%s/%s.svg", c->dir, ch->name);
    char *svg = NULL;
    size_t len = 0;
    hy_error err;
    if (ch->drawn && hy_read_file(path, &svg, &len, &err) == 0) {
        hy_strbuf_printf(b, "<img class=\"chart\" alt=\"");
        esc(b, ch->title);
        hy_strbuf_printf(b, "\" src=\"data:image/svg+xml;base64,");
        base64(b, (const unsigned char *)svg, len);
        hy_strbuf_printf(b, "\">");
        free(svg);
    } else {
        hy_strbuf_printf(b, "<p class=\"note\">Chart <b>");
        esc(b, ch->title);
        hy_strbuf_printf(b, "</b> not drawn: ");
        esc(b, c->note[0] ? c->note : "gnuplot failed");
        hy_strbuf_printf(b, "</p>");
    }
    hy_strbuf_printf(b, "<figcaption>");
    esc(b, ch->caption);
    hy_strbuf_printf(b, " <a href=\"charts/%s.dat\">data</a> · <a href=\"charts/%s.gp\">gnuplot script</a>",
                     ch->name, ch->name);
    hy_strbuf_printf(b, "</figcaption></figure>\n");
}

static int figures(hy_strbuf *b, const hy_rp_charts *c, hy_rp_section sec)
{
    int n = 0;
    for (size_t i = 0; i < c->n; i++)
        if (c->items[i].section == sec) {
            if (!n) hy_strbuf_printf(b, "<div class=\"charts\">\n");
            figure(b, c, &c->items[i]);
            n++;
        }
    if (n) hy_strbuf_printf(b, "</div>\n");
    return n;
}

static void section_open(hy_strbuf *b, const char *id, const char *title)
{
    hy_strbuf_printf(b, "<section id=\"%s\"><h2>", id);
    esc(b, title);
    hy_strbuf_printf(b, "</h2>\n");
}

int hy_rp_write_html(const hy_rp_doc *d, const char *path, hy_error *err)
{
    hy_strbuf b = {0};
    const hy_rp_set *set = d->set;
    char date[64] = "";
    time_t now = time(NULL);
    struct tm tm;
    if (gmtime_r(&now, &tm)) strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", &tm);
    hy_strbuf_printf(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
                         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
    esc(&b, d->title);
    hy_strbuf_printf(&b, "</title>\n<style>%s</style>\n</head>\n<body>\n<header><h1>", css);
    esc(&b, d->title);
    hy_strbuf_printf(&b, "</h1><p>%zu results file%s · written %s by hybench report</p></header>\n",
                     set->n, set->n == 1 ? "" : "s", date);
    hy_strbuf_printf(&b, "<nav><a href=\"#sources\">Results files</a><a href=\"#model\">Model</a>"
                         "<a href=\"#lottery-sec\">Lottery</a><a href=\"#validation-sec\">Validation</a>"
                         "<a href=\"#roofline\">Roofline</a><a href=\"#families\">Kernel families</a>"
                         "<a href=\"#kernels-sec\">All benchmarks</a></nav>\n<main>\n");
    char **warn = NULL;
    size_t nw = hy_rp_warnings(set, &warn);
    if (nw) {
        hy_strbuf_printf(&b, "<div class=\"warn-box\" id=\"warnings\"><b>Read with care:</b><ul>\n");
        for (size_t i = 0; i < nw; i++) {
            hy_strbuf_printf(&b, "<li>");
            esc(&b, warn[i]);
            hy_strbuf_printf(&b, "</li>\n");
            free(warn[i]);
        }
        hy_strbuf_printf(&b, "</ul></div>\n");
    }
    free(warn);
    if (d->charts->note[0]) {
        hy_strbuf_printf(&b, "<div class=\"note\" id=\"charts-note\">");
        esc(&b, d->charts->note);
        hy_strbuf_printf(&b, "</div>\n");
    }

    section_open(&b, "sources", "Results files");
    tables_with_prefix(&b, d->tables, "sources");
    hy_strbuf_printf(&b, "</section>\n");

    section_open(&b, "model", "Model: hybrid against pure transformer");
    if (d->have_sweep) {
        tables_with_prefix(&b, d->tables, "headline");
        tables_with_prefix(&b, d->tables, "crossovers");
        tables_with_prefix(&b, d->tables, "checks");
        figures(&b, d->charts, HY_RP_SEC_MODEL);
        figures(&b, d->charts, HY_RP_SEC_MEMORY);
    } else {
        hy_strbuf_printf(&b, "<p class=\"note\" id=\"no-sweep\">No sweep in these results: the headline "
                             "table (hybrid 1:7 against the pure transformer), the per-token cost and "
                             "memory charts and the crossover lengths come from <code>hybench sweep</code> "
                             "results.</p>\n");
    }
    hy_strbuf_printf(&b, "</section>\n");

    section_open(&b, "lottery-sec", "The hardware lottery");
    figures(&b, d->charts, HY_RP_SEC_LOTTERY);
    tables_with_prefix(&b, d->tables, "lottery");
    hy_strbuf_printf(&b, "</section>\n");

    section_open(&b, "validation-sec", "Validation");
    figures(&b, d->charts, HY_RP_SEC_VALIDATION);
    tables_with_prefix(&b, d->tables, "validation");
    hy_strbuf_printf(&b, "</section>\n");

    section_open(&b, "roofline", "Roofline per machine and backend");
    if (!figures(&b, d->charts, HY_RP_SEC_ROOFLINE))
        hy_strbuf_printf(&b, "<p>No results file holds both measured ceilings and benchmarks.</p>\n");
    hy_strbuf_printf(&b, "</section>\n");

    section_open(&b, "families", "Kernel families against sequence length");
    if (!figures(&b, d->charts, HY_RP_SEC_FAMILY))
        hy_strbuf_printf(&b, "<p>No timed benchmarks with a sequence length.</p>\n");
    hy_strbuf_printf(&b, "</section>\n");

    section_open(&b, "kernels-sec", "All benchmarks");
    tables_with_prefix(&b, d->tables, "kernels");
    hy_strbuf_printf(&b, "</section>\n");

    /* per-source issues in full */
    int any_issue = 0;
    for (size_t i = 0; i < set->n; i++) any_issue |= set->src[i].nissues > 0;
    if (any_issue) {
        section_open(&b, "issues", "Missing or malformed fields");
        for (size_t i = 0; i < set->n; i++) {
            if (!set->src[i].nissues) continue;
            hy_strbuf_printf(&b, "<h3>");
            esc(&b, set->src[i].label);
            hy_strbuf_printf(&b, "</h3><ul>\n");
            for (size_t k = 0; k < set->src[i].nissues; k++) {
                hy_strbuf_printf(&b, "<li>");
                esc(&b, set->src[i].issues[k]);
                hy_strbuf_printf(&b, "</li>\n");
            }
            hy_strbuf_printf(&b, "</ul>\n");
        }
        hy_strbuf_printf(&b, "</section>\n");
    }

    hy_strbuf_printf(&b,
                     "<p id=\"render-check\" data-ok=\"0\">rendering check did not run</p>\n"
                     "</main>\n<script>\n"
                     "window.addEventListener('load', function () {\n"
                     "  var imgs = document.querySelectorAll('img.chart'), ok = 0;\n"
                     "  for (var i = 0; i < imgs.length; i++)\n"
                     "    if (imgs[i].complete && imgs[i].naturalWidth > 0) ok++;\n"
                     "  var el = document.getElementById('render-check');\n"
                     "  el.textContent = 'rendered: ' + ok + ' of ' + imgs.length + ' charts, ' +\n"
                     "    document.querySelectorAll('table').length + ' tables';\n"
                     "  el.setAttribute('data-ok', ok === imgs.length ? '1' : '0');\n"
                     "});\n</script>\n</body></html>\n");
    if (b.failed) {
        hy_strbuf_free(&b);
        return hy_fail(err, "out of memory while writing %s", path);
    }
    int rc = hy_write_file_atomic(path, b.data, b.len, err);
    hy_strbuf_free(&b);
    return rc;
}
