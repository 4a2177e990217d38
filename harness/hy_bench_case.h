/* hy_bench_case.h — a timing-only case: seeded inputs on the backend for
 * one shape and one bound variant, WITHOUT a reference result.
 *
 * `hybench bench` times the very case it validated (hy_val_case) whenever
 * the reference for the full shape is affordable.  When it is not (the
 * scalar double reference of a 2048-token MLP is minutes of work), the
 * variant is validated by hy_val_case on the same shape with fewer tokens
 * (hy_bench.h says exactly how), and the full shape is timed on one of
 * these cases.  Inputs follow the validation distributions where they
 * matter for speed: Mamba's dt range and A_log = log(1..N) for the scan
 * (so that the state neither blows up nor sinks into denormals), a
 * softmax that is neither uniform nor one-hot for attention, a router
 * spread for MoE; everything else N(0, 1) or N(0, 1/sqrt(fan_in)). */
#ifndef HY_BENCH_CASE_H
#define HY_BENCH_CASE_H

#include "hy_validate.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hy_bench_case hy_bench_case;

int hy_bench_case_create(const hy_backend *b, hy_exec *ex, const hy_val_shape *shape,
                         uint64_t seed, hy_bench_case **out, hy_error *err);
/* Chooses the variant and allocates its workspace. */
int hy_bench_case_bind(hy_bench_case *c, const hy_kernel_variant *v, hy_error *err);
/* Runs the bound variant once: 0, -1 or HY_UNSUPPORTED. */
int hy_bench_case_launch(hy_bench_case *c, hy_error *err);
void hy_bench_case_destroy(hy_bench_case *c);

#ifdef __cplusplus
}
#endif
#endif
