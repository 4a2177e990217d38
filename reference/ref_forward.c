/* ref_forward.c — the reference Jamba forward pass (jamba-semantics §3-§7),
 * composed only of the hy_ref_* kernels.  Reads top to bottom:
 *
 *   h = embed[tokens]                                   [T, H]
 *   for each layer:
 *     h += Mixer(RMSNorm(h; input_norm))                attention or Mamba
 *     h += FFN(RMSNorm(h; ff_norm))                     dense MLP or MoE
 *   logits = RMSNorm(h; final_norm) lm_head^T           [T, V]
 *
 * The T tokens continue the sequence held in the cache (positions
 * length .. length+T-1), so a prefill, single-token decodes and any split
 * of a sequence give the same logits.  Everything that can be checked is
 * checked before the cache is touched; a kernel failure half-way (which a
 * validated call cannot produce) leaves the cache to be reset. */
#include "ref_cache.h"

#include <math.h>
#include <stdlib.h>

/* ---- scratch: one allocation carved into named views (llm.c style) -------- */
typedef struct fwd_scratch {
    float *h;     /* [T, H]          residual stream                              */
    float *xn;    /* [T, H]          normalised input of the current block        */
    float *q;     /* [T, nH * hd]    attention queries                            */
    float *k;     /* [T, nKV * hd]   new keys                                     */
    float *v;     /* [T, nKV * hd]   new values                                   */
    float *att;   /* [T, nH * hd]    attention output before o_proj               */
    float *xz;    /* [T, 2 * Di]     in_proj output: x = [:, :Di], z = [:, Di:]   */
    float *u;     /* [T, Di]         SiLU(conv(x) + conv_bias)                    */
    float *p;     /* [T, R + 2N]     x_proj output: dt_r | B | C (normed in place) */
    float *delta; /* [T, Di]         dt_proj output, without its bias             */
    float *ys;    /* [T, Di]         gated scan output                            */
    float *base;
} fwd_scratch;

static int scratch_alloc(const hy_config *c, int64_t T, fwd_scratch *s, hy_error *err)
{
    const int64_t H = c->hidden, Di = c->d_inner, R = c->dt_rank, N = c->d_state;
    const int64_t qw = c->n_heads * c->head_dim, kvw = c->n_kv_heads * c->head_dim;
    int64_t sizes[] = {T * H, T * H, T * qw, T * kvw, T * kvw, T * qw,
                       T * 2 * Di, T * Di, T * (R + 2 * N), T * Di, T * Di};
    float **views[] = {&s->h, &s->xn, &s->q, &s->k, &s->v, &s->att,
                       &s->xz, &s->u, &s->p, &s->delta, &s->ys};
    size_t total = 0;
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        if (sizes[i] < 0) sizes[i] = 0; /* a kind of layer the model does not have */
        total += (size_t)sizes[i];
    }
    s->base = malloc(total * sizeof(float));
    if (!s->base) return hy_fail(err, "ref forward: out of memory for %zu scratch floats", total);
    float *next = s->base;
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        *views[i] = next;
        next += sizes[i];
    }
    return 0;
}

/* ---- checks done before anything changes ----------------------------------- */
static int check_config(const hy_config *c, const hy_ref_cache *cache, hy_error *err)
{
    if (c->vocab <= 0 || c->hidden <= 0 || c->n_layers <= 0)
        return hy_fail(err, "ref forward: vocab, hidden and n_layers must be > 0");
    if (!(c->rms_eps >= 0.0) || !isfinite(c->rms_eps))
        return hy_fail(err, "ref forward: rms_eps must be finite and >= 0");
    if (cache->n_layers != c->n_layers || cache->n_kv_heads != c->n_kv_heads ||
        cache->head_dim != c->head_dim || cache->d_inner != c->d_inner ||
        cache->d_conv != c->d_conv || cache->d_state != c->d_state)
        return hy_fail(err, "ref forward: the cache was created for a different config");
    int64_t n_attn = hy_config_count_attention_layers(c);
    if (n_attn > 0 && (c->n_heads <= 0 || c->n_kv_heads <= 0 || c->head_dim <= 0 ||
                       c->n_heads % c->n_kv_heads != 0))
        return hy_fail(err, "ref forward: n_heads (%lld) must be a positive multiple of "
                            "n_kv_heads (%lld), head_dim (%lld) > 0",
                       (long long)c->n_heads, (long long)c->n_kv_heads, (long long)c->head_dim);
    if (n_attn < c->n_layers && (c->d_inner <= 0 || c->d_state <= 0 || c->d_conv <= 0 ||
                                 c->dt_rank <= 0))
        return hy_fail(err, "ref forward: d_inner, d_state, d_conv and dt_rank must be > 0");
    if (c->intermediate <= 0) return hy_fail(err, "ref forward: intermediate must be > 0");
    if (c->n_experts > 1 && (c->top_k < 1 || c->top_k > c->n_experts))
        return hy_fail(err, "ref forward: top_k (%lld) must be in [1, n_experts = %lld]",
                       (long long)c->top_k, (long long)c->n_experts);
    if (c->sliding_window < 0) return hy_fail(err, "ref forward: sliding_window must be >= 0");
    return 0;
}

