/* hy_weights_names.c — the model's tensor list (HF names and shapes,
 * jamba-semantics §8) and the lookup of each tensor in a checkpoint under
 * the names the different generations of Jamba checkpoints use:
 *
 *   HF in-library        model.layers.{i}.feed_forward.experts.{e}.gate_proj.weight,
 *                        pre_ff_layernorm, mamba.b_layernorm / c_layernorm
 *   original remote code .moe. instead of .feed_forward., pre_moe_layernorm,
 *                        mamba.B_layernorm / C_layernorm, dense layers
 *                        stored as moe.experts.0.*
 *   transformers >= 5    feed_forward.experts.gate_up_proj [E, 2I, H]
 *                        (expert e: rows e*2I .. e*2I+I-1 gate, then I rows up)
 *                        and feed_forward.experts.down_proj [E, H, I] */
#include "hy_weights_names.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void hy_format_shape(char *buf, size_t cap, int ndim, const int64_t *shape)
{
    size_t used = 0;
    used += (size_t)snprintf(buf, cap, "[");
    for (int d = 0; d < ndim && used < cap; d++)
        used += (size_t)snprintf(buf + used, cap - used, "%s%lld", d ? ", " : "",
                                 (long long)shape[d]);
    if (used < cap) snprintf(buf + used, cap - used, "]");
}

/* ---- the walk ---------------------------------------------------------- */

typedef struct walker {
    hy_slot_visit visit;
    void *ctx;
    hy_error *err;
    int64_t n_experts; /* of the layer being walked */
} walker;

static int emit(walker *wk, const float **dst, int64_t layer, int64_t expert, hy_ffn_part part,
                hy_init_rule init, int ndim, int64_t d0, int64_t d1, int64_t d2, const char *fmt,
                ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 11, 12)))
#endif
    ;

static int emit(walker *wk, const float **dst, int64_t layer, int64_t expert, hy_ffn_part part,
                hy_init_rule init, int ndim, int64_t d0, int64_t d1, int64_t d2, const char *fmt,
                ...)
{
    hy_weight_slot s;
    memset(&s, 0, sizeof s);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s.spec.name, sizeof s.spec.name, fmt, ap);
    va_end(ap);
    s.spec.ndim = ndim;
    s.spec.shape[0] = d0;
    s.spec.shape[1] = d1;
    s.spec.shape[2] = d2;
    s.dst = dst;
    s.layer = layer;
    s.expert = expert;
    s.n_experts = wk->n_experts;
    s.part = part;
    s.init = init;
    return wk->visit(&s, wk->ctx, wk->err);
}

#define SLOT(field) (w ? (const float **)&(field) : NULL)

static int walk_attention(walker *wk, const hy_config *c, int64_t i, hy_model_weights *w)
{
    hy_attn_weights *a = w ? &w->layers[i].attn : NULL;
    int64_t H = c->hidden, q = c->n_heads * c->head_dim, kv = c->n_kv_heads * c->head_dim;
    long long li = (long long)i;
    if (emit(wk, SLOT(a->q_proj), i, -1, HY_FFN_NONE, HY_INIT_NORMAL, 2, q, H, 0,
             "model.layers.%lld.self_attn.q_proj.weight", li) ||
        emit(wk, SLOT(a->k_proj), i, -1, HY_FFN_NONE, HY_INIT_NORMAL, 2, kv, H, 0,
             "model.layers.%lld.self_attn.k_proj.weight", li) ||
        emit(wk, SLOT(a->v_proj), i, -1, HY_FFN_NONE, HY_INIT_NORMAL, 2, kv, H, 0,
             "model.layers.%lld.self_attn.v_proj.weight", li) ||
        emit(wk, SLOT(a->o_proj), i, -1, HY_FFN_NONE, HY_INIT_NORMAL, 2, H, q, 0,
             "model.layers.%lld.self_attn.o_proj.weight", li))
        return -1;
    return 0;
}

