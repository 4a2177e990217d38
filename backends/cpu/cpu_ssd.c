/* cpu_ssd.c — Mamba-2 state-space duality (kernels/hy_ssd.h,
 * jamba-semantics §11).  Per head h (group g = h / (H/G)):
 *   dt = softplus(dt_raw[t, h] + dt_bias[h]),  a_t = dt A_h,  A_h = -exp(A_log[h])
 *   S  = exp(a_t) S + dt x[t, h, :] B[t, g, :]^T               [P, N]
 *   y[t, h, :] = (S C[t, g, :] + Dskip[h] x[t, h, :]) * silu(z[t, h, :])
 *
 * ssd/chunked  the chunked SSD algorithm with chunk length Q = shape.chunk
 *              (the last chunk may be shorter):
 *   1. per (head, chunk), in parallel: the diagonal block
 *        Y_diag[l] = sum_{s<=l} (C_l . B_s) exp(segsum(a)[l, s]) dt_s x_s
 *      with segsum(a)[l, s] = sum_{k=s+1..l} a_k summed directly (stable),
 *      and the chunk's own state  s_c = sum_l exp(segsum[end, l]) dt_l x_l B_l^T;
 *   2. per (head, p row), sequential over chunks: the inter-chunk recurrence
 *        S_in[0] = initial state,  S_in[c+1] = exp(sum_c a) S_in[c] + s_c,
 *      whose last value is the final state;
 *   3. per (head, chunk), in parallel: Y_off[l] = exp(cumsum_c(a)[l]) S_in[c] C_l,
 *      then the D skip and the gate.
 * ssd/seq      the recurrence step by step, parallel over (head, p row). */
#include "cpu_internal.h"
#include "cpu_kernels.h"

#include <string.h>

typedef struct ssd_ctx {
    int64_t T, H, P, G, N, Q, heads_per_group;
    const float *x, *dt_raw, *A_log, *B, *C, *Dskip, *z, *dt_bias;
    float *y;
    float *dt; /* [H, T] softplus(dt_raw + dt_bias)  (workspace) */
    float *a;  /* [H, T] dt * A_h                     (workspace) */
    float *chunk_decay; /* [H, n_chunks] exp(sum of a over the chunk) (chunked only) */
} ssd_ctx;

static int ssd_prepare(const hy_ssd_shape *s, const hy_ssd_args *a, ssd_ctx *c, hy_error *err)
{
    if (!s || !a) return hy_fail(err, "ssd: shape or args is NULL");
    if (hy_ssd_check(s, err)) return -1;
    if (!a->x || !a->dt || !a->A_log || !a->B || !a->C || !a->y)
        return hy_fail(err, "ssd: x, dt, A_log, B, C and y must not be NULL");
    if (s->has_D && !a->Dskip) return hy_fail(err, "ssd: has_D is set but Dskip is NULL");
    if (s->has_z && !a->z) return hy_fail(err, "ssd: has_z is set but z is NULL");
    if (s->has_dt_bias && !a->dt_bias)
        return hy_fail(err, "ssd: has_dt_bias is set but dt_bias is NULL");
    c->T = s->T, c->H = s->H, c->P = s->P, c->G = s->G, c->N = s->N, c->Q = s->chunk;
    c->heads_per_group = s->H / s->G;
    c->x = a->x, c->dt_raw = a->dt, c->A_log = a->A_log, c->B = a->B, c->C = a->C;
    c->Dskip = s->has_D ? a->Dskip : NULL;
    c->z = s->has_z ? a->z : NULL;
    c->dt_bias = s->has_dt_bias ? a->dt_bias : NULL;
    c->y = a->y;
    return 0;
}

/* dt and dt*A for every (head, step), parallel over heads. */
static void ssd_discretise(const ssd_ctx *c, int nt)
{
    (void)nt;
    HY_OMP(parallel for schedule(static) num_threads(nt) if(nt > 1 && c->H * c->T >= 4096))
    for (int64_t h = 0; h < c->H; h++) {
        const float A = -expf(c->A_log[h]);
        const float bias = c->dt_bias ? c->dt_bias[h] : 0.0f;
        for (int64_t t = 0; t < c->T; t++) {
            const float dt = cpu_softplus(c->dt_raw[t * c->H + h] + bias);
            c->dt[h * c->T + t] = dt;
            c->a[h * c->T + t] = dt * A;
        }
    }
}