#define NEED(ptr, what)                                                                  \
    do {                                                                                 \
        if (!(ptr)) return hy_fail(err, "ref forward: layer %lld: %s is NULL", (long long)i, what); \
    } while (0)

static int check_weights(const hy_config *c, const hy_model_weights *w, hy_error *err)
{
    if (!w->embed || !w->final_norm || !w->layers)
        return hy_fail(err, "ref forward: embed, final_norm and layers must not be NULL");
    if (!c->tie_embeddings && !w->lm_head)
        return hy_fail(err, "ref forward: lm_head is NULL and embeddings are not tied");
    for (int64_t i = 0; i < c->n_layers; i++) {
        const hy_layer_weights *lw = &w->layers[i];
        NEED(lw->input_norm, "input_layernorm");
        NEED(lw->ff_norm, "pre_ff_layernorm");
        if (hy_layer_is_attention(c, i)) {
            NEED(lw->attn.q_proj, "q_proj");
            NEED(lw->attn.k_proj, "k_proj");
            NEED(lw->attn.v_proj, "v_proj");
            NEED(lw->attn.o_proj, "o_proj");
        } else {
            const hy_mamba_weights *m = &lw->mamba;
            NEED(m->in_proj, "in_proj");
            NEED(m->conv_w, "conv1d.weight");
            NEED(m->x_proj, "x_proj");
            NEED(m->dt_proj, "dt_proj.weight");
            NEED(m->dt_bias, "dt_proj.bias");
            NEED(m->A_log, "A_log");
            NEED(m->D, "D");
            NEED(m->out_proj, "out_proj");
            NEED(m->dt_norm, "dt_layernorm");
            NEED(m->b_norm, "b_layernorm");
            NEED(m->c_norm, "c_layernorm");
            if (c->conv_bias) NEED(m->conv_b, "conv1d.bias");
            if (c->proj_bias) NEED(m->in_proj_bias, "in_proj.bias");
            if (c->proj_bias) NEED(m->out_proj_bias, "out_proj.bias");
        }
        const hy_ffn_weights *f = &lw->ffn;
        int64_t E = hy_layer_experts(c, i);
        if (f->n_experts != E)
            return hy_fail(err, "ref forward: layer %lld: ffn has %lld experts, config says %lld",
                           (long long)i, (long long)f->n_experts, (long long)E);
        if (E > 1) NEED(f->router, "router");
        NEED(f->gate, "gate_proj");
        NEED(f->up, "up_proj");
        NEED(f->down, "down_proj");
        for (int64_t e = 0; e < E; e++) {
            NEED(f->gate[e], "gate_proj of an expert");
            NEED(f->up[e], "up_proj of an expert");
            NEED(f->down[e], "down_proj of an expert");
        }
    }
    return 0;
}

/* ---- the blocks ------------------------------------------------------------ */

/* xn [T, H] = RMSNorm(h [T, H]; w [H]) */
static int norm_rows(const hy_config *c, int64_t T, const float *h, const float *w, float *xn,
                     hy_error *err)
{
    hy_rmsnorm_shape s = {.T = T, .D = c->hidden, .eps = (float)c->rms_eps};
    hy_rmsnorm_args a = {.x = h, .w = w, .y = xn};
    return hy_ref_rmsnorm(&s, &a, err);
}

/* Attention mixer (§4), for the T tokens at positions pos0 ..:
 *   q [T, nH*hd] = xn Wq^T;  k, v [T, nKV*hd] = xn Wk^T, xn Wv^T  (no bias, no RoPE)
 *   att [T, nH*hd] = causal GQA attention over the cache, k and v appended
 *   h [T, H] += att Wo^T */
