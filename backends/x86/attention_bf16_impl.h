/* attention_bf16_impl.h — attention/decode_bf16kv: causal GQA attention
 * (kernels/hy_attention.h) against a bf16 K/V cache (kv_dtype bf16),
 * widened to fp32 as it is read (exact), fp32 arithmetic.  Compiled by
 * attention_bf16_avx2.c and attention_bf16_avx512.c; declared in
 * x86_bf16.h.
 *
 * 1. The new k/v rows are rounded to bf16 (nearest even, as the reference)
 *    into cache rows pos0 .. pos0+T-1.
 * 2. Per KV head g the query rows (token t, head h of g's group), ordered
 *    t-major, are cut into chunks of AB_R rows; a chunk's keys are the
 *    union [lo(first row), p(last row)] of its rows' windows.  When there
 *    are fewer than AB_FEW_TASKS (head, chunk) tasks (decode), every
 *    chunk's key range is also cut into n_splits equal parts (about
 *    AB_SPLIT keys each over the widest range; flash-decoding), so all
 *    cores stream the cache.  The split plan depends on the shape only,
 *    never on the thread count, so results do not either.
 * 3. A task walks its keys in blocks of AB_BLOCK: scores of two keys at a
 *    time for all AB_R rows (each K row loaded, widened once per vector
 *    and used by the whole group: the cache is streamed once per KV head,
 *    at 2 bytes an element), masked per row to [lo, p]; an online softmax
 *    per row with vf_exp over the block's scores; then O = corr O + P V
 *    with two vectors of d per step, V widened as it is loaded.  Each task
 *    leaves (m, l, O) in its workspace slot.
 * 4. Per (head, chunk) the splits are combined (m = max m_i, weights
 *    exp(m_i - m)) and O / l written to out.
 * Any T, window, head size (vector tails through the _n loads). */
#include "x86_bf16.h"
#include "gemm_util.h"
#include "x86_vec.h"
#include "bf16_vec.h"
#include "cpu/cpu_backend.h"

#include <math.h>

#define AB_R 4            /* query rows per chunk            */
#define AB_BLOCK 64       /* keys per softmax block          */
#define AB_SPLIT 512      /* keys per split, roughly          */
#define AB_FEW_TASKS 64   /* fewer (head, chunk) tasks: split the keys */
#define AB_INLINE static inline __attribute__((always_inline))

typedef struct ab_plan {
    int64_t grp;      /* query heads per KV head        */
    int64_t rows;     /* T * grp rows per KV head       */
    int64_t n_chunks; /* ceil(rows / AB_R)              */
    int64_t n_splits; /* key splits per chunk (>= 1)    */
    int64_t slot;     /* floats per task slot: AB_R * (hd + 2) */
} ab_plan;

static ab_plan ab_make_plan(const hy_attention_shape *s)
{
    ab_plan p;
    p.grp = s->nH / s->nKV;
    p.rows = s->T * p.grp;
    p.n_chunks = x86g_ceil_div(p.rows, AB_R);
    p.n_splits = 1;
    if (s->nKV * p.n_chunks < AB_FEW_TASKS) {
        const int64_t p_last = s->pos0 + s->T - 1;
        const int64_t span = p_last - (p_last - hy_attention_keys_seen(s, p_last) + 1) + 1;
        p.n_splits = x86g_max(1, x86g_ceil_div(span, AB_SPLIT));
    }
    p.slot = AB_R * (s->hd + 2);
    return p;
}

size_t HY_X86_SUFFIX(hy_x86_attention_decode_bf16kv_workspace)(const hy_attention_shape *s)
{
    if (!s || hy_attention_check(s, NULL)) return 0; /* the kernel will reject the shape */
    const ab_plan p = ab_make_plan(s);
    return (size_t)(s->nKV * p.n_chunks * p.n_splits * p.slot) * sizeof(float);
}

/* One chunk's rows: their q, position and first visible key. */
typedef struct ab_rows {
    int nr;                  /* valid rows (padding rows repeat row 0) */
    const float *q[AB_R];    /* [hd] each                              */
    int64_t p[AB_R], lo[AB_R];
} ab_rows;

