/* hy_report.h — `hybench report`: turns results files into one
 * self-contained HTML page (charts embedded as SVG, opens from the file
 * system without a server) and a Markdown summary (CI job summaries,
 * pull-request comments), with gnuplot charts whose .dat and .gp files stay
 * beside each chart so anyone can re-plot or restyle them.
 *
 * Input files (any number, any mix; each one is a "source", shown in its
 * own column and never merged with another):
 *   - bench results (`hybench bench --out`): Google Benchmark JSON with
 *     context.hybench (version, git commit, ceilings, ...) and benchmarks[]
 *   - validation results (`hybench validate --out`): context + validation[]
 *   - sweep results (`hybench sweep`): a "sweep" section (model costs per
 *     attention:Mamba ratio, memory, crossovers), rendered when present
 * Files from different hybench versions, and files lacking fields the
 * report needs, are listed as such at the top of both outputs; numbers of
 * sources with different versions are never put into one ratio.
 *
 * Output directory layout:
 *   DIR/report.html         the page (self-contained)
 *   DIR/report.md           the Markdown summary
 *   DIR/charts/NAME.dat     data of each chart (whitespace-separated columns)
 *   DIR/charts/NAME.gp      the gnuplot script (run from DIR/charts)
 *   DIR/charts/NAME.svg     the chart, when gnuplot is available
 *   DIR/charts/gnuplot.log  gnuplot's messages
 * Without gnuplot the page and the summary still build, with tables only
 * and a line saying why the charts are missing. */
#ifndef HY_REPORT_H
#define HY_REPORT_H

#include <stddef.h>

#include "hy_common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hy_report_opts {
    const char *out_dir;       /* created when missing (one level)                  */
    const char *title;         /* NULL: "hybench report"                             */
    const char *const *labels; /* NULL, or one label per input file (NULL entries:
                                  the file name without directory and ".json")     */
    const char *gnuplot;       /* gnuplot program; NULL: the HYBENCH_GNUPLOT build
                                  definition, else "gnuplot" searched on PATH        */
    int no_charts;             /* write tables only (the page says charts were off) */
} hy_report_opts;

typedef struct hy_report_summary {
    char html_path[1024];
    char md_path[1024];
    int charts_planned;        /* charts the data called for                        */
    int charts_drawn;          /* .svg files written by gnuplot                     */
    char charts_note[512];     /* "" when all charts were drawn; else why not       */
    int mixed_versions;        /* the inputs come from different hybench versions   */
    int sources_with_issues;   /* inputs lacking fields the report needs            */
    int have_sweep;            /* some input holds a sweep section                  */
} hy_report_summary;

/* Builds the report of the n results files at paths.  Fails (-1, err) when
 * a file cannot be read or parsed, is not a results file of a kind listed
 * above, or the output cannot be written; a missing gnuplot or a chart
 * gnuplot fails on is not an error (summary->charts_note says why). */
int hy_report_build(const char *const *paths, size_t n, const hy_report_opts *opts,
                    hy_report_summary *summary, hy_error *err);

/* The `hybench report` command (harness/cmd_report.c). */
int hy_cmd_report(int argc, char **argv);

#ifdef __cplusplus
}
#endif
#endif
