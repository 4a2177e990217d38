/* x86_gemm.h — the x86 backend's GEMM-based kernels: a packed, blocked
 * SGEMM of its own, and the linear, mlp and moe variants built on it.
 *
 * Every function exists twice, _avx2 and _avx512: one width-generic body
 * (gemm_impl.h, linear_impl.h, mlp_impl.h, moe_impl.h, written against
 * x86_vec.h) compiled with HY_X86_WIDTH 8 and 16.  A caller must check
 * hy_isa_usable("avx2"/"avx512") before calling a copy (it would SIGILL
 * otherwise).  linear/openblas (isa "c") wraps OpenBLAS's cblas_sgemm and
 * reports HY_UNSUPPORTED when the build has no OpenBLAS.
 *
 * Kernel entries (signatures of kernels/hy_<family>.h) for the lead's table:
 *   linear/packed    hy_x86_linear_packed_{avx2,avx512}, workspace
 *                    hy_x86_linear_packed_workspace_{avx2,avx512}
 *   linear/openblas  hy_x86_linear_openblas (isa "c"), no workspace
 *   mlp/swiglu       hy_x86_mlp_swiglu_{avx2,avx512}, workspace
 *                    hy_x86_mlp_swiglu_workspace_{avx2,avx512}
 *   moe/grouped      hy_x86_moe_grouped_{avx2,avx512}, workspace
 *                    hy_x86_moe_grouped_workspace_{avx2,avx512}
 *   moe/token        hy_x86_moe_token_{avx2,avx512}, workspace
 *                    hy_x86_moe_token_workspace_{avx2,avx512}
 */
#ifndef HY_X86_GEMM_H
#define HY_X86_GEMM_H

#include "backend.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One matrix product  y = (accumulate ? y : 0) + x W^T (+ bias):
 *   y[m, n] (+)= sum_k x[m, k] * w[n, k] + bias[n]
 * The operands may not overlap y.  W may be stored as bf16 (w_bf16): the
 * packing step widens it to fp32 (exact), the GEMV path widens it as it
 * streams, and the arithmetic is the fp32 product of the widened values. */
typedef struct hy_x86_gemm_args {
    int64_t M, N, K;  /* rows of x and y, outputs, reduction length (all > 0) */
    const float *x;   /* [M, ldx], first K columns used, ldx >= K            */
    int64_t ldx;
    const float *w;   /* [N, ldw], first K columns used, ldw >= K            */
    int64_t ldw;
    const float *bias; /* [N] or NULL                                         */
    float *y;         /* [M, ldy], first N columns written, ldy >= N         */
    int64_t ldy;
    int accumulate;   /* 1: add to y instead of overwriting it               */
    const uint16_t *w_bf16; /* [N, ldw] bf16 bits: when set, W is read from here
                               (widened to fp32 as it is loaded) and w unused */
} hy_x86_gemm_args;

/* Bytes of workspace hy_x86_gemm needs for an M x N x K product: the
 * packed x panel [ceil(M/MR)*MR, KC] and the packed W block [KC, NC'];
 * independent of the thread count.  0 when M <= 2 (those run as GEMVs). */
size_t hy_x86_gemm_workspace_avx2(int64_t M, int64_t N, int64_t K);
size_t hy_x86_gemm_workspace_avx512(int64_t M, int64_t N, int64_t K);

/* The packed product on n_threads OpenMP threads (1 = serial, e.g. inside a
 * caller's parallel region).  work: hy_x86_gemm_workspace bytes, 64-byte
 * aligned (NULL allowed when that is 0).  The result does not depend on
 * n_threads (each y element sums its products in a fixed order). */
void hy_x86_gemm_avx2(const hy_x86_gemm_args *g, int n_threads, void *work);
void hy_x86_gemm_avx512(const hy_x86_gemm_args *g, int n_threads, void *work);

/* Matrix-vector product, serial:
 *   y[n] = (accumulate ? y[n] : 0) + alpha * sum_k w[n, k] x[k] + (bias ? bias[n] : 0)
 * x: [K], w: [N, ldw], bias: [N] or NULL, y: [N]. */
