/* hy_stats.c — location, spread and the noise test of hy_stats.h. */
#include "hy_stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

/* A sorted copy of x[n] (caller frees); NULL on n = 0 or no memory. */
static double *sorted_copy(const double *x, size_t n)
{
    if (!x || n == 0) return NULL;
    double *s = malloc(n * sizeof *s);
    if (!s) return NULL;
    memcpy(s, x, n * sizeof *s);
    qsort(s, n, sizeof *s, cmp_double);
    return s;
}

/* Type-7 percentile of an already sorted sample s[n]. */
static double percentile_sorted(const double *s, size_t n, double q)
{
    if (q <= 0) return s[0];
    if (q >= 1) return s[n - 1];
    double h = (double)(n - 1) * q;
    size_t lo = (size_t)floor(h);
    if (lo + 1 >= n) return s[n - 1];
    return s[lo] + (h - (double)lo) * (s[lo + 1] - s[lo]);
}

double hy_stats_mean(const double *x, size_t n)
{
    if (!x || n == 0) return 0;
    double sum = 0;
    for (size_t i = 0; i < n; i++) sum += x[i];
    return sum / (double)n;
}

double hy_stats_stddev(const double *x, size_t n)
{
    if (!x || n < 2) return 0;
    double mean = hy_stats_mean(x, n), ss = 0;
    for (size_t i = 0; i < n; i++) ss += (x[i] - mean) * (x[i] - mean);
    return sqrt(ss / (double)(n - 1));
}

double hy_stats_percentile(const double *x, size_t n, double q)
{
    double *s = sorted_copy(x, n);
    if (!s) return NAN;
    double v = percentile_sorted(s, n, q);
    free(s);
    return v;
}

double hy_stats_median(const double *x, size_t n)
{
    return hy_stats_percentile(x, n, 0.5);
}

double hy_stats_mad(const double *x, size_t n)
{
    if (!x || n == 0) return NAN;
    double med = hy_stats_median(x, n);
    double *dev = malloc(n * sizeof *dev);
    if (!dev) return NAN;
    for (size_t i = 0; i < n; i++) dev[i] = fabs(x[i] - med);
    double v = hy_stats_median(dev, n);
    free(dev);
    return v;
}

int hy_stats_summarize(const double *x, size_t n, hy_summary *out, hy_error *err)
{
    if (!x || n == 0) return hy_fail(err, "statistics of an empty sample");
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i])) return hy_fail(err, "sample value %zu is not finite (%g)", i, x[i]);
    double *s = sorted_copy(x, n);
    if (!s) return hy_fail(err, "out of memory sorting %zu values", n);
    hy_summary r;
    memset(&r, 0, sizeof r);
    r.n = n;
    r.min = s[0];
    r.max = s[n - 1];
    r.mean = hy_stats_mean(x, n);
    r.stddev = hy_stats_stddev(x, n);
    r.cv = r.mean != 0 ? r.stddev / r.mean : 0;
    r.median = percentile_sorted(s, n, 0.5);
    r.p10 = percentile_sorted(s, n, 0.10);
    r.p90 = percentile_sorted(s, n, 0.90);
    for (size_t i = 0; i < n; i++) s[i] = fabs(x[i] - r.median);
    qsort(s, n, sizeof *s, cmp_double);
    r.mad = percentile_sorted(s, n, 0.5);
    free(s);
    *out = r;
    return 0;
}

double hy_stats_normal_sf(double z)
{
    return 0.5 * erfc(z / sqrt(2.0));
}

typedef struct ranked {
    double value;
    int from_a;
} ranked;

static int cmp_ranked(const void *pa, const void *pb)
{
    const ranked *a = pa, *b = pb;
    return (a->value > b->value) - (a->value < b->value);
}

/* Mann-Whitney U of sample a against b, with the normal approximation.
 * Sets u, z, p_value and *direction, the sign of (U - na*nb/2): +1 when a
 * tends to be larger.  Returns 0, or -1 when out of memory. */
static int mann_whitney(const double *a, size_t na, const double *b, size_t nb,
                        hy_comparison *out, int *direction, hy_error *err)
{
    size_t n = na + nb;
    ranked *all = malloc(n * sizeof *all);
    if (!all) return hy_fail(err, "out of memory ranking %zu values", n);
    for (size_t i = 0; i < na; i++) all[i] = (ranked){a[i], 1};
    for (size_t i = 0; i < nb; i++) all[na + i] = (ranked){b[i], 0};
    qsort(all, n, sizeof *all, cmp_ranked);

    /* Average ranks (1-based) for runs of ties; tie term sum(t^3 - t). */
    double rank_sum_a = 0, tie_term = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j + 1 < n && all[j + 1].value == all[i].value) j++;
        double t = (double)(j - i + 1);
        double avg_rank = ((double)i + 1 + (double)j + 1) / 2;
        for (size_t k = i; k <= j; k++)
            if (all[k].from_a) rank_sum_a += avg_rank;
        tie_term += t * t * t - t;
        i = j + 1;
    }
    free(all);

    double dna = (double)na, dnb = (double)nb, dn = (double)n;
    double u = rank_sum_a - dna * (dna + 1) / 2;
    double mu = dna * dnb / 2;
    double var = dna * dnb / 12 * ((dn + 1) - tie_term / (dn * (dn - 1)));
    out->u = u;
    double d = u - mu;
    *direction = (d > 0) - (d < 0);
    if (var <= 0) { /* every value equal */
        out->z = 0;
        out->p_value = 1;
        return 0;
    }
    double corrected = fabs(d) > 0.5 ? fabs(d) - 0.5 : 0;
    out->z = (d < 0 ? -corrected : corrected) / sqrt(var);
    double p = 2 * hy_stats_normal_sf(fabs(out->z));
    out->p_value = p > 1 ? 1 : p;
    return 0;
}

int hy_stats_compare(const double *a, size_t na, const double *b, size_t nb, double alpha,
                     hy_comparison *out, hy_error *err)
{
    if (!(alpha > 0 && alpha < 1)) return hy_fail(err, "alpha must lie in (0, 1), got %g", alpha);
    hy_summary sa, sb;
    if (hy_stats_summarize(a, na, &sa, err)) return hy_fail_prefix(err, "first sample");
    if (hy_stats_summarize(b, nb, &sb, err)) return hy_fail_prefix(err, "second sample");

    hy_comparison r;
    memset(&r, 0, sizeof r);
    r.median_a = sa.median;
    r.median_b = sb.median;
    r.ratio = sa.median != 0 ? sb.median / sa.median : (sb.median == 0 ? 1 : INFINITY);
    r.u = r.z = r.p_value = NAN;

    if (na >= HY_STATS_MWU_MIN_N && nb >= HY_STATS_MWU_MIN_N) {
        r.method = "mann-whitney-u";
        int direction = 0;
        if (mann_whitney(a, na, b, nb, &r, &direction, err)) return -1;
        r.verdict = r.p_value < alpha ? direction : 0;
    } else {
        r.method = "interval";
        if (sa.p90 < sb.p10) r.verdict = -1;
        else if (sb.p90 < sa.p10) r.verdict = +1;
        else r.verdict = 0;
    }
    *out = r;
    return 0;
}
