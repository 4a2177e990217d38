/* hy_validate_shapes.c — the shapes every kernel variant is validated on.
 *
 * Each family's list covers the edges a vectorised or tiled kernel gets
 * wrong: one row (T = 1, decode), lengths just around vector widths (7, 8,
 * 9, 15, 16, 17, 31, 33), strided rows, bias/accumulate/gate switches, and
 * for the stateful kernels a NULL state, a fresh zero state and a random
 * initial state (continuation).  Attention covers GQA groups 1 and > 1,
 * head sizes 64/80/96/128/256, windows shorter and longer than the
 * sequence, chunked continuation (pos0 > 0) and a decode against a 32768-
 * token cache.  MoE covers top-k = 1, 2 and k equal to the number of
 * experts.  Linear and attention repeat the decode, tail, stride and long
 * cases with bf16 storage (W, the K/V cache): the shapes bf16-storage
 * variants run on (every other variant reports them unsupported).  The rows marked quick form `hybench validate --quick`.
 * Everything is small (the whole list runs in seconds) except the long
 * decode. */
#include "hy_validate.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define Q 1 /* in the --quick subset */
#define NQ 0

#define LIN(T_, in_, out_, bias_, acc_, strided_, quick_)                                    \
    {.family = HY_FAM_LINEAR, .quick = quick_, .strided = strided_,                          \
     .s.linear = {.T = T_, .in = in_, .out = out_, .has_bias = bias_, .accumulate = acc_}}

#define LINB(T_, in_, out_, bias_, acc_, strided_, quick_)                                   \
    {.family = HY_FAM_LINEAR, .quick = quick_, .strided = strided_,                          \
     .s.linear = {.T = T_, .in = in_, .out = out_, .has_bias = bias_, .accumulate = acc_,     \
                  .w_dtype = HY_BF16}}

static const hy_val_shape linear_shapes[] = {
    LIN(1, 64, 48, 1, 0, 0, Q),     /* decode row                        */
    LIN(7, 9, 17, 1, 0, 0, NQ),     /* everything just off a vector width */
    LIN(8, 16, 8, 0, 0, 0, NQ),     /* exact widths                      */
    LIN(9, 33, 15, 1, 1, 0, Q),     /* residual accumulate               */
    LIN(15, 31, 16, 0, 1, 0, NQ),
    LIN(16, 17, 31, 1, 0, 1, Q),    /* rows inside wider buffers         */
    LIN(17, 128, 65, 1, 0, 0, NQ),
    LIN(31, 8, 33, 0, 1, 1, NQ),
    LIN(33, 256, 96, 1, 0, 0, Q),
    LIN(64, 1024, 64, 0, 0, 0, NQ), /* long reduction                    */
    /* bf16 W (w_dtype): GEMV rows, tails, strides, accumulate, GEMM edges */
    LINB(1, 64, 48, 1, 0, 0, Q),    /* decode row                        */
    LINB(2, 33, 17, 0, 1, 0, NQ),   /* two rows, k tail, accumulate      */
    LINB(7, 9, 17, 1, 0, 0, NQ),
    LINB(16, 17, 31, 1, 0, 1, Q),   /* strided rows                      */
    LINB(17, 128, 65, 1, 1, 0, NQ),
    LINB(33, 256, 96, 1, 0, 0, Q),
    LINB(1, 1000, 37, 0, 0, 0, NQ), /* long decode reduction, odd length */
    LINB(40, 1024, 64, 0, 0, 0, NQ), /* long reduction, several K slices */
};

#define RMS(T_, D_, eps_, strided_, quick_)                                                   \
    {.family = HY_FAM_RMSNORM, .quick = quick_, .strided = strided_,                         \
     .s.rmsnorm = {.T = T_, .D = D_, .eps = eps_}}

