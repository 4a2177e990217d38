/* test_stats.c — hy_stats against hand-computed values, and the noise
 * test on samples that clearly differ, clearly do not, and tie. */
#include "hy_stats.h"
#include "hy_test.h"

#include <math.h>
#include <string.h>

static void test_location_and_spread(void)
{
    /* sorted: 1 1 2 3 4 5 6 9; sum 31 */
    const double x[8] = {3, 1, 4, 1, 5, 9, 2, 6};
    const double copy[8] = {3, 1, 4, 1, 5, 9, 2, 6};
    CHECK_NEAR(hy_stats_median(x, 8), 3.5, 0);
    CHECK_NEAR(hy_stats_mean(x, 8), 31.0 / 8, 1e-15);
    /* squared deviations from 3.875 add up to 52.875 */
    CHECK_NEAR(hy_stats_stddev(x, 8), sqrt(52.875 / 7), 1e-12);
    CHECK_NEAR(hy_stats_percentile(x, 8, 0.10), 1.0, 1e-12);  /* h = 0.7: 1 + .7*(1-1) */
    CHECK_NEAR(hy_stats_percentile(x, 8, 0.90), 6.9, 1e-12);  /* h = 6.3: 6 + .3*(9-6) */
    CHECK_NEAR(hy_stats_percentile(x, 8, 0.25), 1.75, 1e-12); /* h = 1.75: 1 + .75*(2-1) */
    CHECK_NEAR(hy_stats_percentile(x, 8, 0.0), 1.0, 0);
    CHECK_NEAR(hy_stats_percentile(x, 8, 1.0), 9.0, 0);
    /* |x - 3.5| sorted: .5 .5 1.5 1.5 2.5 2.5 2.5 5.5 -> median 2 */
    CHECK_NEAR(hy_stats_mad(x, 8), 2.0, 0);
    CHECK(memcmp(x, copy, sizeof x) == 0); /* input untouched */

    hy_summary s;
    hy_error err = {{0}};
    CHECK_OK(hy_stats_summarize(x, 8, &s, &err), &err);
    CHECK(s.n == 8);
    CHECK_NEAR(s.min, 1, 0);
    CHECK_NEAR(s.max, 9, 0);
    CHECK_NEAR(s.median, 3.5, 0);
    CHECK_NEAR(s.mad, 2.0, 0);
    CHECK_NEAR(s.p10, 1.0, 1e-12);
    CHECK_NEAR(s.p90, 6.9, 1e-12);
    CHECK_NEAR(s.cv, sqrt(52.875 / 7) / 3.875, 1e-12);

    const double odd[3] = {5, 3, 1};
    CHECK_NEAR(hy_stats_median(odd, 3), 3, 0);
    CHECK_NEAR(hy_stats_stddev(odd, 3), 2, 1e-15); /* (4+0+4)/2 = 4 */
    CHECK_NEAR(hy_stats_mad(odd, 3), 2, 0);        /* |5-3| |3-3| |1-3| */
    CHECK_NEAR(hy_stats_percentile(odd, 3, 0.9), 4.6, 1e-12); /* h = 1.8: 3 + .8*2 */

    const double one[1] = {7};
    CHECK_OK(hy_stats_summarize(one, 1, &s, &err), &err);
    CHECK_NEAR(s.median, 7, 0);
    CHECK_NEAR(s.p10, 7, 0);
    CHECK_NEAR(s.stddev, 0, 0);
    CHECK_NEAR(s.cv, 0, 0);

    CHECK_FAILS(hy_stats_summarize(x, 0, &s, &err), &err, "empty");
    const double bad[3] = {1, NAN, 2};
    CHECK_FAILS(hy_stats_summarize(bad, 3, &s, &err), &err, "not finite");
    CHECK(isnan(hy_stats_median(x, 0)));
}

