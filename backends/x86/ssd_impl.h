/* ssd_impl.h — body of the x86 ssd/chunked kernel (kernels/hy_ssd.h,
 * jamba-semantics §11), compiled once per vector width by ssd_avx2.c and
 * ssd_avx512.c (HY_X86_WIDTH, see x86_vec.h).
 *
 * Chunk length Q = min(shape.chunk, T, SSD_QMAX); within a chunk, with
 * a_t = dt_t A_h and seg(l, s) = sum_{k=s+1..l} a_k (a running sum, no
 * difference of large cumsums), the work is small matrix products with the
 * p (head) dimension in the vector lanes and masked tails:
 *   A. chunk states, parallel over (head, chunk):
 *        s_c^T[n][p] = sum_l B[l][n] (w_l x[l][p]),  w_l = exp(seg(end, l)) dt_l
 *      (register tile 4 n x 2 vectors of p), chunk decay exp(sum_c a);
 *   B. inter-chunk recurrence, parallel over heads, vectorised over N x P:
 *        S_in[0] = state^T (or 0),  S_in[c+1] = decay_c S_in[c] + s_c,
 *      the last one written back (transposed to [P, N]);
 *   C. outputs, parallel over (group, chunk, block of the group's heads),
 *      C B^T computed once per task for all of its heads:
 *        CB[l][s] = C_l . B_s                     (4 l x 2 vectors of s, B^T packed)
 *        M[l][s]  = CB[l][s] exp(seg(l, s)) dt_s   for s <= l, else 0
 *        y[l][p]  = sum_{s<=l} M[l][s] x[s][p] + sum_n (exp(cumsum a)_l C[l][n]) S_in^T[n][p]
 *      (one register tile, 4 l x 2 vectors of p, for both sums), then
 *      + D x, * silu(z), stored with masked tails.
 * dt = softplus(dt_raw + dt_bias) and a = dt A are computed once up front,
 * vectorised over heads, in the [T, H] layout of dt_raw. */
#include "x86_attention.h"
#include "x86_vec.h"
#include "cpu/cpu_backend.h"

#include <math.h>
#include <string.h>

#ifdef HYBENCH_HAVE_OPENMP
#include <omp.h>
#define SSD_STR(...) #__VA_ARGS__
#define SSD_OMP(...) _Pragma(SSD_STR(omp __VA_ARGS__))
static inline int ssd_thread_id(void) { return omp_get_thread_num(); }
#else
#define SSD_OMP(...)
static inline int ssd_thread_id(void) { return 0; }
#endif

#define SSD_INLINE static inline __attribute__((always_inline))

enum {
    SSD_QMAX = 256,      /* longest chunk used (scratch grows as Q^2) */
    SSD_MAX_SLOTS = 256, /* per-thread scratch slots at most          */
};

static inline int64_t ssd_min(int64_t a, int64_t b) { return a < b ? a : b; }
static inline int64_t ssd_cdiv(int64_t a, int64_t b) { return (a + b - 1) / b; }
static inline int64_t ssd_r16(int64_t n) { return (n + 15) & ~(int64_t)15; } /* 64 B */

typedef struct ssd_geom {
    int64_t Q, Qp, n_chunks, slots, slot_floats;
} ssd_geom;

static void ssd_geometry(const hy_ssd_shape *s, ssd_geom *g)
{
    g->Q = ssd_min(ssd_min(s->chunk, s->T), SSD_QMAX);
    g->Qp = ssd_r16(g->Q);
    g->n_chunks = ssd_cdiv(s->T, g->Q);
    g->slots = ssd_min(s->H * g->n_chunks, SSD_MAX_SLOTS);
    const int64_t N = s->N, P = s->P, Qp = g->Qp;
    /* phase A: xw [Q, P], seg [Qp];  phase B: S [N, P];
     * phase C: Bt [N, Qp], CB [Q, Qp], M [Q, Qp], Cd [Q, N], seg, iota, dts [Qp] */
    const int64_t a = ssd_r16(Qp * P) + Qp;
    const int64_t b = ssd_r16(N * P);
    const int64_t c = ssd_r16(N * Qp) + 2 * Qp * Qp + ssd_r16(Qp * N) + 3 * Qp;
    g->slot_floats = ssd_r16(a > b ? (a > c ? a : c) : (b > c ? b : c));
}

