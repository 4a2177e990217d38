/* hy_sweep_internal.h — state shared by the sweep's files (hy_sweep.c:
 * layer-kind costs and the loop; hy_sweep_model.c: whole-model checks;
 * hy_sweep_report.c: tables and the summary).  Not an interface. */
#ifndef HY_SWEEP_INTERNAL_H
#define HY_SWEEP_INTERNAL_H

#include "hy_progress.h"
#include "hy_stream_timing.h"
#include "hy_sweep.h"

/* A finished measurement: seconds of one call (median, p10, p90), by
 * stable name (results file) or by reuse key (same kernel shape at
 * another length). */
typedef struct sweep_known {
    char key[400];
    hy_sweep_spread s;
} sweep_known;

typedef struct sweep_table {
    sweep_known *items;
    size_t n, cap;
} sweep_table;

int sweep_table_put(sweep_table *t, const char *key, const hy_sweep_spread *s);
/* 1 and *s when present. */
int sweep_table_get(const sweep_table *t, const char *key, hy_sweep_spread *s);
void sweep_table_free(sweep_table *t);

typedef struct sweep_ctx {
    const hy_bench_env *env;
    const hy_sweep_opts *o;
    hy_sweep_result *res;
    sweep_table file;     /* timings in the results file (as opened, then
                             reread after every length)                 */
    size_t file_entries;  /* benchmarks it held when (re)read            */
    sweep_table memo;     /* reuse key -> seconds, this run              */
    double slowdown[HY_FAM_COUNT]; /* measured / roofline time, worst seen */
    double deadline;      /* hy_timer_now() after which nothing starts; 0 */
    double start;
    hy_progress progress;
    size_t steps_done;
    int decode_streamed;  /* decode kernels timed streamed (weights > LLC) */
    double llc_bytes;     /* last-level cache                             */
    int need_mixer[HY_MIX_COUNT];
    int need_ffn[HY_FFN_COUNT];
} sweep_ctx;

/* Peak GFLOP/s and bandwidth (GB/s) the sweep's time estimates assume:
 * for a GPU backend b with device ceilings, its fp32 FMA peak and device
 * copy bandwidth; otherwise the CPU's all-thread FMA peak and DRAM triad
 * (defaults 10 and 5 when not measured). */
void sweep_peaks(const hy_ceilings *c, const hy_backend *b, double *gflops, double *gbps);
/* 1 when the run must stop starting things (max_time). */
int sweep_out_of_time(sweep_ctx *x);
double sweep_time_left(const sweep_ctx *x); /* seconds, +inf without max_time */

/* Rereads the results file into x->file (timings by name). */
int sweep_load_file(sweep_ctx *x, hy_error *err);

/* Streamed timing of decode shape s with variant v (hy_sweep_stream.c):
 * adds the entry `name` (shape part in shape_name) to the results.  0 when
 * timed or already in the file; 1 when it could not be timed (why says
 * why; nothing added); -1 when the results file cannot be written. */
int sweep_time_streamed(sweep_ctx *x, const hy_kernel_variant *v, const hy_bench_shape *s,
                        const char *shape_name, double validation_error, char *why,
                        size_t why_len, hy_error *err);
/* Copies a streamed timing of s uses, and the bytes they hold. */
int sweep_stream_plan(const sweep_ctx *x, const hy_bench_shape *s, double *footprint);

/* Whole-model checks (hy_sweep_model.c). */
int sweep_run_checks(sweep_ctx *x, hy_error *err);

#endif
