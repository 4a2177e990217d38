/* attention_impl.h — body of the x86 attention kernels (kernels/hy_attention.h),
 * compiled once per vector width by attention_avx2.c and attention_avx512.c
 * (HY_X86_WIDTH, see x86_vec.h).
 *
 * Both variants first append the T new keys and values at cache rows
 * pos0 .. pos0+T-1, then attend.  A task owns the "rows" (query token t,
 * query head h) of one KV head g: up to ATT_ROWS of them, tokens
 * [t0, t0+ntok) x heads [h0, h0+nh) of g's group, row r = ti * nh + hi.
 * The rows lie in the vector lanes:
 *   Qt   [hd, rpad]   scale * q, transposed at the start of the task
 *   S    [BK, rpad]   scores of one key tile: S[j][r] = sum_d K[j][d] Qt[d][r]
 *                     (register tile 6 keys x 2 vectors of rows; one
 *                     broadcast of K per key and d, no horizontal sums)
 *   m, l [rpad]       running max and sum, one vector op per row block
 *   O    [rpad, hd]   running output: O[r] = corr[r] O[r] + sum_j P[j][r] V[j]
 *                     (register tile 6 rows x 2 vectors of d, masked tail)
 * so each K/V tile is loaded once for all query heads of the group (GQA).
 * A task with no more rows than lanes (decode: T = 1 and up to VL query
 * heads per KV head) uses the "rows" layout instead, the head dimension in
 * the lanes:
 *   Q    [rows, hdp]  scale * q, hd zero-padded to a multiple of VL
 *   S    [rpad, BK]   S[r][j] = Q[r] . K[j], VL keys x 1 row per register
 *                     tile, the VL sums formed at once by vf_hsum_each
 *   m, l, corr        per row; the softmax runs along a row's keys
 *   O    [rpad, hd]   the same P V register tile, P read as [r][j]
 * so no lane is idle and the VL-key block of K is reused from L1 by every
 * row.  Its tiles are ATT_BK_ROWS keys, each read in address order first
 * (att_stream_in) so that K and V stream from DRAM at plain-read speed.
 * Key tiles after the last row's position or before the first row's
 * window are never visited; inside a visited tile the causal and window
 * limits are applied per element only when the tile crosses one.
 *
 * attention/flash   one task per (g, head block, query tile), the whole key
 *                   range; the result is O / l.
 * attention/decode  split-KV: each (g, head block, query tile) key range is
 *                   cut into splits of ATT_SPLIT keys run as separate tasks,
 *                   each leaving partial (m, l, O); a second pass combines
 *                   them:  out = sum_c e^(m_c - M) O_c / sum_c e^(m_c - M) l_c.
 *                   With many query tiles already (prefill) there is one
 *                   split: then it runs exactly as flash (no partials).
 */
#include "x86_attention.h"
#include "x86_vec.h"
#include "cpu/cpu_backend.h"

#include <float.h>
#include <math.h>
#include <string.h>

#ifdef HYBENCH_HAVE_OPENMP
#include <omp.h>
#define ATT_STR(...) #__VA_ARGS__
#define ATT_OMP(...) _Pragma(ATT_STR(omp __VA_ARGS__))
static inline int att_thread_id(void) { return omp_get_thread_num(); }
#else
#define ATT_OMP(...)
static inline int att_thread_id(void) { return 0; }
#endif

#define ATT_INLINE static inline __attribute__((always_inline))


enum {
    ATT_BK = 64,          /* keys per tile                                   */
    ATT_ROWS = 64,        /* target rows (tokens x heads) per task           */
    ATT_SPLIT = 512,      /* keys per split-KV task (decode)                 */
    ATT_SPLIT_TASKS = 64, /* decode splits only when fewer tasks than this   */
    ATT_MAX_SLOTS = 256,  /* per-thread scratch slots at most                */
    ATT_BK_ROWS = 32,     /* keys per tile in the rows layout (decode)       */
};

static inline int64_t att_min(int64_t a, int64_t b) { return a < b ? a : b; }
static inline int64_t att_max(int64_t a, int64_t b) { return a > b ? a : b; }
static inline int64_t att_cdiv(int64_t a, int64_t b) { return (a + b - 1) / b; }
static inline int64_t att_round16(int64_t n) { return (n + 15) & ~(int64_t)15; } /* 64 B */

