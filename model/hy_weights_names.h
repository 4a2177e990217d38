/* hy_weights_names.h — private to model/hy_weights*.c: the one walk over a
 * model's tensors (HF name, shape, init rule, where its pointer goes) and
 * the lookup of a tensor in a safetensors set under its HF name, its legacy
 * names, or as a slice of a transformers-v5 fused expert tensor. */
#ifndef HY_WEIGHTS_NAMES_H
#define HY_WEIGHTS_NAMES_H

#include "hy_safetensors.h"
#include "hy_weights.h"

/* How hy_model_random fills a tensor (see hy_weights.h). */
typedef enum hy_init_rule {
    HY_INIT_NORMAL,  /* N(0, 0.02): Linear, Conv, embedding, biases */
    HY_INIT_NORM,    /* 1 + U(-0.1, 0.1): RMSNorm weights           */
    HY_INIT_ONE,     /* 1: Mamba D                                  */
    HY_INIT_A_LOG,   /* log(1..N) in every row                      */
    HY_INIT_DT_BIAS, /* inverse softplus of dt log-uniform [1e-3, 1e-1] */
} hy_init_rule;

typedef enum hy_ffn_part { HY_FFN_NONE = -1, HY_FFN_GATE = 0, HY_FFN_UP = 1, HY_FFN_DOWN = 2 } hy_ffn_part;

typedef struct hy_weight_slot {
    hy_tensor_spec spec;
    const float **dst;  /* where the tensor's pointer goes; NULL when only listing */
    int64_t layer;      /* -1 for model-level tensors                         */
    int64_t expert;     /* expert index on MoE layers, -1 otherwise            */
    int64_t n_experts;  /* experts of this layer (E on MoE layers, else 1)     */
    hy_ffn_part part;   /* FFN projection, HY_FFN_NONE for other tensors       */
    hy_init_rule init;
} hy_weight_slot;

typedef int (*hy_slot_visit)(const hy_weight_slot *s, void *ctx, hy_error *err);

/* Visits every tensor in file order.  w may be NULL (listing only);
 * otherwise w->layers and each layer's ffn.gate/up/down arrays must be
 * allocated (n_experts entries) and writable.  Stops at the first visit
 * that returns non-zero and returns that. */
int hy_weights_walk(const hy_config *c, hy_model_weights *w, hy_slot_visit visit, void *ctx,
                    hy_error *err);

/* Where a slot's values live in a set: tensor t, starting `offset`
 * elements in (non-zero only for slices of fused expert tensors). */
typedef struct hy_tensor_source {
    const hy_st_tensor *t;
    int64_t offset;
} hy_tensor_source;

/* Finds a slot's tensor (HF name, legacy names, v5 fused experts) and
 * checks its shape; errors name the tensor, expected and found shapes. */
int hy_weights_find(const hy_st_set *set, const hy_weight_slot *s, hy_tensor_source *src,
                    hy_error *err);

/* "[a, b, c]" */
void hy_format_shape(char *buf, size_t cap, int ndim, const int64_t *shape);

#endif