static ab_rows ab_chunk_rows(const hy_attention_shape *s, const hy_attention_args *a,
                             const ab_plan *pl, int64_t g, int64_t c)
{
    ab_rows r;
    r.nr = (int)x86g_min(AB_R, pl->rows - c * AB_R);
    for (int i = 0; i < AB_R; i++) {
        const int64_t row = c * AB_R + (i < r.nr ? i : 0);
        const int64_t t = row / pl->grp, h = g * pl->grp + row % pl->grp;
        r.q[i] = a->q + (t * s->nH + h) * s->hd;
        r.p[i] = s->pos0 + t;
        r.lo[i] = r.p[i] - hy_attention_keys_seen(s, r.p[i]) + 1;
    }
    return r;
}

/* sc[i][j] = q_i . K_j for nk (1 or 2, a constant) keys K0, K1 [hd]. */
AB_INLINE void ab_score_keys(int64_t hd, const ab_rows *r, const uint16_t *K0, const uint16_t *K1,
                             float out[AB_R][2], int nk)
{
    vf acc[AB_R][2];
    for (int i = 0; i < AB_R; i++) acc[i][0] = acc[i][1] = vf_zero();
    int64_t d = 0;
    for (; d + VL <= hd; d += VL) {
        const vf k0 = vf_load_bf16(K0 + d);
        const vf k1 = nk > 1 ? vf_load_bf16(K1 + d) : k0;
        for (int i = 0; i < AB_R; i++) {
            const vf q = vf_load(r->q[i] + d);
            acc[i][0] = vf_fma(q, k0, acc[i][0]);
            if (nk > 1) acc[i][1] = vf_fma(q, k1, acc[i][1]);
        }
    }
    if (d < hd) {
        const int n = (int)(hd - d);
        const vf k0 = vf_load_bf16_n(K0 + d, n);
        const vf k1 = nk > 1 ? vf_load_bf16_n(K1 + d, n) : k0;
        for (int i = 0; i < AB_R; i++) {
            const vf q = vf_load_n(r->q[i] + d, n);
            acc[i][0] = vf_fma(q, k0, acc[i][0]);
            if (nk > 1) acc[i][1] = vf_fma(q, k1, acc[i][1]);
        }
    }
    for (int i = 0; i < AB_R; i++) {
        out[i][0] = vf_hsum(acc[i][0]);
        out[i][1] = nk > 1 ? vf_hsum(acc[i][1]) : 0.0f;
    }
}

/* O_i[d0 .. d0+n) = corr_i O_i + sum_j P[i][j] V_j for nk keys; n <= VL
 * lanes of each of two vectors (nv = 1 or 2 vectors, n1 lanes in the last). */
AB_INLINE void ab_pv(int64_t hd, int64_t d, int nv, int n_last, int nk, const uint16_t *V,
                     const float P[AB_R][AB_BLOCK], const float corr[AB_R], float *O)
{
    vf o[AB_R][2];
    for (int i = 0; i < AB_R; i++)
        for (int u = 0; u < nv; u++) {
            const int n = u == nv - 1 ? n_last : VL;
            o[i][u] = vf_mul(vf_set1(corr[i]), vf_load_n(O + i * hd + d + u * VL, n));
        }
    for (int j = 0; j < nk; j++) {
        vf v[2];
        for (int u = 0; u < nv; u++) {
            const int n = u == nv - 1 ? n_last : VL;
            v[u] = n == VL ? vf_load_bf16(V + j * hd + d + u * VL)
                           : vf_load_bf16_n(V + j * hd + d + u * VL, n);
        }
        for (int i = 0; i < AB_R; i++) {
            const vf pij = vf_set1(P[i][j]);
            for (int u = 0; u < nv; u++) o[i][u] = vf_fma(pij, v[u], o[i][u]);
        }
    }
    for (int i = 0; i < AB_R; i++)
        for (int u = 0; u < nv; u++) {
            const int n = u == nv - 1 ? n_last : VL;
            vf_store_n(O + i * hd + d + u * VL, o[i][u], n);
        }
}

/* Reads the block's n bf16 elements of K and of V once in address order,
 * a load per cache line, before the block is worked on: independent
 * sequential misses that the L2 stream prefetcher follows, so the block
 * comes in at plain-read speed and the scores and P V passes hit L2 (as
 * att_stream_in of the fp32 kernels, attention_impl.h).  The sum goes to a
 * volatile so the loads stay. */