static const hy_val_shape rmsnorm_shapes[] = {
    RMS(1, 64, 1e-6f, 0, Q),   RMS(7, 9, 1e-6f, 0, NQ),    RMS(8, 16, 1e-5f, 0, NQ),
    RMS(9, 17, 1e-6f, 1, Q),   RMS(16, 31, 1e-6f, 0, NQ),  RMS(33, 256, 1e-6f, 0, Q),
    RMS(15, 33, 1e-5f, 1, NQ), RMS(4, 4096, 1e-6f, 0, NQ),
};

#define CONV(T_, C_, K_, bias_, silu_, state_, strided_, quick_)                              \
    {.family = HY_FAM_CONV1D, .quick = quick_, .strided = strided_, .state = state_,         \
     .s.conv1d = {.T = T_, .C = C_, .K = K_, .has_bias = bias_, .silu = silu_}}

static const hy_val_shape conv1d_shapes[] = {
    CONV(1, 16, 4, 1, 1, HY_VAL_STATE_RANDOM, 0, Q),  /* decode step            */
    CONV(2, 16, 4, 1, 1, HY_VAL_STATE_RANDOM, 0, Q),  /* T < K - 1: history used */
    CONV(7, 15, 4, 1, 1, HY_VAL_STATE_NULL, 0, NQ),
    CONV(8, 8, 2, 0, 0, HY_VAL_STATE_ZERO, 0, NQ),
    CONV(9, 17, 3, 1, 0, HY_VAL_STATE_RANDOM, 1, Q),
    CONV(16, 33, 4, 1, 1, HY_VAL_STATE_ZERO, 0, NQ),
    CONV(17, 64, 4, 1, 1, HY_VAL_STATE_RANDOM, 0, Q),
    CONV(33, 31, 4, 0, 1, HY_VAL_STATE_NULL, 1, NQ),
    CONV(1, 64, 1, 1, 1, HY_VAL_STATE_RANDOM, 0, NQ), /* K = 1: no history       */
};

#define SCAN(T_, D_, N_, z_, dtb_, state_, strided_, quick_)                                  \
    {.family = HY_FAM_SCAN, .quick = quick_, .strided = strided_, .state = state_,           \
     .s.scan = {.T = T_, .D = D_, .N = N_, .has_z = z_, .has_dt_bias = dtb_}}

static const hy_val_shape scan_shapes[] = {
    SCAN(1, 16, 16, 1, 1, HY_VAL_STATE_RANDOM, 0, Q),  /* decode step, d_state 16  */
    SCAN(1, 64, 128, 1, 1, HY_VAL_STATE_RANDOM, 0, NQ), /* decode step, d_state 128 */
    SCAN(7, 15, 16, 1, 1, HY_VAL_STATE_NULL, 0, NQ),
    SCAN(8, 8, 16, 0, 1, HY_VAL_STATE_ZERO, 0, NQ),
    SCAN(9, 17, 16, 1, 0, HY_VAL_STATE_RANDOM, 1, Q),  /* continuation, strided    */
    SCAN(16, 32, 128, 1, 1, HY_VAL_STATE_ZERO, 0, Q),
    SCAN(17, 31, 128, 0, 1, HY_VAL_STATE_RANDOM, 0, NQ),
    SCAN(33, 64, 16, 1, 1, HY_VAL_STATE_ZERO, 1, NQ),
    SCAN(64, 16, 16, 1, 1, HY_VAL_STATE_NULL, 0, NQ),  /* longer recurrence         */
};

#define SSD(T_, H_, P_, G_, N_, chunk_, z_, D_, dtb_, state_, quick_)                         \
    {.family = HY_FAM_SSD, .quick = quick_, .state = state_,                                  \
     .s.ssd = {.T = T_, .H = H_, .P = P_, .G = G_, .N = N_, .chunk = chunk_, .has_z = z_,     \
               .has_D = D_, .has_dt_bias = dtb_}}

