/* linear_bf16_impl.h — linear/packed_bf16w:  y[t, o] (+)= sum_i x[t, i] W[o, i] + b[o]
 * with W stored as bf16 (kernels/hy_linear.h, w_dtype bf16): one call of
 * the packed SGEMM (gemm_impl.h) with w_bf16 set, so the packing step
 * widens W to fp32 (convert-on-load, exact) and the micro-kernel is the
 * fp32 one; T <= 2 runs the GEMV path, which widens W as it streams it
 * (half the bytes of an fp32 W: the decode case).  Compiled by
 * linear_bf16_avx2.c and linear_bf16_avx512.c; declared in x86_bf16.h. */
#include "x86_bf16.h"
#include "x86_gemm.h"
#include "x86_vec.h"
#include "cpu/cpu_backend.h"

size_t HY_X86_SUFFIX(hy_x86_linear_packed_bf16w_workspace)(const hy_linear_shape *s)
{
    if (!s || hy_linear_check(s, NULL)) return 0; /* the kernel will reject the shape */
    return HY_X86_SUFFIX(hy_x86_gemm_workspace)(s->T, s->out, s->in);
}

int HY_X86_SUFFIX(hy_x86_linear_packed_bf16w)(hy_exec *ex, const hy_linear_shape *s,
                                              const hy_linear_args *a, void *work, hy_error *err)
{
    int64_t ldx = 0, ldy = 0;
    const int rc = hy_x86_linear_bf16_args(s, a, &ldx, &ldy, err);
    if (rc) return rc;
    const size_t need = HY_X86_SUFFIX(hy_x86_gemm_workspace)(s->T, s->out, s->in);
    if (need && !work)
        return hy_fail(err, "linear: workspace is NULL (linear/packed_bf16w needs %zu bytes)", need);
    const hy_x86_gemm_args g = {.M = s->T, .N = s->out, .K = s->in, .x = a->x, .ldx = ldx,
                                .w_bf16 = a->w_bf16, .ldw = s->in,
                                .bias = s->has_bias ? a->b : NULL, .y = a->y, .ldy = ldy,
                                .accumulate = s->accumulate};
    HY_X86_SUFFIX(hy_x86_gemm)(&g, hy_cpu_exec_threads(ex), work);
    return 0;
}
