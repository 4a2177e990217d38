/* hy_forward.h — the model forward composed from a backend's kernel table.
 * A runtime holds the weights in the backend's memory (host backends use
 * the host pointers in place), the caches, the scratch buffers and the
 * kernel variant chosen for each family. */
#ifndef HY_FORWARD_H
#define HY_FORWARD_H

#include "backend.h"
#include "hy_model.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hy_runtime hy_runtime;

/* max_chunk: most tokens in one hy_runtime_forward call;
 * capacity: most tokens in the sequence (KV cache length). */
int hy_runtime_create(const hy_backend *b, const hy_config *c, const hy_model_weights *host_w,
                      int64_t max_chunk, int64_t capacity, hy_runtime **out, hy_error *err);
/* Runs T tokens (T <= max_chunk) continuing the sequence; logits: [T, V]
 * host memory.  Same semantics as hy_ref_forward. */
int hy_runtime_forward(hy_runtime *rt, const int32_t *tokens, int64_t T, float *logits,
                       hy_error *err);
void hy_runtime_reset(hy_runtime *rt);        /* empty sequence, caches zeroed */
int64_t hy_runtime_length(const hy_runtime *rt);
/* The variant used for family f, NULL if the model does not use it. */
const hy_kernel_variant *hy_runtime_variant(const hy_runtime *rt, hy_family f);
void hy_runtime_destroy(hy_runtime *rt);

#ifdef __cplusplus
}
#endif
#endif
