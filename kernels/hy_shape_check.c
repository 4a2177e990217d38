/* hy_shape_check.c — hy_<family>_check: is a shape one the family contract
 * defines?  Every message names the family and the offending field, e.g.
 * "attention: cap (8) must be >= pos0 + T (6 + 4 = 10)".  Argument
 * pointers and strides are checked by the kernels themselves. */
#include "hy_kernel.h"

#include <math.h>

/* Fails unless v > 0. */
static int positive(hy_error *err, const char *fam, const char *field, int64_t v)
{
    if (v > 0) return 0;
    return hy_fail(err, "%s: %s must be > 0 (got %lld)", fam, field, (long long)v);
}

/* Fails unless a storage dtype is one the family's kernels define (f32 or
 * bf16; f16 storage is not part of the contract). */
static int storage(hy_error *err, const char *fam, const char *field, hy_dtype t)
{
    if (t == HY_F32 || t == HY_BF16) return 0;
    return hy_fail(err, "%s: %s must be f32 or bf16 (got %s)", fam, field, hy_dtype_name(t));
}

#define NULL_SHAPE(fam)                                                    \
    do {                                                                   \
        if (!s) return hy_fail(err, "%s: shape is NULL", fam);             \
    } while (0)

int hy_linear_check(const hy_linear_shape *s, hy_error *err)
{
    NULL_SHAPE("linear");
    if (positive(err, "linear", "T", s->T) || positive(err, "linear", "in", s->in) ||
        positive(err, "linear", "out", s->out) || storage(err, "linear", "w_dtype", s->w_dtype))
        return -1;
    return 0;
}

int hy_rmsnorm_check(const hy_rmsnorm_shape *s, hy_error *err)
{
    NULL_SHAPE("rmsnorm");
    if (positive(err, "rmsnorm", "T", s->T) || positive(err, "rmsnorm", "D", s->D)) return -1;
    if (!(s->eps >= 0.0f) || !isfinite(s->eps))
        return hy_fail(err, "rmsnorm: eps must be finite and >= 0 (got %g)", (double)s->eps);
    return 0;
}

int hy_conv1d_check(const hy_conv1d_shape *s, hy_error *err)
{
    NULL_SHAPE("conv1d");
    if (positive(err, "conv1d", "T", s->T) || positive(err, "conv1d", "C", s->C) ||
        positive(err, "conv1d", "K", s->K))
        return -1;
    return 0;
}

int hy_scan_check(const hy_scan_shape *s, hy_error *err)
{
    NULL_SHAPE("scan");
    if (positive(err, "scan", "T", s->T) || positive(err, "scan", "D", s->D) ||
        positive(err, "scan", "N", s->N))
        return -1;
    return 0;
}

int hy_ssd_check(const hy_ssd_shape *s, hy_error *err)
{
    NULL_SHAPE("ssd");
    if (positive(err, "ssd", "T", s->T) || positive(err, "ssd", "H", s->H) ||
        positive(err, "ssd", "P", s->P) || positive(err, "ssd", "G", s->G) ||
        positive(err, "ssd", "N", s->N) || positive(err, "ssd", "chunk", s->chunk))
        return -1;
    if (s->H % s->G != 0)
        return hy_fail(err, "ssd: G (%lld) must divide H (%lld)", (long long)s->G,
                       (long long)s->H);
    return 0;
}

int hy_attention_check(const hy_attention_shape *s, hy_error *err)
{
    NULL_SHAPE("attention");
    if (positive(err, "attention", "T", s->T) || positive(err, "attention", "nH", s->nH) ||
        positive(err, "attention", "nKV", s->nKV) || positive(err, "attention", "hd", s->hd) ||
        positive(err, "attention", "cap", s->cap) ||
        storage(err, "attention", "kv_dtype", s->kv_dtype))
        return -1;
    if (s->pos0 < 0)
        return hy_fail(err, "attention: pos0 must be >= 0 (got %lld)", (long long)s->pos0);
    if (s->window < 0)
        return hy_fail(err, "attention: window must be >= 0 (0 = none; got %lld)",
                       (long long)s->window);
    if (s->nH % s->nKV != 0)
        return hy_fail(err, "attention: nKV (%lld) must divide nH (%lld)", (long long)s->nKV,
                       (long long)s->nH);
    if (s->cap < s->pos0 + s->T)
        return hy_fail(err, "attention: cap (%lld) must be >= pos0 + T (%lld + %lld = %lld)",
                       (long long)s->cap, (long long)s->pos0, (long long)s->T,
                       (long long)(s->pos0 + s->T));
    if (!isfinite(s->scale))
        return hy_fail(err, "attention: scale must be finite (got %g)", (double)s->scale);
    return 0;
}

int hy_moe_check(const hy_moe_shape *s, hy_error *err)
{
    NULL_SHAPE("moe");
    if (positive(err, "moe", "T", s->T) || positive(err, "moe", "H", s->H) ||
        positive(err, "moe", "I", s->I) || positive(err, "moe", "E", s->E))
        return -1;
    if (s->k < 1 || s->k > s->E)
        return hy_fail(err, "moe: k must be in [1, E = %lld] (got %lld)", (long long)s->E,
                       (long long)s->k);
    return 0;
}

int hy_mlp_check(const hy_mlp_shape *s, hy_error *err)
{
    NULL_SHAPE("mlp");
    if (positive(err, "mlp", "T", s->T) || positive(err, "mlp", "H", s->H) ||
        positive(err, "mlp", "I", s->I))
        return -1;
    return 0;
}

int hy_variant_storage_ok(const hy_kernel_variant *v, const void *shape, hy_error *err)
{
    if (!v || !shape) return hy_fail(err, "storage check: variant or shape is NULL"), 0;
    hy_dtype need = hy_shape_storage(v->family, shape);
    if (need == v->storage) return 1;
    const char *what = v->family == HY_FAM_ATTENTION ? "the K/V cache" : "W";
    hy_fail(err, "%s/%s reads %s as %s; this shape stores it as %s", hy_family_name(v->family),
            v->name, what, hy_dtype_name(v->storage), hy_dtype_name(need));
    return 0;
}