static void ab_stream_in(const uint16_t *K, const uint16_t *V, int64_t n)
{
    uint32_t acc = 0;
    for (int64_t i = 0; i < n; i += 32) acc += (uint32_t)K[i] + V[i];
    volatile uint32_t sink = acc;
    (void)sink;
}

/* Keys [k0, k1) of one chunk: the running (m, l, O) in slot
 * (m[AB_R], l[AB_R], O[AB_R, hd]). */
static void ab_task(const hy_attention_shape *s, const ab_rows *r, const uint16_t *Kg,
                    const uint16_t *Vg, int64_t k0, int64_t k1, float *slot)
{
    const int64_t hd = s->hd;
    float *m = slot, *l = slot + AB_R, *O = slot + 2 * AB_R;
    for (int i = 0; i < AB_R; i++) m[i] = -INFINITY, l[i] = 0.0f;
    for (int64_t e = 0; e < AB_R * hd; e++) O[e] = 0.0f;
    float P[AB_R][AB_BLOCK];
    for (int64_t j0 = k0; j0 < k1; j0 += AB_BLOCK) {
        const int nk = (int)x86g_min(AB_BLOCK, k1 - j0);
        ab_stream_in(Kg + j0 * hd, Vg + j0 * hd, nk * hd);
        /* scores, masked to each row's [lo, p] */
        for (int j = 0; j < nk; j += 2) {
            float sc[AB_R][2];
            const uint16_t *K0 = Kg + (j0 + j) * hd;
            if (j + 1 < nk) ab_score_keys(hd, r, K0, K0 + hd, sc, 2);
            else ab_score_keys(hd, r, K0, K0, sc, 1);
            for (int i = 0; i < AB_R; i++)
                for (int u = 0; u < 2 && j + u < nk; u++) {
                    const int64_t key = j0 + j + u;
                    P[i][j + u] = key < r->lo[i] || key > r->p[i] ? -INFINITY : s->scale * sc[i][u];
                }
        }
        /* online softmax per row */
        float corr[AB_R];
        for (int i = 0; i < AB_R; i++) {
            float bm = -INFINITY;
            for (int j = 0; j < nk; j++) bm = P[i][j] > bm ? P[i][j] : bm;
            const float mn = bm > m[i] ? bm : m[i];
            if (mn == -INFINITY) { /* nothing visible yet */
                corr[i] = 1.0f;
                for (int j = 0; j < nk; j++) P[i][j] = 0.0f;
                continue;
            }
            corr[i] = m[i] == -INFINITY ? 0.0f : expf(m[i] - mn);
            vf sum = vf_zero();
            const vf vm = vf_set1(mn);
            for (int j = 0; j < nk; j += VL) {
                const int n = (int)x86g_min(VL, nk - j);
                const vf pj = vf_exp(vf_sub(vf_load_n(&P[i][j], n), vm)); /* -inf -> 0 */
                vf_store_n(&P[i][j], pj, n);
                sum = vf_add(sum, n == VL ? pj : vf_load_n(&P[i][j], n));
            }
            l[i] = l[i] * corr[i] + vf_hsum(sum);
            m[i] = mn;
        }
        /* O = corr O + P V, two vectors of d per step */
        const uint16_t *V = Vg + j0 * hd;
        int64_t d = 0;
        for (; d + 2 * VL <= hd; d += 2 * VL) ab_pv(hd, d, 2, VL, nk, V, P, corr, O);
        if (d + VL <= hd) ab_pv(hd, d, 1, VL, nk, V, P, corr, O), d += VL;
        if (d < hd) ab_pv(hd, d, 1, (int)(hd - d), nk, V, P, corr, O);
    }
}

