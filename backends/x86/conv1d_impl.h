/* conv1d_impl.h — conv1d/direct (kernels/hy_conv1d.h), written once against
 * x86_vec.h and compiled by conv1d_avx2.c (VL = 8) and conv1d_avx512.c
 * (VL = 16):
 *   stream_c = [state[c, 1..K-1] (or zeros), x[0, c], ..., x[T-1, c]]
 *   y[t, c]  = act( sum_j w[c, j] stream_c[t + j] + b[c] ),  act = SiLU or none
 *   state[c, :] = the last K samples of stream_c, oldest first (HF conv_states)
 *
 * Prefill: a pure stream, x [T, C] read once and y [T, C] written once.
 * First the taps are transposed and the history state[:, 1..K-1] copied
 * into the workspace block by block, [n_cb, K, CONV_CB] and
 * [n_cb, K-1, CONV_CB] (in parallel over channels): a block's tap rows
 * are then 2 KiB apart, not C floats.  With C a multiple of 1024 (every
 * Jamba model) rows C floats apart fall into the same L1 sets as the x
 * rows being read, and 4 tap rows + 4 x rows + the prefetched row
 * overflow an 8-way set on every output row.  Then the work is (time tile of CONV_TT rows) x (block of
 * CONV_CB channels), statically split in time-tile order, so each thread
 * walks a contiguous range of rows: inside a tile, a block's 2 KiB row
 * segments at a stride of C floats, the 4 KiB taps and the K source rows
 * staying in L1 (the K-1 rows before a tile come from L2/L3).  For every
 * output row the K source rows (history or x) are fixed once and VL
 * channels at a time get K FMAs (K = 4, every Jamba model, unrolled), the
 * bias and the SiLU (vf_silu).  The x rows CONV_PREFETCH steps ahead are
 * prefetched.  When y is large (at least CONV_STREAM_MIN bytes, so it
 * cannot stay in the caches for the next kernel anyway) and its rows are
 * vector-aligned, full vectors of y are written with non-temporal stores:
 * no read-for-ownership of y's lines, so DRAM moves exactly the bytes the
 * bandwidth bound counts (x once, y once) instead of 1.5 times them.
 * The state is written last, from the history copy and x.  Channel tails
 * use masked loads and stores; x_stride is honoured.
 *
 * Decode (T = 1): no workspace traffic; VL channels at a time, the state
 * rolled left column by column (column j+1 becomes column j, x the new
 * last column) while the same columns feed the FMAs. */
#include "x86_vec.h"

#include "cpu/cpu_backend.h"
#include "x86_mamba.h"

#ifdef HYBENCH_HAVE_OPENMP
#include <omp.h>
#endif
#ifndef HY_MAMBA_OMP
#define HY_MAMBA_STR(...) #__VA_ARGS__
#ifdef HYBENCH_HAVE_OPENMP
#define HY_MAMBA_OMP(...) _Pragma(HY_MAMBA_STR(omp __VA_ARGS__))
#else
#define HY_MAMBA_OMP(...)
#endif
#endif

enum {
    CONV_CB = 512,          /* channels per block (2 KiB of a row)             */
    CONV_TT = 64,           /* rows per time tile                              */
    CONV_PAR_MIN = 1 << 14, /* fewer T*C outputs: stay on one thread           */
    CONV_PREFETCH = 4,      /* rows ahead that x is prefetched                 */
};
#define CONV_STREAM_MIN ((int64_t)4 << 20) /* y bytes from which y is streamed */

static inline int64_t conv_min64(int64_t a, int64_t b) { return a < b ? a : b; }

/* First m lanes (m <= 0: none) with plain full-width access when m >= VL. */
static inline vf conv_load(const float *p, int64_t m)
{
    return m >= VL ? vf_load(p) : vf_load_n(p, m > 0 ? (int)m : 0);
}
static inline void conv_store(float *p, vf v, int64_t m)
{
    if (m >= VL) vf_store(p, v);
    else if (m > 0) vf_store_n(p, v, (int)m);
}

static inline vf conv_act(vf v, int silu) { return silu ? vf_silu(v) : v; }

/* y store: non-temporal for a full vector when `stream` (the caller has
 * checked the alignment), else as conv_store. */
static inline void conv_put(float *p, vf v, int64_t m, int stream)
{
    if (stream && m >= VL) vf_stream(p, v);
    else conv_store(p, v, m);
}

size_t HY_X86_SUFFIX(hy_x86_conv1d_direct_workspace)(const hy_conv1d_shape *s)
{
    if (hy_conv1d_check(s, NULL)) return 0; /* the kernel will reject the shape */
    const int64_t n_cb = (s->C + CONV_CB - 1) / CONV_CB;
    return (size_t)(2 * s->K - 1) * (size_t)(n_cb * CONV_CB) * sizeof(float); /* taps + history */
}