static const hy_val_shape ssd_shapes[] = {
    SSD(1, 2, 16, 1, 16, 8, 1, 1, 1, HY_VAL_STATE_RANDOM, Q),  /* decode step          */
    SSD(7, 4, 8, 2, 16, 4, 1, 1, 1, HY_VAL_STATE_NULL, NQ),    /* T not a chunk multiple */
    SSD(16, 2, 64, 1, 64, 8, 0, 1, 1, HY_VAL_STATE_ZERO, Q),
    SSD(17, 4, 16, 4, 128, 8, 1, 0, 0, HY_VAL_STATE_RANDOM, NQ), /* d_state 128        */
    SSD(33, 4, 32, 2, 16, 16, 1, 1, 1, HY_VAL_STATE_ZERO, Q),
    SSD(64, 2, 16, 1, 32, 64, 1, 1, 1, HY_VAL_STATE_NULL, NQ),  /* one chunk = T        */
    SSD(9, 3, 8, 1, 16, 32, 0, 1, 1, HY_VAL_STATE_RANDOM, NQ),  /* chunk longer than T  */
};

#define ATT(T_, nH_, nKV_, hd_, pos0_, window_, quick_)                                       \
    {.family = HY_FAM_ATTENTION, .quick = quick_,                                             \
     .s.attention = {.T = T_, .nH = nH_, .nKV = nKV_, .hd = hd_, .pos0 = pos0_,               \
                     .cap = (pos0_) + (T_) + 3, .window = window_}}

#define ATTB(T_, nH_, nKV_, hd_, pos0_, window_, quick_)                                      \
    {.family = HY_FAM_ATTENTION, .quick = quick_,                                             \
     .s.attention = {.T = T_, .nH = nH_, .nKV = nKV_, .hd = hd_, .pos0 = pos0_,               \
                     .cap = (pos0_) + (T_) + 3, .window = window_, .kv_dtype = HY_BF16}}

static const hy_val_shape attention_shapes[] = {
    ATT(1, 4, 4, 64, 0, 0, Q),       /* L = 1, MHA                                */
    ATT(7, 4, 2, 64, 0, 0, Q),       /* GQA group 2                               */
    ATT(8, 2, 2, 80, 0, 0, NQ),      /* head size 80                              */
    ATT(9, 4, 1, 96, 0, 0, NQ),      /* MQA, head size 96                         */
    ATT(16, 8, 2, 128, 0, 0, Q),     /* Jamba's head size and grouping            */
    ATT(17, 2, 1, 256, 0, 0, NQ),    /* head size 256                             */
    ATT(33, 4, 2, 64, 0, 5, Q),      /* window shorter than L                     */
    ATT(31, 4, 4, 80, 0, 64, NQ),    /* window longer than L                      */
    ATT(15, 4, 2, 128, 20, 0, Q),    /* chunked continuation                      */
    ATT(9, 4, 2, 64, 40, 16, NQ),    /* continuation with a window                */
    ATT(1, 8, 2, 128, 100, 0, Q),    /* decode                                    */
    ATT(1, 4, 1, 64, 50, 8, NQ),     /* decode with a window                      */
    ATT(1, 8, 2, 128, 32768, 0, NQ), /* decode against a 32768-token cache        */
    /* bf16 K/V cache (kv_dtype) */
    ATTB(1, 8, 2, 128, 100, 0, Q),   /* decode, GQA group 4                       */
    ATTB(1, 4, 4, 64, 0, 0, NQ),     /* L = 1, MHA                                */
    ATTB(1, 4, 1, 33, 50, 8, NQ),    /* decode with a window, head size tail      */
    ATTB(1, 6, 2, 80, 1500, 0, NQ),  /* decode, several key splits, group 3       */
    ATTB(16, 8, 2, 128, 0, 0, Q),    /* prefill                                   */
    ATTB(9, 4, 2, 64, 40, 16, NQ),   /* continuation with a window                */
    ATTB(1, 8, 2, 128, 8192, 0, NQ), /* decode against an 8192-token cache (16 splits) */
};