/* How the work is cut, for one shape (the same in kernel and workspace). */
typedef struct att_geom {
    int64_t rep;     /* query heads per KV head                  */
    int64_t hs;      /* query heads per task                     */
    int64_t n_hb;    /* head blocks per KV head                  */
    int64_t bq;      /* query tokens per task                    */
    int64_t n_qt;    /* query tiles                              */
    int64_t rpad;    /* rows per task, rounded up to VL          */
    int64_t hdp;     /* hd rounded up to VL                      */
    int64_t n_split; /* key splits per (g, head block, tile)     */
    int64_t split;   /* keys per split (multiple of ATT_BK)      */
    int64_t n_tasks; /* nKV * n_hb * n_qt * n_split              */
    int64_t slots;   /* per-thread scratch slots                 */
    int64_t slot_floats; /* floats per slot (64-byte multiples)  */
} att_geom;

static void att_geometry(const hy_attention_shape *s, int split_kv, att_geom *g)
{
    g->rep = s->nH / s->nKV;
    g->hs = att_min(g->rep, ATT_ROWS);
    g->n_hb = att_cdiv(g->rep, g->hs);
    g->bq = att_min(att_max(1, ATT_ROWS / g->hs), s->T);
    g->n_qt = att_cdiv(s->T, g->bq);
    g->rpad = att_cdiv(g->hs * g->bq, VL) * VL;
    g->hdp = att_cdiv(s->hd, VL) * VL;
    const int64_t base = s->nKV * g->n_hb * g->n_qt;
    /* keys one query tile can see, at most */
    int64_t span = s->pos0 + s->T;
    if (s->window > 0) span = att_min(span, s->window + g->bq - 1);
    g->n_split = 1;
    g->split = att_cdiv(span, ATT_BK) * ATT_BK;
    if (split_kv && base < ATT_SPLIT_TASKS && span > ATT_SPLIT) {
        g->n_split = att_cdiv(span, ATT_SPLIT);
        g->split = ATT_SPLIT;
    }
    g->n_tasks = base * g->n_split;
    g->slots = att_min(g->n_tasks, ATT_MAX_SLOTS);
    /* Qt [hd, rpad] or Q [rows, hdp], S [BK, rpad] or [rpad, BK], O [rpad, hd],
     * pos, lo, m, l, corr [rpad] */
    g->slot_floats = att_round16(g->hdp * g->rpad) + att_round16(s->hd * g->rpad) +
                     att_round16(ATT_BK * g->rpad) + 5 * att_round16(g->rpad);
}

/* floats of one split's partial result: O [rpad, hd], m, l [rpad] */
static inline int64_t att_partial_floats(const hy_attention_shape *s, const att_geom *g)
{
    return att_round16(g->rpad * s->hd) + 2 * att_round16(g->rpad);
}

static int att_prepare(const hy_attention_shape *s, const hy_attention_args *a, void *work,
                       hy_error *err)
{
    if (!s || !a) return hy_fail(err, "attention: shape or args is NULL");
    if (hy_attention_check(s, err)) return -1;
    if (!a->q || !a->k || !a->v || !a->k_cache || !a->v_cache || !a->out)
        return hy_fail(err, "attention: q, k, v, k_cache, v_cache and out must not be NULL");
    if (s->kv_dtype != HY_F32) return hy_fail(err, "attention: this kernel reads an fp32 K/V cache");
    if (!work) return hy_fail(err, "attention: workspace is NULL");
    return 0;
}

static inline int64_t att_first_key(const hy_attention_shape *s, int64_t p)
{
    return s->window > 0 ? att_max(0, p - s->window + 1) : 0;
}

/* Copies the new keys and values into cache rows pos0 .. pos0+T-1. */
static void att_append_kv(const hy_attention_shape *s, const hy_attention_args *a, int nt)
{
    const int64_t T = s->T, nKV = s->nKV, hd = s->hd;
    (void)nt;
    ATT_OMP(parallel for collapse(2) schedule(static) num_threads(nt) if(nt > 1 && T * nKV >= 64))
    for (int64_t g = 0; g < nKV; g++)
        for (int64_t t = 0; t < T; t++) {
            const int64_t row = (g * s->cap + s->pos0 + t) * hd;
            memcpy(a->k_cache + row, a->k + (t * nKV + g) * hd, (size_t)hd * sizeof(float));
            memcpy(a->v_cache + row, a->v + (t * nKV + g) * hd, (size_t)hd * sizeof(float));
        }
}

/* The rows of one task and where their data lives. */
typedef struct att_task {
    int64_t g, h0, nh, t0, ntok; /* KV head, heads [h0, h0+nh), tokens [t0, t0+ntok) */
    int64_t rows, rpad, hdp;
    int narrow;      /* rows <= VL: the "rows" layout below, else the lane layout */
    float *Qt;       /* lanes: Qt [hd, rpad];  rows: Q [rows, hdp] */
    float *S;        /* lanes: S [BK, rpad];   rows: S [rpad, BK]  */
    float *pos, *lo; /* [rpad] scratch for the element masks */
    float *corr;     /* [rpad]      */
} att_task;

