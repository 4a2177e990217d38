/* hy_report.c — hy_report_build: load the sources, draw the charts, build
 * the tables, write report.html and report.md. */
#include "hy_report.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "hy_report_parts.h"

static int make_dir(const char *path, hy_error *err)
{
    if (mkdir(path, 0755) == 0 || errno == EEXIST) {
        struct stat st;
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) return 0;
        return hy_fail(err, "%s exists and is not a directory", path);
    }
    return hy_fail(err, "cannot create %s: %s", path, strerror(errno));
}

int hy_report_build(const char *const *paths, size_t n, const hy_report_opts *opts,
                    hy_report_summary *summary, hy_error *err)
{
    hy_report_summary local;
    if (!summary) summary = &local;
    memset(summary, 0, sizeof *summary);
    if (!opts || !opts->out_dir || !opts->out_dir[0]) return hy_fail(err, "no output directory given");
    char charts_dir[1024];
    if (snprintf(charts_dir, sizeof charts_dir, "%s/charts", opts->out_dir) >= (int)sizeof charts_dir)
        return hy_fail(err, "output directory path too long");
    hy_rp_set set;
    if (hy_rp_load(&set, paths, opts->labels, n, err)) return -1;
    if (make_dir(opts->out_dir, err) || make_dir(charts_dir, err)) {
        hy_rp_free(&set);
        return -1;
    }
    /* charts/ belongs to the report: the files of an earlier report into
     * the same directory go, so that every chart there is this report's */
    DIR *d = opendir(charts_dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        size_t len = strlen(e->d_name);
        static const char *const exts[] = {".dat", ".gp", ".svg", ".log"};
        for (size_t k = 0; k < 4; k++) {
            size_t el = strlen(exts[k]);
            if (len > el && strcmp(e->d_name + len - el, exts[k]) == 0) {
                char stale[1400];
                snprintf(stale, sizeof stale, "%s/%s", charts_dir, e->d_name);
                remove(stale);
                break;
            }
        }
    }
    if (d) closedir(d);

    hy_rp_charts charts;
    hy_rp_charts_init(&charts, charts_dir, opts->gnuplot, opts->no_charts);
    hy_rp_tables tables = {0};
    int have_sweep = 0;
    int rc = hy_rp_plot_sweep(&charts, &set, err);
    if (!rc) rc = hy_rp_plot_lottery(&charts, &set, err);
    if (!rc) rc = hy_rp_plot_validation(&charts, &set, err);
    if (!rc) rc = hy_rp_plot_rooflines(&charts, &set, err);
    if (!rc) rc = hy_rp_plot_families(&charts, &set, err);
    if (!rc) {
        have_sweep = hy_rp_tables_sweep(&tables, &set);
        if (have_sweep < 0 || hy_rp_tables_sources(&tables, &set) || hy_rp_tables_lottery(&tables, &set) ||
            hy_rp_tables_validation(&tables, &set) || hy_rp_tables_kernels(&tables, &set) || tables.failed)
            rc = hy_fail(err, "out of memory while building the tables");
    }
    hy_rp_doc doc = {
        .title = opts->title ? opts->title : "hybench report",
        .set = &set,
        .charts = &charts,
        .tables = &tables,
        .have_sweep = have_sweep > 0,
    };
    snprintf(summary->html_path, sizeof summary->html_path, "%s/report.html", opts->out_dir);
    snprintf(summary->md_path, sizeof summary->md_path, "%s/report.md", opts->out_dir);
    if (!rc) rc = hy_rp_write_html(&doc, summary->html_path, err);
    if (!rc) rc = hy_rp_write_markdown(&doc, summary->md_path, err);
    summary->charts_planned = (int)charts.n;
    for (size_t i = 0; i < charts.n; i++) summary->charts_drawn += charts.items[i].drawn != 0;
    snprintf(summary->charts_note, sizeof summary->charts_note, "%s", charts.note);
    summary->mixed_versions = set.mixed_versions;
    for (size_t i = 0; i < set.n; i++) summary->sources_with_issues += set.src[i].nissues > 0;
    summary->have_sweep = have_sweep > 0;
    hy_rp_tables_free(&tables);
    hy_rp_charts_free(&charts);
    hy_rp_free(&set);
    return rc;
}