#define MOE(T_, H_, I_, E_, k_, acc_, quick_)                                                  \
    {.family = HY_FAM_MOE, .quick = quick_,                                                    \
     .s.moe = {.T = T_, .H = H_, .I = I_, .E = E_, .k = k_, .accumulate = acc_}}

static const hy_val_shape moe_shapes[] = {
    MOE(1, 16, 24, 4, 2, 0, Q),   /* one token                          */
    MOE(7, 33, 17, 8, 2, 1, NQ),  /* odd sizes, accumulate              */
    MOE(9, 64, 64, 16, 2, 0, Q),  /* Jamba's 16 experts, top-2          */
    MOE(17, 32, 32, 4, 4, 0, Q),  /* top-k equal to the number of experts */
    MOE(16, 16, 16, 8, 1, 0, NQ), /* top-1                              */
    MOE(33, 64, 48, 16, 2, 1, NQ),
};

#define MLP(T_, H_, I_, acc_, quick_)                                                          \
    {.family = HY_FAM_MLP, .quick = quick_, .s.mlp = {.T = T_, .H = H_, .I = I_, .accumulate = acc_}}

static const hy_val_shape mlp_shapes[] = {
    MLP(1, 64, 96, 0, Q), MLP(7, 33, 17, 1, NQ), MLP(9, 17, 64, 0, Q),
    MLP(16, 64, 128, 1, NQ), MLP(33, 128, 256, 0, Q),
};

#define LIST(arr) {arr, sizeof arr / sizeof arr[0]}
static const struct {
    const hy_val_shape *shapes;
    size_t n;
} family_shapes[HY_FAM_COUNT] = {
    [HY_FAM_LINEAR] = LIST(linear_shapes),       [HY_FAM_RMSNORM] = LIST(rmsnorm_shapes),
    [HY_FAM_CONV1D] = LIST(conv1d_shapes),       [HY_FAM_SCAN] = LIST(scan_shapes),
    [HY_FAM_SSD] = LIST(ssd_shapes),             [HY_FAM_ATTENTION] = LIST(attention_shapes),
    [HY_FAM_MOE] = LIST(moe_shapes),             [HY_FAM_MLP] = LIST(mlp_shapes),
};

static const char *state_suffix(hy_val_state s)
{
    switch (s) {
    case HY_VAL_STATE_NULL: return "";
    case HY_VAL_STATE_ZERO: return "_state0";
    case HY_VAL_STATE_RANDOM: return "_staterand";
    }
    return "";
}

#define LL(x) ((long long)(x))