/* Lane layout: Qt[d][r] = scale * q[t0 + r / nh, h0 + r % nh, d], padded
 * rows 0.  Rows layout: Q[r][d], the same values, padded columns 0. */
static void att_pack_q(const hy_attention_shape *s, const hy_attention_args *a,
                       const att_task *k)
{
    const int64_t hd = s->hd, nH = s->nH, rpad = k->rpad;
    if (k->narrow) {
        for (int64_t r = 0; r < k->rows; r++) {
            const float *q = a->q + ((k->t0 + r / k->nh) * nH + k->h0 + r % k->nh) * hd;
            float *dst = k->Qt + r * k->hdp;
            for (int64_t d = 0; d < hd; d++) dst[d] = s->scale * q[d];
            for (int64_t d = hd; d < k->hdp; d++) dst[d] = 0.0f;
        }
        return;
    }
    for (int64_t r = 0; r < k->rows; r++) {
        const float *q = a->q + ((k->t0 + r / k->nh) * nH + k->h0 + r % k->nh) * hd;
        for (int64_t d = 0; d < hd; d++) k->Qt[d * rpad + r] = s->scale * q[d];
    }
    for (int64_t d = 0; d < hd; d++)
        for (int64_t r = k->rows; r < rpad; r++) k->Qt[d * rpad + r] = 0.0f;
}

/* ---- S = K Qt on one key tile: register tile of nk (<= 6) keys x nv vectors ---- */

ATT_INLINE void att_s_micro(const float *K, int64_t hd, const float *Qt, int64_t ld, float *S,
                            const float *Vpf, const int nk, const int nv)
{
    vf acc[6][2];
    for (int i = 0; i < 6; i++) acc[i][0] = acc[i][1] = vf_zero();
    for (int64_t d = 0; d < hd; d++) {
        if (Vpf && (d & 15) == 0) /* the same keys' V rows and K 8 rows on, a line per 16 d */
            for (int i = 0; i < nk; i++) {
                _mm_prefetch((const char *)(Vpf + i * hd + d), _MM_HINT_T0);
                _mm_prefetch((const char *)(K + (i + 16) * hd + d), _MM_HINT_T0);
            }
        const vf q0 = vf_load(Qt + d * ld);
        const vf q1 = nv > 1 ? vf_load(Qt + d * ld + VL) : q0;
        for (int i = 0; i < nk; i++) {
            const vf kv = vf_set1(K[i * hd + d]);
            acc[i][0] = vf_fma(kv, q0, acc[i][0]);
            if (nv > 1) acc[i][1] = vf_fma(kv, q1, acc[i][1]);
        }
    }
    for (int i = 0; i < nk; i++) {
        vf_store(S + i * ld, acc[i][0]);
        if (nv > 1) vf_store(S + i * ld + VL, acc[i][1]);
    }
}

/* S[j][r] for keys j < nk of the tile starting at K (rows of hd floats);
 * the first row block also prefetches the tile's V rows (Vt, same keys)
 * for the P V product that follows, so decode streams K and V once. */
static void att_scores(const float *K, const float *Vt, int64_t nk, int64_t hd, const float *Qt,
                       int64_t rpad, float *S)
{
    for (int64_t r0 = 0; r0 < rpad; r0 += 2 * VL) {
        const float *pf = r0 == 0 ? Vt : NULL;
        const float *Q = Qt + r0;
        float *Sr = S + r0;
#define ATT_S(NK, NV) \
    att_s_micro(K + j * hd, hd, Q, rpad, Sr + j * rpad, pf ? pf + j * hd : NULL, NK, NV)
        int64_t j = 0;
        if (r0 + 2 * VL <= rpad) {
            for (; j + 6 <= nk; j += 6) ATT_S(6, 2);
            for (; j + 4 <= nk; j += 4) ATT_S(4, 2);
            for (; j < nk; j++) ATT_S(1, 2);
        } else { /* one vector of rows left (rpad is a multiple of VL) */
            for (; j + 6 <= nk; j += 6) ATT_S(6, 1);
            for (; j + 4 <= nk; j += 4) ATT_S(4, 1);
            for (; j < nk; j++) ATT_S(1, 1);
        }
#undef ATT_S
    }
}

/* -inf where key j0 + j is after row r's position or before its window.
 * The limits are taken relative to j0 and clamped, so floats are exact. */
