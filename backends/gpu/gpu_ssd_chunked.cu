/* gpu_ssd_chunked.cu — Mamba-2 SSD "chunked" (kernels/hy_ssd.h), the
 * chunked matrix form in fp32 (both builds; the plan and its three passes
 * are described in hy_gpu_launch.h, hy_gpu_ssd_chunked_plan):
 *   intra   per (chunk, head): dt, the cumulative decay cs, the masked
 *           weights W[t, u] = exp(cs_t - cs_u) dt_u (C_t . B_u) for u <= t,
 *           y = W x (the chunk's own contribution) and the chunk state
 *           st = sum_u exp(cs_L - cs_u) dt_u x_u B_u^T;
 *   states  per (head, p, n): the recurrence over chunks, leaving in the
 *           workspace the state each chunk starts from;
 *   output  per (chunk, head): y += exp(cs_t) C_t . S_enter, + D x, gate.
 *   x, z, y [T, H, P], dt [T, H], A_log, Dskip, dt_bias [H],
 *   B, C [T, G, N], state [H, P, N] or NULL */
#include "hy_gpu_api.h"
#include "gpu_ssd_chunked.cuh"

namespace {

typedef hy_ssd_chunk_params chunk_params;

__global__ void __launch_bounds__(HY_GPU_SSD_CHUNK_THREADS) ssd_intra_kernel(chunk_params p)
{
    extern __shared__ float smem[];
    const int L = p.L;
    float *sDt = smem;    /* [L]    */
    float *sCs = sDt + L; /* [L]    */
    float *sW = sCs + L;  /* [L, L] */
    const int64_t c = blockIdx.x, h = blockIdx.y, g = h / (p.H / p.G), t0 = c * L;
    const int len = (int)(p.T - t0 < L ? p.T - t0 : L);
    const int tid = threadIdx.x;
    const float a_neg = -expf(p.A_log[h]), dtb = p.dt_bias ? p.dt_bias[h] : 0.0f;

    for (int tt = tid; tt < len; tt += blockDim.x) sDt[tt] = hy_dev_softplus(p.dt[(t0 + tt) * p.H + h] + dtb);
    __syncthreads();
    if (tid == 0) {
        float acc = 0.0f;
        for (int tt = 0; tt < len; tt++) {
            acc += sDt[tt] * a_neg;
            sCs[tt] = acc;
        }
    }
    __syncthreads();
    for (int e = tid; e < len * len; e += blockDim.x) {
        const int t = e / len, u = e % len;
        float w = 0.0f;
        if (u <= t) {
            const float *ct = p.C + ((t0 + t) * p.G + g) * p.N, *bu = p.B + ((t0 + u) * p.G + g) * p.N;
            float dot = 0.0f;
            for (int64_t n = 0; n < p.N; n++) dot = fmaf(ct[n], bu[n], dot);
            w = expf(sCs[t] - sCs[u]) * sDt[u] * dot;
        }
        sW[t * L + u] = w;
    }
    __syncthreads();
    for (int64_t e = tid; e < (int64_t)len * p.P; e += blockDim.x) {
        const int t = (int)(e / p.P);
        const int64_t pp = e % p.P;
        float acc = 0.0f;
        for (int u = 0; u <= t; u++) acc = fmaf(sW[t * L + u], p.x[((t0 + u) * p.H + h) * p.P + pp], acc);
        p.y[((t0 + t) * p.H + h) * p.P + pp] = acc;
    }
    const float cs_end = sCs[len - 1];
    float *st = p.states + (c * p.H + h) * p.P * p.N;
    for (int64_t e = tid; e < p.P * p.N; e += blockDim.x) {
        const int64_t pp = e / p.N, n = e % p.N;
        float acc = 0.0f;
        for (int u = 0; u < len; u++)
            acc = fmaf(expf(cs_end - sCs[u]) * sDt[u] * p.x[((t0 + u) * p.H + h) * p.P + pp],
                       p.B[((t0 + u) * p.G + g) * p.N + n], acc);
        st[e] = acc;
    }
    for (int tt = tid; tt < len; tt += blockDim.x) p.cs[(c * p.H + h) * L + tt] = sCs[tt];
    if (tid == 0) p.decay[c * p.H + h] = expf(cs_end);
}

/* One thread per state element (h, p, n): S_enter(c) replaces st_c. */
__global__ void __launch_bounds__(HY_GPU_SSD_CHUNK_THREADS) ssd_states_kernel(chunk_params p)
{
    const int64_t per_head = p.P * p.N;
    const int64_t e = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (e >= p.H * per_head) return;
    const int64_t h = e / per_head, rem = e % per_head;
    float S = p.state ? p.state[e] : 0.0f;
    for (int64_t c = 0; c < p.chunks; c++) {
        float *slot = p.states + (c * p.H + h) * per_head + rem;
        const float st = *slot;
        *slot = S;
        S = fmaf(p.decay[c * p.H + h], S, st);
    }
    if (p.state) p.state[e] = S;
}

__global__ void __launch_bounds__(HY_GPU_SSD_CHUNK_THREADS) ssd_output_kernel(chunk_params p)
{
    const int L = p.L;
    const int64_t c = blockIdx.x, h = blockIdx.y, g = h / (p.H / p.G), t0 = c * L;
    const int len = (int)(p.T - t0 < L ? p.T - t0 : L);
    const float dskip = p.Dskip ? p.Dskip[h] : 0.0f;
    const float *S = p.states + (c * p.H + h) * p.P * p.N;
    for (int64_t e = threadIdx.x; e < (int64_t)len * p.P; e += blockDim.x) {
        const int t = (int)(e / p.P);
        const int64_t pp = e % p.P, off = ((t0 + t) * p.H + h) * p.P + pp;
        const float *ct = p.C + ((t0 + t) * p.G + g) * p.N, *sp = S + pp * p.N;
        float acc = 0.0f;
        for (int64_t n = 0; n < p.N; n++) acc = fmaf(ct[n], sp[n], acc);
        const float xv = p.x[off];
        float yv = p.y[off] + expf(p.cs[(c * p.H + h) * L + t]) * acc + dskip * xv;
        if (p.z) yv *= hy_dev_silu(p.z[off]);
        p.y[off] = yv;
    }
}

} // namespace

