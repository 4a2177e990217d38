/* hy_forward_layers.c — one pass of the Jamba forward (jamba-semantics
 * §3-§7) as a sequence of kernel calls through the runtime's chosen
 * variants.  Each layer function reads top to bottom; every tensor it
 * touches is named with its shape.  The residual stream h is updated in
 * place: the mixers' output projections and the FFN kernels accumulate
 * into it (accumulate = 1). */
#include "hy_runtime_internal.h"

#include <math.h>

/* ---- kernel calls ------------------------------------------------------
 * One wrapper per family: in a sizing pass it records the workspace the
 * call would need; otherwise it runs the variant and turns a failure or an
 * "unsupported shape" answer into an error naming the step. */

static int kernel_result(const hy_runtime *rt, const hy_kernel_variant *v, int rc, const char *step,
                         hy_error *err)
{
    if (rc == 0) return 0;
    if (rc == HY_UNSUPPORTED)
        return hy_fail_prefix(err, "%s: %s/%s on backend %s does not handle this shape", step,
                              hy_family_name(v->family), v->name, rt->b->name);
    return hy_fail_prefix(err, "%s (%s/%s on backend %s)", step, hy_family_name(v->family), v->name,
                          rt->b->name);
}

#define HY_DEFINE_KERNEL_CALL(fam, FAM)                                                       \
    static int call_##fam(hy_runtime *rt, const hy_##fam##_shape *s, const hy_##fam##_args *a,  \
                          const char *step, hy_error *err)                                    \
    {                                                                                         \
        const hy_kernel_variant *v = rt->variant[FAM];                                        \
        if (rt->sizing) {                                                                     \
            if (v->impl.fam.workspace) {                                                      \
                size_t need = v->impl.fam.workspace(s);                                       \
                if (need > rt->work_need) rt->work_need = need;                               \
            }                                                                                 \
            return 0;                                                                         \
        }                                                                                     \
        if (err) err->msg[0] = 0;                                                             \
        return kernel_result(rt, v, v->impl.fam.run(rt->ex, s, a, rt->work, err), step, err);  \
    }

HY_DEFINE_KERNEL_CALL(linear, HY_FAM_LINEAR)
HY_DEFINE_KERNEL_CALL(rmsnorm, HY_FAM_RMSNORM)
HY_DEFINE_KERNEL_CALL(conv1d, HY_FAM_CONV1D)
HY_DEFINE_KERNEL_CALL(scan, HY_FAM_SCAN)
HY_DEFINE_KERNEL_CALL(attention, HY_FAM_ATTENTION)
HY_DEFINE_KERNEL_CALL(moe, HY_FAM_MOE)
HY_DEFINE_KERNEL_CALL(mlp, HY_FAM_MLP)

/* y[T, out] (+)= x[T, in] W[out, in]^T (+ b); strides 0 mean dense rows. */
static int linear(hy_runtime *rt, int64_t T, int64_t in, int64_t out, const float *x,
                  int64_t x_stride, const float *w, const float *b, float *y, int64_t y_stride,
                  int accumulate, const char *step, hy_error *err)
{
    hy_linear_shape s = {.T = T, .in = in, .out = out, .has_bias = b != NULL,
                         .accumulate = accumulate};
    hy_linear_args a = {.x = x, .x_stride = x_stride, .w = w, .b = b, .y = y,
                        .y_stride = y_stride};
    return call_linear(rt, &s, &a, step, err);
}

/* y[T, D] = rmsnorm(x[T, D]) * w[D], rows at the given strides (0 = D). */
static int rmsnorm(hy_runtime *rt, int64_t T, int64_t D, const float *x, int64_t x_stride,
                   const float *w, float *y, int64_t y_stride, const char *step, hy_error *err)
{
    hy_rmsnorm_shape s = {.T = T, .D = D, .eps = (float)rt->cfg.rms_eps};
    hy_rmsnorm_args a = {.x = x, .x_stride = x_stride, .w = w, .y = y, .y_stride = y_stride};
    return call_rmsnorm(rt, &s, &a, step, err);
}

/* ---- layers ------------------------------------------------------------ */

/* h[T, H] += o_proj( attention( q_proj(x), k_proj(x), v_proj(x) ) ),
 * x = normed [T, H]; the new keys and values go into the layer's cache
 * rows pos0 .. pos0+T-1 (jamba-semantics §4). */