void hy_x86_gemv_avx2(int64_t N, int64_t K, const float *x, const float *w, int64_t ldw,
                      float alpha, const float *bias, float *y, int accumulate);
void hy_x86_gemv_avx512(int64_t N, int64_t K, const float *x, const float *w, int64_t ldw,
                        float alpha, const float *bias, float *y, int accumulate);
#ifdef HY_X86_SIMDE /* the emulated AVX-512 build's copies (simde/README.md) */
size_t hy_x86_gemm_workspace_avx512simde(int64_t M, int64_t N, int64_t K);
void hy_x86_gemm_avx512simde(const hy_x86_gemm_args *g, int n_threads, void *work);
void hy_x86_gemv_avx512simde(int64_t N, int64_t K, const float *x, const float *w, int64_t ldw,
                             float alpha, const float *bias, float *y, int accumulate);
#endif

/* linear/packed: hy_x86_gemm over x [T, x_stride] and W [out, in]. */
int hy_x86_linear_packed_avx2(hy_exec *ex, const hy_linear_shape *s, const hy_linear_args *a,
                              void *work, hy_error *err);
int hy_x86_linear_packed_avx512(hy_exec *ex, const hy_linear_shape *s, const hy_linear_args *a,
                                void *work, hy_error *err);
size_t hy_x86_linear_packed_workspace_avx2(const hy_linear_shape *s);
size_t hy_x86_linear_packed_workspace_avx512(const hy_linear_shape *s);

/* linear/openblas (isa "c"): cblas_sgemm(RowMajor, NoTrans, Trans) on the
 * exec's thread count; HY_UNSUPPORTED when built without OpenBLAS. */
int hy_x86_linear_openblas(hy_exec *ex, const hy_linear_shape *s, const hy_linear_args *a,
                           void *work, hy_error *err);

/* mlp/swiglu: gate and up products, vectorised silu(gate) * up, then the
 * down product (accumulating when asked).  Workspace: gate and up [T, I]
 * each plus the GEMM packing buffers. */
int hy_x86_mlp_swiglu_avx2(hy_exec *ex, const hy_mlp_shape *s, const hy_mlp_args *a, void *work,
                           hy_error *err);
int hy_x86_mlp_swiglu_avx512(hy_exec *ex, const hy_mlp_shape *s, const hy_mlp_args *a,
                             void *work, hy_error *err);
size_t hy_x86_mlp_swiglu_workspace_avx2(const hy_mlp_shape *s);
size_t hy_x86_mlp_swiglu_workspace_avx512(const hy_mlp_shape *s);

/* moe/grouped: router product, softmax and top-k per token, picks grouped
 * by expert, per-expert packed products on the gathered rows, weighted
 * combine in expert-index order (independent of the thread count). */
int hy_x86_moe_grouped_avx2(hy_exec *ex, const hy_moe_shape *s, const hy_moe_args *a,
                            void *work, hy_error *err);
int hy_x86_moe_grouped_avx512(hy_exec *ex, const hy_moe_shape *s, const hy_moe_args *a,
                              void *work, hy_error *err);
size_t hy_x86_moe_grouped_workspace_avx2(const hy_moe_shape *s);
size_t hy_x86_moe_grouped_workspace_avx512(const hy_moe_shape *s);

/* moe/token: parallel over tokens; per token and chosen expert, vectorised
 * GEMVs (the baseline that shows what grouping gains).  Workspace: per
 * thread slot [E] probabilities and [2I] activations. */
int hy_x86_moe_token_avx2(hy_exec *ex, const hy_moe_shape *s, const hy_moe_args *a, void *work,
                          hy_error *err);
int hy_x86_moe_token_avx512(hy_exec *ex, const hy_moe_shape *s, const hy_moe_args *a,
                            void *work, hy_error *err);
size_t hy_x86_moe_token_workspace_avx2(const hy_moe_shape *s);
size_t hy_x86_moe_token_workspace_avx512(const hy_moe_shape *s);

#ifdef __cplusplus
}
#endif
#endif
