/* ref_attention.c — reference causal GQA attention against a KV cache
 * (kernels/hy_attention.h, jamba-semantics §4).
 *
 *   q        [T, nH * hd]       queries of the T new tokens
 *   k, v     [T, nKV * hd]      their keys and values
 *   k_cache  [nKV, cap, hd]     in/out; rows pos0 .. pos0+T-1 are written
 *   v_cache  [nKV, cap, hd]     in/out
 *   out      [T, nH * hd]
 *
 * 1. append: k_cache[g, pos0 + t, :] = k[t, g, :] (same for v).
 * 2. for the token at p = pos0 + t and query head h, KV head g = h / (nH/nKV):
 *      keys j in [lo, p], lo = 0 or max(0, p - window + 1)
 *      s_j = scale * q[t, h, :] . k_cache[g, j, :]
 *      out[t, h, :] = sum_j softmax(s)_j v_cache[g, j, :]
 *    Scores, softmax and the weighted sum are in double.
 * With kv_dtype bf16 the cache is k_cache_bf16/v_cache_bf16: step 1 rounds
 * the new rows to bf16 (nearest even) and step 2 reads every row, the new
 * ones included, widened to fp32 (exactly). */
#include "hy_reference.h"

#include <math.h>
#include <stdlib.h>

/* One stored K or V cache: f32 or bf16 bits, by kv_dtype. */
typedef struct kv_store {
    float *f32;
    uint16_t *bf16;
} kv_store;

static double kv_get(kv_store c, int64_t i)
{
    return c.bf16 ? (double)hy_bf16_to_f32(c.bf16[i]) : (double)c.f32[i];
}

static void kv_put(kv_store c, int64_t i, float v)
{
    if (c.bf16) c.bf16[i] = hy_f32_to_bf16(v);
    else c.f32[i] = v;
}

int hy_ref_attention(const hy_attention_shape *s, const hy_attention_args *a, hy_error *err)
{
    if (!s || !a) return hy_fail(err, "attention: shape or args is NULL");
    if (hy_attention_check(s, err)) return -1;
    const int bf16 = s->kv_dtype == HY_BF16;
    const kv_store K = {bf16 ? NULL : a->k_cache, bf16 ? a->k_cache_bf16 : NULL};
    const kv_store V = {bf16 ? NULL : a->v_cache, bf16 ? a->v_cache_bf16 : NULL};
    if (!a->q || !a->k || !a->v || !(K.f32 || K.bf16) || !(V.f32 || V.bf16) || !a->out)
        return hy_fail(err, "attention: q, k, v, %s and out must not be NULL",
                       bf16 ? "k_cache_bf16, v_cache_bf16" : "k_cache, v_cache");
    const int64_t T = s->T, nH = s->nH, nKV = s->nKV, hd = s->hd, cap = s->cap;
    const int64_t heads_per_kv = nH / nKV;

    /* 1. append the new keys and values to the cache */
    for (int64_t t = 0; t < T; t++)
        for (int64_t g = 0; g < nKV; g++)
            for (int64_t i = 0; i < hd; i++) {
                int64_t row = (g * cap + s->pos0 + t) * hd + i;
                kv_put(K, row, a->k[(t * nKV + g) * hd + i]);
                kv_put(V, row, a->v[(t * nKV + g) * hd + i]);
            }

    double *score = malloc((size_t)(s->pos0 + T) * sizeof *score); /* [keys seen] */
    double *acc = malloc((size_t)hd * sizeof *acc);                 /* [hd]        */
    if (!score || !acc) {
        free(score);
        free(acc);
        return hy_fail(err, "attention: out of memory for %lld scores", (long long)(s->pos0 + T));
    }

    /* 2. causal softmax attention, one (token, head) at a time */
    for (int64_t t = 0; t < T; t++) {
        const int64_t p = s->pos0 + t;
        const int64_t n_keys = hy_attention_keys_seen(s, p);
        const int64_t lo = p - n_keys + 1;
        for (int64_t h = 0; h < nH; h++) {
            const int64_t g = h / heads_per_kv;
            const float *q_th = a->q + (t * nH + h) * hd; /* [hd]     */
            const int64_t kv_g = g * cap * hd;            /* K, V [g]: [cap, hd] */

            double max_score = -INFINITY;
            for (int64_t j = 0; j < n_keys; j++) {
                double dot = 0.0;
                for (int64_t i = 0; i < hd; i++)
                    dot += (double)q_th[i] * kv_get(K, kv_g + (lo + j) * hd + i);
                score[j] = (double)s->scale * dot;
                if (score[j] > max_score) max_score = score[j];
            }
            double sum = 0.0;
            for (int64_t j = 0; j < n_keys; j++) {
                score[j] = exp(score[j] - max_score);
                sum += score[j];
            }
            for (int64_t i = 0; i < hd; i++) acc[i] = 0.0;
            for (int64_t j = 0; j < n_keys; j++)
                for (int64_t i = 0; i < hd; i++)
                    acc[i] += score[j] * kv_get(V, kv_g + (lo + j) * hd + i);
            float *out_th = a->out + (t * nH + h) * hd; /* [hd] */
            for (int64_t i = 0; i < hd; i++) out_th[i] = (float)(acc[i] / sum);
        }
    }
    free(score);
    free(acc);
    return 0;
}