static inline const float *ssd_B(const ssd_ctx *c, int64_t t, int64_t h)
{
    return c->B + (t * c->G + h / c->heads_per_group) * c->N; /* [N] */
}
static inline const float *ssd_C(const ssd_ctx *c, int64_t t, int64_t h)
{
    return c->C + (t * c->G + h / c->heads_per_group) * c->N; /* [N] */
}

/* y[t, h, :] = (y[t, h, :] + Dskip[h] x[t, h, :]) * silu(z[t, h, :]) */
static void ssd_epilogue(const ssd_ctx *c, int64_t t, int64_t h)
{
    const int64_t off = (t * c->H + h) * c->P;
    float *y = c->y + off;
    const float *x = c->x + off;
    if (c->Dskip)
        for (int64_t p = 0; p < c->P; p++) y[p] += c->Dskip[h] * x[p];
    if (c->z)
        for (int64_t p = 0; p < c->P; p++) y[p] *= cpu_silu(c->z[off + p]);
}

/* ---- ssd/chunked -------------------------------------------------------- */

size_t hy_cpu_ssd_chunked_workspace(const hy_ssd_shape *s)
{
    if (hy_ssd_check(s, NULL)) return 0; /* the kernel will reject the shape */
    const size_t n_chunks = (size_t)cpu_ceil_div(s->T, s->chunk);
    const size_t states = n_chunks * (size_t)(s->H * s->P * s->N);
    return (states + 2u * (size_t)(s->H * s->T) + (size_t)s->H * n_chunks) * sizeof(float);
}

/* Step 1 for one (head, chunk [t0, t1)): writes Y_diag into y, the
 * chunk's own state into st [P, N] and exp(sum of a over the chunk), the
 * decay of a state across the whole chunk, into *chunk_decay. */
static void ssd_chunk_local(const ssd_ctx *c, int64_t h, int64_t t0, int64_t t1, float *st,
                            float *chunk_decay)
{
    const int64_t H = c->H, P = c->P, N = c->N, T = c->T;
    const float *dt = c->dt + h * T, *a = c->a + h * T;
    for (int64_t l = t0; l < t1; l++) {
        float *yl = c->y + (l * H + h) * P; /* [P] */
        memset(yl, 0, (size_t)P * sizeof *yl);
        const float *Cl = ssd_C(c, l, h);
        float seg = 0.0f; /* segsum(a)[l, s] = sum_{k=s+1..l} a_k */
        for (int64_t s = l; s >= t0; s--) {
            if (s < l) seg += a[s + 1];
            const float coef = cpu_dot(Cl, ssd_B(c, s, h), N) * expf(seg) * dt[s];
            cpu_axpy(yl, coef, c->x + (s * H + h) * P, P);
        }
    }
    memset(st, 0, (size_t)(P * N) * sizeof *st);
    float seg = 0.0f; /* segsum(a)[end, l] */
    for (int64_t l = t1 - 1; l >= t0; l--) {
        if (l < t1 - 1) seg += a[l + 1];
        const float wl = expf(seg) * dt[l];
        const float *xl = c->x + (l * H + h) * P, *Bl = ssd_B(c, l, h);
        for (int64_t p = 0; p < P; p++) cpu_axpy(st + p * N, wl * xl[p], Bl, N);
    }
    float total = 0.0f; /* in the order ssd_chunk_offdiag sums it */
    for (int64_t l = t0; l < t1; l++) total += a[l];
    *chunk_decay = expf(total);
}

/* Step 3 for one (head, chunk): y += exp(cumsum a) S_in C, then D and z. */
static void ssd_chunk_offdiag(const ssd_ctx *c, int64_t h, int64_t t0, int64_t t1,
                              const float *S_in)
{
    const int64_t H = c->H, P = c->P, N = c->N;
    const float *a = c->a + h * c->T;
    float acum = 0.0f;
    for (int64_t l = t0; l < t1; l++) {
        acum += a[l];
        const float decay = expf(acum);
        const float *Cl = ssd_C(c, l, h);
        float *yl = c->y + (l * H + h) * P;
        for (int64_t p = 0; p < P; p++) yl[p] += decay * cpu_dot(S_in + p * N, Cl, N);
        ssd_epilogue(c, l, h);
    }
}

