/* hy_sweep.h — `hybench sweep`: what each layer kind costs at each
 * sequence length, the composed cost of a model for each attention:Mamba
 * (or local:global sliding-window) ratio, checks of that composition
 * against whole-model runs, memory, and crossover lengths.
 *
 * Method (harness/README.md has the long form).
 *   Layer kinds.  A Jamba layer is input_layernorm + mixer, then
 *   pre_ff_layernorm + FFN (model/hy_forward_layers.c).  Each kind is the
 *   sum of the kernel calls the runtime makes for it, each kernel shape
 *   validated and timed by hy_bench_run (hy_bench.h) with the variant the
 *   runtime would choose (hy_backend_select):
 *     attention mixer   layernorm + q_proj + 2 x kv_proj + attention + o_proj
 *     local attention   the same with the attention kernel's window = W
 *     Mamba mixer       layernorm + in_proj + conv1d + x_proj + dt_layernorm
 *                       + 2 x bc_layernorm + dt_proj + scan + out_proj
 *     dense FFN         layernorm + mlp
 *     MoE FFN           layernorm + moe
 *     head              embedding gather + final layernorm + lm_head
 *   Phases: prefill at L = one call of T = L tokens from an empty cache;
 *   decode at L = one call of T = 1 with L tokens already cached.
 *   Kernels are timed in the cache state they have inside the model.
 *   Prefill: warm (a call re-reads its weights for many tokens).  Decode
 *   of a model whose weights exceed the last-level cache: "streamed" -
 *   each call's data (weights, KV cache, state) has been evicted by the
 *   other layers' by the time it is needed again, while the threads, the
 *   code and the hidden-state activation stay hot.  A streamed timing
 *   cycles back to back through K distinct copies of the kernel's case
 *   (hy_stream_copies, hy_stream_timing.h: the other copies move twice the LLC between
 *   two calls of one; at most 1024, so kernels under ~64 KB stay partly
 *   cached, as their few lines would be prefetched in the model); one
 *   repetition is a round of the K calls, per call = round / K, median and
 *   p10/p90 over 15 rounds.  (Timing a call alone after a full eviction,
 *   as before, charged each call 10-40 us the model does not pay: the
 *   second thread asleep after the eviction, the evictor's dirty lines
 *   written back and a cold TLB; a Mamba layer's 9 calls made hybrid
 *   decode compositions 35% too high.  harness/README.md has the numbers.)  The decode shape is validated and timed warm
 *   first (hy_bench_run), the streamed entry added beside it with the role
 *   "<role>/streamed".  A model that fits the LLC is timed warm.  A decode
 *   kernel whose shape does not depend on L (everything but attention) is
 *   timed once and reused for every L.  Each layer-kind cost carries a
 *   spread: the sums of its kernels' p10 and p90 (an envelope).
 *
 *   Composition.  cost(ratio) = sum over mixer kinds n_kind x mixer cost
 *   + sum over FFN kinds n_kind x FFN cost + head, the counts from the
 *   preset's layer layout under the ratio: hy_config_with_ratio for "a:m"
 *   ratios; for "swaA:G" every layer is attention and, in each period of
 *   A+G layers, the first A are local (window W) and the last G global.
 *   The FFN layout (expert period/offset) is the preset's in every case.
 *
 *   Check.  For the check ratios (at least two Mamba ratios; SWA layouts
 *   cannot be expressed by hy_runtime, which uses one window for every
 *   attention layer), the full-depth model is built (hy_model_random),
 *   its forward validated against the reference forward on a tiny model
 *   of the same layout (hy_validate_forward), then timed through
 *   hy_runtime: prefill of L tokens (reset before each repetition, outside
 *   the timing; 5 repetitions) and 32 decode steps at context L, L+1,
 *   ..., median and p10/p90 of each.  agreement =
 *   (measured - composed) / composed, signed; status "within 10%" or
 *   "outside 10%" (hy_sweep_check_judge), never hidden.
 *
 *   Crossover.  Per phase and ratio, the length where the ratio's composed
 *   per-token time falls below the pure transformer's (1:0), interpolated
 *   linearly in log(length) on log(time ratio) between the two measured
 *   lengths around the sign change: "always" when it is faster at the
 *   smallest length, "none up to Lmax" when never.
 *
 *   Budgets.  Before each (phase, length) the sweep estimates its time
 *   from each kernel's FLOPs and bytes, the measured ceilings and the
 *   slowdown against the roofline seen so far for the family (10x until
 *   one is measured), and its memory from the shapes; a length that does
 *   not fit the per-length budget, the time left under max_time, or the
 *   available memory is skipped with a message, as is a whole-model check.
 *
 * Results.  Kernel timings and whole-model runs are benchmark entries of
 * the results file (hy_results.h), added as they finish; names of the
 * whole-model runs are "model/forward/<backend>/<label>/<phase>/L=<L>/
 * ratio=<r>" with counters composed_seconds and agreement.  The derived
 * numbers (layer-kind costs, composed costs, tokens/s, memory,
 * crossovers, checks) go to a summary JSON beside it (<results>.summary.json,
 * rewritten atomically after every length).  A resumed results file gives
 * back every finished measurement without rerunning it. */