int HY_X86_SUFFIX(hy_x86_attention_decode_bf16kv)(hy_exec *ex, const hy_attention_shape *s,
                                                  const hy_attention_args *a, void *work,
                                                  hy_error *err)
{
    if (!s || !a) return hy_fail(err, "attention: shape or args is NULL");
    if (hy_attention_check(s, err)) return -1;
    if (s->kv_dtype != HY_BF16) {
        hy_fail(err, "attention: this variant reads a bf16 K/V cache (kv_dtype bf16); the shape's is %s",
                hy_dtype_name(s->kv_dtype));
        return HY_UNSUPPORTED;
    }
    if (!a->q || !a->k || !a->v || !a->k_cache_bf16 || !a->v_cache_bf16 || !a->out)
        return hy_fail(err, "attention: q, k, v, k_cache_bf16, v_cache_bf16 and out must not be NULL");
    if (!work)
        return hy_fail(err, "attention: workspace is NULL (decode_bf16kv needs %zu bytes)",
                       HY_X86_SUFFIX(hy_x86_attention_decode_bf16kv_workspace)(s));
    const int64_t hd = s->hd, cap = s->cap, nKV = s->nKV;
    const int n_threads = hy_cpu_exec_threads(ex);

    /* 1. append the new rows, rounded to bf16 */
    for (int64_t t = 0; t < s->T; t++)
        for (int64_t g = 0; g < nKV; g++)
            for (int64_t i = 0; i < hd; i++) {
                const int64_t row = (g * cap + s->pos0 + t) * hd + i, src = (t * nKV + g) * hd + i;
                a->k_cache_bf16[row] = hy_f32_to_bf16(a->k[src]);
                a->v_cache_bf16[row] = hy_f32_to_bf16(a->v[src]);
            }

    /* 2./3. tasks (head, chunk, split) */
    const ab_plan pl = ab_make_plan(s);
    float *slots = work; /* [nKV, n_chunks, n_splits, slot] */
    const int64_t n_tasks = nKV * pl.n_chunks * pl.n_splits;
    const int par = n_threads > 1 && n_tasks > 1;
    (void)par;
    HY_X86G_OMP(parallel num_threads(n_threads) if(par))
    {
        HY_X86G_OMP(for schedule(dynamic, 1))
        for (int64_t task = 0; task < n_tasks; task++) {
            const int64_t sp = task % pl.n_splits, gc = task / pl.n_splits;
            const int64_t g = gc / pl.n_chunks, c = gc % pl.n_chunks;
            const ab_rows r = ab_chunk_rows(s, a, &pl, g, c);
            const int64_t klo = r.lo[0], khi = r.p[r.nr - 1] + 1; /* rows are t-major */
            const int64_t len = khi - klo;
            ab_task(s, &r, a->k_cache_bf16 + g * cap * hd, a->v_cache_bf16 + g * cap * hd,
                    klo + sp * len / pl.n_splits, klo + (sp + 1) * len / pl.n_splits,
                    slots + task * pl.slot);
        }
        /* 4. combine the splits of each (head, chunk) */
        HY_X86G_OMP(for schedule(static))
        for (int64_t gc = 0; gc < nKV * pl.n_chunks; gc++) {
            const int64_t g = gc / pl.n_chunks, c = gc % pl.n_chunks;
            const ab_rows r = ab_chunk_rows(s, a, &pl, g, c);
            const float *first = slots + gc * pl.n_splits * pl.slot;
            for (int i = 0; i < r.nr; i++) {
                const int64_t row = c * AB_R + i;
                float *o = a->out + ((row / pl.grp) * s->nH + g * pl.grp + row % pl.grp) * hd;
                float m = -INFINITY, l = 0.0f;
                for (int64_t sp = 0; sp < pl.n_splits; sp++) {
                    const float mi = first[sp * pl.slot + i];
                    m = mi > m ? mi : m;
                }
                for (int64_t d = 0; d < hd; d++) o[d] = 0.0f;
                for (int64_t sp = 0; sp < pl.n_splits; sp++) { /* in split order */
                    const float *sl = first + sp * pl.slot;
                    if (sl[i] == -INFINITY) continue; /* saw no key of its range */
                    const float w = expf(sl[i] - m);
                    l += w * sl[AB_R + i];
                    const float *Oi = sl + 2 * AB_R + i * hd;
                    for (int64_t d = 0; d < hd; d += VL) {
                        const int n = (int)x86g_min(VL, hd - d);
                        vf_store_n(o + d, vf_fma(vf_set1(w), vf_load_n(Oi + d, n), vf_load_n(o + d, n)), n);
                    }
                }
                const vf inv = vf_set1(1.0f / l);
                for (int64_t d = 0; d < hd; d += VL) {
                    const int n = (int)x86g_min(VL, hd - d);
                    vf_store_n(o + d, vf_mul(inv, vf_load_n(o + d, n)), n);
                }
            }
        }
    }
    return 0;
}
