/* hy_runtime_internal.h — private layout of hy_runtime (model/hy_forward.h),
 * shared by hy_runtime_alloc.c (create, reset, destroy), hy_forward_layers.c
 * (the layer pass through the kernel table) and hy_forward.c (the public
 * forward call).  Not part of the interface.
 *
 * Every pointer named "device" below was returned by the backend's alloc,
 * or, on a backend with host_memory set, may be a host pointer used in
 * place (weights are then not copied). */
#ifndef HY_RUNTIME_INTERNAL_H
#define HY_RUNTIME_INTERNAL_H

#include "hy_forward.h"

/* One layer's weights (device) and caches (device). */
typedef struct hy_rt_layer {
    int is_attention;
    int64_t n_experts;           /* 1 = dense MLP                          */
    const float *input_norm;     /* [H]                                    */
    const float *ff_norm;        /* [H]                                    */
    hy_attn_weights attn;        /* device pointers, attention layers      */
    hy_mamba_weights mamba;      /* device pointers, Mamba layers          */
    const float *router;         /* [E, H] or NULL (dense)                 */
    const float **gate;          /* host array [n_experts] of device [I, H] */
    const float **up;            /* host array [n_experts] of device [I, H] */
    const float **down;          /* host array [n_experts] of device [H, I] */
    float *k_cache;              /* [nKV, capacity, hd], attention layers  */
    float *v_cache;              /* [nKV, capacity, hd], attention layers  */
    float *conv_state;           /* [Di, K], Mamba layers                  */
    float *ssm_state;            /* [Di, N], Mamba layers                  */
} hy_rt_layer;

struct hy_runtime {
    const hy_backend *b;
    hy_exec *ex;
    hy_config cfg;                   /* validated copy                     */
    const hy_model_weights *host_w;  /* caller's; must outlive the runtime */

    int64_t max_chunk;   /* most tokens per call, as asked              */
    int64_t rows;        /* scratch rows = min(max_chunk, capacity)      */
    int64_t capacity;    /* most tokens in the sequence                  */
    int64_t length;      /* tokens in the sequence so far                */
    int broken;          /* a kernel failed mid-pass: state is undefined */

    const hy_kernel_variant *variant[HY_FAM_COUNT]; /* NULL = unused     */

    hy_rt_layer *layers;     /* [L]                                      */
    const float *final_norm; /* device [H]                               */
    const float *lm_head;    /* device [V, H]                            */

    /* Scratch activations (device), `rows` tokens each; NULL when the
     * model has no layer that needs them. */
    float *h;        /* [rows, H]        residual stream                  */
    float *normed;   /* [rows, H]        RMSNorm output                   */
    float *q;        /* [rows, nH*hd]                                     */
    float *k;        /* [rows, nKV*hd]                                    */
    float *v;        /* [rows, nKV*hd]                                    */
    float *attn_out; /* [rows, nH*hd]                                     */
    float *xz;       /* [rows, 2*Di]     in_proj output: x half, z half   */
    float *u;        /* [rows, Di]       conv + SiLU output               */
    float *p;        /* [rows, R+2N]     x_proj output: dt, B, C          */
    float *delta;    /* [rows, Di]       dt_proj output, no bias          */
    float *y;        /* [rows, Di]       scan output (gated)              */
    float *logits;   /* [rows, V]        NULL on host_memory backends     */
    float *embed_stage; /* host [rows, H] gathered embedding rows (device
                           backends only; host backends gather into h)    */

    void *work;          /* device workspace, work_bytes                  */
    size_t work_bytes;

    /* Pass state. */
    int sizing;          /* 1: kernel calls only record their workspace   */
    size_t work_need;    /* max workspace seen while sizing               */
    float *logits_out;   /* where lm_head writes: logits or the caller's  */

    /* Device allocations owned by the runtime (freed by destroy). */
    void **allocs;
    size_t n_allocs, cap_allocs;
};

/* Runs the layers, the final norm and lm_head for T tokens whose embeddings
 * are in rt->h, with pos0 tokens already in the caches.  lm_head writes to
 * rt->logits_out.  With rt->sizing set no kernel runs: only rt->work_need
 * grows to the workspace the real pass would need. */
int hy_rt_pass(hy_runtime *rt, int64_t T, int64_t pos0, hy_error *err);

/* Makes the workspace large enough for a pass of T tokens at pos0 (a
 * sizing pass, then a bigger buffer if needed).  Changes no state but the
 * workspace. */
int hy_rt_ensure_workspace(hy_runtime *rt, int64_t T, int64_t pos0, hy_error *err);

#endif
