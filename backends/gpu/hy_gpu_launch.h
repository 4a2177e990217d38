/* hy_gpu_launch.h — launch-shape logic of the GPU kernels, in plain C.
 *
 * Every grid / block size, chunk count, split-KV partition and workspace
 * layout the kernels in backends/gpu/gpu_*.cu use is computed here, by the
 * host compiler, so that it is the same for CUDA and HIP and can be unit
 * tested on a machine without a GPU (tests/test_gpu_backends.c).  The
 * plans depend on the shape only, never on the device, so that workspace
 * sizes (hy_kernel.h: workspace(shape)) are known before any device is
 * opened. */
#ifndef HY_GPU_LAUNCH_H
#define HY_GPU_LAUNCH_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* kernels/hy_linear.h and friends have no extern "C" guards of their own */
#ifdef __cplusplus
extern "C" {
#endif
#include "hy_kernel.h"
#ifdef __cplusplus
}
#endif

/* Functions the host plans and the device kernels share. */
#if defined(__CUDACC__) || defined(__HIPCC__)
#define HY_GPU_HD __host__ __device__
#else
#define HY_GPU_HD
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* A grid or block size (CUDA's dim3 without the type). */
typedef struct hy_gpu_dim {
    unsigned x, y, z;
} hy_gpu_dim;

/* Grid dimension limits every target accepts (y and z are 65535 on CUDA). */
#define HY_GPU_MAX_GRID_X 2147483647u
#define HY_GPU_MAX_GRID_YZ 65535u
/* Shared memory a kernel may use without opting in (48 KiB on CUDA; AMD
 * LDS is 64 KiB). */
#define HY_GPU_SMEM_DEFAULT 49152u
/* Blocks that fill a large device (H200: 132 SMs, 2 blocks each). */
#define HY_GPU_TARGET_BLOCKS 264

static inline HY_GPU_HD int64_t hy_gpu_ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }
/* Rounds a byte count up to 256 (every workspace piece starts aligned). */
static inline size_t hy_gpu_align256(size_t n) { return (n + 255u) & ~(size_t)255u; }

/* ---- tiled SGEMM: C[M, N] = A[M, K] B[N, K]^T, BM x BN tiles ------------- */
#define HY_GPU_GEMM_BM 64
#define HY_GPU_GEMM_BN 64
#define HY_GPU_GEMM_BK 16
#define HY_GPU_GEMM_THREADS 256 /* 16 x 16 threads, 4 x 4 outputs each */

/* grid.x over column tiles (N), grid.y over row tiles (M).  Returns -1
 * when M or N is not positive or the row tiles exceed the y limit. */
int hy_gpu_gemm_grid(int64_t M, int64_t N, hy_gpu_dim *grid);

/* ---- rmsnorm: one block per row ------------------------------------------ */
/* Threads per block for width D: a power of two in [32, 256]. */
unsigned hy_gpu_rmsnorm_threads(int64_t D);

/* ---- conv1d: threads over channels, grid.y over time (strided loop) ----- */
#define HY_GPU_CONV_THREADS 128
void hy_gpu_conv1d_grid(int64_t T, int64_t C, hy_gpu_dim *grid);

/* ---- scan "regs": 16 lanes per channel, state in registers --------------- */
#define HY_GPU_SCAN_LANES 16         /* threads sharing one channel's N states */
#define HY_GPU_SCAN_MAX_PER_LANE 16  /* states per thread: N <= 256            */
#define HY_GPU_SCAN_CHANNELS 8       /* channels per block (128 threads)       */
#define HY_GPU_SCAN_CHUNK 32         /* time steps staged in shared memory; fewer
                                        when B and C of 32 steps exceed 48 KiB */
