/* hy_results.h — results files: one JSON file per run, in Google
 * Benchmark's shape, written incrementally and atomically, resumable, and
 * exportable as CSV.  The schema is described here and in harness/README.md.
 *
 *   {"context": {date, host_name, executable, num_cpus, mhz_per_cpu,
 *                cpu_scaling_enabled, caches[], load_avg[],
 *                library_build_type, json_schema_version,
 *                "hybench": {version, git_commit, compiler, build_type,
 *                            flags, engine, engine_version, backends,
 *                            device, ceilings, papi_status, topology,
 *                            command, resumed}},
 *    "benchmarks": [ entries ]}
 *
 * One benchmark (a stable name "family/variant/backend/shape") becomes a
 * group of entries, added in one call:
 *   - one "iteration" entry per repetition (repetition_index 0..R-1) with
 *     iterations, real_time, cpu_time (per iteration, in time_unit) and
 *     flat counters;
 *   - when R >= 2, "aggregate" entries named "<name>_<stat>" for the
 *     statistics mean, median, stddev, cv, min, max, p10, p90, mad (see
 *     hy_stats.h).  Each statistic is applied to each column separately
 *     (real_time, cpu_time and every counter), as Google Benchmark does,
 *     so the "min" entry has the smallest time and the smallest GFLOPS.
 *     cv has "aggregate_unit": "percentage" and holds a fraction (0.05 =
 *     5 %), as Google Benchmark writes it; the others have "time".
 *   - a benchmark that failed validation, is unsupported, or failed while
 *     running is ONE entry with "error_occurred": true, "error_message",
 *     and no timing fields (no number without validation).
 * Counters (flat numbers in each entry): flops, bytes (per iteration),
 * intensity (flops/bytes), GFLOPS, GBps, roofline_fraction (achieved
 * FLOP/s over min(peak FLOP/s, intensity x peak bandwidth), or GBps over
 * peak bandwidth for kernels without FLOPs), validation_error, the timing
 * counters and the caller's extra counters.  Strings beside them: family,
 * variant, backend, shape, status ("ok" or the failure kind), engine,
 * time_source ("real" or "manual"), clock (what timed it: "wall clock",
 * a backend's device clock such as "cuda events"), cache ("warm", "cold":
 * caches evicted before each call, or "streamed": through distinct copies
 * of the case, hy_stream_timing.h).
 *
 * Atomicity: after every added benchmark the whole file is rewritten to a
 * temporary file, fsync'ed and renamed over the old one
 * (hy_write_file_atomic), so a process killed at any moment leaves the
 * previous complete, valid file.  Stale temporary files of dead writers
 * are removed when the file is opened again. */
#ifndef HY_RESULTS_H
#define HY_RESULTS_H

#include "hy_common.h"
#include "hy_timer.h"

#ifdef __cplusplus
extern "C" {
#endif

/* hybench's own context.  NULL strings become null in the file (engine:
 * the default engine; executable: "hybench"). */
typedef struct hy_results_info {
    const char *executable;    /* argv[0]                                    */
    const char *command;       /* the command line, for the record           */
    const char *engine;        /* timing engine of this run                  */
    const char *backends;      /* "cpu", "cpu,cuda", ...                      */
    const char *device;        /* CPU model and features, GPU name, memory   */
    const char *ceilings_json; /* raw JSON value of the measured ceilings    */
    const char *papi_status;   /* "available" or why not                     */
    const char *topology_json; /* raw JSON value of the hwloc/sysfs topology  */
} hy_results_info;

#define HY_RESULTS_MAX_EXTRA 12

typedef struct hy_result_counter {
    const char *name;
    double value;
} hy_result_counter;

/* What one benchmark is. */
typedef struct hy_bench_meta {
    const char *family;  /* "scan", "attention", ... (no '/')              */
    const char *variant; /* "seq", "flash", ...      (no '/')              */
    const char *backend; /* "cpu", "x86", "cuda", ... (no '/')             */
    const char *shape;   /* "T=512,D=1024,N=16" (may contain '/')           */
    const char *name;    /* NULL: "family/variant/backend/shape"; else the
                            stable name to use as is                       */
    int threads;         /* worker threads of the kernel (0 means 1)        */
    double flops;        /* per iteration; 0: no FLOP counters              */
    double bytes;        /* per iteration; 0: no byte counters              */
    double peak_gflops;  /* ceilings measured in this run; 0: unknown       */
    double peak_gbps;
    double validation_error; /* from validation; negative or NaN: absent    */
    const char *time_unit;   /* "ns" (default), "us", "ms" or "s"            */
    hy_result_counter extra[HY_RESULTS_MAX_EXTRA]; /* constant counters     */
    int nextra;
} hy_bench_meta;

typedef struct hy_results hy_results;

/* Starts a new results file at path (replacing any), writing the context
 * and an empty benchmark list at once.  The raw JSON strings of info are
 * checked to parse. */
int hy_results_open(hy_results **out, const char *path, const hy_results_info *info,
                    hy_error *err);
/* Continues the results file at path: its benchmarks are kept (and
 * rewritten in the new file, whose context is this run's, with
 * "resumed": {benchmarks_carried, previous_date, previous_git_commit}).
 * A missing file starts a new one; a file that is not a results file is
 * an error (it is left untouched). */
int hy_results_open_resume(hy_results **out, const char *path, const hy_results_info *info,
                           hy_error *err);
void hy_results_close(hy_results *r); /* frees; the file is already complete */

const char *hy_results_path(const hy_results *r);
/* Number of benchmarks (groups) in the file, and whether one named `name`
 * is among them (finished: timed, or recorded as failed). */
size_t hy_results_count(const hy_results *r);
int hy_results_has(const hy_results *r, const char *name);

/* The stable name of a benchmark (meta->name, or family/variant/backend/
 * shape).  Fails when a part is missing or contains a '/' it must not. */
int hy_bench_name(const hy_bench_meta *m, char *buf, size_t len, hy_error *err);

/* Adds a timed benchmark (iteration entries + aggregates) and rewrites
 * the file.  Fails, adding nothing, when the name is already present. */
int hy_results_add_timing(hy_results *r, const hy_bench_meta *m, const hy_timing *t,
                          hy_error *err);
/* Adds a benchmark that produced no timing: status is a short kind
 * ("validation-failed", "unsupported", "error"), message says why. */
int hy_results_add_failure(hy_results *r, const hy_bench_meta *m, const char *status,
                           const char *message, hy_error *err);

/* CSV export: one row per benchmark, in file order, with the header
 *   name,family,variant,backend,shape,status,repetitions,threads,
 *   median_time_ns,cv,gflops,gbps,intensity,roofline_fraction,
 *   validation_error,engine,error_message
 * (the "median" aggregate, or the single repetition when R = 1; empty
 * cells where a value does not apply).  Quoted per RFC 4180. */
int hy_results_csv(const char *json_text, size_t len, char **csv, size_t *csv_len, hy_error *err);
/* Reads results file json_path and writes csv_path atomically. */
int hy_results_export_csv(const char *json_path, const char *csv_path, hy_error *err);

#ifdef __cplusplus
}
#endif
#endif
