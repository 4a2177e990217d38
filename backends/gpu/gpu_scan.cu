/* gpu_scan.cu — Mamba-1 selective scan, Jamba form (kernels/hy_scan.h):
 *   dt = softplus(delta[t, d] + dt_bias[d]),  A = -exp(A_log[d, n])
 *   h[d, n] = exp(dt A) h[d, n] + dt B[t, n] u[t, d]
 *   y[t, d] = (sum_n h[d, n] C[t, n] + Dskip[d] u[t, d]) * silu(z[t, d])
 *
 * "regs": a block owns HY_GPU_SCAN_CHANNELS channels; 16 lanes per channel
 *   hold its N states in registers (N / 16 each).  Time is walked in
 *   chunks of up to HY_GPU_SCAN_CHUNK steps: B, C (shared by every channel) and
 *   u, dt (softplus done once), z of the block's channels are staged in
 *   shared memory, then each step updates the states and reduces the
 *   channel's output across its 16 lanes with shuffles.  T = 1 is the
 *   single-step decode: one chunk of one step.
 * "blockscan": one block per channel, one thread per time step of a chunk;
 *   for each state n the chunk's recurrence h_t = a_t h_{t-1} + b_t is an
 *   inclusive parallel scan (Kogge-Stone, shared memory) over the pairs
 *   (a, b), combined (a1, b1) then (a2, b2) -> (a1 a2, a2 b1 + b2); the
 *   carry from the previous chunk enters as h_t = A_t carry + B_t.
 *
 *   u, delta [T, D], A_log [D, N], B, C [T, bcs], Dskip [D], z [T, zs] or
 *   NULL, dt_bias [D] or NULL, state [D, N] or NULL, y [T, D] */
#include "hy_gpu_api.h"
#include "hy_gpu_internal.cuh"

