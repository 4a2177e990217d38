/* hy_bench.h — the kernel microbenchmark engine behind `hybench bench`.
 *
 * Shapes.  A benchmark shape is a validation shape (hy_val_shape) plus the
 * phase it belongs to.  hy_bench_derive gives, for one kernel family, the
 * shapes one layer of a model config uses:
 *   prefill with L tokens   T = L, fresh state (zero), attention pos0 = 0
 *   decode with context L   T = 1, continued state (random), attention
 *                           pos0 = L against a cache of L + 1 tokens
 * per family (H hidden, Di d_inner, R dt_rank, N d_state, K d_conv):
 *   linear     in_proj [H -> 2Di], x_proj [Di -> R+2N], dt_proj [R -> Di],
 *              out_proj [Di -> H] (Mamba layers; bias = mamba_proj_bias);
 *              q_proj [H -> nH*hd], kv_proj [H -> nKV*hd] (k_proj and
 *              v_proj have this one shape), o_proj [nH*hd -> H] (attention
 *              layers), all without bias
 *   rmsnorm    layernorm [T, H] (input_/pre_ff_/final_ norms), dt_layernorm
 *              [T, R], bc_layernorm [T, N] (b_ and c_layernorm)
 *   conv1d     conv1d T, C = Di, K, bias = mamba_conv_bias, SiLU
 *   scan       scan T, D = Di, N, gate z, dt bias
 *   attention  attention T, nH, nKV, hd, window = sliding_window
 *   moe        moe T, H, I, E, top-k          (layers with E > 1 experts)
 *   mlp        mlp T, H, I                     (layers with a dense FFN)
 * A family the model has no layer for (moe in a dense model, attention in
 * a pure-Mamba twin, ssd in any Jamba model) gives no shapes and says why.
 * Shape part of the stable benchmark name:
 *   derived   "<preset>/<phase>/L=<L>/<role>/<params>", e.g.
 *             "hybrid-3b/decode/L=2048/scan/T=1,D=5120,N=16,z=1,dt_bias=1,state=random"
 *   --shape   "<params>"
 * so the full name is "family/variant/backend/<shape part>".
 *
 * --shape strings are "family:key=value,key=value,..." (the same <params>
 * form); keys per family, "*" required:
 *   linear     T* in* out* bias
 *   rmsnorm    T* D*
 *   conv1d     T* C* K* bias silu state
 *   scan       T* D* N* z dt_bias state
 *   ssd        T* H* P* G* N* chunk z D dt_bias state
 *   attention  T* nH* nKV* hd* pos0 cap window
 *   moe        T* H* I* E* k*
 *   mlp        T* H* I*
 * Values are decimal integers (flags 0/1), state is null|zero|random
 * (default: zero when T > 1, random when T = 1), cap defaults to pos0 + T,
 * ssd chunk to 64, z/dt_bias/silu/D to 1, bias to 0.  Unknown, repeated or
 * missing keys, and values out of range, are errors that name the key.
 * An explicit shape is decode-phase when T = 1, otherwise prefill.
 *
 * Validation before timing (rule 1 of the design brief).  The reference is
 * scalar and double-accumulating; its cost is the shape's FLOP count.
 * When that is at most the budget (opts.validate_flops, default
 * HY_BENCH_VALIDATE_FLOPS), the variant is validated on the full shape and
 * the same case (hy_val_case) is then timed.  Otherwise the validation
 * shape is the same shape with T halved until it fits the budget (T >= 1;
 * attention prefill keeps pos0 = 0 and a cache of T tokens; decode shapes,
 * whose T is already 1, are validated in full), and the full shape is
 * timed on a timing-only validation case (hy_val_case_create_opts with
 * with_reference = 0: the validation inputs, no reference).  Every entry records validated_T (the T that was
 * validated) and validation_reduced (0 or 1).  A variant that fails
 * validation, is unsupported for the shape, or errors is recorded as such
 * and never timed.
 *
 * Timing: through hy_timer (Google Benchmark when built in), real (wall)
 * time, or for a backend with timing_begin/timing_end hooks (cuda, hip) its
 * device clock around each repetition's launches (manual time; the entry's
 * "clock" names it, e.g. "cuda events").  Caches: decode-phase shapes are
 * timed streamed by default (hy_stream_timing.h: back to back through
 * distinct copies of the case, so each call finds its data evicted while
 * the threads stay awake, as a layer in a model's decode step; by the wall
 * clock, the counters "copies" and "copies_bytes" in the entry), prefill
 * warm; opts.cache overrides (COLD: one call per repetition after
 * evicting the caches).  A device-memory
 * backend without timing hooks is synchronised after every launch and
 * timed by the wall clock.
 *
 * Counters per entry (hy_results.h): flops, bytes, intensity, GFLOPS,
 * GBps, roofline_fraction (against ceilings measured in this run: the
 * compute ceiling of opts.roofline_isa, all threads, and DRAM triad
 * bandwidth; for a backend with device ceilings of its name, the device's
 * FMA peak, or its tensor-core peak for a bf16 variant, and its copy
 * bandwidth), validation_error, validated_T, validation_reduced,
 * tolerance, and, where PAPI counts, papi_cycles, papi_instructions,
 * papi_cache_misses, papi_fp_ops per iteration (from a separate counted
 * pass of the same launches after the timing; see hy_counters.h). */
#ifndef HY_BENCH_H
#define HY_BENCH_H

