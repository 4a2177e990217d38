/* hy_attention.h — causal grouped-query attention against a KV cache
 * (jamba-semantics §4; no positional encoding).
 *
 * The T new tokens sit at absolute positions pos0 .. pos0+T-1.  The kernel
 * first writes their keys and values into the cache rows pos0 .. pos0+T-1,
 * then for each new token at position p and query head h, with KV head
 * g = h / (nH / nKV) (contiguous blocks, HF repeat_kv):
 *   keys seen   j in [lo, p],  lo = 0, or max(0, p - window + 1) with a window
 *   s_j         = scale * q[t, h, :] . K[g, j, :]
 *   out[t, h,:] = sum_j softmax(s)_j V[g, j, :]
 * T > 1 with pos0 = 0 is prefill, T = 1 is decode, any other split is a
 * chunked continuation; all give the same result.
 *
 * The cache may be stored as bf16 (kv_dtype = HY_BF16: k_cache_bf16 and
 * v_cache_bf16, half the decode traffic).  The new rows are then rounded
 * to bf16 (nearest even) as they are written, and every key and value the
 * softmax sees, the new tokens' own included, is the cached bf16 value
 * widened to fp32; q, k, v and out stay fp32. */
#ifndef HY_ATTENTION_H
#define HY_ATTENTION_H

#include "hy_cost.h"

typedef struct hy_exec hy_exec;

typedef struct hy_attention_shape {
    int64_t T;       /* new tokens                               */
    int64_t nH;      /* query heads                              */
    int64_t nKV;     /* key/value heads; divides nH              */
    int64_t hd;      /* head dimension                           */
    int64_t pos0;    /* tokens already in the cache              */
    int64_t cap;     /* cache capacity in tokens, >= pos0 + T    */
    int64_t window;  /* sliding window in tokens, 0 = none       */
    float scale;     /* usually 1/sqrt(hd)                       */
    hy_dtype kv_dtype; /* storage of the cache: HY_F32 (zero, k_cache/v_cache)
                          or HY_BF16 (k_cache_bf16/v_cache_bf16)    */
} hy_attention_shape;

typedef struct hy_attention_args {
    const float *q;     /* [T, nH * hd]                               */
    const float *k;     /* [T, nKV * hd]  new keys                    */
    const float *v;     /* [T, nKV * hd]  new values                  */
    float *k_cache;     /* [nKV, cap, hd] in/out (HF layout, no batch); kv_dtype f32 */
    float *v_cache;     /* [nKV, cap, hd] in/out                      ; kv_dtype f32 */
    float *out;         /* [T, nH * hd]                               */
    uint16_t *k_cache_bf16; /* [nKV, cap, hd] in/out bf16 bits, used when kv_dtype == HY_BF16 */
    uint16_t *v_cache_bf16; /* [nKV, cap, hd] in/out bf16 bits, used when kv_dtype == HY_BF16 */
} hy_attention_args;

typedef int (*hy_attention_fn)(hy_exec *ex, const hy_attention_shape *s,
                               const hy_attention_args *a, void *work, hy_error *err);

hy_cost hy_attention_cost(const hy_attention_shape *s);
int hy_attention_check(const hy_attention_shape *s, hy_error *err); /* also: kv_dtype f32 or bf16 */
/* Number of keys query position p attends to (p is absolute). */
int64_t hy_attention_keys_seen(const hy_attention_shape *s, int64_t p);

#endif
