/* gpu_attention_tc.cu — attention "flash-tc" (kernels/hy_attention.h):
 * flash-style prefill on tensor cores, bf16 operands, fp32 accumulation
 * and softmax.  CUDA only (HY_GPU_HAVE_MMA); the hip build compiles this
 * file to nothing and its table does not list the variant.
 *
 * 1. the new keys/values go into the fp32 cache (the kernel of
 *    gpu_attention.cu, shared through attention_cache_write);
 * 2. a block owns HY_GPU_ATT_TC_BQ = 64 rows of one KV head g, row
 *    r = t * group + j being token t with query head g * group + j (GQA:
 *    all query heads of the group share every K/V tile); warp w owns rows
 *    16 w .. 16 w + 15;
 * 3. Q (once), then per key tile K and V^T are staged in shared memory,
 *    rounded to bf16 there (the cache itself stays fp32); columns beyond
 *    hd (the head size padded to the instantiation) and keys beyond the
 *    range are zero;
 * 4. per warp and tile: S[16, bk] = Q K^T (mma over hd_pad / 16 steps),
 *    scaled in fp32, keys outside [lo(p), p] (causal, sliding window) set
 *    to -inf; online softmax in fp32 (row max and sum across the 4 lanes
 *    that share a row); P rounded to bf16 is the A operand of
 *    O[16, hd_pad] += P V (mma over bk / 16 steps);
 * 5. tiles outside the block's key range are never visited, and a warp
 *    skips the arithmetic of tiles outside its own rows' range (causal
 *    and window tile skipping).
 *   q, out [T, nH * hd], k, v [T, nKV * hd], k_cache, v_cache [nKV, cap, hd] */
#include "hy_gpu_api.h"
#include "hy_gpu_internal.cuh"
#include "gpu_mma.cuh"

#if HY_GPU_HAVE_MMA

