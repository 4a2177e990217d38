/* hy_validate.h — the validation driver: each kernel variant of a backend
 * against reference/, one shape at a time, and the model forward of a
 * backend against the reference forward.
 *
 * A "case" is one family on one shape, set up once:
 *   hy_val_case_create   seeded random host inputs (distributions chosen so
 *                        the math is exercised: dt in Mamba's range,
 *                        non-degenerate softmax, MoE top-k without near
 *                        ties), the reference result, device buffers with
 *                        the inputs uploaded
 *   hy_val_case_create_opts  the same, optionally without the reference
 *                        (a timing-only case: same inputs, no scalar
 *                        reference work, hy_val_case_check gives ERROR)
 *                        (a bf16-storage tensor, linear W or the attention
 *                        cache, is drawn in fp32, rounded, uploaded as bf16
 *                        bits and given to the reference as such)
 *   hy_val_case_bind     chooses the variant and allocates its workspace
 *                        (a variant that reads another storage dtype than the
 *                        shape's is not called: its launches report
 *                        HY_UNSUPPORTED with hy_variant_storage_ok's reason)
 *   hy_val_case_reset    re-uploads the in/out tensors (state, caches,
 *                        accumulated outputs) to their initial values
 *   hy_val_case_launch   runs the bound variant once (no reset, no sync)
 *   hy_val_case_check    synchronises, downloads every output (including
 *                        states and caches) and compares it with the
 *                        reference: max|got - ref| / max|ref| against
 *                        hy_tolerance(family, cost.reduction_len, variant dtype)
 *   hy_val_case_destroy
 * so that the benchmark can time hy_val_case_launch on a case that was just
 * validated, or, when the reference of the full shape is too expensive, on
 * a timing-only case with exactly the validation input distributions
 * (hy_bench.h).  hy_validate_variant does the whole sequence for one
 * variant.
 */
#ifndef HY_VALIDATE_H
#define HY_VALIDATE_H

#include "backend.h"
#include "hy_model.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum hy_check_status {
    HY_CHECK_PASS = 0,
    HY_CHECK_FAIL,        /* ran, but the result is outside the tolerance */
    HY_CHECK_UNSUPPORTED, /* the variant returned HY_UNSUPPORTED          */
    HY_CHECK_ERROR,       /* could not run (allocation, kernel error, ...) */
} hy_check_status;

const char *hy_check_status_name(hy_check_status s); /* "PASS", "FAIL", ... */

typedef struct hy_check_result {
    hy_check_status status;
    double error;      /* worst max|got-ref|/max|ref| over the outputs      */
    double tolerance;  /* the family's tolerance for this shape             */
    char worst[24];    /* name of the output with the worst error ("y", ...) */
    char message[512]; /* why it failed / is unsupported; "" on pass        */
} hy_check_result;

/* How a stateful kernel (conv1d, scan, ssd) receives its state. */
typedef enum hy_val_state {
    HY_VAL_STATE_NULL = 0, /* state pointer NULL: zero history, nothing kept */
    HY_VAL_STATE_ZERO,     /* a zero state (fresh sequence), written back    */
    HY_VAL_STATE_RANDOM,   /* a random state (continuation), written back    */
} hy_val_state;

/* One shape of one family, with the options the case needs beyond the
 * kernel's own shape struct. */
typedef struct hy_val_shape {
    hy_family family;
    char label[64];   /* stable, no spaces: "t17_in128_out65_bias" */
    int quick;        /* member of the --quick subset              */
    int strided;      /* inputs/outputs inside wider rows (the x_stride,
                         y_stride, bc_stride, z_stride members)     */
    hy_val_state state; /* conv1d, scan, ssd                        */
    union {
        hy_linear_shape linear;
        hy_rmsnorm_shape rmsnorm;
        hy_conv1d_shape conv1d;
        hy_scan_shape scan;
        hy_ssd_shape ssd;
        hy_attention_shape attention;
        hy_moe_shape moe;
        hy_mlp_shape mlp;
    } s;
} hy_val_shape;

/* The validation shapes of a family (quick: only the --quick subset).
 * Copies up to max into out (out may be NULL) and returns how many exist. */
size_t hy_val_shapes(hy_family f, int quick, hy_val_shape *out, size_t max);