static int attention_layer(hy_runtime *rt, const hy_rt_layer *ly, int64_t T, int64_t pos0,
                           hy_error *err)
{
    const hy_config *c = &rt->cfg;
    const int64_t H = c->hidden, qd = c->n_heads * c->head_dim, kvd = c->n_kv_heads * c->head_dim;

    /* q [T, nH*hd], k [T, nKV*hd], v [T, nKV*hd] */
    if (linear(rt, T, H, qd, rt->normed, 0, ly->attn.q_proj, NULL, rt->q, 0, 0, "q_proj", err) ||
        linear(rt, T, H, kvd, rt->normed, 0, ly->attn.k_proj, NULL, rt->k, 0, 0, "k_proj", err) ||
        linear(rt, T, H, kvd, rt->normed, 0, ly->attn.v_proj, NULL, rt->v, 0, 0, "v_proj", err))
        return -1;

    /* attn_out [T, nH*hd]; caches [nKV, capacity, hd] */
    hy_attention_shape s = {.T = T, .nH = c->n_heads, .nKV = c->n_kv_heads, .hd = c->head_dim,
                            .pos0 = pos0, .cap = rt->capacity, .window = c->sliding_window,
                            .scale = (float)(1.0 / sqrt((double)c->head_dim))};
    hy_attention_args a = {.q = rt->q, .k = rt->k, .v = rt->v, .k_cache = ly->k_cache,
                           .v_cache = ly->v_cache, .out = rt->attn_out};
    if (call_attention(rt, &s, &a, "attention", err)) return -1;

    /* h [T, H] += attn_out o_proj^T */
    return linear(rt, T, qd, H, rt->attn_out, 0, ly->attn.o_proj, NULL, rt->h, 0, 1, "o_proj", err);
}

/* h[T, H] += Mamba(normed [T, H]) (jamba-semantics §5, §6), continuing the
 * layer's conv state [Di, K] and SSM state [Di, N]. */
static int mamba_layer(hy_runtime *rt, const hy_rt_layer *ly, int64_t T, hy_error *err)
{
    const hy_config *c = &rt->cfg;
    const hy_mamba_weights *m = &ly->mamba;
    const int64_t H = c->hidden, Di = c->d_inner, N = c->d_state, R = c->dt_rank;
    const int64_t P = R + 2 * N; /* row width of p: dt_r | B | C */

    /* xz [T, 2*Di] = normed in_proj^T (+ b): x half first, gate z second */
    if (linear(rt, T, H, 2 * Di, rt->normed, 0, m->in_proj, m->in_proj_bias, rt->xz, 0, 0,
               "in_proj", err))
        return -1;

    /* u [T, Di] = SiLU(causal depthwise conv(x half of xz) + conv_b) */
    hy_conv1d_shape cs = {.T = T, .C = Di, .K = c->d_conv, .has_bias = m->conv_b != NULL,
                          .silu = 1};
    hy_conv1d_args ca = {.x = rt->xz, .x_stride = 2 * Di, .w = m->conv_w, .b = m->conv_b,
                         .state = ly->conv_state, .y = rt->u};
    if (call_conv1d(rt, &cs, &ca, "conv1d", err)) return -1;

    /* p [T, R+2N] = u x_proj^T */
    if (linear(rt, T, Di, P, rt->u, 0, m->x_proj, NULL, rt->p, 0, 0, "x_proj", err)) return -1;

    /* Jamba's inner norms, in place on p: dt_r over R, B over N, C over N */
    if (rmsnorm(rt, T, R, rt->p, P, m->dt_norm, rt->p, P, "dt_layernorm", err) ||
        rmsnorm(rt, T, N, rt->p + R, P, m->b_norm, rt->p + R, P, "b_layernorm", err) ||
        rmsnorm(rt, T, N, rt->p + R + N, P, m->c_norm, rt->p + R + N, P, "c_layernorm", err))
        return -1;

    /* delta [T, Di] = dt_r dt_proj^T, no bias: the scan adds dt_bias inside softplus */
    if (linear(rt, T, R, Di, rt->p, P, m->dt_proj, NULL, rt->delta, 0, 0, "dt_proj", err))
        return -1;

    /* y [T, Di] = scan(u, delta, A, B, C, D) * SiLU(z), z = second half of xz */
    hy_scan_shape ss = {.T = T, .D = Di, .N = N, .has_z = 1, .has_dt_bias = 1};
    hy_scan_args sa = {.u = rt->u, .delta = rt->delta, .A_log = m->A_log, .A = m->A, .B = rt->p + R,
                       .C = rt->p + R + N, .bc_stride = P, .Dskip = m->D, .z = rt->xz + Di,
                       .z_stride = 2 * Di, .dt_bias = m->dt_bias, .state = ly->ssm_state,
                       .y = rt->y};
    if (call_scan(rt, &ss, &sa, "scan", err)) return -1;

    /* h [T, H] += y out_proj^T (+ b) */
    return linear(rt, T, Di, H, rt->y, 0, m->out_proj, m->out_proj_bias, rt->h, 0, 1, "out_proj",
                  err);
}

