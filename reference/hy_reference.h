/* hy_reference.h — scalar, double-accumulating, obviously-correct kernels
 * and the reference full-model forward.  Inputs and outputs are float;
 * every sum, norm, softmax and recurrence is carried in double.  These are
 * the oracle every backend is validated against; they are written to be
 * read, not to be fast.  Each kernel has the family contract's semantics
 * (kernels/hy_*.h) and returns 0, or -1 with a message for a bad shape. */
#ifndef HY_REFERENCE_H
#define HY_REFERENCE_H

#include "hy_kernel.h"
#include "hy_model.h"

#ifdef __cplusplus
extern "C" {
#endif

int hy_ref_linear(const hy_linear_shape *s, const hy_linear_args *a, hy_error *err);
int hy_ref_rmsnorm(const hy_rmsnorm_shape *s, const hy_rmsnorm_args *a, hy_error *err);
int hy_ref_conv1d(const hy_conv1d_shape *s, const hy_conv1d_args *a, hy_error *err);
int hy_ref_scan(const hy_scan_shape *s, const hy_scan_args *a, hy_error *err);
/* The SSD reference is the plain sequential recurrence (not chunked). */
int hy_ref_ssd(const hy_ssd_shape *s, const hy_ssd_args *a, hy_error *err);
int hy_ref_attention(const hy_attention_shape *s, const hy_attention_args *a, hy_error *err);
int hy_ref_moe(const hy_moe_shape *s, const hy_moe_args *a, hy_error *err);
int hy_ref_mlp(const hy_mlp_shape *s, const hy_mlp_args *a, hy_error *err);

/* Caches of the reference forward: per attention layer K and V
 * [nKV, capacity, hd]; per Mamba layer conv state [Di, K] and SSM state
 * [Di, N]; all fp32, host memory. */
typedef struct hy_ref_cache hy_ref_cache;

int hy_ref_cache_create(const hy_config *c, int64_t capacity, hy_ref_cache **out, hy_error *err);
void hy_ref_cache_reset(hy_ref_cache *cache); /* back to an empty sequence */
int64_t hy_ref_cache_length(const hy_ref_cache *cache); /* tokens seen so far */
void hy_ref_cache_destroy(hy_ref_cache *cache);

/* Runs T tokens through the model, continuing the sequence held in cache
 * (prefill when the cache is empty; T = 1 is a decode step; any split of a
 * sequence gives the same logits).  logits: [T, V].  Fails (nothing
 * changed) when a token id is out of range or the cache would overflow. */
int hy_ref_forward(const hy_config *c, const hy_model_weights *w, hy_ref_cache *cache,
                   const int32_t *tokens, int64_t T, float *logits, hy_error *err);

#ifdef __cplusplus
}
#endif
#endif