namespace {

template <int HDP, int BK>
__global__ void __launch_bounds__(HY_GPU_ATT_TC_THREADS)
attention_tc_kernel(hy_attention_shape s, const float *__restrict__ q, const float *__restrict__ kc,
                    const float *__restrict__ vc, float *__restrict__ out, int64_t group)
{
    constexpr int BQ = HY_GPU_ATT_TC_BQ;
    constexpr int QS = HDP + 8; /* row stride (elements) of sQ and sK */
    constexpr int VS = BK + 8;  /* row stride of sVt                  */
    constexpr int NT_S = BK / 8, NT_O = HDP / 8;
    extern __shared__ __align__(16) unsigned char smem_raw[];
    __nv_bfloat16 *sQ = reinterpret_cast<__nv_bfloat16 *>(smem_raw); /* [BQ, QS]  */
    __nv_bfloat16 *sK = sQ + BQ * QS;                                 /* [BK, QS]  */
    __nv_bfloat16 *sVt = sK + BK * QS;                                /* [HDP, VS] */

    const int64_t hd = s.hd, rows = s.T * group, g = blockIdx.y;
    const int64_t r0 = (int64_t)blockIdx.x * BQ;
    const int tid = threadIdx.x, warp = tid / 32, lane = tid % 32, gq = lane / 4, qq = lane % 4;

    for (int e = tid; e < BQ * HDP; e += blockDim.x) {
        const int rl = e / HDP, i = e % HDP;
        const int64_t r = r0 + rl;
        float val = 0.0f;
        if (r < rows && i < hd) val = q[(r / group) * s.nH * hd + (g * group + r % group) * hd + i];
        sQ[rl * QS + i] = __float2bfloat16_rn(val);
    }

    /* The two rows this lane accumulates: A = 16 w + gq, B = A + 8. */
    const int64_t rowA = r0 + warp * 16 + gq, rowB = rowA + 8;
    const bool validA = rowA < rows, validB = rowB < rows;
    const int64_t pA = s.pos0 + (validA ? rowA / group : 0), pB = s.pos0 + (validB ? rowB / group : 0);
    const int64_t loA = s.window > 0 && pA - s.window + 1 > 0 ? pA - s.window + 1 : 0;
    const int64_t loB = s.window > 0 && pB - s.window + 1 > 0 ? pB - s.window + 1 : 0;

    int64_t lo, hi, wlo, whi;
    hy_gpu_attention_rows_keys(&s, group, r0, r0 + BQ, &lo, &hi);
    hy_gpu_attention_rows_keys(&s, group, r0 + warp * 16, r0 + warp * 16 + 16, &wlo, &whi);

    float o[NT_O][4];
#pragma unroll
    for (int nt = 0; nt < NT_O; nt++)
#pragma unroll
        for (int h = 0; h < 4; h++) o[nt][h] = 0.0f;
    float mA = -INFINITY, mB = -INFINITY, lA = 0.0f, lB = 0.0f;

    for (int64_t j0 = lo; j0 <= hi; j0 += BK) {
        const int nk = (int)(hi - j0 + 1 < BK ? hi - j0 + 1 : BK);
        __syncthreads(); /* the previous tile is no longer read (and sQ is written) */
        for (int e = tid; e < BK * HDP; e += blockDim.x) {
            const int c = e / HDP, i = e % HDP;
            float kv = 0.0f, vv = 0.0f;
            if (c < nk && i < hd) {
                const int64_t src = (g * s.cap + j0 + c) * hd + i;
                kv = kc[src];
                vv = vc[src];
            }
            sK[c * QS + i] = __float2bfloat16_rn(kv);
            sVt[i * VS + c] = __float2bfloat16_rn(vv);
        }
        __syncthreads();
        /* warp-uniform: this warp's rows see no key of this tile */
        if (whi < wlo || j0 > whi || j0 + nk - 1 < wlo) continue;

        /* S = Q K^T over the padded head size */
        float sc[NT_S][4];
#pragma unroll
        for (int nt = 0; nt < NT_S; nt++)
#pragma unroll
            for (int h = 0; h < 4; h++) sc[nt][h] = 0.0f;
#pragma unroll
        for (int kk = 0; kk < HDP / 16; kk++) {
            uint32_t a[4];
            hy_ld_frag_a(a, sQ, QS, warp * 16, kk * 16);
#pragma unroll
            for (int nt = 0; nt < NT_S; nt++) {
                uint32_t b[2];
                hy_ld_frag_b(b, sK, QS, nt * 8, kk * 16);
                hy_mma_bf16_16816(sc[nt], a, b);
            }
        }

        /* scale and mask in fp32; row maxima over the tile */
        float mxA = -INFINITY, mxB = -INFINITY;
#pragma unroll
        for (int nt = 0; nt < NT_S; nt++)
#pragma unroll
            for (int h = 0; h < 4; h++) {
                const int c = nt * 8 + hy_frag_col(h);
                const int64_t j = j0 + c;
                const bool rowa = h < 2;
                const bool vis = c < nk && (rowa ? validA && j >= loA && j <= pA
                                                 : validB && j >= loB && j <= pB);
                const float v = vis ? sc[nt][h] * s.scale : -INFINITY;
                sc[nt][h] = v;
                if (rowa) mxA = fmaxf(mxA, v);
                else mxB = fmaxf(mxB, v);
            }
        /* the 4 lanes of a quad share rows A and B */
        mxA = fmaxf(mxA, HY_SHFL_XOR(mxA, 1));
        mxA = fmaxf(mxA, HY_SHFL_XOR(mxA, 2));
        mxB = fmaxf(mxB, HY_SHFL_XOR(mxB, 1));
        mxB = fmaxf(mxB, HY_SHFL_XOR(mxB, 2));
        const float mnA = fmaxf(mA, mxA), mnB = fmaxf(mB, mxB);
        /* a row with nothing visible yet keeps m = -inf and p = 0 */
        const float baseA = mnA == -INFINITY ? 0.0f : mnA, baseB = mnB == -INFINITY ? 0.0f : mnB;
        const float corrA = expf(mA - baseA), corrB = expf(mB - baseB); /* 0 while m is -inf */
        float sumA = 0.0f, sumB = 0.0f;
#pragma unroll
        for (int nt = 0; nt < NT_S; nt++) {
            sc[nt][0] = expf(sc[nt][0] - baseA);
            sc[nt][1] = expf(sc[nt][1] - baseA);
            sc[nt][2] = expf(sc[nt][2] - baseB);
            sc[nt][3] = expf(sc[nt][3] - baseB);
            sumA += sc[nt][0] + sc[nt][1];
            sumB += sc[nt][2] + sc[nt][3];
        }
        sumA += HY_SHFL_XOR(sumA, 1);
        sumA += HY_SHFL_XOR(sumA, 2);
        sumB += HY_SHFL_XOR(sumB, 1);
        sumB += HY_SHFL_XOR(sumB, 2);
        lA = lA * corrA + sumA;
        lB = lB * corrB + sumB;
        mA = mnA;
        mB = mnB;
#pragma unroll
        for (int nt = 0; nt < NT_O; nt++) {
            o[nt][0] *= corrA;
            o[nt][1] *= corrA;
            o[nt][2] *= corrB;
            o[nt][3] *= corrB;
        }

        /* O += P V: P's accumulator tiles are the A fragments (gpu_mma.cuh) */
#pragma unroll
        for (int kk = 0; kk < BK / 16; kk++) {
            const uint32_t a[4] = {hy_pack_bf16x2(sc[2 * kk][0], sc[2 * kk][1]),
                                   hy_pack_bf16x2(sc[2 * kk][2], sc[2 * kk][3]),
                                   hy_pack_bf16x2(sc[2 * kk + 1][0], sc[2 * kk + 1][1]),
                                   hy_pack_bf16x2(sc[2 * kk + 1][2], sc[2 * kk + 1][3])};
#pragma unroll
            for (int nt = 0; nt < NT_O; nt++) {
                uint32_t b[2];
                hy_ld_frag_b(b, sVt, VS, nt * 8, kk * 16);
                hy_mma_bf16_16816(o[nt], a, b);
            }
        }
    }

    const float invA = lA > 0.0f ? 1.0f / lA : 0.0f, invB = lB > 0.0f ? 1.0f / lB : 0.0f;
    float *dstA = validA ? out + (rowA / group) * s.nH * hd + (g * group + rowA % group) * hd : NULL;
    float *dstB = validB ? out + (rowB / group) * s.nH * hd + (g * group + rowB % group) * hd : NULL;
#pragma unroll
    for (int nt = 0; nt < NT_O; nt++) {
        const int c = nt * 8 + 2 * qq;
        if (c >= hd) continue; /* hd is a multiple of 16: c + 1 < hd too */
        if (dstA) {
            dstA[c] = o[nt][0] * invA;
            dstA[c + 1] = o[nt][1] * invA;
        }
        if (dstB) {
            dstB[c] = o[nt][2] * invB;
            dstB[c + 1] = o[nt][3] * invB;
        }
    }
}

template <int HDP, int BK>
int launch(const hy_gpu_attention_tc_plan &plan, const hy_attention_shape &s, const hy_attention_args *a,
           cudaStream_t st, hy_error *err)
{
    if (plan.smem > HY_GPU_SMEM_DEFAULT &&
        hy_gpu_call_check(cudaFuncSetAttribute(attention_tc_kernel<HDP, BK>,
                                               cudaFuncAttributeMaxDynamicSharedMemorySize,
                                               (int)plan.smem),
                          "attention flash-tc shared memory", err))
        return -1;
    attention_tc_kernel<HDP, BK><<<hy_gpu_dim3(plan.grid), hy_gpu_dim3(plan.block), plan.smem, st>>>(
        s, a->q, a->k_cache, a->v_cache, a->out, plan.group);
    return hy_gpu_launch_check("attention flash-tc", err);
}

} // namespace

extern "C" int HY_GPU_FN(attention_flash_tc)(hy_exec *ex, const hy_attention_shape *s,
                                             const hy_attention_args *a, void *work, hy_error *err)
{
    (void)work;
    if (!s || !a) return hy_fail(err, "attention: shape or args is NULL");
    if (hy_attention_check(s, err)) return -1;
    hy_gpu_attention_tc_plan plan;
    char why[200];
    if (hy_gpu_attention_tc_plan_make(s, &plan, why, sizeof why)) {
        hy_fail(err, "%s", why);
        return HY_UNSUPPORTED;
    }
    if (!a->q || !a->k || !a->v || !a->k_cache || !a->v_cache || !a->out)
        return hy_fail(err, "attention: q, k, v, k_cache, v_cache and out must not be NULL");
    cudaStream_t st = hy_gpu_stream(ex);
    if (HY_GPU_FN(attention_cache_write)(s, a, st, err)) return -1;
    switch (plan.hd_pad) {
    case 32: return launch<32, 64>(plan, *s, a, st, err);
    case 64: return launch<64, 64>(plan, *s, a, st, err);
    case 128: return launch<128, 32>(plan, *s, a, st, err);
    default: return launch<256, 32>(plan, *s, a, st, err);
    }
}

#endif
