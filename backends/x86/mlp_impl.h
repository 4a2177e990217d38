/* mlp_impl.h — mlp/swiglu:  y[t, :] (+)= down( silu(gate x) * up x )
 * (kernels/hy_mlp.h) on the packed SGEMM (gemm_impl.h): the gate and up
 * products into the workspace, a vectorised silu(gate) * up in place, then
 * the down product straight into y (accumulating when asked).  Compiled by
 * mlp_avx2.c and mlp_avx512.c; declared in x86_gemm.h. */
#include "x86_gemm.h"
#include "gemm_util.h"
#include "x86_vec.h"
#include "cpu/cpu_backend.h"

/* Workspace: gate [T, I], up [T, I], then the GEMM packing buffers. */
static size_t mlp_pack_bytes(const hy_mlp_shape *s)
{
    const size_t a = HY_X86_SUFFIX(hy_x86_gemm_workspace)(s->T, s->I, s->H);
    const size_t b = HY_X86_SUFFIX(hy_x86_gemm_workspace)(s->T, s->H, s->I);
    return a > b ? a : b;
}

static size_t mlp_act_bytes(const hy_mlp_shape *s)
{
    return x86g_align64((size_t)(s->T * s->I) * sizeof(float));
}

size_t HY_X86_SUFFIX(hy_x86_mlp_swiglu_workspace)(const hy_mlp_shape *s)
{
    if (!s || hy_mlp_check(s, NULL)) return 0; /* the kernel will reject the shape */
    return 2 * mlp_act_bytes(s) + mlp_pack_bytes(s);
}

int HY_X86_SUFFIX(hy_x86_mlp_swiglu)(hy_exec *ex, const hy_mlp_shape *s, const hy_mlp_args *a,
                                     void *work, hy_error *err)
{
    if (!s || !a) return hy_fail(err, "mlp: shape or args is NULL");
    if (hy_mlp_check(s, err)) return -1;
    if (!a->x || !a->w_gate || !a->w_up || !a->w_down || !a->y)
        return hy_fail(err, "mlp: x, w_gate, w_up, w_down and y must not be NULL");
    if (!work)
        return hy_fail(err, "mlp: workspace is NULL (mlp/swiglu needs %zu bytes)",
                       HY_X86_SUFFIX(hy_x86_mlp_swiglu_workspace)(s));
    const int64_t T = s->T, H = s->H, I = s->I;
    const int nt = hy_cpu_exec_threads(ex);
    float *gate = work;                                             /* [T, I] */
    float *up = (float *)((char *)work + mlp_act_bytes(s));         /* [T, I] */
    void *pack = (char *)work + 2 * mlp_act_bytes(s);

    hy_x86_gemm_args g = {.M = T, .N = I, .K = H, .x = a->x, .ldx = H, .w = a->w_gate,
                          .ldw = H, .y = gate, .ldy = I};
    HY_X86_SUFFIX(hy_x86_gemm)(&g, nt, pack);
    g.w = a->w_up, g.y = up;
    HY_X86_SUFFIX(hy_x86_gemm)(&g, nt, pack);

    /* gate <- silu(gate) * up, row by row, masked tail */
    (void)nt;
    HY_X86G_OMP(parallel for schedule(static) num_threads(nt) if(nt > 1 && T * I > 16384))
    for (int64_t t = 0; t < T; t++) {
        float *gt = gate + t * I;
        const float *ut = up + t * I;
        for (int64_t i = 0; i < I; i += VL) {
            const int n = (int)x86g_min(VL, I - i);
            vf_store_n(gt + i, vf_mul(vf_silu(vf_load_n(gt + i, n)), vf_load_n(ut + i, n)), n);
        }
    }

    const hy_x86_gemm_args d = {.M = T, .N = H, .K = I, .x = gate, .ldx = I, .w = a->w_down,
                                .ldw = I, .y = a->y, .ldy = H, .accumulate = s->accumulate};
    HY_X86_SUFFIX(hy_x86_gemm)(&d, nt, pack);
    return 0;
}
