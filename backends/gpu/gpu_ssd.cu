/* gpu_ssd.cu — Mamba-2 SSD, "regs" (kernels/hy_ssd.h), the recurrent form:
 *   dt = softplus(dt_raw[t, h] + dt_bias[h]),  A_h = -exp(A_log[h])
 *   S_h[p, :] = exp(dt A_h) S_h[p, :] + dt x[t, h, p] B[t, g, :]
 *   y[t, h, p] = (S_h[p, :] . C[t, g, :] + Dskip[h] x[t, h, p]) * silu(z[t, h, p])
 * A block owns HY_GPU_SSD_ROWS head-dim rows p of one head; 16 lanes per
 * row hold its N states in registers.  Time is walked in chunks staged in
 * shared memory (B, C of the head's group; x, z of the block's rows; dt),
 * exactly as scan "regs".  The chunked matrix form (intra-chunk C B^T
 * products, tensor cores for bf16/fp16) is a later variant.
 *   x, z, y [T, H, P], dt [T, H], A_log, Dskip, dt_bias [H],
 *   B, C [T, G, N], state [H, P, N] or NULL */
#include "hy_gpu_api.h"
#include "hy_gpu_internal.cuh"

namespace {

struct ssd_params {
    const float *x, *dt, *A_log, *B, *C, *Dskip, *z, *dt_bias;
    float *state, *y;
    int64_t T, H, P, G, N;
    int chunk; /* time steps per shared-memory stage */
};

template <int PER>
__global__ void __launch_bounds__(HY_GPU_SCAN_LANES * HY_GPU_SSD_ROWS) ssd_regs_kernel(ssd_params p)
{
    constexpr int LANES = HY_GPU_SCAN_LANES, ROWS = HY_GPU_SSD_ROWS;
    const int CHUNK = p.chunk; /* <= HY_GPU_SCAN_CHUNK, from the plan */
    extern __shared__ float smem[];
    float *sB = smem;               /* [CHUNK, N]    */
    float *sC = sB + CHUNK * p.N;   /* [CHUNK, N]    */
    float *sX = sC + CHUNK * p.N;   /* [CHUNK, ROWS] */
    float *sZ = sX + CHUNK * ROWS;  /* [CHUNK, ROWS] */
    float *sDt = sZ + CHUNK * ROWS; /* [CHUNK]       */

    const int tid = threadIdx.x, lane = tid % LANES, row = tid / LANES;
    const int64_t h = blockIdx.y, g = h / (p.H / p.G);
    const int64_t p0 = (int64_t)blockIdx.x * ROWS, pr = p0 + row;
    const bool valid = pr < p.P;
    const float a_neg = -expf(p.A_log[h]);
    const float dskip = p.Dskip ? p.Dskip[h] : 0.0f, dtb = p.dt_bias ? p.dt_bias[h] : 0.0f;

    float s[PER];
#pragma unroll
    for (int q = 0; q < PER; q++) {
        int64_t n = lane + (int64_t)LANES * q;
        s[q] = valid && n < p.N && p.state ? p.state[(h * p.P + pr) * p.N + n] : 0.0f;
    }

    for (int64_t t0 = 0; t0 < p.T; t0 += CHUNK) {
        const int L = (int)(p.T - t0 < CHUNK ? p.T - t0 : CHUNK);
        for (int64_t e = tid; e < (int64_t)L * p.N; e += blockDim.x) {
            int64_t tt = e / p.N, n = e % p.N, off = ((t0 + tt) * p.G + g) * p.N + n;
            sB[e] = p.B[off];
            sC[e] = p.C[off];
        }
        for (int e = tid; e < L * ROWS; e += blockDim.x) {
            int tt = e / ROWS, r = e % ROWS;
            int64_t pp = p0 + r, off = ((t0 + tt) * p.H + h) * p.P + pp;
            sX[e] = pp < p.P ? p.x[off] : 0.0f;
            sZ[e] = pp < p.P && p.z ? p.z[off] : 0.0f;
        }
        for (int tt = tid; tt < L; tt += blockDim.x)
            sDt[tt] = hy_dev_softplus(p.dt[(t0 + tt) * p.H + h] + dtb);
        __syncthreads();
        for (int tt = 0; tt < L; tt++) {
            const float dt = sDt[tt], xv = sX[tt * ROWS + row], decay = expf(dt * a_neg);
            const float dx = dt * xv;
            const float *bt = sB + (int64_t)tt * p.N, *ct = sC + (int64_t)tt * p.N;
            float part = 0.0f;
#pragma unroll
            for (int q = 0; q < PER; q++) {
                int64_t n = lane + (int64_t)LANES * q;
                if (n < p.N) {
                    s[q] = decay * s[q] + dx * bt[n];
                    part = fmaf(s[q], ct[n], part);
                }
            }
            part += HY_SHFL_XOR(part, 8);
            part += HY_SHFL_XOR(part, 4);
            part += HY_SHFL_XOR(part, 2);
            part += HY_SHFL_XOR(part, 1);
            if (lane == 0 && valid) {
                float yv = part + dskip * xv;
                if (p.z) yv *= hy_dev_silu(sZ[tt * ROWS + row]);
                p.y[((t0 + tt) * p.H + h) * p.P + pr] = yv;
            }
        }
        __syncthreads();
    }
    if (p.state) {
#pragma unroll
        for (int q = 0; q < PER; q++) {
            int64_t n = lane + (int64_t)LANES * q;
            if (valid && n < p.N) p.state[(h * p.P + pr) * p.N + n] = s[q];
        }
    }
}

template <int PER>
void launch(const hy_gpu_ssd_plan &plan, const ssd_params &p, cudaStream_t st)
{
    ssd_regs_kernel<PER><<<hy_gpu_dim3(plan.grid), hy_gpu_dim3(plan.block), plan.smem, st>>>(p);
}

} // namespace

extern "C" int HY_GPU_FN(ssd_regs)(hy_exec *ex, const hy_ssd_shape *s, const hy_ssd_args *a, void *work,
                                   hy_error *err)
{
    (void)work;
    if (!s || !a) return hy_fail(err, "ssd: shape or args is NULL");
    if (hy_ssd_check(s, err)) return -1;
    if (!a->x || !a->dt || !a->A_log || !a->B || !a->C || !a->y || (s->has_z && !a->z) ||
        (s->has_D && !a->Dskip) || (s->has_dt_bias && !a->dt_bias))
        return hy_fail(err, "ssd: an input or output pointer is NULL");
    hy_gpu_ssd_plan plan;
    if (hy_gpu_ssd_regs_plan(s, &plan)) {
        hy_fail(err, "ssd regs: d_state %lld or %lld heads beyond the launch limits", (long long)s->N,
                (long long)s->H);
        return HY_UNSUPPORTED;
    }
    ssd_params p = {a->x, a->dt, a->A_log, a->B, a->C, s->has_D ? a->Dskip : NULL,
                    s->has_z ? a->z : NULL, s->has_dt_bias ? a->dt_bias : NULL, a->state, a->y,
                    s->T, s->H, s->P, s->G, s->N, plan.chunk};
    cudaStream_t st = hy_gpu_stream(ex);
    if (plan.per_lane <= 1) launch<1>(plan, p, st);
    else if (plan.per_lane <= 2) launch<2>(plan, p, st);
    else if (plan.per_lane <= 4) launch<4>(plan, p, st);
    else if (plan.per_lane <= 8) launch<8>(plan, p, st);
    else launch<16>(plan, p, st);
    return hy_gpu_launch_check("ssd regs", err);
}
