/* cpu_kernels.h — the portable cpu kernels, one function per variant and a
 * workspace function where the variant needs scratch memory.  They are the
 * entries of the cpu kernel table (cpu_backend.c) and may be listed by
 * other host backends (x86, arm) for the families they do not override;
 * such a backend must then use the cpu execution context (cpu_backend.h).
 * Every function has the signature of its family's hy_<family>_fn. */
#ifndef HY_CPU_KERNELS_H
#define HY_CPU_KERNELS_H

#include "backend.h"

/* linear/blocked */
int hy_cpu_linear_blocked(hy_exec *ex, const hy_linear_shape *s, const hy_linear_args *a,
                          void *work, hy_error *err);
/* rmsnorm/rowwise */
int hy_cpu_rmsnorm_rowwise(hy_exec *ex, const hy_rmsnorm_shape *s, const hy_rmsnorm_args *a,
                           void *work, hy_error *err);
/* conv1d/direct; workspace [2K-1, C] floats (transposed taps and history) */
int hy_cpu_conv1d_direct(hy_exec *ex, const hy_conv1d_shape *s, const hy_conv1d_args *a,
                         void *work, hy_error *err);
size_t hy_cpu_conv1d_direct_workspace(const hy_conv1d_shape *s);
/* scan/seq */
int hy_cpu_scan_seq(hy_exec *ex, const hy_scan_shape *s, const hy_scan_args *a, void *work,
                    hy_error *err);
/* scan/chunked; workspace [n_chunks, 2, D, N] floats */
int hy_cpu_scan_chunked(hy_exec *ex, const hy_scan_shape *s, const hy_scan_args *a, void *work,
                        hy_error *err);
size_t hy_cpu_scan_chunked_workspace(const hy_scan_shape *s);
/* ssd/chunked; workspace chunk states [n_chunks, H, P, N] + dt, dt*A [H, T] */
int hy_cpu_ssd_chunked(hy_exec *ex, const hy_ssd_shape *s, const hy_ssd_args *a, void *work,
                       hy_error *err);
size_t hy_cpu_ssd_chunked_workspace(const hy_ssd_shape *s);
/* ssd/seq; workspace the running state [H, P, N] */
int hy_cpu_ssd_seq(hy_exec *ex, const hy_ssd_shape *s, const hy_ssd_args *a, void *work,
                   hy_error *err);
size_t hy_cpu_ssd_seq_workspace(const hy_ssd_shape *s);
/* attention/flash; workspace running max and sum [T, nH] x 2 */
int hy_cpu_attention_flash(hy_exec *ex, const hy_attention_shape *s, const hy_attention_args *a,
                           void *work, hy_error *err);
size_t hy_cpu_attention_flash_workspace(const hy_attention_shape *s);
/* attention/naive; workspace score rows [slots, pos0 + T] */
int hy_cpu_attention_naive(hy_exec *ex, const hy_attention_shape *s, const hy_attention_args *a,
                           void *work, hy_error *err);
size_t hy_cpu_attention_naive_workspace(const hy_attention_shape *s);
/* moe/grouped; workspace router, routing lists and grouped activations */
int hy_cpu_moe_grouped(hy_exec *ex, const hy_moe_shape *s, const hy_moe_args *a, void *work,
                       hy_error *err);
size_t hy_cpu_moe_grouped_workspace(const hy_moe_shape *s);
/* moe/token; workspace per-thread slots of [E + I] floats */
int hy_cpu_moe_token(hy_exec *ex, const hy_moe_shape *s, const hy_moe_args *a, void *work,
                     hy_error *err);
size_t hy_cpu_moe_token_workspace(const hy_moe_shape *s);
/* mlp/swiglu; workspace [T, 2I] floats */
int hy_cpu_mlp_swiglu(hy_exec *ex, const hy_mlp_shape *s, const hy_mlp_args *a, void *work,
                      hy_error *err);
size_t hy_cpu_mlp_swiglu_workspace(const hy_mlp_shape *s);

#endif
