/* ref_moe.c — reference mixture of experts, Jamba / HF form
 * (kernels/hy_moe.h, jamba-semantics §7).
 *
 *   x        [T, H]
 *   w_router [E, H]
 *   w_gate   E pointers, each [I, H]
 *   w_up     E pointers, each [I, H]
 *   w_down   E pointers, each [H, I]
 *   y        [T, H]
 *
 * For each token, in double:
 *   prob     = softmax(x W_router^T) over all E experts
 *   top-k    the k largest probabilities, ties to the lower expert index
 *   y[t, :]  = (accumulate ? y[t, :] : 0) + sum_j prob[e_j] * expert_{e_j}(x[t, :])
 * with no renormalisation of the k weights; expert_e(x) = down(silu(gate x) * up x). */
#include "hy_reference.h"

#include <math.h>
#include <stdlib.h>

/* out[H] = w_down (silu(w_gate x) * (w_up x)), in double.  act: [I] scratch. */
static void swiglu_expert(int64_t H, int64_t I, const float *x, const float *w_gate,
                          const float *w_up, const float *w_down, double *act, double *out)
{
    for (int64_t i = 0; i < I; i++) {
        double gate = 0.0, up = 0.0;
        for (int64_t h = 0; h < H; h++) {
            gate += (double)w_gate[i * H + h] * (double)x[h];
            up += (double)w_up[i * H + h] * (double)x[h];
        }
        act[i] = hy_silu(gate) * up;
    }
    for (int64_t h = 0; h < H; h++) {
        double acc = 0.0;
        for (int64_t i = 0; i < I; i++) acc += (double)w_down[h * I + i] * act[i];
        out[h] = acc;
    }
}

int hy_ref_moe(const hy_moe_shape *s, const hy_moe_args *a, hy_error *err)
{
    if (!s || !a) return hy_fail(err, "moe: shape or args is NULL");
    if (hy_moe_check(s, err)) return -1;
    if (!a->x || !a->w_router || !a->w_gate || !a->w_up || !a->w_down || !a->y)
        return hy_fail(err, "moe: x, w_router, w_gate, w_up, w_down and y must not be NULL");
    const int64_t T = s->T, H = s->H, I = s->I, E = s->E, k = s->k;
    for (int64_t e = 0; e < E; e++)
        if (!a->w_gate[e] || !a->w_up[e] || !a->w_down[e])
            return hy_fail(err, "moe: the weights of expert %lld are NULL", (long long)e);

    double *prob = malloc((size_t)E * sizeof *prob);   /* [E] */
    char *taken = malloc((size_t)E);                   /* [E] */
    double *act = malloc((size_t)I * sizeof *act);     /* [I] */
    double *out = malloc((size_t)H * sizeof *out);     /* [H] one expert's output */
    double *acc = malloc((size_t)H * sizeof *acc);     /* [H] the combined output */
    int rc = 0;
    if (!prob || !taken || !act || !out || !acc) rc = hy_fail(err, "moe: out of memory");

    for (int64_t t = 0; rc == 0 && t < T; t++) {
        const float *x_t = a->x + t * H; /* [H] */
        float *y_t = a->y + t * H;       /* [H] */

        /* 1. router logits and softmax over all experts */
        double max_logit = -INFINITY;
        for (int64_t e = 0; e < E; e++) {
            double logit = 0.0;
            for (int64_t h = 0; h < H; h++)
                logit += (double)a->w_router[e * H + h] * (double)x_t[h];
            prob[e] = logit;
            if (logit > max_logit) max_logit = logit;
        }
        double sum = 0.0;
        for (int64_t e = 0; e < E; e++) {
            prob[e] = exp(prob[e] - max_logit);
            sum += prob[e];
        }
        for (int64_t e = 0; e < E; e++) prob[e] /= sum;

        /* 2. top-k: k rounds of "largest not yet taken"; the strict > keeps
         *    the lower index on ties.  3. combine, no renormalisation. */
        for (int64_t h = 0; h < H; h++) acc[h] = s->accumulate ? (double)y_t[h] : 0.0;
        for (int64_t e = 0; e < E; e++) taken[e] = 0;
        for (int64_t j = 0; j < k; j++) {
            int64_t best = -1;
            for (int64_t e = 0; e < E; e++)
                if (!taken[e] && (best < 0 || prob[e] > prob[best])) best = e;
            taken[best] = 1;
            swiglu_expert(H, I, x_t, a->w_gate[best], a->w_up[best], a->w_down[best], act, out);
            for (int64_t h = 0; h < H; h++) acc[h] += prob[best] * out[h];
        }
        for (int64_t h = 0; h < H; h++) y_t[h] = (float)acc[h];
    }
    free(prob);
    free(taken);
    free(act);
    free(out);
    free(acc);
    return rc;
}