typedef struct ssd_ctx {
    const hy_ssd_shape *s;
    const hy_ssd_args *a;
    ssd_geom geo;
    int64_t hpg;     /* heads per group                 */
    float *dt;       /* [T, H] softplus(dt_raw + bias)  */
    float *da;       /* [T, H] dt * A_h                 */
    float *states;   /* [n_chunks, H, N, P] s_c, then S_in */
    float *decay;    /* [H, n_chunks]                   */
    float *slots;    /* [slots, slot_floats]            */
} ssd_ctx;

size_t HY_X86_SUFFIX(hy_x86_ssd_chunked_workspace)(const hy_ssd_shape *s)
{
    if (hy_ssd_check(s, NULL)) return 0; /* the kernel will reject the shape */
    ssd_geom g;
    ssd_geometry(s, &g);
    const int64_t floats = 2 * ssd_r16(s->T * s->H) + ssd_r16(g.n_chunks * s->H * s->N * s->P) +
                           ssd_r16(s->H * g.n_chunks) + ssd_r16(s->H) + g.slots * g.slot_floats;
    return (size_t)floats * sizeof(float);
}

/* dt and dt*A in [T, H], vectorised over heads. Aneg: [H] scratch. */
static void ssd_discretise(const ssd_ctx *c, float *Aneg, int nt)
{
    const hy_ssd_shape *s = c->s;
    const int64_t H = s->H, T = s->T;
    const float *bias = s->has_dt_bias ? c->a->dt_bias : NULL;
    for (int64_t h = 0; h < H; h++) Aneg[h] = -expf(c->a->A_log[h]);
    (void)nt;
    SSD_OMP(parallel for schedule(static) num_threads(nt) if(nt > 1 && T * H >= 8192))
    for (int64_t t = 0; t < T; t++)
        for (int64_t h = 0; h < H; h += VL) {
            const int n = (int)ssd_min(VL, H - h);
            vf x = vf_load_n(c->a->dt + t * H + h, n);
            if (bias) x = vf_add(x, vf_load_n(bias + h, n));
            const vf dt = vf_softplus(x);
            vf_store_n(c->dt + t * H + h, dt, n);
            vf_store_n(c->da + t * H + h, vf_mul(dt, vf_load_n(Aneg + h, n)), n);
        }
}

/* ---- register tiles: acc[4 rows][2 vectors of p] -------------------------- */

/* acc[i][p] += sum_k A[i * lda + k * ak] X[k][p] for i < nr, k < nk, p in
 * the nv vectors of the column block (n0, n1 lanes when masked); X rows at
 * stride ldx. */
SSD_INLINE void ssd_tile_s(const float *A, int64_t lda, int64_t ak, const float *X, int64_t ldx,
                           int64_t nk, vf acc[4][2], const int nr, const int nv, const int n0,
                           const int n1, const int masked)
{
    for (int64_t k = 0; k < nk; k++) {
        const vf x0 = masked ? vf_load_n(X + k * ldx, n0) : vf_load(X + k * ldx);
        const vf x1 = nv > 1 ? (masked ? vf_load_n(X + k * ldx + VL, n1) : vf_load(X + k * ldx + VL))
                             : x0;
        for (int i = 0; i < nr; i++) {
            const vf w = vf_set1(A[i * lda + k * ak]);
            acc[i][0] = vf_fma(w, x0, acc[i][0]);
            if (nv > 1) acc[i][1] = vf_fma(w, x1, acc[i][1]);
        }
    }
}

/* ssd_tile_s with A's k index contiguous */
SSD_INLINE void ssd_tile(const float *A, int64_t lda, const float *X, int64_t ldx, int64_t nk,
                         vf acc[4][2], const int nr, const int nv, const int n0, const int n1,
                         const int masked)
{
    ssd_tile_s(A, lda, 1, X, ldx, nk, acc, nr, nv, n0, n1, masked);
}