#ifndef HY_SWEEP_H
#define HY_SWEEP_H

#include <stdio.h>

#include "hy_bench.h"
#include "hy_memory.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum hy_mixer_kind {
    HY_MIX_ATTN = 0,   /* global attention (window 0)       */
    HY_MIX_ATTN_LOCAL, /* sliding-window attention, window W */
    HY_MIX_MAMBA,
    HY_MIX_COUNT,
} hy_mixer_kind;

typedef enum hy_ffn_kind {
    HY_FFN_DENSE = 0,
    HY_FFN_MOE,
    HY_FFN_COUNT,
} hy_ffn_kind;

const char *hy_mixer_kind_name(hy_mixer_kind k); /* "attention", "attention-local", "mamba" */
const char *hy_ffn_kind_name(hy_ffn_kind k);     /* "mlp", "moe"                          */

/* One layout: "a:m" (attention:Mamba, e.g. 1:7, 0:1, 1:0) or "swaA:G"
 * (A local sliding-window attention layers to G global ones). */
typedef struct hy_sweep_ratio {
    char text[24];
    int swa;
    int64_t a, b; /* attention, mamba; or local, global */
} hy_sweep_ratio;

int hy_sweep_parse_ratio(const char *text, hy_sweep_ratio *out, hy_error *err);

/* Layers per mixer kind and per FFN kind of base under ratio r. */
typedef struct hy_sweep_layout {
    int64_t n_layers;
    int64_t mixers[HY_MIX_COUNT];
    int64_t ffns[HY_FFN_COUNT];
} hy_sweep_layout;

/* cfg_out (may be NULL): the runnable config of a Mamba ratio; for swa
 * ratios the all-attention config (sliding_window left as in base). */
int hy_sweep_layout_of(const hy_config *base, const hy_sweep_ratio *r, hy_sweep_layout *out,
                       hy_config *cfg_out, hy_error *err);

/* Seconds of one forward call of each layer kind at one (phase, length);
 * NaN where not measured. */
typedef struct hy_sweep_costs {
    double mixer[HY_MIX_COUNT]; /* incl. input_layernorm                 */
    double ffn[HY_FFN_COUNT];   /* incl. pre_ff_layernorm                */
    double head;                /* embedding gather + final norm + lm_head */
} hy_sweep_costs;

void hy_sweep_costs_unknown(hy_sweep_costs *c); /* every cost NaN */

/* A timing's median and spread: lo and hi are the 10th and 90th
 * percentiles of the repetitions (hy_stats_percentile); n = 1 gives the
 * value three times, n = 0 NaN. */
typedef struct hy_sweep_spread {
    double median, lo, hi;
} hy_sweep_spread;

void hy_sweep_spread_of(const double *x, size_t n, hy_sweep_spread *out); /* x: [n] */

/* sum n_kind x cost(kind) + head; NaN when a kind the layout uses (count
 * > 0) has no cost.  Kinds with count 0 are ignored even when NaN. */
double hy_sweep_compose(const hy_sweep_layout *l, const hy_sweep_costs *c);

