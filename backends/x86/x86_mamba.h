/* x86_mamba.h — the x86 (AVX2 / AVX-512) kernels of a Mamba layer's
 * non-GEMM part: selective scan, causal depthwise conv1d, RMSNorm.
 *
 * Each body is written once against x86_vec.h (scan_impl.h, conv1d_impl.h,
 * rmsnorm_impl.h) and compiled twice: the _avx2 names come from the
 * *_avx2.c files (8 lanes), the _avx512 names from the *_avx512.c files
 * (16 lanes).  They run on the cpu backend's execution context
 * (hy_cpu_exec_threads) and honour the full family contracts of
 * kernels/hy_scan.h, hy_conv1d.h and hy_rmsnorm.h.  Call an _avx512 one
 * only where hy_isa_usable("avx512") says so.
 *
 *   scan/fused     channels across the vector lanes, the block's state in
 *                  an L1-resident [N, block] buffer, softplus, exp(dt A),
 *                  the D skip and the silu(z) gate in one pass over time;
 *                  T = 1 has a decode path vectorised over the state.
 *                  No workspace.
 *   scan/chunked   also parallel over time (chunks from a zero state, a
 *                  carry pass, a rerun that writes y); workspace below;
 *                  T = 1 takes scan/fused's decode path.
 *   conv1d/direct  channels across the lanes, taps transposed to [K, C]
 *                  in the workspace, HF conv-state semantics, fused SiLU,
 *                  (time tile x channel block) items split in time order,
 *                  non-temporal stores of a large y; T = 1 decode path
 *                  without workspace traffic.
 *   rmsnorm/rowwise  several vector accumulators for the sum of squares,
 *                  then one scaling pass; in place allowed. */
#ifndef HY_X86_MAMBA_H
#define HY_X86_MAMBA_H

#include <stddef.h>

#include "hy_conv1d.h"
#include "hy_rmsnorm.h"
#include "hy_scan.h"

#ifdef __cplusplus
extern "C" {
#endif

/* avx2 */
int hy_x86_scan_fused_avx2(hy_exec *ex, const hy_scan_shape *s, const hy_scan_args *a, void *work,
                       hy_error *err);
int hy_x86_scan_chunked_avx2(hy_exec *ex, const hy_scan_shape *s, const hy_scan_args *a,
                         void *work, hy_error *err);
size_t hy_x86_scan_chunked_workspace_avx2(const hy_scan_shape *s);
int hy_x86_conv1d_direct_avx2(hy_exec *ex, const hy_conv1d_shape *s, const hy_conv1d_args *a,
                          void *work, hy_error *err);
size_t hy_x86_conv1d_direct_workspace_avx2(const hy_conv1d_shape *s);
int hy_x86_rmsnorm_rowwise_avx2(hy_exec *ex, const hy_rmsnorm_shape *s, const hy_rmsnorm_args *a,
                            void *work, hy_error *err);

/* avx512 */
int hy_x86_scan_fused_avx512(hy_exec *ex, const hy_scan_shape *s, const hy_scan_args *a, void *work,
                       hy_error *err);
int hy_x86_scan_chunked_avx512(hy_exec *ex, const hy_scan_shape *s, const hy_scan_args *a,
                         void *work, hy_error *err);
size_t hy_x86_scan_chunked_workspace_avx512(const hy_scan_shape *s);
int hy_x86_conv1d_direct_avx512(hy_exec *ex, const hy_conv1d_shape *s, const hy_conv1d_args *a,
                          void *work, hy_error *err);
size_t hy_x86_conv1d_direct_workspace_avx512(const hy_conv1d_shape *s);
int hy_x86_rmsnorm_rowwise_avx512(hy_exec *ex, const hy_rmsnorm_shape *s, const hy_rmsnorm_args *a,
                            void *work, hy_error *err);

#ifdef __cplusplus
}
#endif
#endif