/* Column block [p0, p0 + np) of width up to 2VL: vector counts and masks. */
typedef struct ssd_cols {
    int nv, n0, n1, masked;
} ssd_cols;

static inline ssd_cols ssd_cols_of(int64_t np)
{
    ssd_cols c;
    c.masked = np < 2 * VL;
    c.n0 = (int)(np < VL ? np : VL);
    c.n1 = (int)(np - c.n0);
    c.nv = c.n1 > 0 ? 2 : 1;
    return c;
}

SSD_INLINE void ssd_acc_zero(vf acc[4][2])
{
    for (int i = 0; i < 4; i++) acc[i][0] = acc[i][1] = vf_zero();
}

SSD_INLINE void ssd_acc_store(float *dst, int64_t ld, vf acc[4][2], const int nr, ssd_cols c)
{
    for (int i = 0; i < nr; i++) {
        vf_store_n(dst + i * ld, acc[i][0], c.n0);
        if (c.nv > 1) vf_store_n(dst + i * ld + VL, acc[i][1], c.n1);
    }
}

/* ---- phase A: the chunk's own state, transposed ------------------------- */

static void ssd_chunk_state(const ssd_ctx *c, int64_t h, int64_t k, float *slot)
{
    const hy_ssd_shape *s = c->s;
    const int64_t H = s->H, P = s->P, N = s->N, G = s->G, Q = c->geo.Q;
    const int64_t t0 = k * Q, q = ssd_min(Q, s->T - t0), g = h / c->hpg;
    float *xw = slot;                         /* [q, P] w_l x[l][:] */
    float *w = slot + ssd_r16(c->geo.Qp * P); /* [Qp]               */
    float seg = 0.0f, total = 0.0f;
    for (int64_t l = q - 1; l >= 0; l--) { /* seg(end, l) = sum_{k=l+1..end} a_k */
        w[l] = seg;
        seg += c->da[(t0 + l) * H + h];
    }
    for (int64_t l = 0; l < q; l++) total += c->da[(t0 + l) * H + h];
    for (int64_t l = 0; l < q; l += VL) {
        const int n = (int)ssd_min(VL, q - l);
        vf_store_n(w + l, vf_exp(vf_load_n(w + l, n)), n);
    }
    for (int64_t l = 0; l < q; l++) {
        const vf wl = vf_set1(w[l] * c->dt[(t0 + l) * H + h]);
        const float *x = c->a->x + ((t0 + l) * H + h) * P;
        for (int64_t p = 0; p < P; p += VL) {
            const int n = (int)ssd_min(VL, P - p);
            vf_store_n(xw + l * P + p, vf_mul(wl, vf_load_n(x + p, n)), n);
        }
    }
    c->decay[h * c->geo.n_chunks + k] = expf(total);
    float *st = c->states + (k * H + h) * N * P; /* [N, P] */
    const float *B = c->a->B + (t0 * G + g) * N;   /* rows at stride G*N */
    for (int64_t p0 = 0; p0 < P; p0 += 2 * VL) {
        const ssd_cols cl = ssd_cols_of(ssd_min(2 * VL, P - p0));
        for (int64_t n0 = 0; n0 < N; n0 += 4) {
            const int nr = (int)ssd_min(4, N - n0);
            /* acc[i] = sum_l B[l][n0+i] xw[l][p0..]: A = B^T (i stride 1, l stride G*N);
             * one copy per row count so that acc stays in registers */
#define SSD_ST(NR)                                                                           \
    do {                                                                                     \
        vf acc[4][2];                                                                        \
        ssd_acc_zero(acc);                                                                   \
        if (cl.masked)                                                                       \
            ssd_tile_s(B + n0, 1, G * N, xw + p0, P, q, acc, NR, cl.nv, cl.n0, cl.n1, 1);      \
        else ssd_tile_s(B + n0, 1, G * N, xw + p0, P, q, acc, NR, 2, VL, VL, 0);               \
        ssd_acc_store(st + n0 * P + p0, P, acc, NR, cl);                                     \
    } while (0)
            if (nr == 4) SSD_ST(4);
            else if (nr == 3) SSD_ST(3);
            else if (nr == 2) SSD_ST(2);
            else SSD_ST(1);
#undef SSD_ST
        }
    }
}

