/* hy_model.c — the layer layout rule of jamba-semantics §2. */
#include "hy_model.h"

int hy_layer_is_attention(const hy_config *c, int64_t layer)
{
    return c->attn_period > 0 && layer % c->attn_period == c->attn_offset;
}

int64_t hy_layer_experts(const hy_config *c, int64_t layer)
{
    if (c->n_experts > 1 && c->expert_period > 0 && layer % c->expert_period == c->expert_offset)
        return c->n_experts;
    return 1;
}

int64_t hy_config_count_attention_layers(const hy_config *c)
{
    int64_t n = 0;
    for (int64_t i = 0; i < c->n_layers; i++)
        n += hy_layer_is_attention(c, i);
    return n;
}