/* h[T, H] += FFN(normed [T, H]): MoE on expert layers, dense SwiGLU else. */
static int ffn_layer(hy_runtime *rt, const hy_rt_layer *ly, int64_t T, hy_error *err)
{
    const hy_config *c = &rt->cfg;
    if (ly->n_experts > 1) {
        hy_moe_shape s = {.T = T, .H = c->hidden, .I = c->intermediate, .E = ly->n_experts,
                          .k = c->top_k, .accumulate = 1};
        hy_moe_args a = {.x = rt->normed, .w_router = ly->router, .w_gate = ly->gate,
                         .w_up = ly->up, .w_down = ly->down, .y = rt->h};
        return call_moe(rt, &s, &a, "moe", err);
    }
    hy_mlp_shape s = {.T = T, .H = c->hidden, .I = c->intermediate, .accumulate = 1};
    hy_mlp_args a = {.x = rt->normed, .w_gate = ly->gate[0], .w_up = ly->up[0],
                     .w_down = ly->down[0], .y = rt->h};
    return call_mlp(rt, &s, &a, "mlp", err);
}

int hy_rt_pass(hy_runtime *rt, int64_t T, int64_t pos0, hy_error *err)
{
    const hy_config *c = &rt->cfg;
    const int64_t H = c->hidden;
    for (int64_t i = 0; i < c->n_layers; i++) {
        const hy_rt_layer *ly = &rt->layers[i];
        int rc = rmsnorm(rt, T, H, rt->h, 0, ly->input_norm, rt->normed, 0, "input_layernorm", err);
        if (!rc)
            rc = ly->is_attention ? attention_layer(rt, ly, T, pos0, err)
                                  : mamba_layer(rt, ly, T, err);
        if (!rc)
            rc = rmsnorm(rt, T, H, rt->h, 0, ly->ff_norm, rt->normed, 0, "pre_ff_layernorm", err);
        if (!rc) rc = ffn_layer(rt, ly, T, err);
        if (rc) return hy_fail_prefix(err, "layer %lld (%s)", (long long)i,
                                      ly->is_attention ? "attention" : "mamba");
    }
    /* logits [T, V] = final_norm(h) lm_head^T */
    if (rmsnorm(rt, T, H, rt->h, 0, rt->final_norm, rt->normed, 0, "final_layernorm", err) ||
        linear(rt, T, H, c->vocab, rt->normed, 0, rt->lm_head, NULL, rt->logits_out, 0, 0,
               "lm_head", err))
        return -1;
    return 0;
}

int hy_rt_ensure_workspace(hy_runtime *rt, int64_t T, int64_t pos0, hy_error *err)
{
    rt->sizing = 1;
    rt->work_need = 0;
    int rc = hy_rt_pass(rt, T, pos0, err);
    rt->sizing = 0;
    if (rc) return -1;
    if (rt->work_need <= rt->work_bytes) return 0;

    void *bigger = rt->b->alloc(rt->ex, rt->work_need, err);
    if (!bigger)
        return hy_fail_prefix(err, "workspace of %zu bytes on backend %s", rt->work_need,
                              rt->b->name);
    if (rt->work) rt->b->free(rt->ex, rt->work);
    rt->work = bigger;
    rt->work_bytes = rt->work_need;
    return 0;
}