typedef struct hy_gpu_scan_plan {
    hy_gpu_dim grid, block;
    int per_lane;     /* ceil(N / lanes): states held by each thread */
    int chunk;        /* time steps per shared-memory stage          */
    int64_t chunks;   /* ceil(T / chunk)                             */
    size_t smem;      /* bytes of dynamic shared memory              */
} hy_gpu_scan_plan;
/* Returns 0, or HY_UNSUPPORTED when N > lanes * max per lane. */
int hy_gpu_scan_regs_plan(const hy_scan_shape *s, hy_gpu_scan_plan *p);

/* ---- scan "blockscan": one block per channel, one thread per time step
 *      of a chunk, parallel (Kogge-Stone) scan over the chunk per state --- */
#define HY_GPU_BLOCKSCAN_MAX_THREADS 128
#define HY_GPU_BLOCKSCAN_MAX_N 256
typedef struct hy_gpu_blockscan_plan {
    hy_gpu_dim grid, block;
    int chunk;        /* time steps per chunk = threads per block (power of 2, >= 32) */
    int64_t chunks;
    size_t smem;
} hy_gpu_blockscan_plan;
int hy_gpu_scan_blockscan_plan(const hy_scan_shape *s, hy_gpu_blockscan_plan *p);

/* ---- ssd "regs": 16 lanes per head row p, state [P, N] in registers ------ */
#define HY_GPU_SSD_ROWS 8 /* head-dim rows per block (128 threads) */
typedef struct hy_gpu_ssd_plan {
    hy_gpu_dim grid, block;
    int per_lane;
    int chunk;
    int64_t chunks;
    size_t smem;
} hy_gpu_ssd_plan;
int hy_gpu_ssd_regs_plan(const hy_ssd_shape *s, hy_gpu_ssd_plan *p);

/* ---- attention: flash-style online softmax, optional split-KV ------------
 * A block owns BQ "rows" of one KV head g; row r = t * group + j is token t
 * with query head g * group + j (group = nH / nKV), so that all query heads
 * sharing a KV head share every K/V tile.  8 threads per row, each holding
 * hd / 8 output columns in registers (hd <= 256). */
#define HY_GPU_ATT_BQ 16
#define HY_GPU_ATT_THREADS 128
#define HY_GPU_ATT_MAX_HD 256
#define HY_GPU_ATT_MAX_SPLITS 64
typedef struct hy_gpu_attention_plan {
    hy_gpu_dim grid, block; /* grid: (row tiles, nKV, splits)           */
    int64_t group;          /* nH / nKV                                 */
    int64_t rows;           /* T * group, per KV head                   */
    int64_t row_tiles;      /* ceil(rows / BQ)                          */
    int bk;                 /* keys per K/V tile (32, 16 or 8)          */
    int64_t max_key_tiles;  /* upper bound of key tiles one block visits */
    int splits;             /* KV partitions (1 = no split, no combine) */
    size_t smem;            /* dynamic shared memory bytes              */
    size_t workspace;       /* partial results when splits > 1          */
} hy_gpu_attention_plan;
/* allow_split = 0 forces splits = 1.  Returns 0, or HY_UNSUPPORTED when hd
 * exceeds HY_GPU_ATT_MAX_HD or the grid exceeds the limits. */
int hy_gpu_attention_plan_make(const hy_attention_shape *s, int allow_split, hy_gpu_attention_plan *p);
/* The key range [*lo, *hi] (absolute positions, inclusive) that rows
 * [r0, r1) of one KV head attend to (row r = t * group + j is token t);
 * *hi < *lo when the range of rows is empty.  Shared by the host plans and
 * the device kernels (HY_GPU_HD). */