namespace {

struct scan_params {
    const float *u, *delta, *A_log, *B, *C, *Dskip, *z, *dt_bias;
    float *state, *y;
    int64_t T, D, N, bcs, zs;
    int chunk; /* regs: time steps per shared-memory stage */
};

template <int PER>
__global__ void __launch_bounds__(HY_GPU_SCAN_LANES * HY_GPU_SCAN_CHANNELS)
scan_regs_kernel(scan_params p)
{
    constexpr int LANES = HY_GPU_SCAN_LANES, CH = HY_GPU_SCAN_CHANNELS;
    const int CHUNK = p.chunk; /* <= HY_GPU_SCAN_CHUNK, from the plan */
    extern __shared__ float smem[];
    float *sB = smem;                 /* [CHUNK, N]  */
    float *sC = sB + CHUNK * p.N;     /* [CHUNK, N]  */
    float *sU = sC + CHUNK * p.N;     /* [CHUNK, CH] */
    float *sDt = sU + CHUNK * CH;     /* [CHUNK, CH] */
    float *sZ = sDt + CHUNK * CH;     /* [CHUNK, CH] */

    const int tid = threadIdx.x, lane = tid % LANES, ch = tid / LANES;
    const int64_t d0 = (int64_t)blockIdx.x * CH, d = d0 + ch;
    const bool valid = d < p.D;

    float h[PER], a_neg[PER];
#pragma unroll
    for (int q = 0; q < PER; q++) {
        int64_t n = lane + (int64_t)LANES * q;
        bool on = valid && n < p.N;
        h[q] = on && p.state ? p.state[d * p.N + n] : 0.0f;
        a_neg[q] = on ? -expf(p.A_log[d * p.N + n]) : 0.0f;
    }
    const float dskip = valid ? p.Dskip[d] : 0.0f;

    for (int64_t t0 = 0; t0 < p.T; t0 += CHUNK) {
        const int L = (int)(p.T - t0 < CHUNK ? p.T - t0 : CHUNK);
        for (int64_t e = tid; e < (int64_t)L * p.N; e += blockDim.x) {
            int64_t tt = e / p.N, n = e % p.N;
            sB[e] = p.B[(t0 + tt) * p.bcs + n];
            sC[e] = p.C[(t0 + tt) * p.bcs + n];
        }
        for (int e = tid; e < L * CH; e += blockDim.x) {
            int tt = e / CH, c = e % CH;
            int64_t dd = d0 + c;
            float uu = 0.0f, dt = 0.0f, zz = 0.0f;
            if (dd < p.D) {
                int64_t row = t0 + tt;
                uu = p.u[row * p.D + dd];
                dt = hy_dev_softplus(p.delta[row * p.D + dd] + (p.dt_bias ? p.dt_bias[dd] : 0.0f));
                zz = p.z ? p.z[row * p.zs + dd] : 0.0f;
            }
            sU[e] = uu;
            sDt[e] = dt;
            sZ[e] = zz;
        }
        __syncthreads();
        for (int tt = 0; tt < L; tt++) {
            const float dt = sDt[tt * CH + ch], uu = sU[tt * CH + ch];
            const float *bt = sB + (int64_t)tt * p.N, *ct = sC + (int64_t)tt * p.N;
            float part = 0.0f;
#pragma unroll
            for (int q = 0; q < PER; q++) {
                int64_t n = lane + (int64_t)LANES * q;
                if (n < p.N) {
                    h[q] = expf(dt * a_neg[q]) * h[q] + dt * bt[n] * uu;
                    part = fmaf(h[q], ct[n], part);
                }
            }
            /* the 16 lanes of a channel are 16 consecutive threads */
            part += HY_SHFL_XOR(part, 8);
            part += HY_SHFL_XOR(part, 4);
            part += HY_SHFL_XOR(part, 2);
            part += HY_SHFL_XOR(part, 1);
            if (lane == 0 && valid) {
                float yv = part + dskip * uu;
                if (p.z) yv *= hy_dev_silu(sZ[tt * CH + ch]);
                p.y[(t0 + tt) * p.D + d] = yv;
            }
        }
        __syncthreads();
    }
    if (p.state) {
#pragma unroll
        for (int q = 0; q < PER; q++) {
            int64_t n = lane + (int64_t)LANES * q;
            if (valid && n < p.N) p.state[d * p.N + n] = h[q];
        }
    }
}

__global__ void scan_blockscan_kernel(scan_params p)
{
    extern __shared__ float smem[];
    const int L = blockDim.x, tid = threadIdx.x;
    float *sa = smem;           /* [L] */
    float *sb = sa + L;         /* [L] */
    float *carry = sb + L;      /* [N] h at the end of the previous chunk */
    float *a_neg = carry + p.N; /* [N] -exp(A_log[d, :]) */
    const int64_t d = blockIdx.x;

    for (int64_t n = tid; n < p.N; n += L) {
        carry[n] = p.state ? p.state[d * p.N + n] : 0.0f;
        a_neg[n] = -expf(p.A_log[d * p.N + n]);
    }
    const float dskip = p.Dskip[d], dtb = p.dt_bias ? p.dt_bias[d] : 0.0f;
    __syncthreads();

    for (int64_t t0 = 0; t0 < p.T; t0 += L) {
        const int64_t t = t0 + tid;
        const bool active = t < p.T;
        const float uu = active ? p.u[t * p.D + d] : 0.0f;
        const float dt = active ? hy_dev_softplus(p.delta[t * p.D + d] + dtb) : 0.0f;
        float yacc = 0.0f;
        for (int64_t n = 0; n < p.N; n++) {
            /* an idle step past T is the identity pair (1, 0) */
            float a = active ? expf(dt * a_neg[n]) : 1.0f;
            float b = active ? dt * p.B[t * p.bcs + n] * uu : 0.0f;
            sa[tid] = a;
            sb[tid] = b;
            __syncthreads();
            for (int off = 1; off < L; off <<= 1) {
                float pa = 1.0f, pb = 0.0f;
                if (tid >= off) {
                    pa = sa[tid - off];
                    pb = sb[tid - off];
                }
                __syncthreads();
                if (tid >= off) {
                    b = fmaf(a, pb, b);
                    a = a * pa;
                    sa[tid] = a;
                    sb[tid] = b;
                }
                __syncthreads();
            }
            const float h = fmaf(a, carry[n], b);
            if (active) yacc = fmaf(h, p.C[t * p.bcs + n], yacc);
            __syncthreads(); /* every thread has read carry[n] */
            if (tid == L - 1) carry[n] = h;
        }
        if (active) {
            float yv = yacc + dskip * uu;
            if (p.z) yv *= hy_dev_silu(p.z[t * p.zs + d]);
            p.y[t * p.D + d] = yv;
        }
        __syncthreads();
    }
    if (p.state)
        for (int64_t n = tid; n < p.N; n += L) p.state[d * p.N + n] = carry[n];
}

int scan_params_make(const hy_scan_shape *s, const hy_scan_args *a, scan_params *p, hy_error *err)
{
    if (!s || !a) return hy_fail(err, "scan: shape or args is NULL");
    if (hy_scan_check(s, err)) return -1;
    if (!a->u || !a->delta || !a->A_log || !a->B || !a->C || !a->Dskip || !a->y ||
        (s->has_z && !a->z) || (s->has_dt_bias && !a->dt_bias))
        return hy_fail(err, "scan: an input or output pointer is NULL");
    p->u = a->u;
    p->delta = a->delta;
    p->A_log = a->A_log;
    p->B = a->B;
    p->C = a->C;
    p->Dskip = a->Dskip;
    p->z = s->has_z ? a->z : NULL;
    p->dt_bias = s->has_dt_bias ? a->dt_bias : NULL;
    p->state = a->state;
    p->y = a->y;
    p->T = s->T;
    p->D = s->D;
    p->N = s->N;
    p->bcs = a->bc_stride ? a->bc_stride : s->N;
    p->zs = a->z_stride ? a->z_stride : s->D;
    p->chunk = 0;
    return 0;
}

template <int PER>
void launch_regs(const hy_gpu_scan_plan &plan, const scan_params &p, cudaStream_t st)
{
    scan_regs_kernel<PER><<<hy_gpu_dim3(plan.grid), hy_gpu_dim3(plan.block), plan.smem, st>>>(p);
}

} // namespace

