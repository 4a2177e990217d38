/* hy_kernel.h — one named variant of one kernel family, as listed in a
 * backend's kernel table.  The table drives dispatch, validation and
 * benchmarks alike (one list, as in XNNPACK). */
#ifndef HY_KERNEL_H
#define HY_KERNEL_H

#include "hy_attention.h"
#include "hy_conv1d.h"
#include "hy_linear.h"
#include "hy_mlp.h"
#include "hy_moe.h"
#include "hy_rmsnorm.h"
#include "hy_scan.h"
#include "hy_ssd.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Returned by a kernel (instead of 0 / -1) for a shape outside what the
 * variant handles; err says why.  Reported as "unsupported", not failed. */
#define HY_UNSUPPORTED 1

/* A family's entry point and its workspace need.  workspace may be NULL
 * (no workspace); otherwise the caller passes a buffer of at least
 * workspace(shape) bytes, allocated with the backend's memory ops. */
#define HY_KERNEL_IMPL(fam)                                  \
    struct {                                                 \
        hy_##fam##_fn run;                                   \
        size_t (*workspace)(const hy_##fam##_shape *shape);  \
    }

typedef struct hy_kernel_variant {
    hy_family family;
    const char *name;    /* "seq", "flash", ... unique within (backend, family) */
    const char *isa;     /* instruction set it needs: "c", "avx2", "avx512", "cuda", ... */
    const char *summary; /* one line for `hybench info`                         */
    /* The coarsest precision the variant rounds its operands to before they
     * are multiplied (HY_F32, the zero default, for fp32 kernels; HY_BF16
     * for e.g. a tensor-core or vdpbf16ps variant).  It chooses the
     * variant's tolerance: hy_tolerance(family, reduction_len, dtype). */
    hy_dtype dtype;
    /* The storage dtype of the tensor the family lets a shape store narrower
     * (linear W: w_dtype, attention K/V cache: kv_dtype) that the variant
     * reads; HY_F32 (the zero default) for every fp32 kernel.  A variant
     * runs only on shapes with exactly this storage: the harness reports any
     * other shape as unsupported without calling it (hy_variant_storage_ok). */
    hy_dtype storage;
    union {
        HY_KERNEL_IMPL(linear) linear;
        HY_KERNEL_IMPL(rmsnorm) rmsnorm;
        HY_KERNEL_IMPL(conv1d) conv1d;
        HY_KERNEL_IMPL(scan) scan;
        HY_KERNEL_IMPL(ssd) ssd;
        HY_KERNEL_IMPL(attention) attention;
        HY_KERNEL_IMPL(moe) moe;
        HY_KERNEL_IMPL(mlp) mlp;
    } impl;
} hy_kernel_variant;

/* The tolerance a variant is validated with (NULL: an fp32 kernel). */
static inline double hy_variant_tolerance(const hy_kernel_variant *v, hy_family family,
                                          double reduction_len)
{
    return hy_tolerance(family, reduction_len, v ? v->dtype : HY_F32);
}

/* The storage dtype of a shape of family f (HY_F32 for the families that
 * store everything as fp32); shape points to that family's shape struct. */
static inline hy_dtype hy_shape_storage(hy_family f, const void *shape)
{
    if (f == HY_FAM_LINEAR) return ((const hy_linear_shape *)shape)->w_dtype;
    if (f == HY_FAM_ATTENTION) return ((const hy_attention_shape *)shape)->kv_dtype;
    return HY_F32;
}

/* Does variant v read the storage of this shape (of v's family)?  If not,
 * says why into err ("linear/packed-avx2 reads f32 W; this shape stores W
 * as bf16") and returns 0: the caller reports the pair as unsupported. */
int hy_variant_storage_ok(const hy_kernel_variant *v, const void *shape, hy_error *err);

#ifdef __cplusplus
}
#endif
#endif
