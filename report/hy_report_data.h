/* hy_report_data.h — the report's view of its input files (internal to
 * report/): each file is a "source" holding benchmarks (one row per
 * benchmark group: median and spread), validation checks, measured
 * ceilings and, when present, the sweep section, plus the list of fields
 * it lacked.  Loading never guesses a missing value: it stays NAN/NULL and
 * is named in the source's issues. */
#ifndef HY_REPORT_DATA_H
#define HY_REPORT_DATA_H

#include <stddef.h>

#include "hy_common.h"
#include "hy_json.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One benchmark of a bench results file (all entries of one run_name). */
typedef struct hy_rp_bench {
    char *name;    /* the stable name family/variant/backend/shape          */
    char *family, *variant, *backend, *shape;
    char *phase;   /* "prefill", "decode" or "" (from the shape)            */
    char *role;    /* shape part naming the layer tensor ("in_proj") or ""  */
    long seq;      /* the L= part of the shape (else T=), -1 when absent    */
    char *status;  /* "ok", "validation-failed", "unsupported", "error"...  */
    char *message; /* error_message of a failed benchmark, else ""          */
    int repetitions;
    double time_ns;             /* median real time per iteration, ns       */
    double time_lo_ns, time_hi_ns; /* spread: p10..p90 (else min..max)     */
    double cv;                  /* coefficient of variation (fraction)     */
    double gflops, gbps, intensity, roofline_fraction, validation_error;
    double flops, bytes;        /* per iteration                           */
} hy_rp_bench;

/* One row of a validation results file. */
typedef struct hy_rp_check {
    char *backend, *family, *variant, *shape;
    char *status; /* "pass", "fail", "unsupported", "error"             */
    double error, tolerance;
} hy_rp_check;

/* Measured ceilings of a bench run (NAN when not measured). */
typedef struct hy_rp_ceilings {
    double peak_gflops;   /* fastest f32 compute ceiling, all threads     */
    char peak_id[32];     /* its id ("avx2_f32")                           */
    double dram_gbps, l2_gbps, l1_gbps; /* triad, all threads             */
    int threads;          /* threads of the all-threads figures, 0 unknown */
} hy_rp_ceilings;

typedef struct hy_rp_source {
    char *path, *label;
    char *kind;       /* "bench", "validation", "sweep", or joined: "bench+sweep" */
    char *version, *git_commit, *date, *host, *device, *backends, *engine, *papi;
    hy_rp_ceilings ceil;
    hy_rp_bench *bench;
    size_t nbench;
    hy_rp_check *checks;
    size_t nchecks;
    hy_json *root;         /* the parsed file                               */
    hy_json *sweep_root;   /* the sweep summary beside a results file
                              (<file>.summary.json), when one was found     */
    const hy_json *sweep;  /* the sweep summary (hybench sweep's schema,
                              "sweep_schema_version"), NULL when absent     */
    char *sweep_path;      /* the file it came from, "" when none           */
    char **issues;         /* missing or malformed fields, one line each    */
    size_t nissues;
} hy_rp_source;

typedef struct hy_rp_set {
    hy_rp_source *src;
    size_t n;
    int mixed_versions; /* not all sources share one hybench version     */
} hy_rp_set;

/* Reads and parses each file; fails on unreadable, unparsable or unknown
 * files.  labels may be NULL (or hold NULL entries). */
int hy_rp_load(hy_rp_set *set, const char *const *paths, const char *const *labels, size_t n,
               hy_error *err);
void hy_rp_free(hy_rp_set *set);

/* Whether numbers of sources a and b may be put into one ratio (same
 * hybench version, both versions known). */
int hy_rp_comparable(const hy_rp_source *a, const hy_rp_source *b);

/* The benchmark named `name` in s, or NULL. */
const hy_rp_bench *hy_rp_find(const hy_rp_source *s, const char *name);

/* Per-cell verdict of the validation matrix, from the validation rows and
 * the bench entries of one source for (backend, family):
 *   "pass" all checks passed (some shapes may be unsupported), "fail" any
 *   failure or error, "unsupported" only unsupported, NULL: no data. */
const char *hy_rp_validation_cell(const hy_rp_source *s, const char *backend, const char *family,
                                  int *n_pass, int *n_fail, int *n_unsupported);

/* The lottery figure of one family in one source, backend and phase: the
 * highest roofline fraction any ok benchmark of that family reaches at the
 * largest sequence length measured for it.  NAN when there is none;
 * *seq_out gets that length. */
double hy_rp_lottery(const hy_rp_source *s, const char *backend, const char *family,
                     const char *phase, long *seq_out);

/* Distinct values (sorted, deduplicated, caller frees the array only: the
 * strings belong to the set) of backends and families over all sources. */
size_t hy_rp_backends(const hy_rp_set *set, const char ***out);
size_t hy_rp_families(const hy_rp_set *set, const char ***out);
/* Backends of one source (bench and validation), same conventions. */
size_t hy_rp_source_backends(const hy_rp_source *s, const char ***out);

/* The family order of the suite (linear, rmsnorm, conv1d, scan, ssd,
 * attention, moe, mlp, then model); unknown names sort after, by name. */
int hy_rp_family_rank(const char *family);

#ifdef __cplusplus
}
#endif
#endif
