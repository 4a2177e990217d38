/* hy_model.h — the model contract: a Jamba-family configuration and a view
 * of its weights as plain float pointers.  Data only; model/ fills these
 * (presets, config.json, safetensors), reference/ and model/forward read
 * them.  Names and shapes follow jamba-semantics §8. */
#ifndef HY_MODEL_H
#define HY_MODEL_H

#include "hy_common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hy_config {
    char name[64];           /* preset name or "config.json"            */
    int64_t vocab;           /* V   vocab_size                          */
    int64_t hidden;          /* H   hidden_size                         */
    int64_t n_layers;        /* L   num_hidden_layers                   */
    int64_t n_heads;         /* nH  num_attention_heads                 */
    int64_t n_kv_heads;      /* nKV num_key_value_heads                 */
    int64_t head_dim;        /* hd  = H / nH (or head_dim key)          */
    int64_t intermediate;    /* I   intermediate_size                   */
    int64_t n_experts;       /* E   num_experts (1 = all dense)         */
    int64_t top_k;           /* k   num_experts_per_tok                 */
    int64_t d_state;         /* N   mamba_d_state                       */
    int64_t d_conv;          /* K   mamba_d_conv                        */
    int64_t expand;          /*     mamba_expand                        */
    int64_t d_inner;         /* Di  = expand * H                        */
    int64_t dt_rank;         /* R   mamba_dt_rank ("auto" = ceil(H/16)) */
    int64_t attn_period;     /*     attn_layer_period                   */
    int64_t attn_offset;     /*     attn_layer_offset                   */
    int64_t expert_period;   /*     expert_layer_period                 */
    int64_t expert_offset;   /*     expert_layer_offset                 */
    double rms_eps;          /*     rms_norm_eps                        */
    int tie_embeddings;      /*     tie_word_embeddings                 */
    int conv_bias;           /*     mamba_conv_bias                     */
    int proj_bias;           /*     mamba_proj_bias                     */
    int64_t sliding_window;  /*     sliding_window (0 = none)           */
    int64_t max_positions;   /*     max_position_embeddings             */
} hy_config;

/* Layer layout (jamba-semantics §2). */
int hy_layer_is_attention(const hy_config *c, int64_t layer);
int64_t hy_layer_experts(const hy_config *c, int64_t layer); /* E or 1 */
int64_t hy_config_count_attention_layers(const hy_config *c);

typedef struct hy_attn_weights {
    const float *q_proj; /* [nH*hd, H]  */
    const float *k_proj; /* [nKV*hd, H] */
    const float *v_proj; /* [nKV*hd, H] */
    const float *o_proj; /* [H, nH*hd]  */
} hy_attn_weights;

typedef struct hy_mamba_weights {
    const float *in_proj;      /* [2*Di, H]           */
    const float *in_proj_bias; /* [2*Di] or NULL      */
    const float *conv_w;       /* [Di, K] (file [Di,1,K]) */
    const float *conv_b;       /* [Di] or NULL        */
    const float *x_proj;       /* [R+2N, Di]          */
    const float *dt_proj;      /* [Di, R]             */
    const float *dt_bias;      /* [Di]                */
    const float *A_log;        /* [Di, N]             */
    const float *A;            /* [Di, N] -expf(A_log), computed by the
                                  runtime at load (NULL in a weights file's
                                  view: the scan then uses A_log) */
    const float *D;            /* [Di]                */
    const float *out_proj;     /* [H, Di]             */
    const float *out_proj_bias;/* [H] or NULL         */
    const float *dt_norm;      /* [R]                 */
    const float *b_norm;       /* [N]                 */
    const float *c_norm;       /* [N]                 */
} hy_mamba_weights;

typedef struct hy_ffn_weights {
    int64_t n_experts;          /* 1 = dense MLP, router NULL         */
    const float *router;        /* [E, H] or NULL                     */
    const float *const *gate;   /* n_experts pointers, each [I, H]    */
    const float *const *up;     /* n_experts pointers, each [I, H]    */
    const float *const *down;   /* n_experts pointers, each [H, I]    */
} hy_ffn_weights;

typedef struct hy_layer_weights {
    const float *input_norm;    /* [H] input_layernorm     */
    const float *ff_norm;       /* [H] pre_ff_layernorm    */
    hy_attn_weights attn;       /* set on attention layers */
    hy_mamba_weights mamba;     /* set on Mamba layers     */
    hy_ffn_weights ffn;
} hy_layer_weights;

typedef struct hy_model_weights {
    const float *embed;         /* [V, H]                               */
    const float *final_norm;    /* [H]                                  */
    const float *lm_head;       /* [V, H] (== embed when tied)          */
    hy_layer_weights *layers;   /* [L]                                  */
} hy_model_weights;

#ifdef __cplusplus
}
#endif
#endif
