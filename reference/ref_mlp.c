/* ref_mlp.c — reference dense SwiGLU MLP (kernels/hy_mlp.h, jamba-semantics §7).
 *
 *   x      [T, H]
 *   w_gate [I, H]
 *   w_up   [I, H]
 *   w_down [H, I]
 *   y      [T, H]
 *
 *   act[i]  = silu(sum_h w_gate[i, h] x[t, h]) * (sum_h w_up[i, h] x[t, h])
 *   y[t, h] = (accumulate ? y[t, h] : 0) + sum_i w_down[h, i] act[i]
 * everything in double, one rounding per output. */
#include "hy_reference.h"

#include <stdlib.h>

int hy_ref_mlp(const hy_mlp_shape *s, const hy_mlp_args *a, hy_error *err)
{
    if (!s || !a) return hy_fail(err, "mlp: shape or args is NULL");
    if (hy_mlp_check(s, err)) return -1;
    if (!a->x || !a->w_gate || !a->w_up || !a->w_down || !a->y)
        return hy_fail(err, "mlp: x, w_gate, w_up, w_down and y must not be NULL");
    const int64_t H = s->H, I = s->I;
    double *act = malloc((size_t)I * sizeof *act); /* [I] */
    if (!act) return hy_fail(err, "mlp: out of memory for I = %lld", (long long)I);

    for (int64_t t = 0; t < s->T; t++) {
        const float *x_t = a->x + t * H; /* [H] */
        for (int64_t i = 0; i < I; i++) {
            double gate = 0.0, up = 0.0;
            for (int64_t h = 0; h < H; h++) {
                gate += (double)a->w_gate[i * H + h] * (double)x_t[h];
                up += (double)a->w_up[i * H + h] * (double)x_t[h];
            }
            act[i] = hy_silu(gate) * up;
        }
        float *y_t = a->y + t * H; /* [H] */
        for (int64_t h = 0; h < H; h++) {
            double acc = s->accumulate ? (double)y_t[h] : 0.0;
            for (int64_t i = 0; i < I; i++)
                acc += (double)a->w_down[h * I + i] * act[i];
            y_t[h] = (float)acc;
        }
    }
    free(act);
    return 0;
}