static int walk_mamba(walker *wk, const hy_config *c, int64_t i, hy_model_weights *w)
{
    hy_mamba_weights *m = w ? &w->layers[i].mamba : NULL;
    int64_t H = c->hidden, Di = c->d_inner, N = c->d_state, K = c->d_conv, R = c->dt_rank;
    long long li = (long long)i;
    const hy_ffn_part no = HY_FFN_NONE;
    if (emit(wk, SLOT(m->in_proj), i, -1, no, HY_INIT_NORMAL, 2, 2 * Di, H, 0,
             "model.layers.%lld.mamba.in_proj.weight", li))
        return -1;
    if (c->proj_bias && emit(wk, SLOT(m->in_proj_bias), i, -1, no, HY_INIT_NORMAL, 1, 2 * Di, 0, 0,
                             "model.layers.%lld.mamba.in_proj.bias", li))
        return -1;
    if (emit(wk, SLOT(m->conv_w), i, -1, no, HY_INIT_NORMAL, 3, Di, 1, K,
             "model.layers.%lld.mamba.conv1d.weight", li))
        return -1;
    if (c->conv_bias && emit(wk, SLOT(m->conv_b), i, -1, no, HY_INIT_NORMAL, 1, Di, 0, 0,
                             "model.layers.%lld.mamba.conv1d.bias", li))
        return -1;
    if (emit(wk, SLOT(m->x_proj), i, -1, no, HY_INIT_NORMAL, 2, R + 2 * N, Di, 0,
             "model.layers.%lld.mamba.x_proj.weight", li) ||
        emit(wk, SLOT(m->dt_proj), i, -1, no, HY_INIT_NORMAL, 2, Di, R, 0,
             "model.layers.%lld.mamba.dt_proj.weight", li) ||
        emit(wk, SLOT(m->dt_bias), i, -1, no, HY_INIT_DT_BIAS, 1, Di, 0, 0,
             "model.layers.%lld.mamba.dt_proj.bias", li) ||
        emit(wk, SLOT(m->A_log), i, -1, no, HY_INIT_A_LOG, 2, Di, N, 0,
             "model.layers.%lld.mamba.A_log", li) ||
        emit(wk, SLOT(m->D), i, -1, no, HY_INIT_ONE, 1, Di, 0, 0, "model.layers.%lld.mamba.D", li) ||
        emit(wk, SLOT(m->out_proj), i, -1, no, HY_INIT_NORMAL, 2, H, Di, 0,
             "model.layers.%lld.mamba.out_proj.weight", li))
        return -1;
    if (c->proj_bias && emit(wk, SLOT(m->out_proj_bias), i, -1, no, HY_INIT_NORMAL, 1, H, 0, 0,
                             "model.layers.%lld.mamba.out_proj.bias", li))
        return -1;
    if (emit(wk, SLOT(m->dt_norm), i, -1, no, HY_INIT_NORM, 1, R, 0, 0,
             "model.layers.%lld.mamba.dt_layernorm.weight", li) ||
        emit(wk, SLOT(m->b_norm), i, -1, no, HY_INIT_NORM, 1, N, 0, 0,
             "model.layers.%lld.mamba.b_layernorm.weight", li) ||
        emit(wk, SLOT(m->c_norm), i, -1, no, HY_INIT_NORM, 1, N, 0, 0,
             "model.layers.%lld.mamba.c_layernorm.weight", li))
        return -1;
    return 0;
}

