/* test_x86_vec.c — accuracy of the vector exponentials of x86_vec.h
 * (AVX2 width) against the C library in double: vf_exp over its whole
 * range, vf_exp2_nonpos, vf_exp2_clamped, vf_silu,
 * vf_softplus, and their edge values. */
#pragma GCC target("avx2,fma")
#define HY_X86_WIDTH 8
#include "x86/x86_vec.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "hy_isa.h"
#include "hy_test.h"

static float lane0(vf v)
{
    float out[VL];
    vf_store(out, v);
    return out[0];
}

static double rel(double got, double want)
{
    return fabs(got - want) / fmax(fabs(want), 1e-300);
}

int main(void)
{
    char why[160];
    if (!hy_isa_usable("avx2", why, sizeof why)) {
        printf("skip: %s\n", why);
        CHECK(strlen(why) > 0);
        return hy_test_finish();
    }
    double worst_exp = 0, worst_exp2 = 0, worst_silu = 0, worst_sp = 0;
    double worst_clamped = 0;
    for (double xd = -87.33; xd <= 88.72; xd += 0.000917) {
        float x = (float)xd;
        worst_exp = fmax(worst_exp, rel(lane0(vf_exp(vf_set1(x))), exp((double)x)));
        /* below -80 exp(-|x|) is clamped at 2^-125 (absolute error < 1e-37) */
        double sp = x > 20 ? x : log1p(exp((double)x));
        if (x > -80) worst_sp = fmax(worst_sp, rel(lane0(vf_softplus(vf_set1(x))), sp));
        if (x <= 0) {
            float a = -x, b = -1.0f; /* 2^(a b) */
            worst_exp2 = fmax(worst_exp2, rel(lane0(vf_exp2_nonpos(vf_set1(a), vf_set1(b))),
                                              exp2((double)a * b)));
        }
        const float x2 = x * 1.4375f; /* covers the clamp range [-125, 127] */
        if (x2 > -125 && x2 < 127)
            worst_clamped = fmax(worst_clamped,
                                 rel(lane0(vf_exp2_clamped(vf_set1(x2))), exp2((double)x2)));
        double si = x / (1.0 + exp(-(double)x));
        if (fabs(si) > 1e-30) worst_silu = fmax(worst_silu, rel(lane0(vf_silu(vf_set1(x))), si));
    }
    printf("worst relative error: exp %.3g, exp2_nonpos %.3g, exp2_clamped %.3g, silu %.3g, "
           "softplus %.3g\n",
           worst_exp, worst_exp2, worst_clamped, worst_silu, worst_sp);
    /* vf_exp: below 2 ulp of float (2 x 2^-23 relative) over the range */
    CHECK(worst_exp < 2.4e-7);
    /* 2^(a b) and 2^x: the degree-5 polynomial's error (minimax 9.1e-8)
     * plus its evaluation in float (the product is exact here) */
    CHECK(worst_exp2 < 2.4e-7);
    CHECK(worst_clamped < 2.4e-7);
    /* the activations go through 2^(-|x| log2 e), whose rounding adds about |x| 2^-24 */
    CHECK(worst_silu < 4e-6);
    CHECK(worst_sp < 4e-6);
    /* edges */
    CHECK(isinf(lane0(vf_exp(vf_set1(89.0f)))));
    CHECK(lane0(vf_exp(vf_set1(-88.0f))) == 0.0f);
    CHECK(isnan(lane0(vf_exp(vf_set1(NAN)))));
    CHECK(rel(lane0(vf_exp(vf_set1(88.7f))), exp((double)88.7f)) < 2.4e-7);
    CHECK(lane0(vf_softplus(vf_set1(25.0f))) == 25.0f);
    CHECK(isnan(lane0(vf_softplus(vf_set1(NAN)))));
    /* x = 0 gives exactly 1 (a state with no decay does not grow); the
     * clamps give normal floats, no zero, infinity or denormal */
    CHECK(lane0(vf_exp2_nonpos(vf_set1(0.0f), vf_set1(-3.0f))) == 1.0f);
    CHECK(lane0(vf_exp2_clamped(vf_set1(0.0f))) == 1.0f);
    CHECK(lane0(vf_exp2_nonpos(vf_set1(1e30f), vf_set1(-1.0f))) > 0.0f);
    CHECK(rel(lane0(vf_exp2_nonpos(vf_set1(1e30f), vf_set1(-1.0f))), exp2(-125.0)) < 2.4e-7);
    CHECK(rel(lane0(vf_exp2_clamped(vf_set1(1e30f))), exp2(127.0)) < 2.4e-7);
    CHECK(rel(lane0(vf_exp2_clamped(vf_set1(-1e30f))), exp2(-125.0)) < 2.4e-7);
    /* masked tails read and write only n lanes */
    float buf[VL + 1];
    for (int i = 0; i <= VL; i++) buf[i] = (float)(i + 1);
    for (int n = 0; n <= VL; n++) {
        CHECK(vf_hsum(vf_load_n(buf, n)) == (float)(n * (n + 1) / 2));
        float out[VL + 1];
        for (int i = 0; i <= VL; i++) out[i] = -1.0f;
        vf_store_n(out, vf_set1(7.0f), n);
        int ok = 1;
        for (int i = 0; i <= VL; i++) ok &= out[i] == (i < n ? 7.0f : -1.0f);
        CHECK(ok);
    }
    return hy_test_finish();
}
