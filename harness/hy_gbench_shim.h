/* hy_gbench_shim.h — the C face of the Google Benchmark engine.
 * Implemented in C++17 by hy_gbench_shim.cc, which is compiled only when
 * the build found Google Benchmark (cmake/gbench_shim.cmake then defines
 * HYBENCH_HAVE_GBENCH_SHIM for hy_harness); hy_timer.c calls
 * these functions only in that case.  Callers use hy_timer.h instead. */
#ifndef HY_GBENCH_SHIM_H
#define HY_GBENCH_SHIM_H

#include "hy_timer.h"

#ifdef __cplusplus
extern "C" {
#endif

/* benchmark::Initialize on argv[0] plus the given --benchmark_* options
 * (argv: [argc]).  Fails when Google Benchmark does not recognise one. */
int hy_gbench_init(int argc, char **argv, hy_error *err);

/* Registers fn as one benchmark called `name`, runs it with a collecting
 * reporter, unregisters it, and fills *out from the per-repetition runs.
 * opts is resolved (repetitions, min time, iterations, evict, counters);
 * manual says whether fn reports device time. */
int hy_gbench_run(const char *name, hy_bench_fn fn, void *ctx, const hy_timer_options *opts,
                  int manual, hy_timing *out, hy_error *err);

/* The Google Benchmark version the build found ("1.7.1"), or "unknown". */
const char *hy_gbench_version(void);

#ifdef __cplusplus
}
#endif
#endif