static void att_mask(const hy_attention_shape *s, const att_task *k, int64_t j0, int64_t nk)
{
    const int64_t rpad = k->rpad;
    for (int64_t r = 0; r < rpad; r++) {
        const int64_t rr = r < k->rows ? r : k->rows - 1; /* padded rows copy the last */
        const int64_t p = s->pos0 + k->t0 + rr / k->nh;
        k->pos[r] = (float)att_min(att_max(p - j0, -1), ATT_BK + 1);
        k->lo[r] = (float)att_min(att_max(att_first_key(s, p) - j0, -1), ATT_BK + 1);
    }
    const vf ninf = vf_set1(-INFINITY);
    for (int64_t j = 0; j < nk; j++) {
        const vf jv = vf_set1((float)j);
        float *Sj = k->S + j * rpad;
        for (int64_t r = 0; r < rpad; r += VL) {
            vf x = vf_load(Sj + r);
            x = vf_select_gt(jv, vf_load(k->pos + r), ninf, x);
            x = vf_select_lt(jv, vf_load(k->lo + r), ninf, x);
            vf_store(Sj + r, x);
        }
    }
}

/* Online softmax over one tile, row blocks in lanes: S becomes P, m and l
 * move on, corr[r] = exp(m_old - m_new) rescales O.  A row with nothing
 * seen so far keeps m = -inf, l = 0 and gets corr = 0 and P = 0. */
static void att_softmax(float *S, int64_t nk, int64_t rpad, float *m, float *l, float *corr)
{
    const vf lowest = vf_set1(-FLT_MAX);
    for (int64_t r = 0; r < rpad; r += VL) {
        vf tmax = vf_set1(-INFINITY);
        for (int64_t j = 0; j < nk; j++) tmax = vf_max(tmax, vf_load(S + j * rpad + r));
        const vf m_old = vf_load(m + r);
        const vf m_new = vf_max(m_old, tmax);
        const vf m_use = vf_select_lt(m_new, lowest, vf_zero(), m_new); /* -inf -> 0 */
        const vf c = vf_exp(vf_sub(m_old, m_use));
        vf sum0 = vf_zero(), sum1 = vf_zero();
        int64_t j = 0;
        for (; j + 2 <= nk; j += 2) {
            const vf p0 = vf_exp(vf_sub(vf_load(S + j * rpad + r), m_use));
            const vf p1 = vf_exp(vf_sub(vf_load(S + (j + 1) * rpad + r), m_use));
            vf_store(S + j * rpad + r, p0);
            vf_store(S + (j + 1) * rpad + r, p1);
            sum0 = vf_add(sum0, p0);
            sum1 = vf_add(sum1, p1);
        }
        if (j < nk) {
            const vf p0 = vf_exp(vf_sub(vf_load(S + j * rpad + r), m_use));
            vf_store(S + j * rpad + r, p0);
            sum0 = vf_add(sum0, p0);
        }
        vf_store(l + r, vf_fma(vf_load(l + r), c, vf_add(sum0, sum1)));
        vf_store(m + r, m_new);
        vf_store(corr + r, c);
    }
}


/* ---- the rows layout (at most VL rows: decode) ----------------------------
 * With rows < VL the lane layout would leave lanes idle in S = K Qt (4 of 8
 * for decode with 4 query heads per KV head, 12 of 16 on AVX-512), so such
 * a task (and one with exactly VL rows: the same work, but a tile walk that
 * streams better) puts the head dimension in the lanes instead:
 * S[r][j] = Q[r] . K[j] for VL keys at a time, VL accumulators summed
 * across their lanes into one vector of VL scores (vf_hsum_each); the
 * block of K stays in L1 for the other rows.  The online softmax then runs
 * along a row's keys, and P V is the same register tile as below with P
 * read as [r][j]. */

/* S[j] = q . K[j] for the nk (<= VL) keys at K (rows of hd floats); q is
 * zero-padded to a multiple of VL, K's last partial vector is a masked
 * load.  Always stores VL scores (0 for j >= nk). */
ATT_INLINE void att_sr_micro(const float *K, int64_t hd, const float *q, float *S, const int nk)
{
    vf acc[VL];
    for (int i = 0; i < VL; i++) acc[i] = vf_zero();
    int64_t d = 0;
    for (; d + VL <= hd; d += VL) {
        const vf qv = vf_load(q + d);
        for (int i = 0; i < nk; i++) acc[i] = vf_fma(vf_load(K + i * hd + d), qv, acc[i]);
    }
    if (d < hd) {
        const vf qv = vf_load(q + d);
        for (int i = 0; i < nk; i++)
            acc[i] = vf_fma(vf_load_n(K + i * hd + d, (int)(hd - d)), qv, acc[i]);
    }
    vf_store(S, vf_hsum_each(acc));
}

