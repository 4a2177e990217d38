/* hy_stats.h — statistics of repeated timings: location, spread, and a
 * deterministic test of whether two samples differ beyond the noise.
 *
 * Definitions (all functions take an unsorted sample x[n] and leave it
 * untouched; NaN values are not allowed and are rejected by
 * hy_stats_summarize):
 *   median       middle value; the mean of the two middle values for even n
 *   percentile   linear interpolation between closest ranks ("type 7", the
 *                default of numpy.percentile and R's quantile):
 *                h = (n-1)*q, result = x[floor h] + (h - floor h) *
 *                (x[floor h + 1] - x[floor h]) on the sorted sample
 *   mean         arithmetic mean
 *   stddev       sample standard deviation (divides by n-1; 0 for n = 1),
 *                as Google Benchmark's "stddev" aggregate
 *   mad          median absolute deviation, median(|x - median(x)|),
 *                unscaled (multiply by 1.4826 to estimate a normal sigma)
 *   cv           coefficient of variation, stddev / mean (a fraction, not
 *                a percentage; 0 when the mean is 0)
 */
#ifndef HY_STATS_H
#define HY_STATS_H

#include "hy_common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hy_summary {
    size_t n;
    double min, max;
    double mean, stddev, cv;
    double median, mad;
    double p10, p90;
} hy_summary;

double hy_stats_mean(const double *x, size_t n);              /* x: [n]; 0 for n = 0 */
double hy_stats_stddev(const double *x, size_t n);            /* x: [n]; n-1 divisor  */
double hy_stats_median(const double *x, size_t n);            /* x: [n]; NaN for n = 0 */
double hy_stats_percentile(const double *x, size_t n, double q); /* x: [n]; q in [0,1] */
double hy_stats_mad(const double *x, size_t n);               /* x: [n]; NaN for n = 0 */

/* Every statistic above at once.  Fails on n = 0, a NULL sample, or a
 * value that is NaN or infinite. */
int hy_stats_summarize(const double *x, size_t n, hy_summary *out, hy_error *err);

/* Is sample a different from sample b beyond the noise?
 *
 * Method (deterministic, no resampling):
 *   - With at least HY_STATS_MWU_MIN_N values in each sample: a two-sided
 *     Mann-Whitney U test (Wilcoxon rank-sum) with the normal
 *     approximation, average ranks for ties, the tie correction of the
 *     variance and a continuity correction of 0.5.  The difference is
 *     significant when p < alpha.  This is the test Google Benchmark's
 *     tools/compare.py uses.
 *   - With fewer values the normal approximation is not trustworthy; the
 *     samples then differ only when their [p10, p90] intervals do not
 *     overlap (method "interval"), a conservative rule.
 * When the samples are identical in distribution up to noise the verdict
 * is 0; otherwise -1 when a is smaller (faster, for times) and +1 when a is
 * larger; the sign follows the medians.  ratio is median(b)/median(a)
 * (> 1 means b is larger, i.e. a is faster when samples are times). */
#define HY_STATS_MWU_MIN_N 5
#define HY_STATS_DEFAULT_ALPHA 0.05

typedef struct hy_comparison {
    double median_a, median_b;
    double ratio;       /* median_b / median_a (inf when median_a is 0)     */
    double u;           /* U statistic of sample a (MWU only, else NaN)      */
    double z;           /* standardised U (MWU only, else NaN)               */
    double p_value;     /* two-sided p (MWU only, else NaN)                  */
    int verdict;        /* -1 a smaller, 0 not distinguishable, +1 a larger  */
    const char *method; /* "mann-whitney-u" or "interval"                   */
} hy_comparison;

/* a: [na], b: [nb]; alpha in (0, 1), e.g. HY_STATS_DEFAULT_ALPHA. */
int hy_stats_compare(const double *a, size_t na, const double *b, size_t nb, double alpha,
                     hy_comparison *out, hy_error *err);

/* Standard normal upper-tail probability P(Z > z). */
double hy_stats_normal_sf(double z);

#ifdef __cplusplus
}
#endif
#endif