/* ---- phase B: inter-chunk recurrence for head h ------------------------- */

static void ssd_recurrence(const ssd_ctx *c, int64_t h, float *S)
{
    const hy_ssd_shape *s = c->s;
    const int64_t H = s->H, P = s->P, N = s->N, NP = N * P, nc = c->geo.n_chunks;
    float *state = c->a->state; /* [H, P, N] */
    if (state)
        for (int64_t n = 0; n < N; n++)
            for (int64_t p = 0; p < P; p++) S[n * P + p] = state[(h * P + p) * N + n];
    else
        memset(S, 0, (size_t)NP * sizeof *S);
    for (int64_t k = 0; k < nc; k++) {
        float *slot = c->states + (k * H + h) * NP;
        const vf dec = vf_set1(c->decay[h * nc + k]);
        int64_t i = 0;
        for (; i + VL <= NP; i += VL) {
            const vf own = vf_load(slot + i), Si = vf_load(S + i);
            vf_store(slot + i, Si); /* S_in of chunk k */
            vf_store(S + i, vf_fma(dec, Si, own));
        }
        if (i < NP) {
            const int n = (int)(NP - i);
            const vf own = vf_load_n(slot + i, n), Si = vf_load_n(S + i, n);
            vf_store_n(slot + i, Si, n);
            vf_store_n(S + i, vf_fma(dec, Si, own), n);
        }
    }
    if (state)
        for (int64_t p = 0; p < P; p++)
            for (int64_t n = 0; n < N; n++) state[(h * P + p) * N + n] = S[n * P + p];
}

/* ---- phase C: outputs of heads [h0, h0+nh) of group g in chunk k -------- */