static int walk_ffn(walker *wk, const hy_config *c, int64_t i, hy_model_weights *w)
{
    int64_t H = c->hidden, I = c->intermediate, E = hy_layer_experts(c, i);
    hy_ffn_weights *f = w ? &w->layers[i].ffn : NULL;
    long long li = (long long)i;
    wk->n_experts = E; /* n_experts and router = NULL were set by the allocator */
    /* The expert pointer arrays were allocated writable by the caller. */
    const float **gate = f ? (const float **)f->gate : NULL;
    const float **up = f ? (const float **)f->up : NULL;
    const float **down = f ? (const float **)f->down : NULL;
    if (E == 1) {
        if (emit(wk, gate ? &gate[0] : NULL, i, -1, HY_FFN_GATE, HY_INIT_NORMAL, 2, I, H, 0,
                 "model.layers.%lld.feed_forward.gate_proj.weight", li) ||
            emit(wk, up ? &up[0] : NULL, i, -1, HY_FFN_UP, HY_INIT_NORMAL, 2, I, H, 0,
                 "model.layers.%lld.feed_forward.up_proj.weight", li) ||
            emit(wk, down ? &down[0] : NULL, i, -1, HY_FFN_DOWN, HY_INIT_NORMAL, 2, H, I, 0,
                 "model.layers.%lld.feed_forward.down_proj.weight", li))
            return -1;
        return 0;
    }
    if (emit(wk, SLOT(f->router), i, -1, HY_FFN_NONE, HY_INIT_NORMAL, 2, E, H, 0,
             "model.layers.%lld.feed_forward.router.weight", li))
        return -1;
    for (int64_t e = 0; e < E; e++) {
        long long le = (long long)e;
        if (emit(wk, gate ? &gate[e] : NULL, i, e, HY_FFN_GATE, HY_INIT_NORMAL, 2, I, H, 0,
                 "model.layers.%lld.feed_forward.experts.%lld.gate_proj.weight", li, le) ||
            emit(wk, up ? &up[e] : NULL, i, e, HY_FFN_UP, HY_INIT_NORMAL, 2, I, H, 0,
                 "model.layers.%lld.feed_forward.experts.%lld.up_proj.weight", li, le) ||
            emit(wk, down ? &down[e] : NULL, i, e, HY_FFN_DOWN, HY_INIT_NORMAL, 2, H, I, 0,
                 "model.layers.%lld.feed_forward.experts.%lld.down_proj.weight", li, le))
            return -1;
    }
    return 0;
}

int hy_weights_walk(const hy_config *c, hy_model_weights *w, hy_slot_visit visit, void *ctx,
                    hy_error *err)
{
    walker wk = {visit, ctx, err, 1};
    int64_t V = c->vocab, H = c->hidden;
    if (emit(&wk, SLOT(w->embed), -1, -1, HY_FFN_NONE, HY_INIT_NORMAL, 2, V, H, 0,
             "model.embed_tokens.weight"))
        return -1;
    for (int64_t i = 0; i < c->n_layers; i++) {
        hy_layer_weights *l = w ? &w->layers[i] : NULL;
        if (emit(&wk, SLOT(l->input_norm), i, -1, HY_FFN_NONE, HY_INIT_NORM, 1, H, 0, 0,
                 "model.layers.%lld.input_layernorm.weight", (long long)i))
            return -1;
        if (hy_layer_is_attention(c, i) ? walk_attention(&wk, c, i, w) : walk_mamba(&wk, c, i, w))
            return -1;
        if (emit(&wk, SLOT(l->ff_norm), i, -1, HY_FFN_NONE, HY_INIT_NORM, 1, H, 0, 0,
                 "model.layers.%lld.pre_ff_layernorm.weight", (long long)i))
            return -1;
        if (walk_ffn(&wk, c, i, w)) return -1;
        wk.n_experts = 1;
    }
    if (emit(&wk, SLOT(w->final_norm), -1, -1, HY_FFN_NONE, HY_INIT_NORM, 1, H, 0, 0,
             "model.final_layernorm.weight"))
        return -1;
    if (!c->tie_embeddings &&
        emit(&wk, SLOT(w->lm_head), -1, -1, HY_FFN_NONE, HY_INIT_NORMAL, 2, V, H, 0,
             "lm_head.weight"))
        return -1;
    return 0;
}

/* ---- the lookup -------------------------------------------------------- */

/* Replaces the first `from` in src by `to`; 0 when `from` is absent. */
static int replace_once(char *dst, size_t cap, const char *src, const char *from, const char *to)
{
    const char *p = strstr(src, from);
    if (!p) return 0;
    int n = snprintf(dst, cap, "%.*s%s%s", (int)(p - src), src, to, p + strlen(from));
    return n > 0 && (size_t)n < cap;
}

/* The legacy (original remote-code) name of a slot, or 0 if it has none. */
static int legacy_name(const hy_weight_slot *s, char *out, size_t cap)
{
    const char *n = s->spec.name;
    char tmp[160];
    if (s->part != HY_FFN_NONE && s->expert < 0) { /* dense MLP: moe.experts.0.* */
        static const char *const proj[] = {"gate_proj", "up_proj", "down_proj"};
        snprintf(out, cap, "model.layers.%lld.moe.experts.0.%s.weight", (long long)s->layer,
                 proj[s->part]);
        return 1;
    }
    if (replace_once(out, cap, n, ".feed_forward.", ".moe.")) return 1;
    if (replace_once(out, cap, n, ".pre_ff_layernorm.", ".pre_moe_layernorm.")) return 1;
    if (replace_once(tmp, sizeof tmp, n, ".mamba.b_layernorm.", ".mamba.B_layernorm."))
        return snprintf(out, cap, "%s", tmp) > 0;
    if (replace_once(tmp, sizeof tmp, n, ".mamba.c_layernorm.", ".mamba.C_layernorm."))
        return snprintf(out, cap, "%s", tmp) > 0;
    return 0;
}

