/* ref_cache.c — the caches of the reference forward (reference/hy_reference.h):
 * per attention layer K and V [nKV, capacity, hd], per Mamba layer the
 * conv state [Di, K] and the SSM state [Di, N]; fp32 host memory, zeroed
 * for an empty sequence. */
#include "ref_cache.h"

#include <stdlib.h>
#include <string.h>

static size_t floats(int64_t a, int64_t b, int64_t c)
{
    return (size_t)a * (size_t)b * (size_t)c * sizeof(float);
}

int hy_ref_cache_create(const hy_config *c, int64_t capacity, hy_ref_cache **out, hy_error *err)
{
    if (!c || !out) return hy_fail(err, "ref cache: config or out is NULL");
    *out = NULL;
    if (capacity <= 0)
        return hy_fail(err, "ref cache: capacity must be > 0 (got %lld)", (long long)capacity);
    if (c->n_layers <= 0)
        return hy_fail(err, "ref cache: n_layers must be > 0 (got %lld)", (long long)c->n_layers);
    int64_t n_attn = hy_config_count_attention_layers(c);
    if (n_attn > 0 && (c->n_kv_heads <= 0 || c->head_dim <= 0))
        return hy_fail(err, "ref cache: n_kv_heads (%lld) and head_dim (%lld) must be > 0",
                       (long long)c->n_kv_heads, (long long)c->head_dim);
    if (n_attn < c->n_layers && (c->d_inner <= 0 || c->d_conv <= 0 || c->d_state <= 0))
        return hy_fail(err, "ref cache: d_inner (%lld), d_conv (%lld) and d_state (%lld) must be > 0",
                       (long long)c->d_inner, (long long)c->d_conv, (long long)c->d_state);

    hy_ref_cache *cache = calloc(1, sizeof *cache);
    if (!cache) return hy_fail(err, "ref cache: out of memory");
    cache->n_layers = c->n_layers;
    cache->n_kv_heads = c->n_kv_heads;
    cache->head_dim = c->head_dim;
    cache->d_inner = c->d_inner;
    cache->d_conv = c->d_conv;
    cache->d_state = c->d_state;
    cache->capacity = capacity;
    cache->length = 0;
    cache->layers = calloc((size_t)c->n_layers, sizeof *cache->layers);
    if (!cache->layers) {
        free(cache);
        return hy_fail(err, "ref cache: out of memory");
    }
    for (int64_t i = 0; i < c->n_layers; i++) {
        hy_ref_layer_cache *lc = &cache->layers[i];
        lc->is_attention = hy_layer_is_attention(c, i);
        int ok;
        if (lc->is_attention) {
            lc->k = calloc(1, floats(c->n_kv_heads, capacity, c->head_dim));
            lc->v = calloc(1, floats(c->n_kv_heads, capacity, c->head_dim));
            ok = lc->k && lc->v;
        } else {
            lc->conv = calloc(1, floats(c->d_inner, c->d_conv, 1));
            lc->ssm = calloc(1, floats(c->d_inner, c->d_state, 1));
            ok = lc->conv && lc->ssm;
        }
        if (!ok) {
            hy_ref_cache_destroy(cache);
            return hy_fail(err, "ref cache: out of memory for layer %lld (capacity %lld)",
                           (long long)i, (long long)capacity);
        }
    }
    *out = cache;
    return 0;
}

void hy_ref_cache_reset(hy_ref_cache *cache)
{
    if (!cache) return;
    for (int64_t i = 0; i < cache->n_layers; i++) {
        hy_ref_layer_cache *lc = &cache->layers[i];
        if (lc->is_attention) {
            memset(lc->k, 0, floats(cache->n_kv_heads, cache->capacity, cache->head_dim));
            memset(lc->v, 0, floats(cache->n_kv_heads, cache->capacity, cache->head_dim));
        } else {
            memset(lc->conv, 0, floats(cache->d_inner, cache->d_conv, 1));
            memset(lc->ssm, 0, floats(cache->d_inner, cache->d_state, 1));
        }
    }
    cache->length = 0;
}

int64_t hy_ref_cache_length(const hy_ref_cache *cache)
{
    return cache ? cache->length : 0;
}

void hy_ref_cache_destroy(hy_ref_cache *cache)
{
    if (!cache) return;
    if (cache->layers)
        for (int64_t i = 0; i < cache->n_layers; i++) {
            free(cache->layers[i].k);
            free(cache->layers[i].v);
            free(cache->layers[i].conv);
            free(cache->layers[i].ssm);
        }
    free(cache->layers);
    free(cache);
}