/* Stream row i of the block starting at channel c0, from channel c0 on:
 * history row i for i < K-1 (hb: the block's history [K-1, CONV_CB]),
 * else x row i-(K-1). */
static inline const float *conv_stream_row(const float *hb, const float *x, int64_t ldx,
                                           int64_t K, int64_t c0, int64_t i)
{
    return i < K - 1 ? hb + i * CONV_CB : x + (i - (K - 1)) * ldx + c0;
}

/* Output row t for the cn channels of the block at c0: wb its taps
 * [K, CONV_CB], hb its history [K-1, CONV_CB], x [T, ldx], yt and b from
 * channel c0 on. */
static void conv_row(const float *hb, const float *x, int64_t ldx, const float *wb,
                     const float *b, int64_t K, int64_t t, int64_t c0, int64_t cn, float *yt,
                     int silu, int stream)
{
    if (K == 4) {
        const float *s0 = conv_stream_row(hb, x, ldx, K, c0, t);
        const float *s1 = conv_stream_row(hb, x, ldx, K, c0, t + 1);
        const float *s2 = conv_stream_row(hb, x, ldx, K, c0, t + 2);
        const float *s3 = conv_stream_row(hb, x, ldx, K, c0, t + 3);
        const float *w0 = wb, *w1 = wb + CONV_CB, *w2 = wb + 2 * CONV_CB, *w3 = wb + 3 * CONV_CB;
        /* SiLU in two loops, as the scan's gate: the taps and exp(-|acc|)
         * of the whole row segment first, then the rest of the SiLU; each
         * vector's dependency chain is then short enough that many of them
         * overlap in the out-of-order window (one loop of both measured
         * about 20 cycles per output vector on Zen 3, at half the FMA
         * pipes' rate) */
        _Alignas(64) float accb[CONV_CB], eb[CONV_CB];
        for (int64_t c = 0; c < cn; c += VL) {
            const int64_t m = cn - c;
            vf acc = b ? conv_load(b + c, m) : vf_zero();
            acc = vf_fma(conv_load(w0 + c, m), conv_load(s0 + c, m), acc);
            acc = vf_fma(conv_load(w1 + c, m), conv_load(s1 + c, m), acc);
            acc = vf_fma(conv_load(w2 + c, m), conv_load(s2 + c, m), acc);
            acc = vf_fma(conv_load(w3 + c, m), conv_load(s3 + c, m), acc);
            if (!silu) {
                conv_put(yt + c, acc, m, stream);
                continue;
            }
            vf_store(accb + c, acc);
            vf_store(eb + c, vf_exp_neg_abs(acc));
        }
        if (silu)
            for (int64_t c = 0; c < cn; c += VL)
                conv_put(yt + c, vf_silu_from(vf_load(accb + c), vf_load(eb + c)), cn - c, stream);
        return;
    }
    for (int64_t c = 0; c < cn; c += VL) {
        const int64_t m = cn - c;
        vf acc = b ? conv_load(b + c, m) : vf_zero();
        for (int64_t j = 0; j < K; j++)
            acc = vf_fma(conv_load(wb + j * CONV_CB + c, m),
                         conv_load(conv_stream_row(hb, x, ldx, K, c0, t + j) + c, m), acc);
        conv_put(yt + c, conv_act(acc, silu), m, stream);
    }
}

/* T = 1: one new sample per channel against the K-1 held ones. */
static void conv1d_decode(const hy_conv1d_shape *s, const hy_conv1d_args *a, int nt)
{
    const int64_t C = s->C, K = s->K;
    const float *x = a->x, *w = a->w, *b = s->has_bias ? a->b : NULL;
    float *state = a->state, *y = a->y;
    const int silu = s->silu;
    const int64_t n_blocks = (C + VL - 1) / VL;
    (void)nt;
    HY_MAMBA_OMP(parallel for schedule(static) num_threads(nt) if(nt > 1 && C * K >= CONV_PAR_MIN))
    for (int64_t blk = 0; blk < n_blocks; blk++) {
        const int64_t c0 = blk * VL, m = conv_min64(VL, C - c0);
        _Alignas(64) float col[VL], wc[VL];
        const vf xv = conv_load(x + c0, m);
        vf acc = b ? conv_load(b + c0, m) : vf_zero();
        if (state)
            for (int64_t j = 0; j + 1 < K; j++) {
                /* new column j = old column j + 1 */
                for (int64_t i = 0; i < m; i++) {
                    float *sc = state + (c0 + i) * K; /* [K] */
                    col[i] = sc[j + 1], wc[i] = w[(c0 + i) * K + j];
                    sc[j] = sc[j + 1];
                }
                acc = vf_fma(conv_load(wc, m), conv_load(col, m), acc);
            }
        vf_store(col, xv);
        for (int64_t i = 0; i < m; i++) {
            wc[i] = w[(c0 + i) * K + K - 1];
            if (state) state[(c0 + i) * K + K - 1] = col[i];
        }
        acc = vf_fma(conv_load(wc, m), xv, acc);
        conv_store(y + c0, conv_act(acc, silu), m);
    }
}

