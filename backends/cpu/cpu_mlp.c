/* cpu_mlp.c — mlp/swiglu:  y[t, :] (+)= down( silu(gate x) * up x )   (kernels/hy_mlp.h)
 * Three blocked products with the gate/up activations in the workspace. */
#include "cpu_internal.h"
#include "cpu_kernels.h"

size_t hy_cpu_mlp_swiglu_workspace(const hy_mlp_shape *s)
{
    if (hy_mlp_check(s, NULL)) return 0; /* the kernel will reject the shape */
    return (size_t)s->T * 2u * (size_t)s->I * sizeof(float); /* gate, up: [T, I] each */
}

int hy_cpu_mlp_swiglu(hy_exec *ex, const hy_mlp_shape *s, const hy_mlp_args *a, void *work,
                      hy_error *err)
{
    if (!s || !a) return hy_fail(err, "mlp: shape or args is NULL");
    if (hy_mlp_check(s, err)) return -1;
    if (!a->x || !a->w_gate || !a->w_up || !a->w_down || !a->y)
        return hy_fail(err, "mlp: x, w_gate, w_up, w_down and y must not be NULL");
    if (!work) return hy_fail(err, "mlp: workspace is NULL (needs [T, 2I] floats)");
    const int64_t T = s->T, H = s->H, I = s->I;
    const int nt = cpu_threads(ex);
    float *gate = work;         /* [T, I]; becomes silu(gate) * up */
    float *up = gate + T * I;   /* [T, I] */
    cpu_gemm_xwt(T, H, I, a->x, H, a->w_gate, NULL, gate, I, 0, nt);
    cpu_gemm_xwt(T, H, I, a->x, H, a->w_up, NULL, up, I, 0, nt);
    const int64_t n = T * I;
    (void)nt;
    HY_OMP(parallel for schedule(static) num_threads(nt) if(nt > 1 && n > 4096))
    for (int64_t i = 0; i < n; i++) gate[i] = cpu_silu(gate[i]) * up[i];
    cpu_gemm_xwt(T, I, H, gate, I, a->w_down, NULL, a->y, H, s->accumulate, nt);
    return 0;
}
