/* gpu_attention.cu — causal GQA attention against the KV cache
 * (kernels/hy_attention.h), flash style: tiles of K and V in shared
 * memory, online softmax, the score matrix never leaves the block.
 *
 * 1. the new keys/values are copied into cache rows pos0 .. pos0 + T - 1;
 * 2. a block owns HY_GPU_ATT_BQ rows of one KV head g, row r = t * group + j
 *    being token t with query head g * group + j, so every query head of
 *    the group shares each K/V tile (GQA); 8 threads per row, each with
 *    hd / 8 output columns in registers and a copy of the row's running
 *    max m and sum l;
 * 3. keys outside [lo(p), p] (causal, sliding window) score -inf; the key
 *    tiles a row tile needs are [lo(first row), p(last row)];
 * 4. split-KV ("flash" when the grid underfills the device, e.g. decode):
 *    blockIdx.z takes a contiguous share of the key tiles and writes its
 *    unnormalised O, m and l; a combine kernel merges the splits:
 *      M = max m_s,  L = sum l_s e^(m_s - M),  out = sum O_s e^(m_s - M) / L.
 *   q, out [T, nH * hd], k, v [T, nKV * hd], k_cache, v_cache [nKV, cap, hd] */
#include "hy_gpu_api.h"
#include "hy_gpu_internal.cuh"

#define ATT_TPR (HY_GPU_ATT_THREADS / HY_GPU_ATT_BQ) /* threads per row: 8 */
#define ATT_MAX_COLS (HY_GPU_ATT_MAX_HD / ATT_TPR)  /* output columns per thread */

