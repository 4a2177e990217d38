/* ref_linear.c — reference linear layer (kernels/hy_linear.h).
 *
 *   x [T, x_stride]  first `in` columns used (x_stride 0 means in)
 *   w [out, in]      PyTorch layout: row o holds the weights of output o
 *                    (w_bf16 instead when w_dtype is bf16: the bf16 values
 *                    widened to fp32, exactly)
 *   b [out]          only when has_bias
 *   y [T, y_stride]  first `out` columns written (y_stride 0 means out)
 *
 *   y[t, o] = (accumulate ? y[t, o] : 0) + sum_i x[t, i] * w[o, i] + b[o]
 *
 * The whole right-hand side, including the old y, is summed in double and
 * rounded to float once.  x and y must not overlap. */
#include "hy_reference.h"

int hy_ref_linear(const hy_linear_shape *s, const hy_linear_args *a, hy_error *err)
{
    if (!s || !a) return hy_fail(err, "linear: shape or args is NULL");
    if (hy_linear_check(s, err)) return -1;
    const int bf16 = s->w_dtype == HY_BF16;
    if (!a->x || !a->y || (bf16 ? !a->w_bf16 : !a->w))
        return hy_fail(err, "linear: x, %s and y must not be NULL", bf16 ? "w_bf16" : "w");
    if (s->has_bias && !a->b) return hy_fail(err, "linear: has_bias is set but b is NULL");
    int64_t x_stride = a->x_stride ? a->x_stride : s->in;
    int64_t y_stride = a->y_stride ? a->y_stride : s->out;
    if (x_stride < s->in)
        return hy_fail(err, "linear: x_stride (%lld) must be 0 or >= in (%lld)",
                       (long long)x_stride, (long long)s->in);
    if (y_stride < s->out)
        return hy_fail(err, "linear: y_stride (%lld) must be 0 or >= out (%lld)",
                       (long long)y_stride, (long long)s->out);

    for (int64_t t = 0; t < s->T; t++) {
        const float *x_t = a->x + t * x_stride; /* [in]  */
        float *y_t = a->y + t * y_stride;       /* [out] */
        for (int64_t o = 0; o < s->out; o++) {
            const int64_t w_o = o * s->in; /* row o of W [out, in] */
            double acc = s->accumulate ? (double)y_t[o] : 0.0;
            if (s->has_bias) acc += (double)a->b[o];
            for (int64_t i = 0; i < s->in; i++) {
                double w = bf16 ? (double)hy_bf16_to_f32(a->w_bf16[w_o + i]) : (double)a->w[w_o + i];
                acc += (double)x_t[i] * w;
            }
            y_t[o] = (float)acc;
        }
    }
    return 0;
}
