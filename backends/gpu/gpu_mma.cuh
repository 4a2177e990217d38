/* gpu_mma.cuh — the tensor-core instruction the bf16 kernels and the
 * ceilings probe share (CUDA builds only: HY_GPU_HAVE_MMA).
 *
 * mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32, one warp:
 *   D[16, 8] (fp32) += A[16, 16] (bf16, row-major) B[16, 8] (bf16, "col")
 * Fragments per lane, with g = lane / 4 and q = lane % 4 (PTX ISA,
 * "Matrix Fragments for mma.m16n8k16"); a register of bf16 pairs holds the
 * lower column (A) or lower k (B) in its low 16 bits:
 *   a[0] = A[g][2q, 2q+1]      a[1] = A[g+8][2q, 2q+1]
 *   a[2] = A[g][2q+8, 2q+9]    a[3] = A[g+8][2q+8, 2q+9]
 *   b[0] = B[2q, 2q+1][g]      b[1] = B[2q+8, 2q+9][g]
 *   d[0] = D[g][2q]  d[1] = D[g][2q+1]  d[2] = D[g+8][2q]  d[3] = D[g+8][2q+1]
 * So two neighbouring D tiles (columns 0-7 and 8-15) of one product are,
 * rounded to bf16, exactly the A fragment of the next product over those
 * 16 columns (flash attention's P V, the chunked SSD's weights X). */
#ifndef HY_GPU_MMA_CUH
#define HY_GPU_MMA_CUH

#include "hy_gpu_compat.h"

#if HY_GPU_HAVE_MMA
#include <cuda_bf16.h>
#include <stdint.h>

__device__ __forceinline__ void hy_mma_bf16_16816(float (&d)[4], const uint32_t (&a)[4],
                                                  const uint32_t (&b)[2])
{
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
    asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 "
                 "{%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, {%0, %1, %2, %3};\n"
                 : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
#else
    __trap(); /* every CUDA target of this build is sm_80 or later */
#endif
}

/* Two floats rounded to bf16 (nearest even), lo in the low half. */
__device__ __forceinline__ uint32_t hy_pack_bf16x2(float lo, float hi)
{
    __nv_bfloat162 v = __floats2bfloat162_rn(lo, hi);
    return *reinterpret_cast<uint32_t *>(&v);
}

/* Two neighbouring bf16 of shared memory (p 4-byte aligned) as one register. */
__device__ __forceinline__ uint32_t hy_ld_bf16x2(const __nv_bfloat16 *p)
{
    return *reinterpret_cast<const uint32_t *>(p);
}

/* The A fragment of rows row0 .. row0 + 15, columns k0 .. k0 + 15 of a
 * row-major bf16 matrix in shared memory (stride in elements, even). */
__device__ __forceinline__ void hy_ld_frag_a(uint32_t (&a)[4], const __nv_bfloat16 *m, int stride, int row0,
                                             int k0)
{
    const int lane = threadIdx.x % 32;
    const __nv_bfloat16 *p = m + (row0 + lane / 4) * stride + k0 + 2 * (lane % 4);
    a[0] = hy_ld_bf16x2(p);
    a[1] = hy_ld_bf16x2(p + 8 * stride);
    a[2] = hy_ld_bf16x2(p + 8);
    a[3] = hy_ld_bf16x2(p + 8 * stride + 8);
}

/* The B fragment of columns n0 .. n0 + 7, k0 .. k0 + 15 of B, read from its
 * transpose Bt[n][k] stored row-major (stride in elements, even). */
__device__ __forceinline__ void hy_ld_frag_b(uint32_t (&b)[2], const __nv_bfloat16 *bt, int stride, int n0,
                                             int k0)
{
    const int lane = threadIdx.x % 32;
    const __nv_bfloat16 *p = bt + (n0 + lane / 4) * stride + k0 + 2 * (lane % 4);
    b[0] = hy_ld_bf16x2(p);
    b[1] = hy_ld_bf16x2(p + 8);
}

/* acc (one 16 x 8 D tile) += A[row0 .. +15, 0 .. 16 k_steps) B[0 .., n0 .. +7]
 * with A row-major (stride sa) and B given as Bt row-major (stride sb). */
__device__ __forceinline__ void hy_mma_tile(float (&acc)[4], const __nv_bfloat16 *A, int sa, int row0,
                                            const __nv_bfloat16 *Bt, int sb, int n0, int k_steps)
{
    for (int kk = 0; kk < k_steps; kk++) {
        uint32_t a[4], b[2];
        hy_ld_frag_a(a, A, sa, row0, kk * 16);
        hy_ld_frag_b(b, Bt, sb, n0, kk * 16);
        hy_mma_bf16_16816(acc, a, b);
    }
}

/* Row and column within its 16 x 8 tile of this lane's D element k (0..3). */
__device__ __forceinline__ int hy_frag_row(int k) { return (int)(threadIdx.x % 32) / 4 + (k >= 2 ? 8 : 0); }
__device__ __forceinline__ int hy_frag_col(int k) { return 2 * (int)(threadIdx.x % 4) + (k & 1); }
#endif

#endif