/* Reads the n floats of K and then of V in address order, one load per
 * line, before a tile is worked on.  The loads are independent (many
 * misses in flight) and sequential (the L2 stream prefetcher follows them,
 * which software prefetches, limited by the L1 miss buffers, do not
 * match): the tile then comes in at about the speed of a plain read, and
 * the column-order walks of the scores and of P V hit L2.  On the DRAM-bound
 * decode this measured ~20% faster than prefetching K ahead and V during
 * the scores.  The sum goes to a volatile so the loads stay. */
static void att_stream_in(const float *K, const float *V, int64_t n)
{
    vf a0 = vf_zero(), a1 = vf_zero();
    for (int64_t i = 0; i + 32 <= n; i += 32) {
        a0 = vf_add(a0, vf_add(vf_load(K + i), vf_load(K + i + 16)));
        a1 = vf_add(a1, vf_add(vf_load(V + i), vf_load(V + i + 16)));
    }
    volatile float sink = vf_hsum(vf_add(a0, a1));
    (void)sink;
}

/* S[r][j] (row stride BK) for rows r < rows and keys j < nk of the tile at
 * K; blocks of VL keys, each scored for all rows while it is in L1. */
static void att_scores_rows(const float *K, int64_t nk, int64_t hd, const float *Q, int64_t hdp,
                            int64_t rows, float *S)
{
    for (int64_t j = 0; j < nk; j += VL) {
        const int nb = (int)att_min(VL, nk - j);
        for (int64_t r = 0; r < rows; r++) {
            if (nb == VL) att_sr_micro(K + j * hd, hd, Q + r * hdp, S + r * ATT_BK + j, VL);
            else att_sr_micro(K + j * hd, hd, Q + r * hdp, S + r * ATT_BK + j, nb);
        }
    }
}

/* -inf where key j0 + j is after row r's position or before its window. */
static void att_mask_rows(const hy_attention_shape *s, const att_task *k, int64_t j0, int64_t nk)
{
    for (int64_t r = 0; r < k->rows; r++) {
        const int64_t p = s->pos0 + k->t0 + r / k->nh;
        float *Sr = k->S + r * ATT_BK;
        for (int64_t j = att_max(0, p - j0 + 1); j < nk; j++) Sr[j] = -INFINITY;
        for (int64_t j = 0, e = att_min(nk, att_first_key(s, p) - j0); j < e; j++) Sr[j] = -INFINITY;
    }
}

/* Online softmax along each row's nk keys (rows layout); the rows from
 * `rows` to rows4 (padding up to the P V row groups) get P = 0, corr = 0. */
static void att_softmax_rows(float *S, int64_t nk, int64_t rows, int64_t rows4, float *m,
                             float *l, float *corr)
{
    const int64_t nkp = att_cdiv(nk, VL) * VL;
    for (int64_t r = 0; r < rows; r++) {
        float *Sr = S + r * ATT_BK;
        for (int64_t j = nk; j < nkp; j++) Sr[j] = -INFINITY;
        vf mx = vf_set1(-INFINITY);
        for (int64_t j = 0; j < nkp; j += VL) mx = vf_max(mx, vf_load(Sr + j));
        const float m_new = fmaxf(m[r], vf_hmax(mx));
        const float m_use = m_new == -INFINITY ? 0.0f : m_new; /* nothing seen: P = 0 */
        const vf mu = vf_set1(m_use);
        vf sum = vf_zero();
        for (int64_t j = 0; j < nkp; j += VL) {
            const vf p = vf_exp(vf_sub(vf_load(Sr + j), mu));
            vf_store(Sr + j, p);
            sum = vf_add(sum, p);
        }
        const float c = expf(m[r] - m_use);
        l[r] = l[r] * c + vf_hsum(sum);
        m[r] = m_new;
        corr[r] = c;
    }
    for (int64_t r = rows; r < rows4; r++) {
        memset(S + r * ATT_BK, 0, (size_t)nk * sizeof *S);
        corr[r] = 0.0f;
    }
}

/* ---- O = corr O + P^T V: register tile 4 rows x (up to) 2 vectors of d -- */