static inline HY_GPU_HD void hy_gpu_attention_rows_keys(const hy_attention_shape *s, int64_t group,
                                                        int64_t r0, int64_t r1, int64_t *lo,
                                                        int64_t *hi)
{
    int64_t rows = s->T * group;
    if (r1 > rows) r1 = rows;
    if (r0 >= r1) {
        *lo = 0;
        *hi = -1;
        return;
    }
    int64_t p_first = s->pos0 + r0 / group, p_last = s->pos0 + (r1 - 1) / group;
    int64_t first = s->window > 0 ? p_first - s->window + 1 : 0;
    *lo = first > 0 ? first : 0;
    *hi = p_last;
}
/* The same for row tile `tile` of HY_GPU_ATT_BQ rows. */
static inline HY_GPU_HD void hy_gpu_attention_tile_keys(const hy_attention_shape *s, int64_t group,
                                                        int64_t tile, int64_t *lo, int64_t *hi)
{
    hy_gpu_attention_rows_keys(s, group, tile * HY_GPU_ATT_BQ, (tile + 1) * HY_GPU_ATT_BQ, lo, hi);
}
/* Key tiles [*first, *end) that split `split` of `splits` handles out of
 * n_tiles (empty when *first >= *end): contiguous, balanced to one tile. */
static inline HY_GPU_HD void hy_gpu_attention_split_range(int64_t n_tiles, int splits, int split,
                                                          int64_t *first, int64_t *end)
{
    int64_t per = n_tiles / splits, extra = n_tiles % splits;
    *first = split * per + (split < extra ? split : extra);
    *end = *first + per + (split < extra ? 1 : 0);
}

/* ---- attention "flash-tc": tensor cores, bf16 operands (CUDA only) ------
 * A block owns HY_GPU_ATT_TC_BQ rows of one KV head (same row numbering
 * and GQA sharing as flash), one warp per 16 rows; Q, a K tile and the
 * transposed V tile sit in shared memory as bf16 (rows padded by 8
 * elements against bank conflicts); S = Q K^T and O += P V are
 * mma.sync.m16n8k16 bf16 products with fp32 accumulators; softmax is
 * online in fp32.  The head size is padded with zeros to the kernel
 * instantiation hd_pad (32, 64, 128 or 256).  Prefill and chunked
 * continuation only: T = 1 (decode) is left to flash's split-KV. */
#define HY_GPU_ATT_TC_BQ 64
#define HY_GPU_ATT_TC_THREADS 128
typedef struct hy_gpu_attention_tc_plan {
    hy_gpu_dim grid, block; /* grid: (row tiles, nKV)                         */
    int64_t group, rows;
    int hd_pad;             /* 32, 64, 128, 256                               */
    int bk;                 /* keys per tile: 64, or 32 when hd_pad >= 128    */
    size_t smem;            /* dynamic shared memory (may exceed 48 KiB: the
                               launcher opts in)                              */
} hy_gpu_attention_tc_plan;
/* Returns 0, or HY_UNSUPPORTED with the reason in why (hd not a multiple
 * of 16 or over 256, T = 1, a bf16 cache, grid limits). */
int hy_gpu_attention_tc_plan_make(const hy_attention_shape *s, hy_gpu_attention_tc_plan *p, char *why,
                                  size_t why_len);

/* ---- ssd "chunked": the Mamba-2 chunked matrix form ----------------------
 * Chunks of L = min(shape chunk, HY_GPU_SSD_CHUNK_MAX) steps; per chunk c
 * and head h, with a_t = dt_t A_h and cs_t the inclusive cumulative sum of
 * a over the chunk:
 *   1. intra (grid chunks x H): y_t = sum_{u<=t} exp(cs_t - cs_u) dt_u
 *      (C_t . B_u) x_u, written to y; the chunk's own state
 *      st_c = sum_u exp(cs_L - cs_u) dt_u x_u B_u^T [P, N], cs and the
 *      chunk decay exp(cs_L) to the workspace;
 *   2. states (thread per (h, p, n)): over the chunks in order,
 *      S_enter(c) = S;  S = exp(cs_L(c)) S + st_c;  st_c is replaced by
 *      S_enter(c), the final S goes to `state`;
 *   3. output (grid chunks x H): y_t += exp(cs_t) C_t . S_enter(c)[p, :]
 *      + D x_t, then y_t *= silu(z_t).
 * Every exp argument is <= 0. */
