/* cpu_scan.c — Mamba-1 selective scan, Jamba form (kernels/hy_scan.h):
 *   dt = softplus(delta[t, d] + dt_bias[d]),  A = -exp(A_log)
 *   h[d, n] = exp(dt A[d, n]) h[d, n] + dt u[t, d] B[t, n]
 *   y[t, d] = (sum_n h[d, n] C[t, n] + Dskip[d] u[t, d]) * silu(z[t, d])
 *
 * scan/seq      sequential over time, parallel over blocks of SCAN_DB
 *               channels; the state of a block lives in a local array.
 * scan/chunked  also parallel over time: T is cut into chunks; pass 1 runs
 *               every chunk from a zero state and keeps its end state and
 *               the product of its decays exp(dt A); pass 2 propagates the
 *               carries across chunks (h_in[c+1] = end[c] + decay[c] h_in[c]);
 *               pass 3 reruns every chunk from its true start state and
 *               writes y.
 * Both process the state dimension in slices of SCAN_NB (every n is an
 * independent recurrence), so any N works with a fixed local array. */
#include "cpu_internal.h"
#include "cpu_kernels.h"

#include <string.h>

enum {
    SCAN_DB = 16,          /* channels per task                 */
    SCAN_NB = 64,          /* state indices per slice           */
    SCAN_MIN_CHUNK = 32,   /* chunked: shortest chunk           */
    SCAN_MAX_CHUNKS = 16,  /* chunked: most chunks              */
};

/* The arguments resolved once per call. */
typedef struct scan_ctx {
    int64_t T, D, N, ldbc, ldz;
    const float *u, *delta, *A_log, *B, *C, *Dskip, *z, *dt_bias;
    float *y;
} scan_ctx;

static int scan_prepare(const hy_scan_shape *s, const hy_scan_args *a, scan_ctx *c,
                        hy_error *err)
{
    if (!s || !a) return hy_fail(err, "scan: shape or args is NULL");
    if (hy_scan_check(s, err)) return -1;
    if (!a->u || !a->delta || !a->A_log || !a->B || !a->C || !a->y)
        return hy_fail(err, "scan: u, delta, A_log, B, C and y must not be NULL");
    if (s->has_z && !a->z) return hy_fail(err, "scan: has_z is set but z is NULL");
    if (s->has_dt_bias && !a->dt_bias)
        return hy_fail(err, "scan: has_dt_bias is set but dt_bias is NULL");
    c->T = s->T, c->D = s->D, c->N = s->N;
    c->ldbc = a->bc_stride ? a->bc_stride : s->N;
    c->ldz = a->z_stride ? a->z_stride : s->D;
    if (c->ldbc < s->N) return hy_fail(err, "scan: bc_stride (%lld) < N (%lld)",
                                       (long long)c->ldbc, (long long)s->N);
    if (s->has_z && c->ldz < s->D)
        return hy_fail(err, "scan: z_stride (%lld) < D (%lld)", (long long)c->ldz,
                       (long long)s->D);
    c->u = a->u, c->delta = a->delta, c->A_log = a->A_log, c->B = a->B, c->C = a->C;
    c->Dskip = a->Dskip; /* NULL: no skip term */
    c->z = s->has_z ? a->z : NULL;
    c->dt_bias = s->has_dt_bias ? a->dt_bias : NULL;
    c->y = a->y;
    return 0;
}

/* What scan_block does with y. */
enum { Y_NONE, Y_SET, Y_ADD };

/* Runs channels [d0, d0+dn) x state indices [n0, n0+nn) over time [t0, t1).
 * h: [dn, nn] in/out state.  decay: [dn, nn], multiplied by every step's
 * exp(dt A), or NULL.  y_mode: whether the partial sums over this slice of
 * n set y, add to y, or are not computed. */