/* A stable name for the shape (benchmark names are keyed by it). */
static void make_label(hy_val_shape *v)
{
    char *b = v->label;
    size_t n = sizeof v->label;
    const char *strided = v->strided ? "_strided" : "";
    switch (v->family) {
    case HY_FAM_LINEAR: {
        const hy_linear_shape *s = &v->s.linear;
        snprintf(b, n, "t%lld_in%lld_out%lld%s%s%s%s", LL(s->T), LL(s->in), LL(s->out),
                 s->has_bias ? "_bias" : "", s->accumulate ? "_acc" : "", strided,
                 s->w_dtype == HY_BF16 ? "_wbf16" : "");
        break;
    }
    case HY_FAM_RMSNORM: {
        const hy_rmsnorm_shape *s = &v->s.rmsnorm;
        snprintf(b, n, "t%lld_d%lld_eps%.0e%s", LL(s->T), LL(s->D), (double)s->eps, strided);
        break;
    }
    case HY_FAM_CONV1D: {
        const hy_conv1d_shape *s = &v->s.conv1d;
        snprintf(b, n, "t%lld_c%lld_k%lld%s%s%s%s", LL(s->T), LL(s->C), LL(s->K),
                 s->has_bias ? "_bias" : "", s->silu ? "_silu" : "", state_suffix(v->state),
                 strided);
        break;
    }
    case HY_FAM_SCAN: {
        const hy_scan_shape *s = &v->s.scan;
        snprintf(b, n, "t%lld_d%lld_n%lld%s%s%s%s", LL(s->T), LL(s->D), LL(s->N),
                 s->has_z ? "_z" : "", s->has_dt_bias ? "_dtbias" : "", state_suffix(v->state),
                 strided);
        break;
    }
    case HY_FAM_SSD: {
        const hy_ssd_shape *s = &v->s.ssd;
        snprintf(b, n, "t%lld_h%lld_p%lld_g%lld_n%lld_q%lld%s%s%s%s", LL(s->T), LL(s->H),
                 LL(s->P), LL(s->G), LL(s->N), LL(s->chunk), s->has_z ? "_z" : "",
                 s->has_D ? "_D" : "", s->has_dt_bias ? "_dtbias" : "", state_suffix(v->state));
        break;
    }
    case HY_FAM_ATTENTION: {
        const hy_attention_shape *s = &v->s.attention;
        char win[24] = "";
        if (s->window > 0) snprintf(win, sizeof win, "_win%lld", LL(s->window));
        snprintf(b, n, "t%lld_h%lldkv%lld_d%lld_pos%lld%s%s", LL(s->T), LL(s->nH), LL(s->nKV),
                 LL(s->hd), LL(s->pos0), win, s->kv_dtype == HY_BF16 ? "_kvbf16" : "");
        break;
    }
    case HY_FAM_MOE: {
        const hy_moe_shape *s = &v->s.moe;
        snprintf(b, n, "t%lld_h%lld_i%lld_e%lldk%lld%s", LL(s->T), LL(s->H), LL(s->I),
                 LL(s->E), LL(s->k), s->accumulate ? "_acc" : "");
        break;
    }
    case HY_FAM_MLP: {
        const hy_mlp_shape *s = &v->s.mlp;
        snprintf(b, n, "t%lld_h%lld_i%lld%s", LL(s->T), LL(s->H), LL(s->I),
                 s->accumulate ? "_acc" : "");
        break;
    }
    default: snprintf(b, n, "?"); break;
    }
}

size_t hy_val_shapes(hy_family f, int quick, hy_val_shape *out, size_t max)
{
    if ((unsigned)f >= HY_FAM_COUNT) return 0;
    size_t count = 0;
    for (size_t i = 0; i < family_shapes[f].n; i++) {
        const hy_val_shape *src = &family_shapes[f].shapes[i];
        if (quick && !src->quick) continue;
        if (out && count < max) {
            hy_val_shape *v = &out[count];
            *v = *src;
            if (v->family == HY_FAM_ATTENTION && v->s.attention.scale == 0.0f)
                v->s.attention.scale = (float)(1.0 / sqrt((double)v->s.attention.hd));
            make_label(v);
        }
        count++;
    }
    return count;
}

hy_cost hy_val_shape_cost(const hy_val_shape *v)
{
    switch (v->family) {
    case HY_FAM_LINEAR: return hy_linear_cost(&v->s.linear);
    case HY_FAM_RMSNORM: return hy_rmsnorm_cost(&v->s.rmsnorm);
    case HY_FAM_CONV1D: return hy_conv1d_cost(&v->s.conv1d);
    case HY_FAM_SCAN: return hy_scan_cost(&v->s.scan);
    case HY_FAM_SSD: return hy_ssd_cost(&v->s.ssd);
    case HY_FAM_ATTENTION: return hy_attention_cost(&v->s.attention);
    case HY_FAM_MOE: return hy_moe_cost(&v->s.moe);
    case HY_FAM_MLP: return hy_mlp_cost(&v->s.mlp);
    default: break;
    }
    return (hy_cost){0};
}