int hy_cpu_ssd_chunked(hy_exec *ex, const hy_ssd_shape *s, const hy_ssd_args *a, void *work,
                       hy_error *err)
{
    ssd_ctx c;
    if (ssd_prepare(s, a, &c, err)) return -1;
    if (!work) return hy_fail(err, "ssd: workspace is NULL (ssd/chunked needs %zu bytes)",
                              hy_cpu_ssd_chunked_workspace(s));
    const int64_t T = c.T, H = c.H, P = c.P, N = c.N, Q = c.Q, PN = P * N;
    const int64_t n_chunks = cpu_ceil_div(T, Q);
    /* states[k][h]: chunk k's own state (step 1), then its start state S_in (step 2). */
    float *states = work; /* [n_chunks, H, P, N] */
    c.dt = states + n_chunks * H * PN;
    c.a = c.dt + H * T;
    c.chunk_decay = c.a + H * T;
    float *state = a->state;
    const int nt = cpu_threads(ex);
    (void)nt;
    ssd_discretise(&c, nt);

    HY_OMP(parallel for collapse(2) schedule(dynamic, 1) num_threads(nt) if(nt > 1))
    for (int64_t h = 0; h < H; h++)
        for (int64_t k = 0; k < n_chunks; k++)
            ssd_chunk_local(&c, h, k * Q, cpu_min64(T, (k + 1) * Q), states + (k * H + h) * PN,
                            &c.chunk_decay[h * n_chunks + k]);

    HY_OMP(parallel for collapse(2) schedule(static) num_threads(nt) if(nt > 1))
    for (int64_t h = 0; h < H; h++)
        for (int64_t p = 0; p < P; p++)
            for (int64_t n = 0; n < N; n++) {
                const int64_t i = (h * P + p) * N + n; /* element of a [H, P, N] state */
                float S = state ? state[i] : 0.0f;
                for (int64_t k = 0; k < n_chunks; k++) {
                    float *slot = states + k * H * PN + i;
                    const float own = *slot;
                    *slot = S; /* S_in of chunk k */
                    S = c.chunk_decay[h * n_chunks + k] * S + own;
                }
                if (state) state[i] = S;
            }

    HY_OMP(parallel for collapse(2) schedule(static) num_threads(nt) if(nt > 1))
    for (int64_t h = 0; h < H; h++)
        for (int64_t k = 0; k < n_chunks; k++)
            ssd_chunk_offdiag(&c, h, k * Q, cpu_min64(T, (k + 1) * Q), states + (k * H + h) * PN);
    return 0;
}

/* ---- ssd/seq ------------------------------------------------------------ */

size_t hy_cpu_ssd_seq_workspace(const hy_ssd_shape *s)
{
    if (hy_ssd_check(s, NULL)) return 0; /* the kernel will reject the shape */
    return (size_t)(s->H * s->P * s->N + 2 * s->H * s->T) * sizeof(float);
}

int hy_cpu_ssd_seq(hy_exec *ex, const hy_ssd_shape *s, const hy_ssd_args *a, void *work,
                   hy_error *err)
{
    ssd_ctx c;
    if (ssd_prepare(s, a, &c, err)) return -1;
    if (!work) return hy_fail(err, "ssd: workspace is NULL (ssd/seq needs %zu bytes)",
                              hy_cpu_ssd_seq_workspace(s));
    const int64_t T = c.T, H = c.H, P = c.P, N = c.N;
    float *S_all = work; /* [H, P, N] running state */
    c.dt = S_all + H * P * N;
    c.a = c.dt + H * T;
    float *state = a->state;
    const int nt = cpu_threads(ex);
    (void)nt;
    ssd_discretise(&c, nt);
    HY_OMP(parallel for collapse(2) schedule(static) num_threads(nt) if(nt > 1))
    for (int64_t h = 0; h < H; h++)
        for (int64_t p = 0; p < P; p++) {
            float *S = S_all + (h * P + p) * N; /* [N] row p of head h's state */
            for (int64_t n = 0; n < N; n++) S[n] = state ? state[(h * P + p) * N + n] : 0.0f;
            const float *dt = c.dt + h * T, *ah = c.a + h * T;
            for (int64_t t = 0; t < T; t++) {
                const int64_t off = (t * H + h) * P + p;
                const float dA = expf(ah[t]), dtx = dt[t] * c.x[off];
                const float *Bt = ssd_B(&c, t, h), *Ct = ssd_C(&c, t, h);
                float acc = 0.0f;
                for (int64_t n = 0; n < N; n++) {
                    S[n] = dA * S[n] + dtx * Bt[n];
                    acc += S[n] * Ct[n];
                }
                if (c.Dskip) acc += c.Dskip[h] * c.x[off];
                if (c.z) acc *= cpu_silu(c.z[off]);
                c.y[off] = acc;
            }
            if (state) memcpy(state + (h * P + p) * N, S, (size_t)N * sizeof *S);
        }
    return 0;
}