/* The cost of a shape (the family's hy_*_cost). */
hy_cost hy_val_shape_cost(const hy_val_shape *shape);

typedef struct hy_val_case hy_val_case;

int hy_val_case_create(const hy_backend *b, hy_exec *ex, const hy_val_shape *shape, uint64_t seed,
                       hy_val_case **out, hy_error *err);
/* hy_val_case_create with the reference made optional: with_reference = 0
 * gives a timing-only case (the same seeded inputs and device buffers, no
 * reference computed, no host result buffers); bind, reset and launch work
 * as usual, hy_val_case_check reports status ERROR.  hy_val_case_create is
 * this with with_reference = 1. */
int hy_val_case_create_opts(const hy_backend *b, hy_exec *ex, const hy_val_shape *shape,
                            uint64_t seed, int with_reference, hy_val_case **out, hy_error *err);
/* Chooses the variant (of the case's family) and allocates its workspace. */
int hy_val_case_bind(hy_val_case *c, const hy_kernel_variant *v, hy_error *err);
int hy_val_case_reset(hy_val_case *c, hy_error *err);
/* Returns the kernel's status: 0, -1 (err set) or HY_UNSUPPORTED. */
int hy_val_case_launch(hy_val_case *c, hy_error *err);
/* Fills res (status PASS or FAIL, or ERROR when the download fails or the
 * case was created without a reference). */
void hy_val_case_check(hy_val_case *c, hy_check_result *res);
hy_cost hy_val_case_cost(const hy_val_case *c);
const hy_val_shape *hy_val_case_shape(const hy_val_case *c);
void hy_val_case_destroy(hy_val_case *c);

/* max|got - ref| / max|ref| over n values, and the index of the largest
 * difference; a non-finite value in got gives infinity. */
double hy_val_relative_error(const float *got, const float *ref, size_t n, size_t *worst);

/* Smallest gap, over the T tokens, between the k-th and (k+1)-th largest
 * router logit x[t] . router[e] (computed in double; x [T, H], router
 * [E, H]).  Softmax is monotone, so the gap is log(p_k / p_{k+1}): the
 * two probabilities differ by the factor exp(gap).  MoE cases redraw their
 * inputs until it is >= 1e-3, so float rounding cannot flip the top-k set.
 * Infinity when k >= E (nothing can flip); 0 on allocation failure. */
double hy_val_moe_topk_margin(const hy_moe_shape *s, const float *x, const float *router);

/* create, bind, reset, launch, check, destroy: one variant on one shape.
 * A kernel returning HY_UNSUPPORTED gives status UNSUPPORTED with its
 * message; a kernel error gives ERROR. */
void hy_validate_variant(const hy_backend *b, hy_exec *ex, const hy_kernel_variant *v,
                         const hy_val_shape *shape, uint64_t seed, hy_check_result *res);

/* The model forward through hy_runtime (model/hy_forward.h) against
 * hy_ref_forward on `n_tokens` seeded random tokens:
 *   PREFILL  all tokens in one call
 *   DECODE   one token per call
 *   CHUNKED  calls of `chunk` tokens (the last one shorter)
 * Passes when max|got-ref|/max|ref| over all logits <= tolerance. */
typedef enum hy_forward_mode {
    HY_FWD_PREFILL = 0,
    HY_FWD_DECODE,
    HY_FWD_CHUNKED,
} hy_forward_mode;

const char *hy_forward_mode_name(hy_forward_mode m); /* "prefill", "decode", "chunked" */

#define HY_FORWARD_TOLERANCE 1e-4

void hy_validate_forward(const hy_backend *b, const hy_config *c, const hy_model_weights *w,
                         hy_forward_mode mode, int64_t n_tokens, int64_t chunk, uint64_t seed,
                         double tolerance, hy_check_result *res);

/* A small seeded generator (xoshiro256**), shared with the benchmarks so
 * that inputs are the same on every machine. */
typedef struct hy_val_rng {
    uint64_t s[4];
} hy_val_rng;
void hy_val_rng_seed(hy_val_rng *r, uint64_t seed);
uint64_t hy_val_rng_next(hy_val_rng *r);
double hy_val_rng_uniform(hy_val_rng *r);                   /* [0, 1)            */
double hy_val_rng_normal(hy_val_rng *r);                    /* N(0, 1)           */

#ifdef __cplusplus
}
#endif
#endif