static void scan_block(const scan_ctx *c, int64_t d0, int64_t dn, int64_t n0, int64_t nn,
                       int64_t t0, int64_t t1, float *restrict h, float *restrict decay,
                       int y_mode)
{
    float A[SCAN_DB * SCAN_NB]; /* [dn, nn] */
    for (int64_t d = 0; d < dn; d++)
        for (int64_t n = 0; n < nn; n++)
            A[d * nn + n] = -expf(c->A_log[(d0 + d) * c->N + n0 + n]);
    for (int64_t t = t0; t < t1; t++) {
        const float *Bt = c->B + t * c->ldbc + n0, *Ct = c->C + t * c->ldbc + n0; /* [nn] */
        for (int64_t d = 0; d < dn; d++) {
            const int64_t ch = d0 + d;
            const float dt =
                cpu_softplus(c->delta[t * c->D + ch] + (c->dt_bias ? c->dt_bias[ch] : 0.0f));
            const float du = dt * c->u[t * c->D + ch];
            float *hd = h + d * nn;
            const float *Ad = A + d * nn;
            float acc = 0.0f;
            if (decay) {
                float *pd = decay + d * nn;
                for (int64_t n = 0; n < nn; n++) {
                    const float dA = expf(dt * Ad[n]);
                    hd[n] = dA * hd[n] + du * Bt[n];
                    pd[n] *= dA;
                }
            } else {
                for (int64_t n = 0; n < nn; n++) {
                    hd[n] = expf(dt * Ad[n]) * hd[n] + du * Bt[n];
                    acc += hd[n] * Ct[n];
                }
            }
            if (y_mode == Y_SET) c->y[t * c->D + ch] = acc;
            else if (y_mode == Y_ADD) c->y[t * c->D + ch] += acc;
        }
    }
}

/* y[t, d] = (y[t, d] + Dskip[d] u[t, d]) * silu(z[t, d]) over a block. */
static void scan_epilogue(const scan_ctx *c, int64_t d0, int64_t dn, int64_t t0, int64_t t1)
{
    for (int64_t t = t0; t < t1; t++)
        for (int64_t ch = d0; ch < d0 + dn; ch++) {
            float v = c->y[t * c->D + ch];
            if (c->Dskip) v += c->Dskip[ch] * c->u[t * c->D + ch];
            if (c->z) v *= cpu_silu(c->z[t * c->ldz + ch]);
            c->y[t * c->D + ch] = v;
        }
}

/* Loads h [dn, nn] from a [D, N] state (zeros when NULL). */
static void load_state(const float *state, int64_t N, int64_t d0, int64_t dn, int64_t n0,
                       int64_t nn, float *h)
{
    for (int64_t d = 0; d < dn; d++)
        for (int64_t n = 0; n < nn; n++)
            h[d * nn + n] = state ? state[(d0 + d) * N + n0 + n] : 0.0f;
}

static void store_state(float *state, int64_t N, int64_t d0, int64_t dn, int64_t n0,
                        int64_t nn, const float *h)
{
    for (int64_t d = 0; d < dn; d++)
        for (int64_t n = 0; n < nn; n++) state[(d0 + d) * N + n0 + n] = h[d * nn + n];
}

int hy_cpu_scan_seq(hy_exec *ex, const hy_scan_shape *s, const hy_scan_args *a, void *work,
                    hy_error *err)
{
    (void)work;
    scan_ctx c;
    if (scan_prepare(s, a, &c, err)) return -1;
    float *state = a->state;
    const int64_t n_blocks = cpu_ceil_div(c.D, SCAN_DB);
    const int nt = cpu_threads(ex);
    (void)nt;
    HY_OMP(parallel for schedule(static) num_threads(nt) if(nt > 1))
    for (int64_t blk = 0; blk < n_blocks; blk++) {
        const int64_t d0 = blk * SCAN_DB, dn = cpu_min64(SCAN_DB, c.D - d0);
        float h[SCAN_DB * SCAN_NB];
        for (int64_t n0 = 0; n0 < c.N; n0 += SCAN_NB) {
            const int64_t nn = cpu_min64(SCAN_NB, c.N - n0);
            load_state(state, c.N, d0, dn, n0, nn, h);
            scan_block(&c, d0, dn, n0, nn, 0, c.T, h, NULL, n0 == 0 ? Y_SET : Y_ADD);
            if (state) store_state(state, c.N, d0, dn, n0, nn, h);
        }
        scan_epilogue(&c, d0, dn, 0, c.T);
    }
    return 0;
}

/* Chunking of the time axis, from the shape alone (the workspace depends on it). */
static void scan_chunking(int64_t T, int64_t *chunk_len, int64_t *n_chunks)
{
    int64_t n = cpu_min64(SCAN_MAX_CHUNKS, cpu_max64(1, T / SCAN_MIN_CHUNK));
    *chunk_len = cpu_ceil_div(T, n);
    *n_chunks = cpu_ceil_div(T, *chunk_len);
}