extern "C" size_t HY_GPU_FN(ssd_chunked_workspace)(const hy_ssd_shape *s)
{
    hy_gpu_ssd_chunked_plan plan;
    if (!s || hy_gpu_ssd_chunked_plan_make(s, 0, &plan, NULL, 0)) return 0;
    return plan.workspace;
}

extern "C" int HY_GPU_FN(ssd_chunked_setup)(const hy_ssd_shape *s, const hy_ssd_args *a, void *work,
                                            int tensor_cores, const char *name,
                                            hy_gpu_ssd_chunked_plan *plan, hy_ssd_chunk_params *p,
                                            hy_error *err)
{
    if (!s || !a) return hy_fail(err, "ssd: shape or args is NULL");
    if (hy_ssd_check(s, err)) return -1;
    if (!a->x || !a->dt || !a->A_log || !a->B || !a->C || !a->y || (s->has_z && !a->z) ||
        (s->has_D && !a->Dskip) || (s->has_dt_bias && !a->dt_bias))
        return hy_fail(err, "ssd: an input or output pointer is NULL");
    char why[200];
    if (hy_gpu_ssd_chunked_plan_make(s, tensor_cores, plan, why, sizeof why)) {
        hy_fail(err, "%s", why);
        return HY_UNSUPPORTED;
    }
    if (!work) return hy_fail(err, "ssd %s: needs a workspace of %zu bytes", name, plan->workspace);
    char *w = (char *)work;
    *p = hy_ssd_chunk_params{a->x, a->dt, a->A_log, a->B, a->C, s->has_D ? a->Dskip : NULL,
                             s->has_z ? a->z : NULL, s->has_dt_bias ? a->dt_bias : NULL, a->state, a->y,
                             (float *)(w + plan->states), (float *)(w + plan->cs),
                             (float *)(w + plan->decay), s->T, s->H, s->P, s->G, s->N, plan->chunks,
                             plan->chunk};
    return 0;
}

extern "C" int HY_GPU_FN(ssd_chunked_finish)(const hy_gpu_ssd_chunked_plan *plan,
                                             const hy_ssd_chunk_params *p, cudaStream_t st,
                                             hy_error *err)
{
    ssd_states_kernel<<<hy_gpu_dim3(plan->grid_state), HY_GPU_SSD_CHUNK_THREADS, 0, st>>>(*p);
    if (hy_gpu_launch_check("ssd chunked states", err)) return -1;
    ssd_output_kernel<<<hy_gpu_dim3(plan->grid_chunk), HY_GPU_SSD_CHUNK_THREADS, 0, st>>>(*p);
    return hy_gpu_launch_check("ssd chunked output", err);
}

extern "C" int HY_GPU_FN(ssd_chunked)(hy_exec *ex, const hy_ssd_shape *s, const hy_ssd_args *a, void *work,
                                      hy_error *err)
{
    hy_gpu_ssd_chunked_plan plan;
    chunk_params p;
    int rc = HY_GPU_FN(ssd_chunked_setup)(s, a, work, 0, "chunked", &plan, &p, err);
    if (rc) return rc;
    cudaStream_t st = hy_gpu_stream(ex);
    ssd_intra_kernel<<<hy_gpu_dim3(plan.grid_chunk), HY_GPU_SSD_CHUNK_THREADS, plan.smem, st>>>(p);
    if (hy_gpu_launch_check("ssd chunked intra", err)) return -1;
    return HY_GPU_FN(ssd_chunked_finish)(&plan, &p, st, err);
}
