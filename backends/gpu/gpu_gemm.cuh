/* gpu_gemm.cuh — the tiled fp32 matrix product behind linear ("tiled"),
 * mlp and moe:  C[m, n] = sum_k A[row(m), k] * B[n, k]  for one
 * HY_GPU_GEMM_BM x HY_GPU_GEMM_BN tile of C.
 *
 * 256 threads (16 x 16); thread (ty, tx) owns rows ty + 16 i and columns
 * tx + 16 j (i, j < 4) of the tile, in registers.  K is walked in slices
 * of HY_GPU_GEMM_BK staged in shared memory, transposed so that the inner
 * product reads them without bank conflicts.  Rows of A may be gathered
 * through an index map (MoE reads x in expert order without a copy). */
#ifndef HY_GPU_GEMM_CUH
#define HY_GPU_GEMM_CUH

#include "hy_gpu_internal.cuh"

#define GEMM_BM HY_GPU_GEMM_BM
#define GEMM_BN HY_GPU_GEMM_BN
#define GEMM_BK HY_GPU_GEMM_BK

struct hy_gemm_smem {
    float a[GEMM_BK][GEMM_BM + 4]; /* A slice, [k][m] */
    float b[GEMM_BK][GEMM_BN + 4]; /* B slice, [k][n] */
};

/* acc[i][j] += sum_k A[row(m0 + ty + 16 i), k] * B[n0 + tx + 16 j, k].
 *   A      [*, lda]; row(m) = a_rows ? a_rows[m] : m, for m < M
 *   B      [N, ldb]
 * Out-of-range rows, columns and k read as zero.  Every thread of the
 * block must call it (it synchronises). */
__device__ __forceinline__ void hy_gemm_nt_tile(const float *__restrict__ A, int64_t lda,
                                                const int *__restrict__ a_rows, int64_t M,
                                                const float *__restrict__ B, int64_t ldb, int64_t N,
                                                int64_t K, int64_t m0, int64_t n0, float acc[4][4],
                                                hy_gemm_smem &sm)
{
    const int tid = threadIdx.x, tx = tid % 16, ty = tid / 16;
    for (int64_t k0 = 0; k0 < K; k0 += GEMM_BK) {
#pragma unroll
        for (int q = 0; q < 4; q++) {
            int e = tid + HY_GPU_GEMM_THREADS * q, r = e / GEMM_BK, k = e % GEMM_BK;
            int64_t gk = k0 + k, gm = m0 + r, gn = n0 + r;
            float av = 0.0f, bv = 0.0f;
            if (gk < K && gm < M) av = A[(int64_t)(a_rows ? a_rows[gm] : gm) * lda + gk];
            if (gk < K && gn < N) bv = B[gn * ldb + gk];
            sm.a[k][r] = av;
            sm.b[k][r] = bv;
        }
        __syncthreads();
#pragma unroll
        for (int k = 0; k < GEMM_BK; k++) {
            float a[4], b[4];
#pragma unroll
            for (int i = 0; i < 4; i++) a[i] = sm.a[k][ty + 16 * i];
#pragma unroll
            for (int j = 0; j < 4; j++) b[j] = sm.b[k][tx + 16 * j];
#pragma unroll
            for (int i = 0; i < 4; i++)
#pragma unroll
                for (int j = 0; j < 4; j++) acc[i][j] = fmaf(a[i], b[j], acc[i][j]);
        }
        __syncthreads();
    }
}

__device__ __forceinline__ void hy_gemm_zero(float acc[4][4])
{
#pragma unroll
    for (int i = 0; i < 4; i++)
#pragma unroll
        for (int j = 0; j < 4; j++) acc[i][j] = 0.0f;
}

/* The expert a row tile of a grouped GEMM belongs to: the e with
 * tile_start[e] <= tile < tile_start[e + 1]; -1 past the last tile. */
__device__ __forceinline__ int hy_gemm_find_group(const int *__restrict__ tile_start, int E, int tile)
{
    for (int e = 0; e < E; e++)
        if (tile < tile_start[e + 1]) return e;
    return -1;
}

#endif
