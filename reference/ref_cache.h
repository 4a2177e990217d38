/* ref_cache.h — private to reference/: the layout of hy_ref_cache, shared
 * by ref_cache.c (create, reset, destroy) and ref_forward.c (use). */
#ifndef HY_REF_CACHE_H
#define HY_REF_CACHE_H

#include "hy_reference.h"

typedef struct hy_ref_layer_cache {
    int is_attention;
    float *k;    /* [nKV, capacity, hd]   attention layers, else NULL */
    float *v;    /* [nKV, capacity, hd]                                */
    float *conv; /* [Di, K]  last K pre-conv inputs, oldest first; Mamba layers, else NULL */
    float *ssm;  /* [Di, N]  SSM state h                                */
} hy_ref_layer_cache;

struct hy_ref_cache {
    /* the dimensions the buffers were made for; hy_ref_forward checks that
     * its config agrees */
    int64_t n_layers, n_kv_heads, head_dim, d_inner, d_conv, d_state;
    int64_t capacity; /* most tokens in the sequence    */
    int64_t length;   /* tokens seen so far             */
    hy_ref_layer_cache *layers; /* [n_layers] */
};

#endif