ATT_INLINE void att_pv_micro(const float *P, int64_t pj, int64_t pi, int64_t nk, const float *V, int64_t hd,
                             float *O, const float *corr, const int nr, const int nv, const int n0,
                             const int n1, const int masked)
{
    vf o[6][2];
    for (int i = 0; i < nr; i++) {
        const vf c = vf_set1(corr[i]);
        o[i][0] = vf_mul(masked ? vf_load_n(O + i * hd, n0) : vf_load(O + i * hd), c);
        o[i][1] = nv > 1 ? vf_mul(masked ? vf_load_n(O + i * hd + VL, n1)
                                         : vf_load(O + i * hd + VL), c)
                         : o[i][0];
    }
    for (int64_t j = 0; j < nk; j++) {
        const vf v0 = masked ? vf_load_n(V + j * hd, n0) : vf_load(V + j * hd);
        const vf v1 = nv > 1 ? (masked ? vf_load_n(V + j * hd + VL, n1) : vf_load(V + j * hd + VL))
                             : v0;
        for (int i = 0; i < nr; i++) {
            const vf p = vf_set1(P[j * pj + i * pi]);
            o[i][0] = vf_fma(p, v0, o[i][0]);
            if (nv > 1) o[i][1] = vf_fma(p, v1, o[i][1]);
        }
    }
    for (int i = 0; i < nr; i++) {
        if (masked) vf_store_n(O + i * hd, o[i][0], n0);
        else vf_store(O + i * hd, o[i][0]);
        if (nv > 1) {
            if (masked) vf_store_n(O + i * hd + VL, o[i][1], n1);
            else vf_store(O + i * hd + VL, o[i][1]);
        }
    }
}

/* O rows [r, r + nr) for nr in {6, 4, 2}, columns as att_pv_micro. */
ATT_INLINE void att_pv_rows(const float *P, int64_t pj, int64_t pi, int64_t nk, const float *V,
                            int64_t hd, float *O, const float *corr, int64_t nr, const int nv,
                            const int n0, const int n1, const int masked)
{
    if (nr == 6) att_pv_micro(P, pj, pi, nk, V, hd, O, corr, 6, nv, n0, n1, masked);
    else if (nr == 4) att_pv_micro(P, pj, pi, nk, V, hd, O, corr, 4, nv, n0, n1, masked);
    else att_pv_micro(P, pj, pi, nk, V, hd, O, corr, 2, nv, n0, n1, masked);
}

/* P[j][r] = P[j * pj + r * pi] (lane layout: pj = rpad, pi = 1; rows
 * layout: pj = 1, pi = BK).  rows: the task's rows rounded up to 4 (<=
 * rpad); row groups of 6, the rest (0, 2 or 4) in one smaller group. */
static void att_pv(const float *P, int64_t pj, int64_t pi, int64_t nk, int64_t rows,
                   const float *V, int64_t hd, float *O, const float *corr)
{
    int64_t d0 = 0;
    for (; d0 + 2 * VL <= hd; d0 += 2 * VL)
        for (int64_t r = 0; r < rows; r += 6)
            att_pv_rows(P + r * pi, pj, pi, nk, V + d0, hd, O + r * hd + d0, corr + r,
                        att_min(6, rows - r), 2, VL, VL, 0);
    if (d0 < hd) { /* 1 .. 2VL-1 columns left: masked loads and stores */
        const int rest = (int)(hd - d0);
        const int n0 = rest < VL ? rest : VL, n1 = rest - n0;
        for (int64_t r = 0; r < rows; r += 6) {
            const int64_t nr = att_min(6, rows - r);
            if (n1 > 0)
                att_pv_rows(P + r * pi, pj, pi, nk, V + d0, hd, O + r * hd + d0, corr + r, nr,
                            2, n0, n1, 1);
            else
                att_pv_rows(P + r * pi, pj, pi, nk, V + d0, hd, O + r * hd + d0, corr + r, nr,
                            1, n0, 0, 1);
        }
    }
}

/* Attends the task's rows to keys [ka, kb] (clipped to what any row sees),
 * leaving the unnormalised O [rpad, hd], m and l [rpad]. */
static void att_range(const hy_attention_shape *s, const hy_attention_args *a, const att_task *k,
                      int64_t ka, int64_t kb, float *O, float *m, float *l)
{
    const int64_t hd = s->hd, rpad = k->rpad;
    const float *Kg = a->k_cache + k->g * s->cap * hd; /* [cap, hd] */
    const float *Vg = a->v_cache + k->g * s->cap * hd; /* [cap, hd] */
    memset(O, 0, (size_t)(rpad * hd) * sizeof *O);
    for (int64_t r = 0; r < rpad; r++) m[r] = -INFINITY, l[r] = 0.0f;
    const int64_t p_min = s->pos0 + k->t0, p_max = p_min + k->ntok - 1;
    const int64_t lo_max = att_first_key(s, p_max);
    const int64_t ja = att_max(ka, att_first_key(s, p_min)), jb = att_min(kb, p_max);
    const int64_t rows4 = (k->rows + 3) & ~(int64_t)3;
    const int64_t bk = k->narrow ? ATT_BK_ROWS : ATT_BK;
    for (int64_t j0 = ja; j0 <= jb; j0 += bk) {
        const int64_t nk = att_min(bk, jb - j0 + 1);
        const int crosses = j0 + nk - 1 > p_min || j0 < lo_max;
        if (k->narrow) {
            att_stream_in(Kg + j0 * hd, Vg + j0 * hd, nk * hd);
            att_scores_rows(Kg + j0 * hd, nk, hd, k->Qt, k->hdp, k->rows, k->S);
            if (crosses) att_mask_rows(s, k, j0, nk);
            att_softmax_rows(k->S, nk, k->rows, rows4, m, l, k->corr);
            att_pv(k->S, 1, ATT_BK, nk, rows4, Vg + j0 * hd, hd, O, k->corr);
        } else {
            att_scores(Kg + j0 * hd, Vg + j0 * hd, nk, hd, k->Qt, rpad, k->S);
            if (crosses) att_mask(s, k, j0, nk);
            att_softmax(k->S, nk, rpad, m, l, k->corr);
            att_pv(k->S, rpad, 1, nk, rows4, Vg + j0 * hd, hd, O, k->corr);
        }
    }
}