static int attention_block(const hy_config *c, const hy_attn_weights *w, hy_ref_layer_cache *lc,
                           int64_t pos0, int64_t capacity, int64_t T, fwd_scratch *s,
                           hy_error *err)
{
    const int64_t H = c->hidden, qw = c->n_heads * c->head_dim, kvw = c->n_kv_heads * c->head_dim;
    hy_linear_shape q_shape = {.T = T, .in = H, .out = qw};
    hy_linear_shape kv_shape = {.T = T, .in = H, .out = kvw};
    hy_linear_args q_args = {.x = s->xn, .w = w->q_proj, .y = s->q};
    hy_linear_args k_args = {.x = s->xn, .w = w->k_proj, .y = s->k};
    hy_linear_args v_args = {.x = s->xn, .w = w->v_proj, .y = s->v};
    if (hy_ref_linear(&q_shape, &q_args, err) || hy_ref_linear(&kv_shape, &k_args, err) ||
        hy_ref_linear(&kv_shape, &v_args, err))
        return -1;

    hy_attention_shape att_shape = {.T = T, .nH = c->n_heads, .nKV = c->n_kv_heads,
                                    .hd = c->head_dim, .pos0 = pos0, .cap = capacity,
                                    .window = c->sliding_window,
                                    .scale = (float)(1.0 / sqrt((double)c->head_dim))};
    hy_attention_args att_args = {.q = s->q, .k = s->k, .v = s->v, .k_cache = lc->k,
                                  .v_cache = lc->v, .out = s->att};
    if (hy_ref_attention(&att_shape, &att_args, err)) return -1;

    hy_linear_shape o_shape = {.T = T, .in = qw, .out = H, .accumulate = 1};
    hy_linear_args o_args = {.x = s->att, .w = w->o_proj, .y = s->h};
    return hy_ref_linear(&o_shape, &o_args, err);
}

/* Mamba mixer (§5, §6), continuing the conv and SSM states of the layer:
 *   xz [T, 2Di]    = xn W_in^T (+ b_in)            x = xz[:, :Di], z = xz[:, Di:]
 *   u  [T, Di]     = SiLU(conv(x; conv state) + conv_b)
 *   p  [T, R+2N]   = u W_x^T                       dt_r | B | C
 *   dt_r, B, C     = RMSNorm over R, N, N (in place, rms_eps)
 *   delta [T, Di]  = dt_r W_dt^T                   (its bias goes into the scan)
 *   ys [T, Di]     = scan(u, delta, A_log, B, C, D, z, dt_bias; SSM state)
 *   h [T, H]      += ys W_out^T (+ b_out) */
static int mamba_block(const hy_config *c, const hy_mamba_weights *w, hy_ref_layer_cache *lc,
                       int64_t T, fwd_scratch *s, hy_error *err)
{
    const int64_t H = c->hidden, Di = c->d_inner, N = c->d_state, R = c->dt_rank;
    const int64_t p_width = R + 2 * N;
    const float eps = (float)c->rms_eps;

    hy_linear_shape in_shape = {.T = T, .in = H, .out = 2 * Di, .has_bias = c->proj_bias};
    hy_linear_args in_args = {.x = s->xn, .w = w->in_proj, .b = w->in_proj_bias, .y = s->xz};
    if (hy_ref_linear(&in_shape, &in_args, err)) return -1;

    hy_conv1d_shape conv_shape = {.T = T, .C = Di, .K = c->d_conv, .has_bias = c->conv_bias,
                                  .silu = 1};
    hy_conv1d_args conv_args = {.x = s->xz, .x_stride = 2 * Di, .w = w->conv_w, .b = w->conv_b,
                                .state = lc->conv, .y = s->u};
    if (hy_ref_conv1d(&conv_shape, &conv_args, err)) return -1;

    hy_linear_shape x_shape = {.T = T, .in = Di, .out = p_width};
    hy_linear_args x_args = {.x = s->u, .w = w->x_proj, .y = s->p};
    if (hy_ref_linear(&x_shape, &x_args, err)) return -1;

    hy_rmsnorm_shape dt_norm = {.T = T, .D = R, .eps = eps};
    hy_rmsnorm_shape bc_norm = {.T = T, .D = N, .eps = eps};
    hy_rmsnorm_args dt_args = {.x = s->p, .x_stride = p_width, .w = w->dt_norm,
                               .y = s->p, .y_stride = p_width};
    hy_rmsnorm_args b_args = {.x = s->p + R, .x_stride = p_width, .w = w->b_norm,
                              .y = s->p + R, .y_stride = p_width};
    hy_rmsnorm_args c_args = {.x = s->p + R + N, .x_stride = p_width, .w = w->c_norm,
                              .y = s->p + R + N, .y_stride = p_width};
    if (hy_ref_rmsnorm(&dt_norm, &dt_args, err) || hy_ref_rmsnorm(&bc_norm, &b_args, err) ||
        hy_ref_rmsnorm(&bc_norm, &c_args, err))
        return -1;

    hy_linear_shape dt_shape = {.T = T, .in = R, .out = Di};
    hy_linear_args dt_lin = {.x = s->p, .x_stride = p_width, .w = w->dt_proj, .y = s->delta};
    if (hy_ref_linear(&dt_shape, &dt_lin, err)) return -1;

    hy_scan_shape scan_shape = {.T = T, .D = Di, .N = N, .has_z = 1, .has_dt_bias = 1};
    hy_scan_args scan_args = {.u = s->u, .delta = s->delta, .A_log = w->A_log,
                              .B = s->p + R, .C = s->p + R + N, .bc_stride = p_width,
                              .Dskip = w->D, .z = s->xz + Di, .z_stride = 2 * Di,
                              .dt_bias = w->dt_bias, .state = lc->ssm, .y = s->ys};
    if (hy_ref_scan(&scan_shape, &scan_args, err)) return -1;

    hy_linear_shape out_shape = {.T = T, .in = Di, .out = H, .has_bias = c->proj_bias,
                                 .accumulate = 1};
    hy_linear_args out_args = {.x = s->ys, .w = w->out_proj, .b = w->out_proj_bias, .y = s->h};
    return hy_ref_linear(&out_shape, &out_args, err);
}

