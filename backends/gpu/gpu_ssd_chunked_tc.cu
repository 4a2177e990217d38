/* gpu_ssd_chunked_tc.cu — Mamba-2 SSD "chunked-tc" (kernels/hy_ssd.h):
 * the chunked matrix form with the intra-chunk products on tensor cores
 * (mma.sync m16n8k16, bf16 operands, fp32 accumulation).  CUDA only
 * (HY_GPU_HAVE_MMA); the hip table does not list it.
 *
 * Per (chunk of L = 64 steps, head h), 8 warps, everything staged in
 * shared memory as bf16 with P and N padded by zeros to multiples of 16:
 *   dt, cs (fp32)       softplus and the inclusive cumulative sum of dt A
 *   G = C B^T           [L, L] over N     warps: 4 row tiles x 2 halves
 *   W = mask(G)         W[t, u] = exp(cs_t - cs_u) dt_u G[t, u] for u <= t,
 *                       in fp32, then rounded to bf16
 *   y = W x             [L, P] over L     written to y (fp32)
 *   st = (w x)^T B      [P, N] over L, w_u = exp(cs_L - cs_u) dt_u
 *                       written to the workspace (fp32)
 * then the shared passes of gpu_ssd_chunked.cuh: the state recurrence
 * over chunks and y += exp(cs_t) C_t . S_enter + D x, gate (fp32).
 *   x, z, y [T, H, P], dt [T, H], A_log, Dskip, dt_bias [H],
 *   B, C [T, G, N], state [H, P, N] or NULL */
#include "hy_gpu_api.h"
#include "gpu_mma.cuh"
#include "gpu_ssd_chunked.cuh"

#if HY_GPU_HAVE_MMA

#define TC_L HY_GPU_SSD_CHUNK_MAX /* 64: four 16-row tiles */
#define TC_LS (TC_L + 8)          /* row stride of the [*, L] tiles */
#define TC_WARPS (HY_GPU_SSD_CHUNK_THREADS / 32)