typedef enum hy_cross_kind {
    HY_CROSS_UNKNOWN = 0, /* fewer than one comparable length          */
    HY_CROSS_ALWAYS,      /* faster already at the smallest length      */
    HY_CROSS_AT,          /* between two measured lengths: `length`     */
    HY_CROSS_NONE,        /* not faster at any length up to lmax        */
} hy_cross_kind;

typedef struct hy_crossover {
    hy_cross_kind kind;
    double length; /* HY_CROSS_AT: interpolated; ALWAYS: lmin            */
    int64_t lmin, lmax; /* smallest and largest comparable length      */
} hy_crossover;

/* L [n] ascending; t_hybrid, t_base [n] per-token (or per-call) times.
 * Lengths where either time is NaN are left out.  The first length where
 * t_hybrid < t_base decides; with a slower length before it the crossing
 * is interpolated: log L* = log L0 + d0 / (d0 - d1) x (log L1 - log L0),
 * d = log(t_hybrid / t_base). */
void hy_sweep_crossover(const int64_t *L, const double *t_hybrid, const double *t_base, size_t n,
                        hy_crossover *out);
/* "always (from L=512)", "at L~3100", "none up to L=32768", "unknown" */
void hy_sweep_crossover_text(const hy_crossover *c, char *buf, size_t len);
/* The crossover lengths the spreads allow: *early from the hybrid's lo
 * against the base's hi (the soonest the hybrid can be faster), *late from
 * the hybrid's hi against the base's lo.  All arrays [n]. */
void hy_sweep_crossover_range(const int64_t *L, const double *th_lo, const double *th_hi,
                              const double *tb_lo, const double *tb_hi, size_t n,
                              hy_crossover *early, hy_crossover *late);

/* Bytes of weights (f32), KV cache, conv and SSM state (f32 caches) at
 * `context` tokens; local layers of swa ratios keep min(context, window)
 * tokens of keys and values. */
int hy_sweep_memory(const hy_config *base, const hy_sweep_ratio *r, int64_t window,
                    int64_t context, hy_memory_bytes *out, hy_error *err);

/* A copy of c with hidden, heads, kv heads (at least 1), intermediate and
 * dt_rank divided by div; head_dim, d_state, d_conv, expand, experts,
 * vocabulary and layer layout kept.  Fails when a division is not exact
 * (hidden, heads, intermediate) or the result is invalid. */
int hy_sweep_scale_config(const hy_config *c, int64_t div, hy_config *out, hy_error *err);

/* ---- the sweep ----------------------------------------------------------- */

#define HY_SWEEP_MAX_SEQ 16
#define HY_SWEEP_MAX_RATIOS 12
#define HY_SWEEP_MAX_CHECKS 8

typedef struct hy_sweep_opts {
    const char *label;           /* config name in benchmark names (no '/') */
    hy_config base;              /* the model                                 */
    int64_t seqs[HY_SWEEP_MAX_SEQ]; /* ascending                             */
    size_t n_seq;
    hy_sweep_ratio ratios[HY_SWEEP_MAX_RATIOS];
    size_t n_ratios;
    int phases[2];               /* [HY_PHASE_PREFILL], [HY_PHASE_DECODE]    */
    int64_t window;              /* W of swa ratios (0: none given)          */
    hy_sweep_ratio checks[HY_SWEEP_MAX_CHECKS]; /* whole-model check ratios  */
    size_t n_checks;
    int64_t check_seq;           /* length of the whole-model checks        */
    int check_repetitions;       /* prefill repetitions (0: 5)              */
    int decode_steps;            /* timed decode steps (0: 32)              */
    double max_time;             /* seconds; 0: none. Nothing starts after  */
    double length_budget;        /* estimated seconds per (phase, length); 0: 120 */
    double check_budget;         /* estimated seconds per check; 0: 180     */
    hy_cache_mode decode_cache;  /* AUTO: streamed when the weights exceed
                                    the LLC, else warm; STREAMED (or COLD): streamed; WARM */
    hy_bench_opts bench;         /* repetitions, min time, seed, threads... */
    FILE *log;                   /* result lines (stdout), or NULL          */
    int progress_force;          /* draw progress even when not a TTY       */
    const char *summary_path;    /* NULL: <results path>.summary.json       */
} hy_sweep_opts;