static void ssd_chunk_out(const ssd_ctx *c, int64_t g, int64_t k, int64_t h0, int64_t nh,
                          float *slot)
{
    const hy_ssd_shape *s = c->s;
    const hy_ssd_args *a = c->a;
    const int64_t H = s->H, P = s->P, N = s->N, G = s->G, Q = c->geo.Q, Qp = c->geo.Qp;
    const int64_t t0 = k * Q, q = ssd_min(Q, s->T - t0);
    float *Bt = slot;                     /* [N, Qp] B^T of the chunk */
    float *CB = Bt + ssd_r16(N * Qp);     /* [Q, Qp]                  */
    float *M = CB + Qp * Qp;              /* [Q, Qp]                  */
    float *Cd = M + Qp * Qp;              /* [Q, N] exp(acum_l) C_l   */
    float *seg = Cd + ssd_r16(Qp * N);    /* [Qp]                     */
    float *iota = seg + Qp;               /* [Qp] 0, 1, 2, ...        */
    float *dts = iota + Qp;               /* [Qp] dt of the chunk     */
    const float *B = a->B + (t0 * G + g) * N, *C = a->C + (t0 * G + g) * N; /* stride G*N */
    for (int64_t n = 0; n < N; n++) {
        for (int64_t l = 0; l < q; l++) Bt[n * Qp + l] = B[l * G * N + n];
        for (int64_t l = q; l < Qp; l++) Bt[n * Qp + l] = 0.0f;
    }
    for (int64_t l = 0; l < Qp; l++) iota[l] = (float)l;
    /* CB[l][s] = C_l . B_s for the lower triangle, by blocks of nr l x 2VL s */
    for (int64_t l0 = 0; l0 < q; l0 += 4) {
        const int nr = (int)ssd_min(4, q - l0);
        for (int64_t s0 = 0; s0 <= l0 + nr - 1; s0 += 2 * VL) {
            const int nv = s0 + 2 * VL <= Qp ? 2 : 1; /* Qp is a multiple of 16 only */
            const float *Cr = C + l0 * G * N;
            const ssd_cols cl = ssd_cols_of(nv * VL);
#define SSD_CB(NR)                                                                          \
    do {                                                                                    \
        vf acc[4][2];                                                                       \
        ssd_acc_zero(acc);                                                                  \
        if (nv == 2) ssd_tile(Cr, G * N, Bt + s0, Qp, N, acc, NR, 2, VL, VL, 0);             \
        else ssd_tile(Cr, G * N, Bt + s0, Qp, N, acc, NR, 1, VL, 0, 0);                      \
        ssd_acc_store(CB + l0 * Qp + s0, Qp, acc, NR, cl);                                  \
    } while (0)
            if (nr == 4) SSD_CB(4);
            else if (nr == 3) SSD_CB(3);
            else if (nr == 2) SSD_CB(2);
            else SSD_CB(1);
#undef SSD_CB
        }
    }
    for (int64_t hi = 0; hi < nh; hi++) {
        const int64_t h = h0 + hi;
        const float *da = c->da + t0 * H + h; /* stride H */
        for (int64_t l = 0; l < Qp; l++) {
            dts[l] = l < q ? c->dt[(t0 + l) * H + h] : 0.0f;
            seg[l] = 0.0f;
        }
        /* M row by row with seg(l, s) = seg(l-1, s) + a_l, seg(l, l) = 0;
         * the blocks covering s <= l are computed, s > l set to 0 */
        float acum = 0.0f;
        for (int64_t l = 0; l < q; l++) {
            const vf al = vf_set1(da[l * H]), lv = vf_set1((float)l);
            const int64_t width = ssd_r16(l + 1);
            if (l > 0)
                for (int64_t s0 = 0; s0 < width; s0 += VL)
                    vf_store(seg + s0, vf_add(vf_load(seg + s0), al));
            seg[l] = 0.0f;
            for (int64_t s0 = 0; s0 < width; s0 += VL) {
                vf mv = vf_mul(vf_load(CB + l * Qp + s0), vf_exp(vf_load(seg + s0)));
                mv = vf_mul(mv, vf_load(dts + s0));
                mv = vf_select_gt(vf_load(iota + s0), lv, vf_zero(), mv); /* s > l -> 0 */
                vf_store(M + l * Qp + s0, mv);
            }
            acum += da[l * H];
            const vf e = vf_set1(expf(acum));
            const float *Cl = C + l * G * N;
            for (int64_t n0 = 0; n0 < N; n0 += VL) {
                const int n = (int)ssd_min(VL, N - n0);
                vf_store_n(Cd + l * N + n0, vf_mul(e, vf_load_n(Cl + n0, n)), n);
            }
        }
        const float *x = a->x + (t0 * H + h) * P; /* rows at stride H*P */
        const float *Sin = c->states + (k * H + h) * N * P; /* [N, P] */
        const float Dh = s->has_D ? a->Dskip[h] : 0.0f;
        for (int64_t p0 = 0; p0 < P; p0 += 2 * VL) {
            const ssd_cols cl = ssd_cols_of(ssd_min(2 * VL, P - p0));
            for (int64_t l0 = 0; l0 < q; l0 += 4) {
                const int nr = (int)ssd_min(4, q - l0);
                const int64_t ns = l0 + nr; /* s <= l: M is 0 beyond the diagonal */
                float yt[4][2 * VL]; /* the tile, for the epilogue */
#define SSD_TILES(NR)                                                                           \
    do {                                                                                        \
        vf acc[4][2];                                                                           \
        ssd_acc_zero(acc);                                                                      \
        if (cl.masked) {                                                                        \
            ssd_tile(M + l0 * Qp, Qp, x + p0, H * P, ns, acc, NR, cl.nv, cl.n0, cl.n1, 1);       \
            ssd_tile(Cd + l0 * N, N, Sin + p0, P, N, acc, NR, cl.nv, cl.n0, cl.n1, 1);           \
        } else {                                                                                \
            ssd_tile(M + l0 * Qp, Qp, x + p0, H * P, ns, acc, NR, 2, VL, VL, 0);                 \
            ssd_tile(Cd + l0 * N, N, Sin + p0, P, N, acc, NR, 2, VL, VL, 0);                     \
        }                                                                                       \
        for (int i = 0; i < NR; i++) {                                                          \
            vf_store(yt[i], acc[i][0]);                                                         \
            vf_store(yt[i] + VL, acc[i][1]);                                                    \
        }                                                                                       \
    } while (0)
                if (nr == 4) SSD_TILES(4);
                else if (nr == 3) SSD_TILES(3);
                else if (nr == 2) SSD_TILES(2);
                else SSD_TILES(1);
#undef SSD_TILES
                for (int i = 0; i < nr; i++) {
                    const int64_t off = ((t0 + l0 + i) * H + h) * P + p0;
                    for (int v = 0; v < cl.nv; v++) {
                        const int n = v ? cl.n1 : cl.n0;
                        vf yv = vf_load(yt[i] + v * VL);
                        if (s->has_D)
                            yv = vf_fma(vf_set1(Dh), vf_load_n(a->x + off + v * VL, n), yv);
                        if (s->has_z) yv = vf_mul(yv, vf_silu(vf_load_n(a->z + off + v * VL, n)));
                        vf_store_n(a->y + off + v * VL, yv, n);
                    }
                }
            }
        }
    }
}