#define HY_GPU_SSD_CHUNK_MAX 64
#define HY_GPU_SSD_CHUNK_THREADS 256
typedef struct hy_gpu_ssd_chunked_plan {
    int chunk;            /* L                                           */
    int64_t chunks;       /* ceil(T / L)                                 */
    hy_gpu_dim grid_chunk;  /* (chunks, H)                               */
    hy_gpu_dim grid_state;  /* threads over H * P * N                    */
    size_t smem;          /* intra kernel: dt, cs [L] each, weights [L, L]
                             (fp32); see below for tensor cores           */
    int p16, n16;         /* P and N rounded up to multiples of 16        */
    size_t states;        /* workspace offsets: float [chunks, H, P, N]  */
    size_t cs;            /*                    float [chunks, H, L]     */
    size_t decay;         /*                    float [chunks, H]        */
    size_t workspace;     /* bytes                                       */
} hy_gpu_ssd_chunked_plan;
/* tensor_cores = 0: "chunked" (fp32), L = min(shape chunk, 64).
 * tensor_cores = 1: "chunked-tc" (CUDA only): L = 64 always, and the intra
 * pass computes C B^T, W x and the chunk state (x w)^T B as mma.sync bf16
 * products (gpu_ssd_chunked_tc.cu) with P and N padded to multiples of 16;
 * smem is then its bf16 staging: C, B [L, N16 + 8], B^T [N16, L + 8],
 * x^T, (w x)^T [P16, L + 8], W [L, L + 8], plus dt, cs [L] in fp32.
 * Returns 0, or HY_UNSUPPORTED with the reason in why (grid limits; for
 * tensor cores, staging over HY_GPU_SSD_TC_MAX_SMEM). */
#define HY_GPU_SSD_TC_MAX_SMEM (160 * 1024) /* opt-in limit of sm_80 (163 KiB), rounded down */
int hy_gpu_ssd_chunked_plan_make(const hy_ssd_shape *s, int tensor_cores, hy_gpu_ssd_chunked_plan *p,
                                 char *why, size_t why_len);

/* ---- moe: routing, permutation by expert, grouped GEMMs, combine ---------
 * The gate/up GEMM reads x through the permutation (row_token), so the
 * permuted copy of x is never materialised. */
#define HY_GPU_MOE_MAX_EXPERTS 256
#define HY_GPU_MOE_ROUTER_THREADS 128
/* Byte offsets of the pieces of the grouped-MoE workspace. */
typedef struct hy_gpu_moe_layout {
    size_t ptrs;        /* 3 * E device pointers: gate, up, down          */
    size_t topk_idx;    /* int   [T, k]  chosen experts                   */
    size_t topk_w;      /* float [T, k]  their router probabilities       */
    size_t pos;         /* int   [T, k]  permuted row of each (t, j)       */
    size_t row_token;   /* int   [T * k] token of each permuted row        */
    size_t counts;      /* int   [E]                                      */
    size_t offsets;     /* int   [E + 1] first permuted row of each expert */
    size_t tile_start;  /* int   [E + 1] first row tile of each expert     */
    size_t act;         /* float [T * k, I] silu(gate) * up               */
    size_t out;         /* float [T * k, H] expert outputs                */
    size_t total;       /* bytes                                          */
    int64_t rows;       /* T * k                                          */
    int64_t max_tiles;  /* row tiles the grouped GEMM grid covers          */
} hy_gpu_moe_layout;
/* Returns 0, or HY_UNSUPPORTED when E > HY_GPU_MOE_MAX_EXPERTS. */
int hy_gpu_moe_layout_make(const hy_moe_shape *s, hy_gpu_moe_layout *l);

/* ---- mlp: act [T, I] in the workspace ---------------------------------- */
size_t hy_gpu_mlp_workspace(const hy_mlp_shape *s);

#ifdef __cplusplus
}
#endif
#endif