#include <stdio.h>

#include "hy_ceilings.h"
#include "hy_config.h"
#include "hy_counters.h"
#include "hy_results.h"
#include "hy_timer.h"
#include "hy_validate.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum hy_phase {
    HY_PHASE_PREFILL = 0,
    HY_PHASE_DECODE,
} hy_phase;

const char *hy_phase_name(hy_phase p); /* "prefill", "decode" */

typedef enum hy_cache_mode {
    HY_CACHE_AUTO = 0, /* streamed for decode-phase shapes, warm for prefill */
    HY_CACHE_WARM,
    HY_CACHE_COLD,     /* caches evicted before each call                  */
    HY_CACHE_STREAMED, /* cycled through distinct copies (hy_stream_timing.h) */
} hy_cache_mode;
const char *hy_cache_mode_name(hy_cache_mode m); /* "auto", "warm", "cold", "streamed" */

typedef struct hy_bench_shape {
    hy_val_shape v;   /* family, state and the kernel shape              */
    hy_phase phase;
    char role[24];    /* "in_proj", "scan", ...; "" for --shape          */
    char name[192];   /* shape part of the stable benchmark name         */
} hy_bench_shape;

#define HY_BENCH_MAX_SHAPES_PER_FAMILY 8
#define HY_BENCH_VALIDATE_FLOPS 2e9

/* Canonical "key=value,..." of a shape (the --shape form without the
 * family prefix). */
void hy_bench_shape_params(const hy_val_shape *v, char *buf, size_t len);

/* Shapes of family f in one layer of config c (see above).  Writes up to
 * max shapes, sets *n; *n = 0 with the reason in why when the model has no
 * such layer.  preset names the config in the shape names (NULL: c->name).
 * Fails on an invalid config or L < 1. */
int hy_bench_derive(const hy_config *c, const char *preset, hy_family f, hy_phase phase,
                    int64_t L, hy_bench_shape *out, size_t max, size_t *n, char *why,
                    size_t why_len, hy_error *err);

/* Parses one --shape string.  Errors name the offending part. */
int hy_bench_parse_shape(const char *text, hy_bench_shape *out, hy_error *err);

/* The validation shape of `full` under a FLOP budget (see above); returns
 * 1 when it was reduced, 0 when it is the full shape. */
int hy_bench_validation_shape(const hy_val_shape *full, double flop_budget, hy_val_shape *out);

typedef struct hy_bench_opts {
    int repetitions;        /* 0: 5 warm, 20 cold or streamed rounds       */
    double min_time_s;      /* warm repetitions; 0: the timer's default    */
    hy_cache_mode cache;
    double validate_flops;  /* 0: HY_BENCH_VALIDATE_FLOPS                  */
    uint64_t seed;
    int threads;            /* kernel threads, for the results (0: 1)      */
    const char *roofline_isa; /* compute ceiling ("best" when NULL)        */
    const char *engine;     /* timer engine, NULL: default                 */
    FILE *log;              /* a line per benchmark, or NULL               */
} hy_bench_opts;

void hy_bench_opts_default(hy_bench_opts *o);

typedef struct hy_bench_env {
    const hy_backend *backend;
    hy_exec *ex;
    const hy_ceilings *ceilings; /* NULL: no roofline fractions           */
    hy_counters *counters;       /* NULL or unavailable: no PAPI counters  */
    hy_evictor *evictor;         /* needed for cold-cache timing           */
    double llc_bytes;            /* last-level cache for streamed timing;
                                    0: detected (hy_cache_info_detect)    */
    hy_results *results;         /* where entries go                       */
} hy_bench_env;

typedef struct hy_bench_outcome {
    char name[320];
    char status[24];     /* "ok", "validation-failed", "unsupported",
                            "error", "skipped" (already in a resumed file) */
    char message[512];
    double flops, bytes;
    double median_s;     /* NaN unless ok                                   */
    double gflops, gbps, intensity, roofline_fraction; /* from the median   */
    double validation_error, tolerance;
    int64_t validated_T;
    int validation_reduced;
    hy_cache_mode cache; /* how it was timed: WARM, COLD or STREAMED        */
    int copies;          /* streamed: copies of the case cycled through     */
} hy_bench_outcome;

/* The roofline peaks a shape of arithmetic intensity `intensity` (FLOP per
 * byte) is held to (0 when not measured): a GPU backend's device ceilings
 * (FMA peak, or tensor-core peak for a bf16 variant; device copy), else the
 * CPU's (o->roofline_isa, all threads, DRAM triad).  Used by every timed
 * entry, so that each carries its roofline fraction. */
void hy_bench_roofline_peaks(const hy_ceilings *ceil, const hy_backend *b,
                             const hy_kernel_variant *v, const hy_bench_opts *o, double intensity,
                             double *peak_gflops, double *peak_gbps);

/* Validates, then (on a pass) times variant v on shape s and adds the
 * entry to env->results.  Kernel failures are recorded and are not errors
 * of this function; it returns -1 only when the results file cannot be
 * written (or arguments are invalid). */
int hy_bench_run(const hy_bench_env *env, const hy_kernel_variant *v, const hy_bench_shape *s,
                 const hy_bench_opts *o, hy_bench_outcome *out, hy_error *err);

/* The `hybench bench` command (main.c dispatches "bench" to it). */
int hy_cmd_bench(int argc, char **argv);

#ifdef __cplusplus
}
#endif
#endif
