/* x86_bf16.h — the x86 backend's bf16-storage variants (kernels/hy_linear.h
 * w_dtype, kernels/hy_attention.h kv_dtype).
 *
 *   linear/packed_bf16w   hy_x86_linear_packed_bf16w_{avx2,avx512}: W stored
 *                         as bf16, widened to fp32 as the packed SGEMM packs
 *                         it (the GEMV path as it streams); fp32 FMAs, so
 *                         operand precision f32.  Workspace
 *                         hy_x86_linear_packed_bf16w_workspace_{avx2,avx512}.
 *   linear/dpbf16         hy_x86_linear_dpbf16_avx512bf16: x rounded to bf16
 *                         too, vdpbf16ps with fp32 accumulation (operand
 *                         precision bf16).  Workspace: x as bf16.
 *   attention/decode_bf16kv  hy_x86_attention_decode_bf16kv_{avx2,avx512}:
 *                         a bf16 K/V cache widened as it is read; any T,
 *                         split-KV for decode.  Workspace: the partial
 *                         softmax states of the key splits.
 *
 * Each reads only its storage dtype and returns HY_UNSUPPORTED for an f32
 * shape (the harness does not even call it then: hy_variant_storage_ok).
 * A caller must check hy_isa_usable of the suffix's instruction set first. */
#ifndef HY_X86_BF16_H
#define HY_X86_BF16_H

#include "backend.h"

#ifdef __cplusplus
extern "C" {
#endif

int hy_x86_linear_packed_bf16w_avx2(hy_exec *ex, const hy_linear_shape *s, const hy_linear_args *a,
                                    void *work, hy_error *err);
int hy_x86_linear_packed_bf16w_avx512(hy_exec *ex, const hy_linear_shape *s,
                                      const hy_linear_args *a, void *work, hy_error *err);
size_t hy_x86_linear_packed_bf16w_workspace_avx2(const hy_linear_shape *s);
size_t hy_x86_linear_packed_bf16w_workspace_avx512(const hy_linear_shape *s);

int hy_x86_linear_dpbf16_avx512bf16(hy_exec *ex, const hy_linear_shape *s,
                                    const hy_linear_args *a, void *work, hy_error *err);
size_t hy_x86_linear_dpbf16_workspace_avx512bf16(const hy_linear_shape *s);

int hy_x86_attention_decode_bf16kv_avx2(hy_exec *ex, const hy_attention_shape *s,
                                        const hy_attention_args *a, void *work, hy_error *err);
int hy_x86_attention_decode_bf16kv_avx512(hy_exec *ex, const hy_attention_shape *s,
                                          const hy_attention_args *a, void *work, hy_error *err);
size_t hy_x86_attention_decode_bf16kv_workspace_avx2(const hy_attention_shape *s);
size_t hy_x86_attention_decode_bf16kv_workspace_avx512(const hy_attention_shape *s);

/* The checks every bf16-W linear variant makes: 0 with the row strides of
 * x and y in *ldx, *ldy; HY_UNSUPPORTED for an f32 W; -1 for a bad shape
 * or argument. */
static inline int hy_x86_linear_bf16_args(const hy_linear_shape *s, const hy_linear_args *a,
                                          int64_t *ldx, int64_t *ldy, hy_error *err)
{
    if (!s || !a) return hy_fail(err, "linear: shape or args is NULL");
    if (hy_linear_check(s, err)) return -1;
    if (s->w_dtype != HY_BF16) {
        hy_fail(err, "linear: this variant reads bf16 W (w_dtype bf16); the shape's W is %s",
                hy_dtype_name(s->w_dtype));
        return HY_UNSUPPORTED;
    }
    if (!a->x || !a->w_bf16 || !a->y) return hy_fail(err, "linear: x, w_bf16 and y must not be NULL");
    if (s->has_bias && !a->b) return hy_fail(err, "linear: has_bias is set but b is NULL");
    *ldx = a->x_stride ? a->x_stride : s->in;
    *ldy = a->y_stride ? a->y_stride : s->out;
    if (*ldx < s->in || *ldy < s->out)
        return hy_fail(err, "linear: strides (x %lld, y %lld) are narrower than in/out",
                       (long long)*ldx, (long long)*ldy);
    return 0;
}

#ifdef __cplusplus
}
#endif
#endif