/* Defaults: both phases, window 0, no checks, budgets as above, bench
 * defaults, log stdout. */
void hy_sweep_opts_default(hy_sweep_opts *o);

typedef struct hy_sweep_point {
    int done;            /* every needed kind has a cost                 */
    char skipped[200];   /* why it was skipped ("" when it ran)          */
    hy_sweep_costs costs;            /* medians                          */
    hy_sweep_costs costs_lo, costs_hi; /* sums of the kernels' p10 / p90 */
} hy_sweep_point;

/* The composed cost of layout l at point p: median from p->costs, lo and
 * hi from costs_lo / costs_hi (an envelope: every kernel at its p10, or
 * every kernel at its p90). */
void hy_sweep_compose_spread(const hy_sweep_layout *l, const hy_sweep_point *p,
                             hy_sweep_spread *out);

typedef struct hy_sweep_check {
    hy_sweep_ratio ratio;
    hy_phase phase;
    int64_t L;
    /* Measured: "within 10%" or "outside 10%" (|agreement| against
     * HY_SWEEP_AGREEMENT_TOLERANCE); not measured: "skipped",
     * "validation-failed" or "error". */
    char status[24];
    char message[240];
    double measured_s;     /* median seconds of one call                   */
    double composed_s;
    double agreement;      /* (measured - composed) / composed, signed     */
    hy_sweep_spread measured;  /* over the repetitions (NaN: not measured)  */
    hy_sweep_spread composed;  /* hy_sweep_compose_spread                   */
    int repetitions;       /* whole-model calls timed                      */
} hy_sweep_check;

#define HY_SWEEP_AGREEMENT_TOLERANCE 0.10

/* Judges a measured check: sets measured_s, composed_s, agreement =
 * (measured - composed) / composed and status "within 10%" or "outside
 * 10%"; status "error" (agreement NaN) when either time is not a positive
 * finite number.  message is left as it is. */
void hy_sweep_check_judge(hy_sweep_check *k, double measured_s, double composed_s);
/* 1 when k holds a measurement (status "within 10%" or "outside 10%"). */
int hy_sweep_check_measured(const hy_sweep_check *k);

typedef struct hy_sweep_result {
    hy_sweep_point points[2][HY_SWEEP_MAX_SEQ]; /* [phase][seq index]        */
    hy_sweep_check checks[2 * HY_SWEEP_MAX_CHECKS];
    size_t n_checks;
    int stopped;           /* max_time reached; the rest was not started    */
    int decode_streamed;   /* decode kernels timed streamed, not warm       */
    size_t kernels_timed, kernels_reused, kernels_resumed, kernels_failed;
    char summary_path[600];
} hy_sweep_result;

/* Runs the sweep into env->results (entries) and the summary file.  A
 * failed kernel or check is recorded and reported in res, not an error;
 * returns -1 only when a file cannot be written or the options are
 * invalid. */
int hy_sweep_run(const hy_bench_env *env, const hy_sweep_opts *o, hy_sweep_result *res,
                 hy_error *err);

/* The per-token table: cost, per-token latency, tokens/s and memory per
 * ratio and length, then the checks and crossovers. */
void hy_sweep_print(FILE *f, const hy_sweep_opts *o, const hy_sweep_result *res);
/* Writes the summary JSON (atomically). */
int hy_sweep_write_summary(const hy_sweep_opts *o, const hy_sweep_result *res, const char *path,
                           hy_error *err);

/* Per-call seconds of ratio r at (phase, seq index i) from res (NaN when
 * unknown); per-token is this / L for prefill, itself for decode. */
double hy_sweep_ratio_seconds(const hy_sweep_opts *o, const hy_sweep_result *res,
                              const hy_sweep_ratio *r, hy_phase ph, size_t i);
/* The same with its spread (hy_sweep_compose_spread); NaN when unknown. */
void hy_sweep_ratio_spread(const hy_sweep_opts *o, const hy_sweep_result *res,
                           const hy_sweep_ratio *r, hy_phase ph, size_t i, hy_sweep_spread *out);

/* The commands (main.c). */
int hy_cmd_sweep(int argc, char **argv);
int hy_cmd_run(int argc, char **argv);

#ifdef __cplusplus
}
#endif
#endif