/* Feed-forward (§7): h [T, H] += MLP(xn) on dense layers, MoE(xn) on expert layers. */
static int ffn_block(const hy_config *c, const hy_ffn_weights *w, int64_t T, fwd_scratch *s,
                     hy_error *err)
{
    if (w->n_experts > 1) {
        hy_moe_shape shape = {.T = T, .H = c->hidden, .I = c->intermediate, .E = w->n_experts,
                              .k = c->top_k, .accumulate = 1};
        hy_moe_args args = {.x = s->xn, .w_router = w->router, .w_gate = w->gate,
                            .w_up = w->up, .w_down = w->down, .y = s->h};
        return hy_ref_moe(&shape, &args, err);
    }
    hy_mlp_shape shape = {.T = T, .H = c->hidden, .I = c->intermediate, .accumulate = 1};
    hy_mlp_args args = {.x = s->xn, .w_gate = w->gate[0], .w_up = w->up[0],
                        .w_down = w->down[0], .y = s->h};
    return hy_ref_mlp(&shape, &args, err);
}

/* ---- the whole model -------------------------------------------------------- */
int hy_ref_forward(const hy_config *c, const hy_model_weights *w, hy_ref_cache *cache,
                   const int32_t *tokens, int64_t T, float *logits, hy_error *err)
{
    if (!c || !w || !cache || !tokens || !logits)
        return hy_fail(err, "ref forward: config, weights, cache, tokens and logits must not be NULL");
    if (T <= 0) return hy_fail(err, "ref forward: T must be > 0 (got %lld)", (long long)T);
    if (check_config(c, cache, err) || check_weights(c, w, err)) return -1;
    if (cache->length + T > cache->capacity)
        return hy_fail(err, "ref forward: %lld tokens after %lld would overflow the cache "
                            "capacity %lld", (long long)T, (long long)cache->length,
                       (long long)cache->capacity);
    for (int64_t t = 0; t < T; t++)
        if (tokens[t] < 0 || tokens[t] >= c->vocab)
            return hy_fail(err, "ref forward: token %lld is %d, outside the vocabulary [0, %lld)",
                           (long long)t, (int)tokens[t], (long long)c->vocab);

    fwd_scratch s;
    if (scratch_alloc(c, T, &s, err)) return -1;
    const int64_t H = c->hidden, pos0 = cache->length;
    int rc = 0;

    /* 1. embedding: h[t, :] = embed[tokens[t], :]   (no scaling, no positions) */
    for (int64_t t = 0; t < T; t++)
        for (int64_t i = 0; i < H; i++)
            s.h[t * H + i] = w->embed[(int64_t)tokens[t] * H + i];

    /* 2. the layers: pre-norm residual mixer, then pre-norm residual FFN */
    for (int64_t i = 0; i < c->n_layers && rc == 0; i++) {
        const hy_layer_weights *lw = &w->layers[i];
        hy_ref_layer_cache *lc = &cache->layers[i];
        rc = norm_rows(c, T, s.h, lw->input_norm, s.xn, err);
        if (rc == 0)
            rc = lc->is_attention
                     ? attention_block(c, &lw->attn, lc, pos0, cache->capacity, T, &s, err)
                     : mamba_block(c, &lw->mamba, lc, T, &s, err);
        if (rc == 0) rc = norm_rows(c, T, s.h, lw->ff_norm, s.xn, err);
        if (rc == 0) rc = ffn_block(c, &lw->ffn, T, &s, err);
        if (rc) hy_fail_prefix(err, "ref forward: layer %lld", (long long)i);
    }

    /* 3. final norm and the language-model head (embed when tied) */
    if (rc == 0) rc = norm_rows(c, T, s.h, w->final_norm, s.xn, err);
    if (rc == 0) {
        hy_linear_shape head = {.T = T, .in = H, .out = c->vocab};
        hy_linear_args args = {.x = s.xn, .w = c->tie_embeddings ? w->embed : w->lm_head,
                               .y = logits};
        rc = hy_ref_linear(&head, &args, err);
    }
    if (rc == 0) cache->length += T;
    free(s.base);
    return rc;
}