int HY_X86_SUFFIX(hy_x86_ssd_chunked)(hy_exec *ex, const hy_ssd_shape *s, const hy_ssd_args *a,
                                      void *work, hy_error *err)
{
    if (!s || !a) return hy_fail(err, "ssd: shape or args is NULL");
    if (hy_ssd_check(s, err)) return -1;
    if (!a->x || !a->dt || !a->A_log || !a->B || !a->C || !a->y)
        return hy_fail(err, "ssd: x, dt, A_log, B, C and y must not be NULL");
    if (s->has_D && !a->Dskip) return hy_fail(err, "ssd: has_D is set but Dskip is NULL");
    if (s->has_z && !a->z) return hy_fail(err, "ssd: has_z is set but z is NULL");
    if (s->has_dt_bias && !a->dt_bias)
        return hy_fail(err, "ssd: has_dt_bias is set but dt_bias is NULL");
    if (!work) return hy_fail(err, "ssd: workspace is NULL (ssd/chunked needs %zu bytes)",
                              HY_X86_SUFFIX(hy_x86_ssd_chunked_workspace)(s));
    ssd_ctx c;
    c.s = s, c.a = a, c.hpg = s->H / s->G;
    ssd_geometry(s, &c.geo);
    const int64_t T = s->T, H = s->H, G = s->G, nc = c.geo.n_chunks;
    float *w = work;
    c.dt = w;
    c.da = c.dt + ssd_r16(T * H);
    c.states = c.da + ssd_r16(T * H);
    c.decay = c.states + ssd_r16(nc * H * s->N * s->P);
    float *Aneg = c.decay + ssd_r16(H * nc);
    c.slots = Aneg + ssd_r16(H);
    const int nt_all = hy_cpu_exec_threads(ex);
    const int nt = (int)ssd_min(nt_all, c.geo.slots);
    ssd_discretise(&c, Aneg, nt_all);
    /* phase C task blocks: whole groups unless that leaves threads idle */
    const int64_t n_hblk = ssd_min(c.hpg, ssd_cdiv(2 * (int64_t)nt, G * nc));
    const int64_t hb = ssd_cdiv(c.hpg, n_hblk);
    (void)nt;
    SSD_OMP(parallel num_threads(nt) if(nt > 1))
    {
        float *slot = c.slots + (int64_t)ssd_thread_id() * c.geo.slot_floats;
        SSD_OMP(for collapse(2) schedule(dynamic, 1))
        for (int64_t h = 0; h < H; h++)
            for (int64_t k = 0; k < nc; k++) ssd_chunk_state(&c, h, k, slot);
        SSD_OMP(for schedule(dynamic, 1))
        for (int64_t h = 0; h < H; h++) ssd_recurrence(&c, h, slot);
        SSD_OMP(for collapse(3) schedule(dynamic, 1))
        for (int64_t g = 0; g < G; g++)
            for (int64_t k = 0; k < nc; k++)
                for (int64_t b = 0; b < n_hblk; b++) {
                    const int64_t h0 = g * c.hpg + b * hb;
                    const int64_t nh = ssd_min(hb, (g + 1) * c.hpg - h0);
                    if (nh > 0) ssd_chunk_out(&c, g, k, h0, nh, slot);
                }
    }
    return 0;
}