static int shape_equal(const hy_st_tensor *t, int ndim, const int64_t *shape)
{
    if (t->ndim != ndim) return 0;
    for (int d = 0; d < ndim; d++)
        if (t->shape[d] != shape[d]) return 0;
    return 1;
}

static int shape_error(const char *name, const char *found_as, int ndim, const int64_t *want,
                       const hy_st_tensor *t, hy_error *err)
{
    char a[128], b[128];
    hy_format_shape(a, sizeof a, ndim, want);
    hy_format_shape(b, sizeof b, t->ndim, t->shape);
    if (found_as && strcmp(found_as, name) != 0)
        return hy_fail(err, "tensor %s (stored as %s): expected shape %s, found %s", name, found_as,
                       a, b);
    return hy_fail(err, "tensor %s: expected shape %s, found %s", name, a, b);
}

/* A slice of transformers-v5's fused expert tensors, if the set has them:
 * gate_up_proj [E, 2I, H] (per expert: I gate rows, then I up rows) and
 * down_proj [E, H, I].  *found = 0 when the set has no fused tensor. */
static int find_fused(const hy_st_set *set, const hy_weight_slot *s, hy_tensor_source *src,
                      hy_error *err, int *found)
{
    *found = 0;
    int64_t E = s->n_experts, e = s->expert;
    int is_down = s->part == HY_FFN_DOWN;
    /* gate/up spec [I, H]; down spec [H, I] */
    int64_t I = is_down ? s->spec.shape[1] : s->spec.shape[0];
    int64_t H = is_down ? s->spec.shape[0] : s->spec.shape[1];
    const char *base = is_down ? "down_proj" : "gate_up_proj";
    char name[160];
    const hy_st_tensor *t = NULL;
    for (int with_suffix = 0; with_suffix < 2 && !t; with_suffix++) {
        snprintf(name, sizeof name, "model.layers.%lld.feed_forward.experts.%s%s",
                 (long long)s->layer, base, with_suffix ? ".weight" : "");
        t = hy_st_set_find(set, name);
    }
    if (!t) return 0;
    int64_t want[3] = {E, is_down ? H : 2 * I, is_down ? I : H};
    if (!shape_equal(t, 3, want)) return shape_error(name, NULL, 3, want, t, err);
    src->t = t;
    if (is_down)
        src->offset = e * H * I;
    else
        src->offset = (e * 2 * I + (s->part == HY_FFN_UP ? I : 0)) * H;
    *found = 1;
    return 0;
}

int hy_weights_find(const hy_st_set *set, const hy_weight_slot *s, hy_tensor_source *src,
                    hy_error *err)
{
    const hy_tensor_spec *sp = &s->spec;
    src->offset = 0;
    const hy_st_tensor *t = hy_st_set_find(set, sp->name);
    if (t) {
        if (!shape_equal(t, sp->ndim, sp->shape))
            return shape_error(sp->name, NULL, sp->ndim, sp->shape, t, err);
        src->t = t;
        return 0;
    }
    char legacy[160];
    int has_legacy = legacy_name(s, legacy, sizeof legacy);
    if (has_legacy && (t = hy_st_set_find(set, legacy)) != NULL) {
        if (!shape_equal(t, sp->ndim, sp->shape))
            return shape_error(sp->name, legacy, sp->ndim, sp->shape, t, err);
        src->t = t;
        return 0;
    }
    if (s->expert >= 0) {
        int found = 0;
        if (find_fused(set, s, src, err, &found) != 0) return -1;
        if (found) return 0;
    }
    if (has_legacy)
        return hy_fail(err, "missing tensor %s (also looked for %s%s)", sp->name, legacy,
                       s->expert >= 0 ? " and fused feed_forward.experts.gate_up_proj/down_proj" : "");
    return hy_fail(err, "missing tensor %s", sp->name);
}
