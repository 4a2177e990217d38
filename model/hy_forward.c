/* hy_forward.c — hy_runtime_forward: checks a call, gathers the embedding
 * rows on the host, runs the layer pass through the backend's kernels
 * (hy_forward_layers.c) and brings the logits back.  Same semantics as
 * hy_ref_forward (reference/hy_reference.h): any split of a sequence into
 * calls gives the same logits. */
#include "hy_runtime_internal.h"

#include <string.h>

/* Everything that can be refused before any state changes. */
static int check_call(const hy_runtime *rt, const int32_t *tokens, int64_t T, const float *logits,
                      hy_error *err)
{
    if (rt->broken)
        return hy_fail(err, "runtime state is undefined after an earlier failed call; "
                            "call hy_runtime_reset first");
    if (!tokens || !logits) return hy_fail(err, "hy_runtime_forward: NULL tokens or logits");
    if (T < 1) return hy_fail(err, "hy_runtime_forward: T must be >= 1 (got %lld)", (long long)T);
    if (T > rt->max_chunk)
        return hy_fail(err, "hy_runtime_forward: T = %lld exceeds max_chunk %lld", (long long)T,
                       (long long)rt->max_chunk);
    if (T > rt->capacity - rt->length)
        return hy_fail(err,
                       "hy_runtime_forward: %lld tokens + %lld in the cache overflow its capacity %lld",
                       (long long)T, (long long)rt->length, (long long)rt->capacity);
    for (int64_t t = 0; t < T; t++)
        if (tokens[t] < 0 || tokens[t] >= rt->cfg.vocab)
            return hy_fail(err, "hy_runtime_forward: token id %ld at position %lld is outside the vocabulary [0, %lld)",
                           (long)tokens[t], (long long)t, (long long)rt->cfg.vocab);
    return 0;
}

/* h [T, H] = embed[tokens] (no scaling, no positions; jamba-semantics §3).
 * The embedding stays in host memory: host backends gather straight into
 * h, device backends gather into a host stage and upload it. */
static int embed_tokens(hy_runtime *rt, const int32_t *tokens, int64_t T, hy_error *err)
{
    const int64_t H = rt->cfg.hidden;
    const size_t row = (size_t)H * sizeof(float);
    float *dst = rt->b->host_memory ? rt->h : rt->embed_stage;
    for (int64_t t = 0; t < T; t++)
        memcpy(dst + t * H, rt->host_w->embed + (int64_t)tokens[t] * H, row);
    if (rt->b->host_memory) return 0;
    if (rt->b->upload(rt->ex, rt->h, rt->embed_stage, (size_t)T * row, err))
        return hy_fail_prefix(err, "uploading the embedding rows");
    return 0;
}

int hy_runtime_forward(hy_runtime *rt, const int32_t *tokens, int64_t T, float *logits,
                       hy_error *err)
{
    if (!rt) return hy_fail(err, "hy_runtime_forward: NULL runtime");
    if (check_call(rt, tokens, T, logits, err)) return -1;
    if (hy_rt_ensure_workspace(rt, T, rt->length, err)) return -1;
    if (embed_tokens(rt, tokens, T, err)) return -1;

    /* From here on the caches change: a failure leaves them undefined. */
    rt->logits_out = rt->b->host_memory ? logits : rt->logits;
    int rc = hy_rt_pass(rt, T, rt->length, err);
    if (!rc && !rt->b->host_memory &&
        rt->b->download(rt->ex, logits, rt->logits, (size_t)T * (size_t)rt->cfg.vocab * sizeof(float),
                        err))
        rc = hy_fail_prefix(err, "downloading the logits");
    if (!rc && rt->b->synchronize && rt->b->synchronize(rt->ex, err))
        rc = hy_fail_prefix(err, "backend %s: synchronize", rt->b->name);
    rt->logits_out = NULL;
    if (rc) {
        rt->broken = 1;
        return hy_fail_prefix(err, "forward of %lld tokens at position %lld on backend %s",
                              (long long)T, (long long)rt->length, rt->b->name);
    }
    rt->length += T;
    return 0;
}
