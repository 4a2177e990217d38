/* hy_counters.h — hardware performance counters through PAPI, where they
 * exist.
 *
 * hy_counters_open initialises PAPI and tries to add these preset events
 * to one event set, keeping those the machine can count:
 *   PAPI_TOT_CYC  cycles              -> counter "cycles"
 *   PAPI_TOT_INS  instructions        -> "instructions"
 *   PAPI_L3_TCM   L3 total misses     -> "cache_misses" (or, when L3
 *   PAPI_L2_TCM   L2 total misses        misses cannot be counted, L2;
 *                                        the status names which)
 *   PAPI_FP_OPS   FP operations       -> "fp_ops" (or PAPI_SP_OPS)
 * When at least one is kept the status is "available: PAPI_TOT_CYC,
 * PAPI_TOT_INS, ..." and start/stop count them.  Otherwise the status is
 * "counters unavailable: <reason>" (built without PAPI; PAPI's version
 * does not match; the perf_event component is disabled and why; PAPI
 * reports 0 hardware counters, as virtual machines do; no preset can be
 * added, with PAPI's message) and start/stop do nothing: a missing PMU is
 * the normal case, never an error of the run.
 *
 * What is counted: the events of the thread that calls start/stop (PAPI's
 * default per-thread counting), i.e. the OpenMP master thread of a
 * multi-threaded kernel; the results say so (counters_scope). */
#ifndef HY_COUNTERS_H
#define HY_COUNTERS_H

#include <stddef.h>

#include "hy_common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define HY_COUNTERS_MAX 4

typedef struct hy_counters hy_counters;

/* Never fails for want of counters (the status says why); returns -1 only
 * when memory cannot be had.  *out is then NULL. */
int hy_counters_open(hy_counters **out, hy_error *err);
void hy_counters_close(hy_counters *c);

/* 1 when at least one event can be counted. */
int hy_counters_available(const hy_counters *c);
/* "available: ..." or "counters unavailable: <reason>". */
const char *hy_counters_status(const hy_counters *c);
/* Number of events counted, and the result name of event i ("cycles",
 * "instructions", "cache_misses", "fp_ops"). */
int hy_counters_count(const hy_counters *c);
const char *hy_counters_name(const hy_counters *c, int i);

/* Starts counting (no-op when unavailable).  0 or -1 with PAPI's message. */
int hy_counters_start(hy_counters *c, hy_error *err);
/* Stops and writes hy_counters_count(c) values to values[].  0 or -1. */
int hy_counters_stop(hy_counters *c, long long *values, hy_error *err);

#ifdef __cplusplus
}
#endif
#endif