namespace {

__global__ void __launch_bounds__(HY_GPU_SSD_CHUNK_THREADS) ssd_intra_tc_kernel(hy_ssd_chunk_params p,
                                                                                int p16, int n16)
{
    extern __shared__ __align__(16) unsigned char smem_raw[];
    const int NS = n16 + 8;
    float *sDt = reinterpret_cast<float *>(smem_raw);                    /* [L]        */
    float *sCs = sDt + TC_L;                                             /* [L]        */
    __nv_bfloat16 *sC = reinterpret_cast<__nv_bfloat16 *>(sCs + TC_L);  /* [L, NS]    */
    __nv_bfloat16 *sB = sC + TC_L * NS;                                  /* [L, NS]    */
    __nv_bfloat16 *sBt = sB + TC_L * NS;                                 /* [n16, LS]  */
    __nv_bfloat16 *sXt = sBt + n16 * TC_LS;                              /* [p16, LS]  */
    __nv_bfloat16 *sXw = sXt + p16 * TC_LS;                              /* [p16, LS]  */
    __nv_bfloat16 *sW = sXw + p16 * TC_LS;                               /* [L, LS]    */

    const int64_t c = blockIdx.x, h = blockIdx.y, g = h / (p.H / p.G), t0 = c * TC_L;
    const int len = (int)(p.T - t0 < TC_L ? p.T - t0 : TC_L);
    const int tid = threadIdx.x, warp = tid / 32;
    const float a_neg = -expf(p.A_log[h]), dtb = p.dt_bias ? p.dt_bias[h] : 0.0f;

    for (int tt = tid; tt < TC_L; tt += blockDim.x)
        sDt[tt] = tt < len ? hy_dev_softplus(p.dt[(t0 + tt) * p.H + h] + dtb) : 0.0f;
    __syncthreads();
    if (tid == 0) {
        float acc = 0.0f;
        for (int tt = 0; tt < TC_L; tt++) {
            if (tt < len) acc += sDt[tt] * a_neg;
            sCs[tt] = acc;
        }
    }
    __syncthreads();
    const float cs_end = sCs[len - 1];

    /* staging: steps beyond len and columns beyond P, N are zero */
    for (int e = tid; e < TC_L * n16; e += blockDim.x) {
        const int t = e / n16, n = e % n16;
        float cv = 0.0f, bv = 0.0f;
        if (t < len && n < p.N) {
            const int64_t off = ((t0 + t) * p.G + g) * p.N + n;
            cv = p.C[off];
            bv = p.B[off];
        }
        sC[t * NS + n] = __float2bfloat16_rn(cv);
        sB[t * NS + n] = __float2bfloat16_rn(bv);
        sBt[n * TC_LS + t] = __float2bfloat16_rn(bv);
    }
    for (int e = tid; e < TC_L * p16; e += blockDim.x) {
        const int u = e / p16, pp = e % p16;
        float xv = 0.0f;
        if (u < len && pp < p.P) xv = p.x[((t0 + u) * p.H + h) * p.P + pp];
        sXt[pp * TC_LS + u] = __float2bfloat16_rn(xv);
        sXw[pp * TC_LS + u] = __float2bfloat16_rn(u < len ? xv * expf(cs_end - sCs[u]) * sDt[u] : 0.0f);
    }
    for (int tt = tid; tt < len; tt += blockDim.x) p.cs[(c * p.H + h) * TC_L + tt] = sCs[tt];
    if (tid == 0) p.decay[c * p.H + h] = expf(cs_end);
    __syncthreads();

    /* G = C B^T and the masked weights W: warp -> row tile warp % 4,
     * columns 32 (warp / 4) .. + 31 (four 8-column tiles) */
    {
        const int mt = warp % 4, nt0 = (warp / 4) * 4;
        float acc[4][4];
#pragma unroll
        for (int j = 0; j < 4; j++)
#pragma unroll
            for (int k = 0; k < 4; k++) acc[j][k] = 0.0f;
        for (int kk = 0; kk < n16 / 16; kk++) {
            uint32_t a[4];
            hy_ld_frag_a(a, sC, NS, mt * 16, kk * 16);
#pragma unroll
            for (int j = 0; j < 4; j++) {
                uint32_t b[2];
                hy_ld_frag_b(b, sB, NS, (nt0 + j) * 8, kk * 16);
                hy_mma_bf16_16816(acc[j], a, b);
            }
        }
#pragma unroll
        for (int j = 0; j < 4; j++)
#pragma unroll
            for (int k = 0; k < 4; k++) {
                const int t = mt * 16 + hy_frag_row(k), u = (nt0 + j) * 8 + hy_frag_col(k);
                const float w = u <= t && t < len ? expf(sCs[t] - sCs[u]) * sDt[u] * acc[j][k] : 0.0f;
                sW[t * TC_LS + u] = __float2bfloat16_rn(w);
            }
    }
    __syncthreads();

    /* y = W x: [L, P] as (4 row tiles) x (p16 / 8 column tiles), K = L */
    const int y_tiles = 4 * (p16 / 8);
    for (int tile = warp; tile < y_tiles; tile += TC_WARPS) {
        const int mt = tile % 4, nt = tile / 4;
        float acc[4] = {0.0f, 0.0f, 0.0f, 0.0f};
        hy_mma_tile(acc, sW, TC_LS, mt * 16, sXt, TC_LS, nt * 8, TC_L / 16);
#pragma unroll
        for (int k = 0; k < 4; k++) {
            const int t = mt * 16 + hy_frag_row(k), pp = nt * 8 + hy_frag_col(k);
            if (t < len && pp < p.P) p.y[((t0 + t) * p.H + h) * p.P + pp] = acc[k];
        }
    }

    /* st = (w x)^T B: [P, N] as (p16 / 16 row tiles) x (n16 / 8 column tiles), K = L */
    float *st = p.states + (c * p.H + h) * p.P * p.N;
    const int s_mt = p16 / 16, s_tiles = s_mt * (n16 / 8);
    for (int tile = warp; tile < s_tiles; tile += TC_WARPS) {
        const int mt = tile % s_mt, nt = tile / s_mt;
        float acc[4] = {0.0f, 0.0f, 0.0f, 0.0f};
        hy_mma_tile(acc, sXw, TC_LS, mt * 16, sBt, TC_LS, nt * 8, TC_L / 16);
#pragma unroll
        for (int k = 0; k < 4; k++) {
            const int pp = mt * 16 + hy_frag_row(k), n = nt * 8 + hy_frag_col(k);
            if (pp < p.P && n < p.N) st[pp * p.N + n] = acc[k];
        }
    }
}

} // namespace

extern "C" size_t HY_GPU_FN(ssd_chunked_tc_workspace)(const hy_ssd_shape *s)
{
    hy_gpu_ssd_chunked_plan plan;
    if (!s || hy_gpu_ssd_chunked_plan_make(s, 1, &plan, NULL, 0)) return 0;
    return plan.workspace;
}

extern "C" int HY_GPU_FN(ssd_chunked_tc)(hy_exec *ex, const hy_ssd_shape *s, const hy_ssd_args *a,
                                         void *work, hy_error *err)
{
    hy_gpu_ssd_chunked_plan plan;
    hy_ssd_chunk_params p;
    int rc = HY_GPU_FN(ssd_chunked_setup)(s, a, work, 1, "chunked-tc", &plan, &p, err);
    if (rc) return rc;
    cudaStream_t st = hy_gpu_stream(ex);
    if (plan.smem > HY_GPU_SMEM_DEFAULT &&
        hy_gpu_call_check(cudaFuncSetAttribute(ssd_intra_tc_kernel, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                               (int)plan.smem),
                          "ssd chunked-tc shared memory", err))
        return -1;
    ssd_intra_tc_kernel<<<hy_gpu_dim3(plan.grid_chunk), HY_GPU_SSD_CHUNK_THREADS, plan.smem, st>>>(
        p, plan.p16, plan.n16);
    if (hy_gpu_launch_check("ssd chunked-tc intra", err)) return -1;
    return HY_GPU_FN(ssd_chunked_finish)(&plan, &p, st, err);
}

#endif
