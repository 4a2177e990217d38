/* gpu_moe.cu — mixture of experts "grouped" (kernels/hy_moe.h):
 *   1. router: one block per token, logits x W_router^T by block sums,
 *      softmax over all E, top-k by logit (ties to the lower index; softmax
 *      is monotone), no renormalisation;
 *   2. permute: one block counts the (token, slot) pairs per expert and
 *      gives each a row in expert order (stable: ascending token, slot),
 *      with each expert's first row and first GEMM row tile;
 *   3. grouped gate/up GEMM: row tiles of every expert in one grid, x read
 *      through the permutation, act = silu(x Wg^T) * (x Wu^T)  [T k, I];
 *   4. grouped down GEMM: out = act Wd^T  [T k, H];
 *   5. combine: y[t] (+)= sum_j w[t, j] out[row(t, j)], in slot order
 *      (a gather, so the sum is deterministic).
 *   x, y [T, H], w_router [E, H], E x w_gate, w_up [I, H], E x w_down [H, I] */
#include "gpu_gemm.cuh"
#include "hy_gpu_api.h"

#include <string.h>

namespace {

__global__ void router_kernel(const float *__restrict__ x, const float *__restrict__ w_router,
                              int64_t H, int E, int k, int *__restrict__ topk_idx,
                              float *__restrict__ topk_w)
{
    __shared__ float scratch[HY_GPU_MOE_ROUTER_THREADS];
    __shared__ float logits[HY_GPU_MOE_MAX_EXPERTS];
    const int64_t t = blockIdx.x;
    const float *xr = x + t * H;
    for (int e = 0; e < E; e++) {
        const float *wr = w_router + (int64_t)e * H;
        float part = 0.0f;
        for (int64_t i = threadIdx.x; i < H; i += blockDim.x) part = fmaf(xr[i], wr[i], part);
        float total = hy_dev_block_sum(part, scratch);
        if (threadIdx.x == 0) logits[e] = total;
    }
    __syncthreads();
    if (threadIdx.x != 0) return;
    float mx = -INFINITY;
    for (int e = 0; e < E; e++) mx = fmaxf(mx, logits[e]);
    float sum = 0.0f;
    for (int e = 0; e < E; e++) sum += expf(logits[e] - mx);
    /* k rounds of "largest logit not yet taken"; strict > keeps the lower
     * index on ties.  Taken experts are marked with -inf. */
    for (int j = 0; j < k; j++) {
        int best = -1;
        for (int e = 0; e < E; e++)
            if (logits[e] != -INFINITY && (best < 0 || logits[e] > logits[best])) best = e;
        if (best < 0) best = 0; /* only when logits are all -inf (non-finite input) */
        topk_idx[t * k + j] = best;
        topk_w[t * k + j] = expf(logits[best] - mx) / sum;
        logits[best] = -INFINITY;
    }
}

#define PERMUTE_THREADS 256
#define PERMUTE_STAGE 2048

/* Thread e < E walks all (token, slot) pairs in order, staged through
 * shared memory, and ranks the ones routed to expert e. */
__global__ void permute_kernel(const int *__restrict__ topk_idx, int64_t rows, int k, int E,
                               int *__restrict__ pos, int *__restrict__ row_token,
                               int *__restrict__ counts, int *__restrict__ offsets,
                               int *__restrict__ tile_start)
{
    __shared__ int stage[PERMUTE_STAGE];
    const int tid = threadIdx.x;
    int count[(HY_GPU_MOE_MAX_EXPERTS + PERMUTE_THREADS - 1) / PERMUTE_THREADS] = {0};
    for (int64_t base = 0; base < rows; base += PERMUTE_STAGE) {
        int n = (int)(rows - base < PERMUTE_STAGE ? rows - base : PERMUTE_STAGE);
        for (int i = tid; i < n; i += blockDim.x) stage[i] = topk_idx[base + i];
        __syncthreads();
        for (int q = 0; q * PERMUTE_THREADS + tid < E; q++) {
            int e = q * PERMUTE_THREADS + tid;
            for (int i = 0; i < n; i++)
                if (stage[i] == e) pos[base + i] = count[q]++; /* rank inside the expert */
        }
        __syncthreads();
    }
    for (int q = 0; q * PERMUTE_THREADS + tid < E; q++) counts[q * PERMUTE_THREADS + tid] = count[q];
    __syncthreads();
    if (tid == 0) {
        int row = 0, tiles = 0;
        for (int e = 0; e < E; e++) {
            offsets[e] = row;
            tile_start[e] = tiles;
            row += counts[e];
            tiles += (counts[e] + HY_GPU_GEMM_BM - 1) / HY_GPU_GEMM_BM;
        }
        offsets[E] = row;
        tile_start[E] = tiles;
    }
    __syncthreads();
    for (int64_t i = tid; i < rows; i += blockDim.x) {
        int r = offsets[topk_idx[i]] + pos[i];
        pos[i] = r;
        row_token[r] = (int)(i / k);
    }
}

/* act[offsets[e] + m, n] = silu(x[tok] . Wg_e[n]) * (x[tok] . Wu_e[n]) */
__global__ void __launch_bounds__(HY_GPU_GEMM_THREADS)
gateup_grouped_kernel(const float *__restrict__ x, int64_t H, int64_t I, const float *const *w_gate,
                      const float *const *w_up, const int *__restrict__ row_token,
                      const int *__restrict__ offsets, const int *__restrict__ tile_start, int E,
                      float *__restrict__ act)
{
    __shared__ hy_gemm_smem sm;
    const int e = hy_gemm_find_group(tile_start, E, blockIdx.y);
    if (e < 0) return;
    const int64_t first = offsets[e], M = offsets[e + 1] - first;
    const int64_t m0 = (int64_t)(blockIdx.y - tile_start[e]) * GEMM_BM, n0 = (int64_t)blockIdx.x * GEMM_BN;
    float g[4][4], u[4][4];
    hy_gemm_zero(g);
    hy_gemm_zero(u);
    hy_gemm_nt_tile(x, H, row_token + first, M, w_gate[e], H, I, H, m0, n0, g, sm);
    hy_gemm_nt_tile(x, H, row_token + first, M, w_up[e], H, I, H, m0, n0, u, sm);
    const int tx = threadIdx.x % 16, ty = threadIdx.x / 16;
#pragma unroll
    for (int i = 0; i < 4; i++) {
        int64_t m = m0 + ty + 16 * i;
        if (m >= M) continue;
#pragma unroll
        for (int j = 0; j < 4; j++) {
            int64_t n = n0 + tx + 16 * j;
            if (n < I) act[(first + m) * I + n] = hy_dev_silu(g[i][j]) * u[i][j];
        }
    }
}

/* out[offsets[e] + m, n] = act[offsets[e] + m] . Wd_e[n] */
__global__ void __launch_bounds__(HY_GPU_GEMM_THREADS)
down_grouped_kernel(const float *__restrict__ act, int64_t I, int64_t H, const float *const *w_down,
                    const int *__restrict__ offsets, const int *__restrict__ tile_start, int E,
                    float *__restrict__ out)
{
    __shared__ hy_gemm_smem sm;
    const int e = hy_gemm_find_group(tile_start, E, blockIdx.y);
    if (e < 0) return;
    const int64_t first = offsets[e], M = offsets[e + 1] - first;
    const int64_t m0 = (int64_t)(blockIdx.y - tile_start[e]) * GEMM_BM, n0 = (int64_t)blockIdx.x * GEMM_BN;
    float acc[4][4];
    hy_gemm_zero(acc);
    hy_gemm_nt_tile(act + first * I, I, NULL, M, w_down[e], I, H, I, m0, n0, acc, sm);
    const int tx = threadIdx.x % 16, ty = threadIdx.x / 16;
#pragma unroll
    for (int i = 0; i < 4; i++) {
        int64_t m = m0 + ty + 16 * i;
        if (m >= M) continue;
#pragma unroll
        for (int j = 0; j < 4; j++) {
            int64_t n = n0 + tx + 16 * j;
            if (n < H) out[(first + m) * H + n] = acc[i][j];
        }
    }
}

__global__ void combine_kernel(const float *__restrict__ out, const int *__restrict__ pos,
                               const float *__restrict__ topk_w, int64_t H, int k, int accumulate,
                               float *__restrict__ y)
{
    const int64_t t = blockIdx.x;
    for (int64_t i = threadIdx.x; i < H; i += blockDim.x) {
        float acc = accumulate ? y[t * H + i] : 0.0f;
        for (int j = 0; j < k; j++)
            acc = fmaf(topk_w[t * k + j], out[(int64_t)pos[t * k + j] * H + i], acc);
        y[t * H + i] = acc;
    }
}

} // namespace