/* Task number i -> its rows; query tiles in reverse so the longest
 * (causal) tasks start first. */
static void att_task_rows(const hy_attention_shape *s, const att_geom *geo, int64_t i,
                          float *slot, att_task *k)
{
    const int64_t qt = geo->n_qt - 1 - i % geo->n_qt;
    const int64_t hb = (i / geo->n_qt) % geo->n_hb;
    k->g = i / (geo->n_qt * geo->n_hb);
    k->h0 = k->g * geo->rep + hb * geo->hs;
    k->nh = att_min(geo->hs, (k->g + 1) * geo->rep - k->h0);
    k->t0 = qt * geo->bq;
    k->ntok = att_min(geo->bq, s->T - k->t0);
    k->rows = k->nh * k->ntok;
    k->rpad = geo->rpad;
    k->hdp = geo->hdp;
    k->narrow = k->rows <= VL;
    k->Qt = slot;
    k->S = k->Qt + att_round16(geo->hdp * geo->rpad);
    k->pos = k->S + att_round16(ATT_BK * geo->rpad);
    k->lo = k->pos + att_round16(geo->rpad);
    k->corr = k->lo + att_round16(geo->rpad);
}

/* out[row r] = scale_r * O[r] for the task's real rows. */
static void att_store_rows(const hy_attention_shape *s, const hy_attention_args *a,
                           const att_task *k, const float *O, const float *l)
{
    const int64_t hd = s->hd;
    for (int64_t r = 0; r < k->rows; r++) {
        const vf inv = vf_set1(1.0f / l[r]); /* l > 0: key p is always seen */
        float *o = a->out + ((k->t0 + r / k->nh) * s->nH + k->h0 + r % k->nh) * hd;
        const float *src = O + r * hd;
        int64_t d = 0;
        for (; d + VL <= hd; d += VL) vf_store(o + d, vf_mul(vf_load(src + d), inv));
        if (d < hd) vf_store_n(o + d, vf_mul(vf_load_n(src + d, (int)(hd - d)), inv), (int)(hd - d));
    }
}

/* ---- attention/flash ---------------------------------------------------- */

size_t HY_X86_SUFFIX(hy_x86_attention_flash_workspace)(const hy_attention_shape *s)
{
    if (hy_attention_check(s, NULL)) return 0; /* the kernel will reject the shape */
    att_geom geo;
    att_geometry(s, 0, &geo);
    return (size_t)(geo.slots * geo.slot_floats) * sizeof(float);
}

/* Every task attends its rows to their whole key range and stores out;
 * geo has one split per task.  The cache rows are already appended. */
static void att_run_whole(const hy_attention_shape *s, const hy_attention_args *a,
                          const att_geom *geo, float *slots /* [slots, slot_floats] */, int nt)
{
    (void)nt;
    ATT_OMP(parallel for schedule(dynamic, 1) num_threads(nt) if(nt > 1))
    for (int64_t i = 0; i < geo->n_tasks; i++) {
        att_task k;
        att_task_rows(s, geo, i, slots + (int64_t)att_thread_id() * geo->slot_floats, &k);
        float *O = k.corr + att_round16(geo->rpad);
        float *m = O + att_round16(s->hd * geo->rpad), *l = m + att_round16(geo->rpad);
        att_pack_q(s, a, &k);
        att_range(s, a, &k, 0, s->pos0 + s->T - 1, O, m, l);
        att_store_rows(s, a, &k, O, l);
    }
}

/* Both variants' start: checks, the geometry, the cache append; *nt is
 * the number of threads for the tasks. */
static int att_begin(hy_exec *ex, const hy_attention_shape *s, const hy_attention_args *a,
                     void *work, int split_kv, att_geom *geo, int *nt, hy_error *err)
{
    if (att_prepare(s, a, work, err)) return -1;
    att_geometry(s, split_kv, geo);
    const int nt_all = hy_cpu_exec_threads(ex);
    att_append_kv(s, a, nt_all);
    *nt = (int)att_min(nt_all, geo->slots);
    return 0;
}

