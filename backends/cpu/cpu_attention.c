/* cpu_attention.c — causal grouped-query attention against a KV cache
 * (kernels/hy_attention.h).  Both variants first append the T new keys and
 * values at cache rows pos0 .. pos0+T-1, then for the query at absolute
 * position p and head h (KV head g = h / (nH/nKV)) attend to keys
 * lo(p) .. p, lo(p) = max(0, p - window + 1) with a window, else 0.
 *
 * attention/flash  tiled online softmax; never forms a score matrix.  A
 *                  task is (KV head g, tile of ATT_BQ query tokens); for
 *                  each tile of ATT_BK keys, every query head of g and
 *                  every token of the tile consume it while it is in cache
 *                  (GQA reuse).  Key tiles wholly after a row's position
 *                  (causal) or before its window are skipped.  The running
 *                  max and sum live in the workspace, the running output in
 *                  `out` itself.
 * attention/naive  per query row: the full score row in a per-thread
 *                  workspace slot, softmax, weighted sum of values. */
#include "cpu_internal.h"
#include "cpu_kernels.h"

#include <string.h>

enum {
    ATT_BQ = 16, /* query tokens per flash task */
    ATT_BK = 64, /* keys per flash tile         */
};

static int attention_prepare(const hy_attention_shape *s, const hy_attention_args *a,
                             hy_error *err)
{
    if (!s || !a) return hy_fail(err, "attention: shape or args is NULL");
    if (hy_attention_check(s, err)) return -1;
    if (!a->q || !a->k || !a->v || !a->k_cache || !a->v_cache || !a->out)
        return hy_fail(err, "attention: q, k, v, k_cache, v_cache and out must not be NULL");
    return 0;
}

/* First key position seen by the query at absolute position p. */
static inline int64_t first_key(const hy_attention_shape *s, int64_t p)
{
    return s->window > 0 ? cpu_max64(0, p - s->window + 1) : 0;
}

/* Copies the new keys and values into cache rows pos0 .. pos0+T-1. */
static void append_kv(const hy_attention_shape *s, const hy_attention_args *a, int nt)
{
    const int64_t T = s->T, nKV = s->nKV, hd = s->hd;
    (void)nt;
    HY_OMP(parallel for collapse(2) schedule(static) num_threads(nt) if(nt > 1 && T * nKV >= 64))
    for (int64_t g = 0; g < nKV; g++)
        for (int64_t t = 0; t < T; t++) {
            const int64_t row = (g * s->cap + s->pos0 + t) * hd;
            memcpy(a->k_cache + row, a->k + (t * nKV + g) * hd, (size_t)hd * sizeof(float));
            memcpy(a->v_cache + row, a->v + (t * nKV + g) * hd, (size_t)hd * sizeof(float));
        }
}

/* ---- attention/flash ---------------------------------------------------- */

size_t hy_cpu_attention_flash_workspace(const hy_attention_shape *s)
{
    if (hy_attention_check(s, NULL)) return 0; /* the kernel will reject the shape */
    return 2u * (size_t)(s->T * s->nH) * sizeof(float); /* running max, running sum */
}

/* One task: KV head g, query tokens [t0, t1). */
static void flash_task(const hy_attention_shape *s, const hy_attention_args *a, int64_t g,
                       int64_t t0, int64_t t1, float *run_max, float *run_sum)
{
    const int64_t nH = s->nH, hd = s->hd, rep = s->nH / s->nKV, pos0 = s->pos0;
    const float *Kg = a->k_cache + g * s->cap * hd; /* [cap, hd] */
    const float *Vg = a->v_cache + g * s->cap * hd; /* [cap, hd] */
    for (int64_t t = t0; t < t1; t++)
        for (int64_t h = g * rep; h < (g + 1) * rep; h++) {
            memset(a->out + (t * nH + h) * hd, 0, (size_t)hd * sizeof(float));
            run_max[t * nH + h] = -INFINITY;
            run_sum[t * nH + h] = 0.0f;
        }
    const int64_t j_lo = first_key(s, pos0 + t0), j_hi = pos0 + t1 - 1; /* inclusive */
    float score[ATT_BK];
    for (int64_t j0 = j_lo; j0 <= j_hi; j0 += ATT_BK) {
        const int64_t j1 = cpu_min64(j0 + ATT_BK - 1, j_hi); /* inclusive */
        for (int64_t h = g * rep; h < (g + 1) * rep; h++)
            for (int64_t t = t0; t < t1; t++) {
                const int64_t p = pos0 + t;
                const int64_t ja = cpu_max64(j0, first_key(s, p)), jb = cpu_min64(j1, p);
                if (ja > jb) continue; /* tile outside this row's causal window */
                const float *q = a->q + (t * nH + h) * hd;
                float *o = a->out + (t * nH + h) * hd;
                float tile_max = -INFINITY;
                for (int64_t j = ja; j <= jb; j++) {
                    const float sc = s->scale * cpu_dot(q, Kg + j * hd, hd);
                    score[j - j0] = sc;
                    if (sc > tile_max) tile_max = sc;
                }
                float *m = &run_max[t * nH + h], *l = &run_sum[t * nH + h];
                const float m_new = tile_max > *m ? tile_max : *m;
                const float corr = expf(*m - m_new); /* 0 on the first tile */
                if (corr != 1.0f) {
                    for (int64_t d = 0; d < hd; d++) o[d] *= corr;
                    *l *= corr;
                }
                for (int64_t j = ja; j <= jb; j++) {
                    const float pj = expf(score[j - j0] - m_new);
                    *l += pj;
                    cpu_axpy(o, pj, Vg + j * hd, hd);
                }
                *m = m_new;
            }
    }
    for (int64_t t = t0; t < t1; t++)
        for (int64_t h = g * rep; h < (g + 1) * rep; h++) {
            const float inv = 1.0f / run_sum[t * nH + h]; /* > 0: key p is always seen */
            float *o = a->out + (t * nH + h) * hd;
            for (int64_t d = 0; d < hd; d++) o[d] *= inv;
        }
}