extern "C" size_t HY_GPU_FN(moe_grouped_workspace)(const hy_moe_shape *s)
{
    hy_gpu_moe_layout l;
    if (!s || hy_gpu_moe_layout_make(s, &l)) return 0;
    return l.total;
}

extern "C" int HY_GPU_FN(moe_grouped)(hy_exec *ex, const hy_moe_shape *s, const hy_moe_args *a, void *work,
                                      hy_error *err)
{
    if (!s || !a) return hy_fail(err, "moe: shape or args is NULL");
    if (hy_moe_check(s, err)) return -1;
    if (!a->x || !a->w_router || !a->w_gate || !a->w_up || !a->w_down || !a->y)
        return hy_fail(err, "moe: x, w_router, w_gate, w_up, w_down and y must not be NULL");
    hy_gpu_moe_layout l;
    if (hy_gpu_moe_layout_make(s, &l)) {
        hy_fail(err, "moe grouped: %lld experts exceed %d or the grid exceeds the limits",
                (long long)s->E, HY_GPU_MOE_MAX_EXPERTS);
        return HY_UNSUPPORTED;
    }
    if (s->T * s->k > 2147483647LL) {
        hy_fail(err, "moe grouped: more than 2^31 routed rows");
        return HY_UNSUPPORTED;
    }
    if (!work) return hy_fail(err, "moe grouped: needs a workspace of %zu bytes", l.total);
    const int E = (int)s->E, k = (int)s->k;
    const float *ptrs[3 * HY_GPU_MOE_MAX_EXPERTS];
    for (int e = 0; e < E; e++) {
        if (!a->w_gate[e] || !a->w_up[e] || !a->w_down[e])
            return hy_fail(err, "moe: the weights of expert %d are NULL", e);
        ptrs[e] = a->w_gate[e];
        ptrs[E + e] = a->w_up[e];
        ptrs[2 * E + e] = a->w_down[e];
    }
    char *ws = (char *)work;
    const float *const *d_gate = (const float *const *)(ws + l.ptrs);
    int *topk_idx = (int *)(ws + l.topk_idx), *pos = (int *)(ws + l.pos);
    int *row_token = (int *)(ws + l.row_token), *counts = (int *)(ws + l.counts);
    int *offsets = (int *)(ws + l.offsets), *tile_start = (int *)(ws + l.tile_start);
    float *topk_w = (float *)(ws + l.topk_w), *act = (float *)(ws + l.act), *out = (float *)(ws + l.out);

    cudaStream_t st = hy_gpu_stream(ex);
    /* The pointer table comes from the stack: a pageable copy returns once
     * the source is staged, so the stack frame may end after it. */
    if (hy_gpu_call_check(cudaMemcpyAsync(ws + l.ptrs, ptrs, 3 * (size_t)E * sizeof(void *),
                                          cudaMemcpyHostToDevice, st),
                          "moe expert pointer upload", err))
        return -1;
    router_kernel<<<(unsigned)s->T, HY_GPU_MOE_ROUTER_THREADS, 0, st>>>(a->x, a->w_router, s->H, E, k,
                                                                       topk_idx, topk_w);
    if (hy_gpu_launch_check("moe router", err)) return -1;
    permute_kernel<<<1, PERMUTE_THREADS, 0, st>>>(topk_idx, l.rows, k, E, pos, row_token, counts, offsets,
                                                  tile_start);
    if (hy_gpu_launch_check("moe permute", err)) return -1;
    dim3 g1((unsigned)hy_gpu_ceil_div(s->I, GEMM_BN), (unsigned)l.max_tiles);
    gateup_grouped_kernel<<<g1, HY_GPU_GEMM_THREADS, 0, st>>>(a->x, s->H, s->I, d_gate, d_gate + E,
                                                              row_token, offsets, tile_start, E, act);
    if (hy_gpu_launch_check("moe gate/up", err)) return -1;
    dim3 g2((unsigned)hy_gpu_ceil_div(s->H, GEMM_BN), (unsigned)l.max_tiles);
    down_grouped_kernel<<<g2, HY_GPU_GEMM_THREADS, 0, st>>>(act, s->I, s->H, d_gate + 2 * E, offsets,
                                                            tile_start, E, out);
    if (hy_gpu_launch_check("moe down", err)) return -1;
    combine_kernel<<<(unsigned)s->T, 128, 0, st>>>(out, pos, topk_w, s->H, k, s->accumulate, a->y);
    return hy_gpu_launch_check("moe combine", err);
}
