/* hy_report_parts.h — the pieces a report is made of (internal to
 * report/): charts (gnuplot .dat + .gp, drawn to .svg when gnuplot runs)
 * and tables (cells of text with a style class), built once from the
 * loaded sources and then rendered both as HTML and as Markdown. */
#ifndef HY_REPORT_PARTS_H
#define HY_REPORT_PARTS_H

#include <stdio.h>

#include "hy_json.h"
#include "hy_report_data.h"

#ifdef __cplusplus
extern "C" {
#endif

/* --- charts ----------------------------------------------------------- */

typedef enum hy_rp_section {
    HY_RP_SEC_FAMILY = 0, /* time / throughput against sequence length    */
    HY_RP_SEC_ROOFLINE,   /* per machine and backend                      */
    HY_RP_SEC_MODEL,      /* per-token prefill / decode cost per ratio    */
    HY_RP_SEC_MEMORY,     /* weights, KV cache, SSM state per ratio       */
    HY_RP_SEC_LOTTERY,    /* fraction of roofline per family, side by side */
    HY_RP_SEC_VALIDATION, /* family x backend matrix                      */
    HY_RP_SEC_COUNT
} hy_rp_section;

typedef struct hy_rp_chart {
    char name[128];     /* file stem in charts/: NAME.dat, NAME.gp, NAME.svg */
    char title[200];
    char caption[600];
    hy_rp_section section;
    int drawn;          /* NAME.svg exists and is non-empty                  */
} hy_rp_chart;

typedef struct hy_rp_charts {
    char dir[1024];     /* DIR/charts                                        */
    char gnuplot[1024]; /* resolved program, "" when none                     */
    char note[512];     /* why charts are missing ("" when none are)         */
    hy_rp_chart *items;
    size_t n, cap;
    int failed;         /* charts gnuplot did not draw                       */
} hy_rp_charts;

/* Resolves the gnuplot program (explicit path, else the HYBENCH_GNUPLOT
 * build definition, else "gnuplot" on PATH) into c->gnuplot, or sets
 * c->note saying why there is none. */
void hy_rp_charts_init(hy_rp_charts *c, const char *dir, const char *gnuplot, int no_charts);
void hy_rp_charts_free(hy_rp_charts *c);

/* Starts chart `name`: opens NAME.dat and NAME.gp for writing and writes
 * the script's preamble (svg terminal, output file, grid).  Returns the
 * new chart, or NULL (err) when a file cannot be opened. */
hy_rp_chart *hy_rp_chart_begin(hy_rp_charts *c, hy_rp_section sec, const char *name,
                               const char *title, FILE **dat, FILE **gp, hy_error *err);
/* Closes both files and runs gnuplot on NAME.gp (when one was found);
 * sets chart->drawn.  Fails only when a file cannot be written. */
int hy_rp_chart_end(hy_rp_charts *c, hy_rp_chart *chart, FILE *dat, FILE *gp, hy_error *err);

/* A gnuplot double-quoted string literal of s (quotes and backslashes
 * escaped) written to f. */
void hy_rp_gp_string(FILE *f, const char *s);
/* A file-name-safe copy of s: [A-Za-z0-9._-] kept, anything else '_'. */
void hy_rp_slug(char *dst, size_t len, const char *s);
/* A line colour from a fixed palette readable on white (index wraps). */
const char *hy_rp_color(size_t i);

/* Chart builders (hy_report_plot_*.c).  Each returns 0 or -1 (err). */
int hy_rp_plot_families(hy_rp_charts *c, const hy_rp_set *set, hy_error *err);
int hy_rp_plot_rooflines(hy_rp_charts *c, const hy_rp_set *set, hy_error *err);
int hy_rp_plot_lottery(hy_rp_charts *c, const hy_rp_set *set, hy_error *err);
int hy_rp_plot_validation(hy_rp_charts *c, const hy_rp_set *set, hy_error *err);
int hy_rp_plot_sweep(hy_rp_charts *c, const hy_rp_set *set, hy_error *err);

/* --- tables ------------------------------------------------------------ */

typedef struct hy_rp_cell {
    char *text;
    const char *cls; /* "", "pass", "fail", "unsupported", "warn", "num", "better", "worse" */
} hy_rp_cell;

typedef struct hy_rp_table {
    char *title;
    char *caption; /* under the title; may be "" */
    char *id;      /* HTML anchor                */
    size_t ncols, nrows, cap;
    hy_rp_cell *header; /* [ncols]            */
    hy_rp_cell *cells;  /* [nrows][ncols]     */
} hy_rp_table;

typedef struct hy_rp_tables {
    hy_rp_table *items;
    size_t n, cap;
    int failed; /* out of memory somewhere: contents incomplete */
} hy_rp_tables;

/* A new table (header cells given as strings); NULL on allocation failure
 * (t->failed set). */
hy_rp_table *hy_rp_table_new(hy_rp_tables *t, const char *id, const char *title,
                             const char *caption, size_t ncols, const char *const *header);
/* Appends a row; cells are set with hy_rp_table_set afterwards. */
int hy_rp_table_row(hy_rp_tables *t, hy_rp_table *tb);
void hy_rp_table_set(hy_rp_tables *t, hy_rp_table *tb, size_t col, const char *cls,
                     const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;
void hy_rp_tables_free(hy_rp_tables *t);

/* Table builders (hy_report_tables.c, hy_report_sweep.c). */
int hy_rp_tables_sources(hy_rp_tables *t, const hy_rp_set *set);
int hy_rp_tables_lottery(hy_rp_tables *t, const hy_rp_set *set);
int hy_rp_tables_validation(hy_rp_tables *t, const hy_rp_set *set);
int hy_rp_tables_kernels(hy_rp_tables *t, const hy_rp_set *set);
/* Headline (hybrid 1:7 against the pure transformer) and crossovers, from
 * the sweep sections; returns the number of sources that had a sweep. */
int hy_rp_tables_sweep(hy_rp_tables *t, const hy_rp_set *set);

/* Number formatting shared by tables: 3 significant digits, time with a
 * unit ("1.23 ms"), "—" for NAN. */
void hy_rp_fmt_time(char *buf, size_t len, double ns);
void hy_rp_fmt_num(char *buf, size_t len, double v);
void hy_rp_fmt_bytes(char *buf, size_t len, double bytes);

/* --- outputs ------------------------------------------------------------ */

typedef struct hy_rp_doc {
    const char *title;
    const hy_rp_set *set;
    const hy_rp_charts *charts;
    const hy_rp_tables *tables;
    int have_sweep;
} hy_rp_doc;

int hy_rp_write_html(const hy_rp_doc *d, const char *path, hy_error *err);
int hy_rp_write_markdown(const hy_rp_doc *d, const char *path, hy_error *err);
/* Lines both outputs print at the top: mixed versions, missing fields. */
size_t hy_rp_warnings(const hy_rp_set *set, char ***out);

#ifdef __cplusplus
}
#endif
#endif
