/* hy_memory.c — bytes of weights, KV cache, conv state and SSM state for
 * one sequence of `context` tokens (batch 1).
 *
 *   weights    = parameters (hy_config_params().total) x weight dtype size
 *   kv_cache   = attention layers x 2 (k and v) x nKV x hd x context x cache size
 *   conv_state = Mamba layers x Di x K x cache size (HF keeps K inputs)
 *   ssm_state  = Mamba layers x Di x N x 4 (the scan state stays fp32)
 *
 * Jamba v0.1 at 262144 tokens with a 16-bit cache: 4 x 2 x 8 x 128 x 262144
 * x 2 B = 4 GiB of KV cache, the Jamba paper's figure. */
#include "hy_memory.h"

#include "hy_config.h"

hy_memory_bytes hy_memory_account(const hy_config *c0, int64_t context, hy_dtype weight_dtype,
                                  hy_dtype cache_dtype)
{
    hy_memory_bytes m = {0, 0, 0, 0};
    hy_config c = *c0;
    if (hy_config_validate(&c, NULL) != 0) return m;
    if (context < 0) context = 0;
    double attn = (double)hy_config_count_attention_layers(&c);
    double mamba = (double)c.n_layers - attn;
    double wsize = (double)hy_dtype_size(weight_dtype), csize = (double)hy_dtype_size(cache_dtype);
    m.weights = (double)hy_config_params(&c).total * wsize;
    m.kv_cache = attn * 2.0 * (double)c.n_kv_heads * (double)c.head_dim * (double)context * csize;
    m.conv_state = mamba * (double)c.d_inner * (double)c.d_conv * csize;
    m.ssm_state = mamba * (double)c.d_inner * (double)c.d_state * 4.0;
    return m;
}