size_t hy_cpu_scan_chunked_workspace(const hy_scan_shape *s)
{
    if (hy_scan_check(s, NULL)) return 0; /* the kernel will reject the shape */
    int64_t len, n;
    scan_chunking(s->T, &len, &n);
    return (size_t)n * 2u * (size_t)s->D * (size_t)s->N * sizeof(float);
}

int hy_cpu_scan_chunked(hy_exec *ex, const hy_scan_shape *s, const hy_scan_args *a, void *work,
                        hy_error *err)
{
    scan_ctx c;
    if (scan_prepare(s, a, &c, err)) return -1;
    if (!work) return hy_fail(err, "scan: workspace is NULL (scan/chunked needs %zu bytes)",
                              hy_cpu_scan_chunked_workspace(s));
    const int64_t D = c.D, N = c.N, DN = D * N;
    int64_t len, n_chunks;
    scan_chunking(c.T, &len, &n_chunks);
    /* carry[k]: end state of chunk k from a zero start (pass 1), then the
     * true start state of chunk k+1 (pass 2).  decay[k]: product of chunk
     * k's exp(dt A).  Both [D, N] per chunk. */
    float *carry = work, *decay = carry + n_chunks * DN;
    float *state = a->state;
    const int64_t n_blocks = cpu_ceil_div(D, SCAN_DB);
    const int nt = cpu_threads(ex);
    (void)nt;

    /* Pass 1: chunks 0 .. n-2 from zero (the last chunk's end is not a carry). */
    HY_OMP(parallel for collapse(2) schedule(static) num_threads(nt) if(nt > 1))
    for (int64_t k = 0; k < n_chunks - 1; k++)
        for (int64_t blk = 0; blk < n_blocks; blk++) {
            const int64_t d0 = blk * SCAN_DB, dn = cpu_min64(SCAN_DB, D - d0);
            const int64_t t0 = k * len, t1 = cpu_min64(c.T, t0 + len);
            float h[SCAN_DB * SCAN_NB], p[SCAN_DB * SCAN_NB];
            for (int64_t n0 = 0; n0 < N; n0 += SCAN_NB) {
                const int64_t nn = cpu_min64(SCAN_NB, N - n0);
                for (int64_t i = 0; i < dn * nn; i++) h[i] = 0.0f, p[i] = 1.0f;
                scan_block(&c, d0, dn, n0, nn, t0, t1, h, p, Y_NONE);
                store_state(carry + k * DN, N, d0, dn, n0, nn, h);
                store_state(decay + k * DN, N, d0, dn, n0, nn, p);
            }
        }

    /* Pass 2: carries, sequential over chunks, parallel over (d, n). */
    HY_OMP(parallel for schedule(static) num_threads(nt) if(nt > 1 && DN >= 4096))
    for (int64_t i = 0; i < DN; i++) {
        float h_in = state ? state[i] : 0.0f; /* start of chunk 0 */
        for (int64_t k = 0; k + 1 < n_chunks; k++) {
            h_in = carry[k * DN + i] + decay[k * DN + i] * h_in;
            carry[k * DN + i] = h_in; /* start of chunk k+1 */
        }
    }

    /* Pass 3: every chunk from its true start, writing y; the last one
     * keeps its end state in the unused last decay slot (chunk 0 may still
     * be reading `state` as its start). */
    float *final = decay + (n_chunks - 1) * DN;
    HY_OMP(parallel for collapse(2) schedule(static) num_threads(nt) if(nt > 1))
    for (int64_t k = 0; k < n_chunks; k++)
        for (int64_t blk = 0; blk < n_blocks; blk++) {
            const int64_t d0 = blk * SCAN_DB, dn = cpu_min64(SCAN_DB, D - d0);
            const int64_t t0 = k * len, t1 = cpu_min64(c.T, t0 + len);
            const float *start = k == 0 ? state : carry + (k - 1) * DN;
            float h[SCAN_DB * SCAN_NB];
            for (int64_t n0 = 0; n0 < N; n0 += SCAN_NB) {
                const int64_t nn = cpu_min64(SCAN_NB, N - n0);
                load_state(start, N, d0, dn, n0, nn, h);
                scan_block(&c, d0, dn, n0, nn, t0, t1, h, NULL, n0 == 0 ? Y_SET : Y_ADD);
                if (k == n_chunks - 1) store_state(final, N, d0, dn, n0, nn, h);
            }
            scan_epilogue(&c, d0, dn, t0, t1);
        }
    if (state) memcpy(state, final, (size_t)DN * sizeof *state);
    return 0;
}