namespace {

__global__ void cache_write_kernel(hy_attention_shape s, const float *__restrict__ k,
                                   const float *__restrict__ v, float *__restrict__ kc,
                                   float *__restrict__ vc)
{
    const int64_t n = s.T * s.nKV * s.hd;
    for (int64_t e = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; e < n;
         e += (int64_t)gridDim.x * blockDim.x) {
        int64_t i = e % s.hd, g = (e / s.hd) % s.nKV, t = e / (s.hd * s.nKV);
        int64_t dst = (g * s.cap + s.pos0 + t) * s.hd + i;
        kc[dst] = k[e];
        vc[dst] = v[e];
    }
}

__global__ void __launch_bounds__(HY_GPU_ATT_THREADS)
attention_flash_kernel(hy_attention_shape s, const float *__restrict__ q, const float *__restrict__ kc,
                       const float *__restrict__ vc, float *__restrict__ out, float *__restrict__ part_o,
                       float *__restrict__ part_ml, int64_t group, int bk, int splits)
{
    extern __shared__ float smem[];
    const int64_t hd = s.hd, hdp = hd + 1, rows = s.T * group;
    float *sQ = smem;                            /* [BQ, hdp] */
    float *sK = sQ + HY_GPU_ATT_BQ * hdp;        /* [bk, hdp] */
    float *sV = sK + bk * hdp;                   /* [bk, hdp] */
    float *sS = sV + bk * hdp;                   /* [BQ, bk]  */

    const int64_t tile = blockIdx.x, g = blockIdx.y;
    const int split = blockIdx.z;
    const int tid = threadIdx.x, rl = tid / ATT_TPR, sub = tid % ATT_TPR;
    const int64_t r = tile * HY_GPU_ATT_BQ + rl;
    const bool row_valid = r < rows;
    const int64_t t = row_valid ? r / group : 0, hq = g * group + (row_valid ? r % group : 0);

    for (int64_t e = tid; e < HY_GPU_ATT_BQ * hd; e += blockDim.x) {
        int64_t rr = tile * HY_GPU_ATT_BQ + e / hd, i = e % hd;
        float val = 0.0f;
        if (rr < rows) val = q[(rr / group) * s.nH * hd + (g * group + rr % group) * hd + i] * s.scale;
        sQ[(e / hd) * hdp + i] = val;
    }

    int64_t lo, hi, kt0, kt1;
    hy_gpu_attention_tile_keys(&s, group, tile, &lo, &hi);
    const int64_t n_tiles = hi >= lo ? (hi - lo + bk) / bk : 0;
    hy_gpu_attention_split_range(n_tiles, splits, split, &kt0, &kt1);

    float o[ATT_MAX_COLS];
#pragma unroll
    for (int c = 0; c < ATT_MAX_COLS; c++) o[c] = 0.0f;
    float m = -INFINITY, l = 0.0f;

    for (int64_t kt = kt0; kt < kt1; kt++) {
        const int64_t j0 = lo + kt * bk;
        const int nk = (int)(hi - j0 + 1 < bk ? hi - j0 + 1 : bk);
        __syncthreads(); /* the previous tile is no longer read (and sQ is written) */
        for (int64_t e = tid; e < (int64_t)bk * hd; e += blockDim.x) {
            int64_t c = e / hd, i = e % hd;
            float kv = 0.0f, vv = 0.0f;
            if (c < nk) {
                int64_t src = (g * s.cap + j0 + c) * hd + i;
                kv = kc[src];
                vv = vc[src];
            }
            sK[c * hdp + i] = kv;
            sV[c * hdp + i] = vv;
        }
        __syncthreads();
        for (int e = tid; e < HY_GPU_ATT_BQ * bk; e += blockDim.x) {
            int rr_l = e / bk, c = e % bk;
            int64_t rr = tile * HY_GPU_ATT_BQ + rr_l, j = j0 + c;
            int64_t p = s.pos0 + rr / group;
            int64_t lo_r = s.window > 0 && p - s.window + 1 > 0 ? p - s.window + 1 : 0;
            float score = -INFINITY;
            if (rr < rows && c < nk && j >= lo_r && j <= p) {
                const float *qr = sQ + rr_l * hdp, *kr = sK + c * hdp;
                float acc = 0.0f;
                for (int64_t i = 0; i < hd; i++) acc = fmaf(qr[i], kr[i], acc);
                score = acc;
            }
            sS[e] = score;
        }
        __syncthreads();
        const float *srow = sS + rl * bk;
        float tmax = -INFINITY;
        for (int c = 0; c < nk; c++) tmax = fmaxf(tmax, srow[c]);
        const float m_new = fmaxf(m, tmax);
        if (m_new == -INFINITY) continue; /* nothing visible yet for this row */
        const float corr = expf(m - m_new); /* 0 when m is still -inf */
        l *= corr;
#pragma unroll
        for (int c = 0; c < ATT_MAX_COLS; c++) o[c] *= corr;
        for (int c = 0; c < nk; c++) {
            const float pc = expf(srow[c] - m_new); /* masked: exp(-inf) = 0 */
            l += pc;
            const float *vr = sV + c * hdp + sub;
#pragma unroll
            for (int cc = 0; cc < ATT_MAX_COLS; cc++)
                if (sub + cc * ATT_TPR < hd) o[cc] = fmaf(pc, vr[cc * ATT_TPR], o[cc]);
        }
        m = m_new;
    }

    if (!row_valid) return;
    if (splits == 1) {
        const float inv = l > 0.0f ? 1.0f / l : 0.0f;
        float *dst = out + t * s.nH * hd + hq * hd;
#pragma unroll
        for (int c = 0; c < ATT_MAX_COLS; c++)
            if (sub + c * ATT_TPR < hd) dst[sub + c * ATT_TPR] = o[c] * inv;
        return;
    }
    const int64_t slot = ((int64_t)split * s.nKV + g) * rows + r;
    float *dst = part_o + slot * hd;
#pragma unroll
    for (int c = 0; c < ATT_MAX_COLS; c++)
        if (sub + c * ATT_TPR < hd) dst[sub + c * ATT_TPR] = o[c];
    if (sub == 0) {
        part_ml[2 * slot] = m;
        part_ml[2 * slot + 1] = l;
    }
}

__global__ void attention_combine_kernel(hy_attention_shape s, const float *__restrict__ part_o,
                                         const float *__restrict__ part_ml, float *__restrict__ out,
                                         int64_t group, int splits)
{
    const int64_t hd = s.hd, rows = s.T * group, n = s.nKV * rows * hd;
    for (int64_t e = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; e < n;
         e += (int64_t)gridDim.x * blockDim.x) {
        int64_t i = e % hd, r = (e / hd) % rows, g = e / (hd * rows);
        float M = -INFINITY;
        for (int sp = 0; sp < splits; sp++) M = fmaxf(M, part_ml[2 * ((sp * s.nKV + g) * rows + r)]);
        float L = 0.0f, O = 0.0f;
        if (M != -INFINITY)
            for (int sp = 0; sp < splits; sp++) {
                int64_t slot = (sp * s.nKV + g) * rows + r;
                float ms = part_ml[2 * slot];
                if (ms == -INFINITY) continue;
                float w = expf(ms - M);
                L = fmaf(part_ml[2 * slot + 1], w, L);
                O = fmaf(part_o[slot * hd + i], w, O);
            }
        int64_t t = r / group, hq = g * group + r % group;
        out[t * s.nH * hd + hq * hd + i] = L > 0.0f ? O / L : 0.0f;
    }
}

unsigned grid_1d(int64_t n, int threads)
{
    int64_t b = hy_gpu_ceil_div(n, threads);
    return b > (1 << 20) ? (1u << 20) : (b < 1 ? 1u : (unsigned)b);
}

int attention_run(hy_exec *ex, const hy_attention_shape *s, const hy_attention_args *a, void *work,
                  int allow_split, const char *name, hy_error *err)
{
    if (!s || !a) return hy_fail(err, "attention: shape or args is NULL");
    if (hy_attention_check(s, err)) return -1;
    if (s->kv_dtype != HY_F32) {
        hy_fail(err, "attention %s: the GPU kernels read an fp32 KV cache; kv_dtype %s is not supported",
                name, hy_dtype_name(s->kv_dtype));
        return HY_UNSUPPORTED;
    }
    if (!a->q || !a->k || !a->v || !a->k_cache || !a->v_cache || !a->out)
        return hy_fail(err, "attention: q, k, v, k_cache, v_cache and out must not be NULL");
    hy_gpu_attention_plan plan;
    if (hy_gpu_attention_plan_make(s, allow_split, &plan)) {
        hy_fail(err, "attention %s: head size %lld exceeds %d or the grid exceeds the limits", name,
                (long long)s->hd, HY_GPU_ATT_MAX_HD);
        return HY_UNSUPPORTED;
    }
    if (plan.splits > 1 && !work)
        return hy_fail(err, "attention %s: split-KV needs a workspace of %zu bytes", name, plan.workspace);
    cudaStream_t st = hy_gpu_stream(ex);
    if (HY_GPU_FN(attention_cache_write)(s, a, st, err)) return -1;
    float *part_o = NULL, *part_ml = NULL;
    if (plan.splits > 1) {
        size_t per_split = (size_t)s->nKV * (size_t)plan.rows;
        part_o = (float *)work;
        part_ml = (float *)((char *)work +
                            hy_gpu_align256(sizeof(float) * (size_t)plan.splits * per_split * (size_t)s->hd));
    }
    attention_flash_kernel<<<hy_gpu_dim3(plan.grid), hy_gpu_dim3(plan.block), plan.smem, st>>>(
        *s, a->q, a->k_cache, a->v_cache, a->out, part_o, part_ml, plan.group, plan.bk, plan.splits);
    if (hy_gpu_launch_check("attention flash", err)) return -1;
    if (plan.splits == 1) return 0;
    attention_combine_kernel<<<grid_1d(s->T * s->nH * s->hd, 256), 256, 0, st>>>(*s, part_o, part_ml,
                                                                               a->out, plan.group,
                                                                               plan.splits);
    return hy_gpu_launch_check("attention combine", err);
}

} // namespace

extern "C" int HY_GPU_FN(attention_cache_write)(const hy_attention_shape *s, const hy_attention_args *a,
                                                cudaStream_t st, hy_error *err)
{
    cache_write_kernel<<<grid_1d(s->T * s->nKV * s->hd, 256), 256, 0, st>>>(*s, a->k, a->v, a->k_cache,
                                                                          a->v_cache);
    return hy_gpu_launch_check("attention cache write", err);
}

extern "C" size_t HY_GPU_FN(attention_flash_workspace)(const hy_attention_shape *s)
{
    hy_gpu_attention_plan plan;
    if (!s || hy_gpu_attention_plan_make(s, 1, &plan)) return 0;
    return plan.workspace;
}

extern "C" int HY_GPU_FN(attention_flash)(hy_exec *ex, const hy_attention_shape *s,
                                          const hy_attention_args *a, void *work, hy_error *err)
{
    return attention_run(ex, s, a, work, 1, "flash", err);
}

extern "C" int HY_GPU_FN(attention_nosplit)(hy_exec *ex, const hy_attention_shape *s,
                                            const hy_attention_args *a, void *work, hy_error *err)
{
    return attention_run(ex, s, a, work, 0, "nosplit", err);
}
