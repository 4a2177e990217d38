/* cmd_report.c — `hybench report RESULTS.json... -o DIR`: the HTML page
 * and Markdown summary of one or more results files (report/hy_report.h).
 * Takes positional file names, so it parses its own arguments (hy_cli.h's
 * parser rejects positionals); the conventions are the same. */
#include "hy_cli.h"
#include "hy_report.h"

static const char *const report_help =
    "usage: hybench report RESULTS.json... -o DIR [--label L1,L2,...] [--title TEXT]\n"
    "                      [--gnuplot PATH | --no-charts]\n\n"
    "Writes DIR/report.html (self-contained: charts embedded as SVG, opens from the\n"
    "file system) and DIR/report.md (a Markdown summary for CI job summaries and\n"
    "pull-request comments) from results files of `hybench bench`, `hybench validate\n"
    "--out` and `hybench sweep`.  Each file is one column (a machine, a backend, a\n"
    "before or an after); files from different hybench versions or with missing\n"
    "fields are flagged and never mixed.  Charts are drawn by gnuplot from\n"
    "DIR/charts/NAME.dat and NAME.gp, kept beside each NAME.svg for re-plotting;\n"
    "without gnuplot the report holds tables only and says why.\n\n"
    "  -o, --out DIR    output directory (created when missing)\n"
    "  --label LIST     comma-separated labels, one per file (default: file names)\n"
    "  --title TEXT     page title (default \"hybench report\")\n"
    "  --gnuplot PATH   gnuplot program (default: the one found at build time, else PATH)\n"
    "  --no-charts      tables only\n\n"
    "Prints the path of the page.  Exit status: 0 written, 1 a file could not be read\n"
    "or written, 2 a usage error.\n";

#define MAX_FILES 64

/* Splits a comma-separated list in place into at most max entries. */
static size_t split_labels(char *list, const char **out, size_t max)
{
    size_t n = 0;
    for (char *p = list; p && n < max;) {
        char *comma = strchr(p, ',');
        if (comma) *comma = 0;
        out[n++] = p[0] ? p : NULL;
        p = comma ? comma + 1 : NULL;
    }
    return n;
}

int hy_cmd_report(int argc, char **argv)
{
    const char *cmd = argv[0];
    const char *files[MAX_FILES];
    size_t nfiles = 0;
    const char *out = NULL, *title = NULL, *gnuplot = NULL, *labels_arg = NULL;
    int no_charts = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **dst = NULL;
        const char *name = a;
        const char *eq = NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(report_help, stdout);
            return HY_EXIT_OK;
        }
        if (strcmp(a, "--no-charts") == 0) {
            no_charts = 1;
            continue;
        }
        if (strcmp(a, "-o") == 0) {
            dst = &out;
        } else if (strncmp(a, "--", 2) == 0) {
            eq = strchr(a, '=');
            size_t klen = eq ? (size_t)(eq - a) : strlen(a);
            if (klen == 5 && strncmp(a, "--out", 5) == 0) dst = &out;
            else if (klen == 7 && strncmp(a, "--title", 7) == 0) dst = &title;
            else if (klen == 7 && strncmp(a, "--label", 7) == 0) dst = &labels_arg;
            else if (klen == 9 && strncmp(a, "--gnuplot", 9) == 0) dst = &gnuplot;
            else {
                hy_cli_error(cmd, "unknown option '%.*s' (see hybench report --help)", (int)klen, a);
                return HY_EXIT_USAGE;
            }
        } else if (a[0] == '-' && a[1]) {
            hy_cli_error(cmd, "unknown option '%s' (see hybench report --help)", a);
            return HY_EXIT_USAGE;
        } else {
            if (nfiles == MAX_FILES) {
                hy_cli_error(cmd, "at most %d results files", MAX_FILES);
                return HY_EXIT_USAGE;
            }
            files[nfiles++] = a;
            continue;
        }
        if (*dst) {
            hy_cli_error(cmd, "option %s given twice", name);
            return HY_EXIT_USAGE;
        }
        if (eq) {
            *dst = eq + 1;
        } else if (i + 1 < argc) {
            *dst = argv[++i];
        } else {
            hy_cli_error(cmd, "option %s needs a value", name);
            return HY_EXIT_USAGE;
        }
        if (!(*dst)[0]) {
            hy_cli_error(cmd, "option %s needs a non-empty value", name);
            return HY_EXIT_USAGE;
        }
    }
    if (nfiles == 0) {
        hy_cli_error(cmd, "no results files given (usage: hybench report RESULTS.json... -o DIR)");
        return HY_EXIT_USAGE;
    }
    if (!out) {
        hy_cli_error(cmd, "no output directory given (-o DIR)");
        return HY_EXIT_USAGE;
    }
    if (no_charts && gnuplot) {
        hy_cli_error(cmd, "--gnuplot and --no-charts exclude each other");
        return HY_EXIT_USAGE;
    }
    const char *labels[MAX_FILES] = {0};
    char *label_copy = NULL;
    if (labels_arg) {
        label_copy = strdup(labels_arg);
        if (!label_copy) {
            hy_cli_error(cmd, "out of memory");
            return HY_EXIT_FAIL;
        }
        size_t nl = split_labels(label_copy, labels, MAX_FILES);
        if (nl != nfiles) {
            hy_cli_error(cmd, "--label: %zu label%s for %zu file%s", nl, nl == 1 ? "" : "s", nfiles,
                         nfiles == 1 ? "" : "s");
            free(label_copy);
            return HY_EXIT_USAGE;
        }
    }
    hy_report_opts o = {
        .out_dir = out,
        .title = title,
        .labels = labels_arg ? labels : NULL,
        .gnuplot = gnuplot,
        .no_charts = no_charts,
    };
    hy_report_summary sum;
    hy_error err = {{0}};
    int rc = hy_report_build(files, nfiles, &o, &sum, &err);
    free(label_copy);
    if (rc) {
        hy_cli_error(cmd, "%s", err.msg);
        return HY_EXIT_FAIL;
    }
    printf("report: %zu file%s, %d of %d charts drawn%s%s\n", nfiles, nfiles == 1 ? "" : "s",
           sum.charts_drawn, sum.charts_planned, sum.charts_note[0] ? "; " : "", sum.charts_note);
    if (sum.mixed_versions) printf("report: warning: the files come from different hybench versions\n");
    if (sum.sources_with_issues)
        printf("report: warning: %d file%s lack fields the report needs (listed in the report)\n",
               sum.sources_with_issues, sum.sources_with_issues == 1 ? "" : "s");
    if (!sum.have_sweep) printf("report: no sweep in these results\n");
    printf("report: %s\nreport: %s\n", sum.md_path, sum.html_path);
    return HY_EXIT_OK;
}
