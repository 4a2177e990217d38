/* x86_attention.h — the x86 attention and SSD kernels, each compiled for
 * AVX2 (_avx2) and AVX-512 (_avx512) from one width-generic body
 * (attention_impl.h, ssd_impl.h; see x86_vec.h).  Only call a width where
 * hy_isa_usable() says it may run.
 *
 * attention/flash   tiled online softmax, rows of a task (query tokens x
 *                   query heads of one KV head) in vector lanes, or, with
 *                   at most VL rows (decode), the head dimension in the
 *                   lanes; S = Q K^T and P V as register-blocked small
 *                   products.  fp32 K/V cache only.
 * attention/decode  split-KV (flash-decoding): the key range of each
 *                   (KV head, query tile) is cut into chunks handled by
 *                   different threads, partial (max, sum, out) combined at
 *                   the end; with enough tasks already it runs as flash.
 *                   Correct for any T; meant for T = 1.
 * ssd/chunked       the chunked SSD algorithm with the intra-chunk work as
 *                   small matrix products (kernels/hy_ssd.h). */
#ifndef HY_X86_ATTENTION_H
#define HY_X86_ATTENTION_H

#include "hy_kernel.h"

#ifdef __cplusplus
extern "C" {
#endif

#define HY_X86_ATTENTION_DECLARE(sfx)                                                         \
    int hy_x86_attention_flash_##sfx(hy_exec *ex, const hy_attention_shape *s,                \
                                     const hy_attention_args *a, void *work, hy_error *err); \
    size_t hy_x86_attention_flash_workspace_##sfx(const hy_attention_shape *s);               \
    int hy_x86_attention_decode_##sfx(hy_exec *ex, const hy_attention_shape *s,               \
                                      const hy_attention_args *a, void *work, hy_error *err); \
    size_t hy_x86_attention_decode_workspace_##sfx(const hy_attention_shape *s);              \
    int hy_x86_ssd_chunked_##sfx(hy_exec *ex, const hy_ssd_shape *s, const hy_ssd_args *a,    \
                                 void *work, hy_error *err);                                  \
    size_t hy_x86_ssd_chunked_workspace_##sfx(const hy_ssd_shape *s);

HY_X86_ATTENTION_DECLARE(avx2)
HY_X86_ATTENTION_DECLARE(avx512)

#undef HY_X86_ATTENTION_DECLARE

#ifdef __cplusplus
}
#endif
#endif