static void test_mann_whitney_by_hand(void)
{
    hy_error err = {{0}};
    hy_comparison c;

    /* Completely separated: U_a = 0, mu = 12.5, var = 25*11/12,
     * z = (0 - 12.5 + 0.5)/sqrt(22.9167) = -2.5067, p = 0.01219. */
    const double lo[5] = {1, 2, 3, 4, 5}, hi[5] = {6, 7, 8, 9, 10};
    CHECK_OK(hy_stats_compare(lo, 5, hi, 5, 0.05, &c, &err), &err);
    CHECK(strcmp(c.method, "mann-whitney-u") == 0);
    CHECK_NEAR(c.u, 0, 0);
    CHECK_NEAR(c.z, -12.0 / sqrt(25.0 * 11 / 12), 1e-12);
    CHECK_NEAR(c.p_value, 0.01219, 5e-5);
    CHECK(c.verdict == -1);
    CHECK_NEAR(c.ratio, 8.0 / 3.0, 1e-12);
    CHECK_OK(hy_stats_compare(hi, 5, lo, 5, 0.05, &c, &err), &err);
    CHECK(c.verdict == +1);
    CHECK_NEAR(c.u, 25, 0);
    /* ... but not at alpha = 0.01 */
    CHECK_OK(hy_stats_compare(lo, 5, hi, 5, 0.01, &c, &err), &err);
    CHECK(c.verdict == 0);

    /* Interleaved: rank sum 25, U = 10, |U - mu| = 2.5 -> 2 after the
     * continuity correction, z = -0.418, p = 0.676. */
    const double odd[5] = {1, 3, 5, 7, 9}, even[5] = {2, 4, 6, 8, 10};
    CHECK_OK(hy_stats_compare(odd, 5, even, 5, 0.05, &c, &err), &err);
    CHECK_NEAR(c.u, 10, 0);
    CHECK_NEAR(c.z, -2.0 / sqrt(25.0 * 11 / 12), 1e-12);
    CHECK_NEAR(c.p_value, 0.6761, 5e-4);
    CHECK(c.verdict == 0);

    /* Ties: ranks 1.5 (x2), 4.5 (x4), 8.5 (x4); rank sum of a = 16.5,
     * U = 1.5; tie term 6+60+60 = 126; var = 25/12*(11 - 126/90) = 20;
     * z = -(11 - 0.5)/sqrt(20) = -2.3479, p = 0.01888 (0.0283 without the
     * tie correction). */
    const double ta[5] = {1, 1, 2, 2, 2}, tb[5] = {2, 3, 3, 3, 3};
    CHECK_OK(hy_stats_compare(ta, 5, tb, 5, 0.05, &c, &err), &err);
    CHECK_NEAR(c.u, 1.5, 0);
    CHECK_NEAR(c.z, -10.5 / sqrt(20.0), 1e-12);
    CHECK_NEAR(c.p_value, 0.01888, 5e-5);
    CHECK(c.verdict == -1);

    /* All equal: no evidence of a difference. */
    const double same[5] = {4, 4, 4, 4, 4};
    CHECK_OK(hy_stats_compare(same, 5, same, 5, 0.05, &c, &err), &err);
    CHECK_NEAR(c.p_value, 1, 0);
    CHECK(c.verdict == 0);

    CHECK_NEAR(hy_stats_normal_sf(0), 0.5, 1e-15);
    CHECK_NEAR(hy_stats_normal_sf(1.959963985), 0.025, 1e-9);
}

/* Timings with a deterministic jitter of up to +-2 %. */
static void jittered(double *out, int n, double centre, unsigned seed)
{
    for (int i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        double u = (double)((seed >> 8) & 0xffff) / 65535.0; /* [0, 1] */
        out[i] = centre * (1 + 0.04 * (u - 0.5));
    }
}

static void test_noise_verdicts(void)
{
    hy_error err = {{0}};
    hy_comparison c;
    double a[12], b[12], a2[12];
    jittered(a, 12, 100e-6, 1);
    jittered(b, 12, 110e-6, 2); /* 10 % slower, well beyond 2 % noise */
    CHECK_OK(hy_stats_compare(a, 12, b, 12, HY_STATS_DEFAULT_ALPHA, &c, &err), &err);
    CHECK(c.verdict == -1);
    CHECK(c.p_value < 1e-3);
    CHECK(c.ratio > 1.05 && c.ratio < 1.15);
    CHECK_OK(hy_stats_compare(b, 12, a, 12, HY_STATS_DEFAULT_ALPHA, &c, &err), &err);
    CHECK(c.verdict == +1);

    /* Same distribution: interleave one sorted sample into two halves. */
    double s[20], x[10], y[10];
    jittered(s, 20, 100e-6, 4);
    for (int i = 0; i < 20; i++)
        for (int j = i + 1; j < 20; j++)
            if (s[j] < s[i]) {
                double t = s[i];
                s[i] = s[j];
                s[j] = t;
            }
    for (int i = 0; i < 10; i++) {
        x[i] = s[2 * i + (i % 2)];
        y[i] = s[2 * i + 1 - (i % 2)];
    }
    CHECK_OK(hy_stats_compare(x, 10, y, 10, HY_STATS_DEFAULT_ALPHA, &c, &err), &err);
    CHECK(c.verdict == 0);
    CHECK(c.p_value > 0.5);
    /* The same values in another order: U is exactly na*nb/2. */
    for (int i = 0; i < 12; i++) a2[i] = a[11 - i];
    CHECK_OK(hy_stats_compare(a, 12, a2, 12, HY_STATS_DEFAULT_ALPHA, &c, &err), &err);
    CHECK(c.verdict == 0);
    CHECK_NEAR(c.u, 72, 0);
    CHECK_NEAR(c.ratio, 1, 0);

    /* Small samples: [p10, p90] overlap rule. p10/p90 of {1,2,3} are 1.2/2.8. */
    const double s1[3] = {1, 2, 3}, s2[3] = {10, 11, 12}, s3[3] = {2.5, 3.5, 4.5};
    CHECK_OK(hy_stats_compare(s1, 3, s2, 3, 0.05, &c, &err), &err);
    CHECK(strcmp(c.method, "interval") == 0);
    CHECK(c.verdict == -1);
    CHECK(isnan(c.p_value));
    CHECK_OK(hy_stats_compare(s2, 3, s1, 3, 0.05, &c, &err), &err);
    CHECK(c.verdict == +1);
    CHECK_OK(hy_stats_compare(s1, 3, s3, 3, 0.05, &c, &err), &err); /* 2.8 >= p10 2.7 */
    CHECK(c.verdict == 0);

    CHECK_FAILS(hy_stats_compare(s1, 3, s2, 3, 0, &c, &err), &err, "alpha");
    CHECK_FAILS(hy_stats_compare(s1, 0, s2, 3, 0.05, &c, &err), &err, "first sample");
}

int main(void)
{
    test_location_and_spread();
    test_mann_whitney_by_hand();
    test_noise_verdicts();
    return hy_test_finish();
}
