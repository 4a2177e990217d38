/* hy_sweep_internal.h — state shared by the sweep's files (hy_sweep.c:
 * layer-kind costs and the loop; hy_sweep_model.c: whole-model checks;
 * hy_sweep_report.c: tables and the summary).  Not an interface. */
#ifndef HY_SWEEP_INTERNAL_H
#define HY_SWEEP_INTERNAL_H

#include "hy_progress.h"
#include "hy_sweep.h"

/* A finished measurement: seconds of one call, by stable name (results
 * file) or by reuse key (same kernel shape at another length). */
typedef struct sweep_known {
    char key[400];
    double seconds;
} sweep_known;

typedef struct sweep_table {
    sweep_known *items;
    size_t n, cap;
} sweep_table;

int sweep_table_put(sweep_table *t, const char *key, double seconds);
/* 1 and *seconds when present. */
int sweep_table_get(const sweep_table *t, const char *key, double *seconds);
void sweep_table_free(sweep_table *t);

typedef struct sweep_ctx {
    const hy_bench_env *env;
    const hy_sweep_opts *o;
    hy_sweep_result *res;
    sweep_table resumed;  /* medians of the results file as opened       */
    sweep_table memo;     /* reuse key -> seconds, this run              */
    double slowdown[HY_FAM_COUNT]; /* measured / roofline time, worst seen */
    double deadline;      /* hy_timer_now() after which nothing starts; 0 */
    double start;
    hy_progress progress;
    size_t steps_done;
    int decode_cold;      /* decode kernels timed with cold caches        */
    double cold_min_bytes; /* ... those that move more bytes than this (L2) */
    int need_mixer[HY_MIX_COUNT];
    int need_ffn[HY_FFN_COUNT];
} sweep_ctx;

/* Available memory in bytes (sysconf), or 0 when unknown. */
double sweep_available_memory(void);
/* Peak all-thread GFLOP/s and DRAM GB/s of the run's ceilings (defaults
 * 10 and 5 when not measured). */
void sweep_peaks(const hy_ceilings *c, double *gflops, double *gbps);
/* 1 when the run must stop starting things (max_time). */
int sweep_out_of_time(sweep_ctx *x);
double sweep_time_left(const sweep_ctx *x); /* seconds, +inf without max_time */

/* Whole-model checks (hy_sweep_model.c). */
int sweep_run_checks(sweep_ctx *x, hy_error *err);

#endif
