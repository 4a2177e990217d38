/* mamba_vec.h — the exponentials of the Mamba kernels (scan_impl.h,
 * conv1d_impl.h), on top of x86_vec.h, width-generic like it (include
 * after defining HY_X86_WIDTH).  They exist because the scan evaluates one
 * exponential per state element and step, the gates one per element, and
 * vf_exp (about 30 operations, any argument) was the larger part of both:
 *
 *   mv_exp2_nonpos(a, b)  2^(a b) for a b <= 0, e.g. exp(dt A) as 2^(dt A log2 e):
 *                         clamp at -125 (the result is then 2^-125 instead of
 *                         smaller, an absolute error below 1e-37),
 *                         n = round(x), r = x - n exactly, 2^r by a degree-6
 *                         polynomial (Cephes exp2f, |r| <= 1/2, relative
 *                         error about 1e-7) in Estrin's form, 2^n from the
 *                         exponent bits (vf_pow2_from_magic): 16 operations,
 *                         a dependency chain of about 25 cycles.  The one rounding of a * b is the
 *                         same as that of dt * A in the plain formula.
 *   mv_exp(x)             exp(x) for any x: vf_exp's Cody-Waite reduction and
 *                         polynomial (same accuracy), the scale from the
 *                         exponent bits; clamped to [-87.3, 88] (above 88
 *                         finite, about 1.6e38, where vf_exp gives inf);
 *                         NaN stays NaN.  About 20 operations.
 *   mv_exp_neg_abs(x)     exp(-|x|) through mv_exp2_nonpos.
 *   mv_softplus(x)        vf_softplus with exp(-|x|) from mv_exp_neg_abs.
 *   mv_silu(x)            x sigmoid(x) with e = exp(-|x|): x / (1 + e) for
 *                         x >= 0, x e / (1 + e) below; one division. */
#ifndef HY_X86_MAMBA_VEC_H
#define HY_X86_MAMBA_VEC_H

#include "x86_vec.h"

#include <stdint.h>

#define MV_LOG2E 1.44269504088896341f

/* Prefetches the cache lines of [p, p + bytes) into all levels, for
 * reading or (write != 0) for writing.  The Mamba kernels walk [T, D]
 * arrays row by row inside a block of channels, a few hundred bytes at a
 * stride of D floats, which the hardware prefetchers do not follow: the
 * rows a few steps ahead are requested explicitly. */
static inline void mv_prefetch(const void *p, int64_t bytes, int write)
{
    const char *c = (const char *)p;
    for (int64_t i = 0; i < bytes; i += 64) {
        if (write) __builtin_prefetch(c + i, 1, 3);
        else __builtin_prefetch(c + i, 0, 3);
    }
}

/* 2^(a b) for a b <= 0.  Written for a short dependency chain (the scan
 * runs one of these per state element and step, and with a long serial
 * chain the out-of-order window, not the FMA ports, limits it): n by a
 * rounding instruction, the polynomial by Estrin's scheme (three levels
 * of FMAs instead of six). */
static inline vf mv_exp2_nonpos(vf a, vf b)
{
    const vf x = vf_max(vf_mul(a, b), vf_set1(-125.0f));
    const vf n = vf_round(x);                       /* in [-125, 0]             */
    const vf r = vf_sub(x, n);                      /* in [-1/2, 1/2], exact     */
    const vf t = vf_add(n, vf_set1(12582912.0f));   /* 1.5 2^23 + n, for 2^n     */
    /* 1 + P5 r + P4 r^2 + P3 r^3 + P2 r^4 + P1 r^5 + P0 r^6 (Cephes exp2f) */
    const vf r2 = vf_mul(r, r), r4 = vf_mul(r2, r2);
    const vf e0 = vf_fma(vf_set1(6.931472028550421e-1f), r, vf_set1(1.0f));
    const vf e1 = vf_fma(vf_set1(5.550332471162809e-2f), r, vf_set1(2.402264791363012e-1f));
    const vf e2 = vf_fma(vf_set1(1.339887440266574e-3f), r, vf_set1(9.618437357674640e-3f));
    const vf f0 = vf_fma(e1, r2, e0);
    const vf f1 = vf_fma(vf_set1(1.535336188319500e-4f), r2, e2);
    return vf_mul(vf_fma(f1, r4, f0), vf_pow2_from_magic(t));
}

/* exp(x) for any x (see the header comment). */
static inline vf mv_exp(vf x)
{
    const vf magic = vf_set1(12582912.0f);
    const vf xc = vf_min(vf_max(x, vf_set1(-87.3365479f)), vf_set1(88.0f));
    const vf t = vf_fma(xc, vf_set1(MV_LOG2E), magic); /* magic + round(x / ln2) */
    const vf n = vf_sub(t, magic);
    vf r = vf_fnma(n, vf_set1(0.693359375f), xc);
    r = vf_fnma(n, vf_set1(-2.12194440e-4f), r);
    vf p = vf_set1(1.9875691500e-4f);
    p = vf_fma(p, r, vf_set1(1.3981999507e-3f));
    p = vf_fma(p, r, vf_set1(8.3334519073e-3f));
    p = vf_fma(p, r, vf_set1(4.1665795894e-2f));
    p = vf_fma(p, r, vf_set1(1.6666665459e-1f));
    p = vf_fma(p, r, vf_set1(5.0000001201e-1f));
    p = vf_fma(p, vf_mul(r, r), vf_add(r, vf_set1(1.0f)));
    return vf_select_unord(x, x, vf_mul(p, vf_pow2_from_magic(t)));
}

/* exp(-|x|), in (0, 1]. */
static inline vf mv_exp_neg_abs(vf x)
{
    return mv_exp2_nonpos(vf_max(x, vf_sub(vf_zero(), x)), vf_set1(-MV_LOG2E));
}

/* softplus(x) = max(x, 0) + log1p(exp(-|x|)), x above 20 as is (torch);
 * vf_softplus with the cheaper exponential of a non-positive argument. */
static inline vf mv_softplus(vf x)
{
    const vf sp = vf_add(vf_max(x, vf_zero()), vf_log1p_unit(mv_exp_neg_abs(x)));
    return vf_select_unord(x, x, vf_select_gt(x, vf_set1(20.0f), x, sp)); /* NaN stays NaN */
}

/* silu(z) = z sigmoid(z), sigmoid(z) = 1 / (1 + e) for z >= 0 and e / (1 + e)
 * below, e = exp(-|z|): again only a non-positive exponent. */
static inline vf mv_silu(vf z)
{
    const vf e = mv_exp_neg_abs(z), one = vf_set1(1.0f);
    const vf num = vf_select_lt(z, vf_zero(), vf_mul(z, e), z);
    return vf_div(num, vf_add(one, e));
}

#endif