extern "C" int HY_GPU_FN(scan_regs)(hy_exec *ex, const hy_scan_shape *s, const hy_scan_args *a, void *work,
                                    hy_error *err)
{
    (void)work;
    scan_params p;
    if (scan_params_make(s, a, &p, err)) return -1;
    hy_gpu_scan_plan plan;
    if (hy_gpu_scan_regs_plan(s, &plan)) {
        hy_fail(err, "scan regs: d_state %lld exceeds %d", (long long)s->N,
                HY_GPU_SCAN_LANES * HY_GPU_SCAN_MAX_PER_LANE);
        return HY_UNSUPPORTED;
    }
    p.chunk = plan.chunk;
    cudaStream_t st = hy_gpu_stream(ex);
    if (plan.per_lane <= 1) launch_regs<1>(plan, p, st);
    else if (plan.per_lane <= 2) launch_regs<2>(plan, p, st);
    else if (plan.per_lane <= 4) launch_regs<4>(plan, p, st);
    else if (plan.per_lane <= 8) launch_regs<8>(plan, p, st);
    else launch_regs<16>(plan, p, st);
    return hy_gpu_launch_check("scan regs", err);
}

extern "C" int HY_GPU_FN(scan_blockscan)(hy_exec *ex, const hy_scan_shape *s, const hy_scan_args *a,
                                         void *work, hy_error *err)
{
    (void)work;
    scan_params p;
    if (scan_params_make(s, a, &p, err)) return -1;
    hy_gpu_blockscan_plan plan;
    if (hy_gpu_scan_blockscan_plan(s, &plan)) {
        hy_fail(err, "scan blockscan: d_state %lld exceeds %d", (long long)s->N, HY_GPU_BLOCKSCAN_MAX_N);
        return HY_UNSUPPORTED;
    }
    scan_blockscan_kernel<<<hy_gpu_dim3(plan.grid), hy_gpu_dim3(plan.block), plan.smem, hy_gpu_stream(ex)>>>(p);
    return hy_gpu_launch_check("scan blockscan", err);
}