int HY_X86_SUFFIX(hy_x86_conv1d_direct)(hy_exec *ex, const hy_conv1d_shape *s,
                                        const hy_conv1d_args *a, void *work, hy_error *err)
{
    if (!s || !a) return hy_fail(err, "conv1d: shape or args is NULL");
    if (hy_conv1d_check(s, err)) return -1;
    if (!a->x || !a->w || !a->y) return hy_fail(err, "conv1d: x, w and y must not be NULL");
    if (s->has_bias && !a->b) return hy_fail(err, "conv1d: has_bias is set but b is NULL");
    const int64_t T = s->T, C = s->C, K = s->K;
    const int64_t ldx = a->x_stride ? a->x_stride : C;
    if (ldx < C)
        return hy_fail(err, "conv1d: x_stride (%lld) < C (%lld)", (long long)ldx, (long long)C);
    const int nt = hy_cpu_exec_threads(ex);
    if (T == 1) {
        conv1d_decode(s, a, nt);
        return 0;
    }
    if (!work)
        return hy_fail(err, "conv1d: workspace is NULL (conv1d/direct needs %zu bytes)",
                       HY_X86_SUFFIX(hy_x86_conv1d_direct_workspace)(s));

    const int64_t n_cb = (C + CONV_CB - 1) / CONV_CB;
    float *wt = work;                      /* [n_cb, K, CONV_CB]   taps, transposed    */
    float *hist = wt + n_cb * K * CONV_CB; /* [n_cb, K-1, CONV_CB] old state[:, 1..K-1] */
    const float *x = a->x, *w = a->w, *b = s->has_bias ? a->b : NULL;
    float *state = a->state, *y = a->y;
    const int silu = s->silu;
    const int stream = T * C * (int64_t)sizeof(float) >= CONV_STREAM_MIN && C % VL == 0 &&
                       (uintptr_t)y % (VL * sizeof(float)) == 0;
    const int64_t n_tt = (T + CONV_TT - 1) / CONV_TT;
    const int par = nt > 1 && T * C >= CONV_PAR_MIN;
    (void)par;
    HY_MAMBA_OMP(parallel num_threads(nt) if(par))
    {
        HY_MAMBA_OMP(for schedule(static))
        for (int64_t c = 0; c < C; c++) {
            const int64_t cb = c / CONV_CB, cc = c % CONV_CB;
            for (int64_t j = 0; j < K; j++) wt[(cb * K + j) * CONV_CB + cc] = w[c * K + j];
            for (int64_t i = 0; i + 1 < K; i++)
                hist[(cb * (K - 1) + i) * CONV_CB + cc] = state ? state[c * K + 1 + i] : 0.0f;
        }
        /* (time tile, channel block) in time-tile order: contiguous rows per thread */
        HY_MAMBA_OMP(for collapse(2) schedule(static))
        for (int64_t tt = 0; tt < n_tt; tt++)
            for (int64_t cb = 0; cb < n_cb; cb++) {
                const int64_t c0 = cb * CONV_CB, cn = conv_min64(CONV_CB, C - c0);
                const int64_t t0 = tt * CONV_TT, t1 = conv_min64(T, t0 + CONV_TT);
                for (int64_t t = t0; t < t1; t++) {
                    if (t + CONV_PREFETCH < t1) /* x row CONV_PREFETCH steps ahead */
                        vf_prefetch(x + (t + CONV_PREFETCH) * ldx + c0,
                                    cn * (int64_t)sizeof(float), 0);
                    conv_row(hist + cb * (K - 1) * CONV_CB, x, ldx, wt + cb * K * CONV_CB,
                             b ? b + c0 : NULL, K, t, c0, cn, y + t * C + c0, silu, stream);
                }
            }
        if (stream) vf_stream_fence();
        /* the state after the implicit barrier: the last K stream samples,
         * stream rows T-1 .. T+K-2 (the history copy is no longer read) */
        if (state) {
            HY_MAMBA_OMP(for schedule(static))
            for (int64_t c = 0; c < C; c++) {
                const int64_t cb = c / CONV_CB, c0 = cb * CONV_CB;
                const float *hb = hist + cb * (K - 1) * CONV_CB;
                for (int64_t j = 0; j < K; j++)
                    state[c * K + j] = conv_stream_row(hb, x, ldx, K, c0, T - 1 + j)[c - c0];
            }
        }
    }
    return 0;
}