int HY_X86_SUFFIX(hy_x86_attention_flash)(hy_exec *ex, const hy_attention_shape *s,
                                          const hy_attention_args *a, void *work, hy_error *err)
{
    att_geom geo;
    int nt;
    if (att_begin(ex, s, a, work, 0, &geo, &nt, err)) return -1;
    att_run_whole(s, a, &geo, work, nt);
    return 0;
}

/* ---- attention/decode (split-KV) ---------------------------------------- */

size_t HY_X86_SUFFIX(hy_x86_attention_decode_workspace)(const hy_attention_shape *s)
{
    if (hy_attention_check(s, NULL)) return 0; /* the kernel will reject the shape */
    att_geom geo;
    att_geometry(s, 1, &geo);
    const int64_t partials = geo.n_split > 1 ? geo.n_tasks * att_partial_floats(s, &geo) : 0;
    return (size_t)(geo.slots * geo.slot_floats + partials) * sizeof(float);
}

/* Combines the n_split partials of one (g, head block, query tile). */
static void att_combine(const hy_attention_shape *s, const hy_attention_args *a,
                        const att_geom *geo, const att_task *k, const float *part)
{
    const int64_t hd = s->hd, pf = att_partial_floats(s, geo), rpad = geo->rpad;
    for (int64_t r = 0; r < k->rows; r++) {
        float M = -INFINITY;
        for (int64_t c = 0; c < geo->n_split; c++) {
            const float mc = part[c * pf + att_round16(rpad * hd) + r];
            if (mc > M) M = mc;
        }
        float lsum = 0.0f;
        for (int64_t c = 0; c < geo->n_split; c++) {
            const float *mc = part + c * pf + att_round16(rpad * hd);
            if (mc[r] > -INFINITY) lsum += expf(mc[r] - M) * mc[att_round16(rpad) + r];
        }
        float *o = a->out + ((k->t0 + r / k->nh) * s->nH + k->h0 + r % k->nh) * hd;
        for (int64_t d0 = 0; d0 < hd; d0 += VL) {
            const int n = (int)att_min(VL, hd - d0);
            vf acc = vf_zero();
            for (int64_t c = 0; c < geo->n_split; c++) {
                const float mc = part[c * pf + att_round16(rpad * hd) + r];
                if (!(mc > -INFINITY)) continue; /* split saw nothing for this row */
                const vf w = vf_set1(expf(mc - M) / lsum);
                acc = vf_fma(w, vf_load_n(part + c * pf + r * hd + d0, n), acc);
            }
            vf_store_n(o + d0, acc, n);
        }
    }
}

int HY_X86_SUFFIX(hy_x86_attention_decode)(hy_exec *ex, const hy_attention_shape *s,
                                           const hy_attention_args *a, void *work, hy_error *err)
{
    att_geom geo;
    int nt;
    if (att_begin(ex, s, a, work, 1, &geo, &nt, err)) return -1;
    if (geo.n_split == 1) { /* enough tasks already (prefill): no partials to combine */
        att_run_whole(s, a, &geo, work, nt);
        return 0;
    }
    float *slots = work;                               /* [slots, slot_floats]      */
    float *parts = slots + geo.slots * geo.slot_floats; /* [n_tasks, partial_floats] */
    const int64_t pf = att_partial_floats(s, &geo), n_split = geo.n_split;
    const int64_t n_groups = geo.n_tasks / n_split;
    (void)nt;
    ATT_OMP(parallel num_threads(nt) if(nt > 1))
    {
        ATT_OMP(for schedule(dynamic, 1))
        for (int64_t i = 0; i < geo.n_tasks; i++) {
            const int64_t grp = i / n_split, c = i % n_split;
            att_task k;
            att_task_rows(s, &geo, grp, slots + (int64_t)att_thread_id() * geo.slot_floats, &k);
            float *O = parts + i * pf;
            float *m = O + att_round16(geo.rpad * s->hd), *l = m + att_round16(geo.rpad);
            const int64_t klo = att_first_key(s, s->pos0 + k.t0);
            att_pack_q(s, a, &k);
            att_range(s, a, &k, klo + c * geo.split, klo + (c + 1) * geo.split - 1, O, m, l);
        }
        ATT_OMP(for schedule(static))
        for (int64_t grp = 0; grp < n_groups; grp++) {
            att_task k;
            att_task_rows(s, &geo, grp, slots + (int64_t)att_thread_id() * geo.slot_floats, &k);
            att_combine(s, a, &geo, &k, parts + grp * n_split * pf);
        }
    }
    return 0;
}