int hy_cpu_attention_flash(hy_exec *ex, const hy_attention_shape *s, const hy_attention_args *a,
                           void *work, hy_error *err)
{
    if (attention_prepare(s, a, err)) return -1;
    if (!work) return hy_fail(err, "attention: workspace is NULL (flash needs [T, nH] x 2 floats)");
    const int nt = cpu_threads(ex);
    append_kv(s, a, nt);
    float *run_max = work, *run_sum = run_max + s->T * s->nH; /* [T, nH] each */
    const int64_t n_tiles = cpu_ceil_div(s->T, ATT_BQ), nKV = s->nKV, T = s->T;
    HY_OMP(parallel for collapse(2) schedule(dynamic, 1) num_threads(nt) if(nt > 1))
    for (int64_t g = 0; g < nKV; g++)
        for (int64_t tile = 0; tile < n_tiles; tile++)
            flash_task(s, a, g, tile * ATT_BQ, cpu_min64(T, (tile + 1) * ATT_BQ), run_max,
                       run_sum);
    return 0;
}

/* ---- attention/naive ---------------------------------------------------- */

static int64_t naive_slots(const hy_attention_shape *s)
{
    return cpu_min64(s->T * s->nH, HY_CPU_MAX_SLOTS);
}

size_t hy_cpu_attention_naive_workspace(const hy_attention_shape *s)
{
    if (hy_attention_check(s, NULL)) return 0; /* the kernel will reject the shape */
    return (size_t)naive_slots(s) * (size_t)(s->pos0 + s->T) * sizeof(float);
}

int hy_cpu_attention_naive(hy_exec *ex, const hy_attention_shape *s, const hy_attention_args *a,
                           void *work, hy_error *err)
{
    if (attention_prepare(s, a, err)) return -1;
    if (!work) return hy_fail(err, "attention: workspace is NULL (naive needs %zu bytes)",
                              hy_cpu_attention_naive_workspace(s));
    append_kv(s, a, cpu_threads(ex));
    const int64_t nH = s->nH, hd = s->hd, rep = s->nH / s->nKV, keys = s->pos0 + s->T;
    const int64_t rows = s->T * nH;
    const int nt = cpu_slot_threads(cpu_threads(ex), naive_slots(s));
    float *slots = work; /* [slots, pos0 + T] */
    (void)nt;
    HY_OMP(parallel for schedule(dynamic, 4) num_threads(nt) if(nt > 1))
    for (int64_t r = 0; r < rows; r++) {
        const int64_t t = r / nH, h = r % nH, g = h / rep, p = s->pos0 + t;
        const float *Kg = a->k_cache + g * s->cap * hd, *Vg = a->v_cache + g * s->cap * hd;
        const float *q = a->q + r * hd;
        float *score = slots + (int64_t)cpu_thread_id() * keys; /* [keys] */
        float *o = a->out + r * hd;
        const int64_t lo = first_key(s, p);
        float mx = -INFINITY;
        for (int64_t j = lo; j <= p; j++) {
            score[j] = s->scale * cpu_dot(q, Kg + j * hd, hd);
            if (score[j] > mx) mx = score[j];
        }
        float sum = 0.0f;
        for (int64_t j = lo; j <= p; j++) {
            score[j] = expf(score[j] - mx);
            sum += score[j];
        }
        memset(o, 0, (size_t)hd * sizeof *o);
        const float inv = 1.0f / sum;
        for (int64_t j = lo; j <= p; j++) cpu_axpy(o, score[j] * inv, Vg + j * hd, hd);
    }
    return 0;
}
