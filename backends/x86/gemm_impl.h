/* gemm_impl.h — the packed, blocked SGEMM  y (+)= x W^T (+ bias), written
 * once against x86_vec.h and compiled by gemm_avx2.c (VL 8) and
 * gemm_avx512.c (VL 16).  Declared in x86_gemm.h.
 *
 * In BLAS terms C[M, N] = A[M, K] B[K, N] with A = x (row-major, ldx) and
 * B = W^T (W row-major [N, ldw]).  The BLIS loop nest:
 *
 *   jc  over N in NC columns        packed B block  [KC, NC]  (L3, shared)
 *   pc  over K in KC slices         packed A        [M, KC]   (shared)
 *   ic  over M in MC rows           A block         [MC, KC]  (L2)
 *   jr  over NC in NR columns       B micro-panel   [KC, NR]  (L1)
 *   ir  over MC in MR rows          micro-kernel MR x NR in registers
 *
 * Micro-kernel: MR x NR = 6 x 16 (AVX2: 12 accumulators + 2 B vectors + 1
 * broadcast = 15 of 16 registers) or 12 x 32 (AVX-512: 24 + 2 + 1 of 32);
 * per k: two vector loads of B, MR broadcasts of A, 2 MR FMAs.
 *
 * Packing: A panels hold MR rows interleaved per k (Ap[k*MR + r]), zero
 * rows past M.  B panels hold NR outputs per k (Bp[k*NR + c]), which is a
 * transpose of W's rows; it is done with 8 x 8 in-register transposes on
 * 256-bit registers (AVX2 instructions, present in both builds), with
 * masked loads for the k tail and zero columns past N.  Both packs of one
 * (jc, pc) step are shared by all threads (one omp for, then a barrier),
 * so the workspace does not depend on the thread count.
 *
 * Threads: in each (jc, pc) step, the B micro-panels are split into as
 * many contiguous chunks as there are threads (and the A panels too when
 * there are fewer B panels than threads); every y element is still summed
 * by one micro-kernel in k order and then across pc in order, so results
 * do not depend on the thread count.  Edge tiles: rows past M are not
 * stored, columns past N are stored with vf_store_n masks.  Epilogue: on
 * the first K slice y = (accumulate ? y : 0) + bias + acc, later y += acc.
 *
 * M <= 2 (decode) runs as GEMVs straight from W: packing W would cost more
 * than the product.
 *
 * bf16 W (g->w_bf16, convert-on-load): pack_b widens 8 x 8 bf16 blocks to
 * fp32 before the same transpose, so the micro-kernel is unchanged; the
 * GEMV widens each vector of W as it streams (bf16_vec.h), the bf16 and
 * fp32 GEMVs being one body specialised on a constant flag.
 */
#include "x86_gemm.h"
#include "gemm_util.h"
#include "x86_vec.h"
#include "bf16_vec.h"

#include <string.h>

#if VL == 8
#define GEMM_MR 6
#else
#define GEMM_MR 12
#endif
#define GEMM_NR (2 * VL)
#define GEMM_KC 256
#define GEMM_MC 144  /* multiple of GEMM_MR for both widths */
#define GEMM_NC 3072 /* multiple of GEMM_NR for both widths */
#define GEMM_SMALL_M 2 /* M <= this: GEMV path */

/* ---- GEMV --------------------------------------------------------------- */

/* The GEMV bodies take W rows as `const void *` with a flag bf16 that is a
 * constant at every call site: forced inlining specialises each body into
 * an fp32 copy and a bf16 copy without a branch in the loops. */
#define GEMV_INLINE static inline __attribute__((always_inline))

GEMV_INLINE vf w_load(const void *w, int64_t k, int bf16)
{
    return bf16 ? vf_load_bf16((const uint16_t *)w + k) : vf_load((const float *)w + k);
}

GEMV_INLINE vf w_load_n(const void *w, int64_t k, int n, int bf16)
{
    return bf16 ? vf_load_bf16_n((const uint16_t *)w + k, n) : vf_load_n((const float *)w + k, n);
}

/* Row n of W [N, ldw]. */
GEMV_INLINE const void *w_row(const void *w, int64_t n, int64_t ldw, int bf16)
{
    return (const char *)w + (size_t)(n * ldw) * (bf16 ? sizeof(uint16_t) : sizeof(float));
}

/* sum_k w[k] x[k] for four rows of W at once (w0..w3), two k vectors per
 * step so eight FMA chains are in flight; the k tail with masked loads. */
GEMV_INLINE void gemv_dot4(int64_t K, const float *restrict x, const void *restrict w0,
                           const void *restrict w1, const void *restrict w2,
                           const void *restrict w3, float out[4], int bf16)
{
    vf a0 = vf_zero(), a1 = vf_zero(), a2 = vf_zero(), a3 = vf_zero();
    vf b0 = vf_zero(), b1 = vf_zero(), b2 = vf_zero(), b3 = vf_zero();
    int64_t k = 0;
    for (; k + 2 * VL <= K; k += 2 * VL) {
        const vf x0 = vf_load(x + k), x1 = vf_load(x + k + VL);
        a0 = vf_fma(w_load(w0, k, bf16), x0, a0);
        a1 = vf_fma(w_load(w1, k, bf16), x0, a1);
        a2 = vf_fma(w_load(w2, k, bf16), x0, a2);
        a3 = vf_fma(w_load(w3, k, bf16), x0, a3);
        b0 = vf_fma(w_load(w0, k + VL, bf16), x1, b0);
        b1 = vf_fma(w_load(w1, k + VL, bf16), x1, b1);
        b2 = vf_fma(w_load(w2, k + VL, bf16), x1, b2);
        b3 = vf_fma(w_load(w3, k + VL, bf16), x1, b3);
    }
    for (; k < K; k += VL) {
        const int n = (int)x86g_min(VL, K - k);
        const vf x0 = vf_load_n(x + k, n);
        a0 = vf_fma(w_load_n(w0, k, n, bf16), x0, a0);
        a1 = vf_fma(w_load_n(w1, k, n, bf16), x0, a1);
        a2 = vf_fma(w_load_n(w2, k, n, bf16), x0, a2);
        a3 = vf_fma(w_load_n(w3, k, n, bf16), x0, a3);
    }
    out[0] = vf_hsum(vf_add(a0, b0));
    out[1] = vf_hsum(vf_add(a1, b1));
    out[2] = vf_hsum(vf_add(a2, b2));
    out[3] = vf_hsum(vf_add(a3, b3));
}

GEMV_INLINE float gemv_dot1(int64_t K, const float *restrict x, const void *restrict w, int bf16)
{
    vf a = vf_zero(), b = vf_zero();
    int64_t k = 0;
    for (; k + 2 * VL <= K; k += 2 * VL) {
        a = vf_fma(w_load(w, k, bf16), vf_load(x + k), a);
        b = vf_fma(w_load(w, k + VL, bf16), vf_load(x + k + VL), b);
    }
    for (; k < K; k += VL) {
        const int n = (int)x86g_min(VL, K - k);
        a = vf_fma(w_load_n(w, k, n, bf16), vf_load_n(x + k, n), a);
    }
    return vf_hsum(vf_add(a, b));
}

/* Outputs [n0, n1) of the GEMV (see hy_x86_gemv), W stored as the flag says. */
GEMV_INLINE void gemv_range_stored(int64_t n0, int64_t n1, int64_t K, const float *x,
                                   const void *w, int64_t ldw, float alpha, const float *bias,
                                   float *y, int accumulate, int bf16)
{
    int64_t n = n0;
    for (; n + 4 <= n1; n += 4) {
        float d[4];
        gemv_dot4(K, x, w_row(w, n, ldw, bf16), w_row(w, n + 1, ldw, bf16),
                  w_row(w, n + 2, ldw, bf16), w_row(w, n + 3, ldw, bf16), d, bf16);
        for (int j = 0; j < 4; j++) {
            const float v = alpha * d[j] + (bias ? bias[n + j] : 0.0f);
            y[n + j] = accumulate ? y[n + j] + v : v;
        }
    }
    for (; n < n1; n++) {
        const float v = alpha * gemv_dot1(K, x, w_row(w, n, ldw, bf16), bf16) + (bias ? bias[n] : 0.0f);
        y[n] = accumulate ? y[n] + v : v;
    }
}

/* Outputs [n0, n1): W from w_bf16 when it is set, else from w. */
static void gemv_range(int64_t n0, int64_t n1, int64_t K, const float *x, const float *w,
                       const uint16_t *w_bf16, int64_t ldw, float alpha, const float *bias,
                       float *y, int accumulate)
{
    if (w_bf16) gemv_range_stored(n0, n1, K, x, w_bf16, ldw, alpha, bias, y, accumulate, 1);
    else gemv_range_stored(n0, n1, K, x, w, ldw, alpha, bias, y, accumulate, 0);
}

void HY_X86_SUFFIX(hy_x86_gemv)(int64_t N, int64_t K, const float *x, const float *w,
                                int64_t ldw, float alpha, const float *bias, float *y,
                                int accumulate)
{
    gemv_range(0, N, K, x, w, NULL, ldw, alpha, bias, y, accumulate);
}

/* M <= GEMM_SMALL_M rows: one GEMV per row, outputs split across threads. */
static void gemm_small(const hy_x86_gemm_args *g, int n_threads)
{
    enum { BLOCK = 64 }; /* outputs per task */
    const int64_t n_blocks = x86g_ceil_div(g->N, BLOCK);
    const int par = n_threads > 1 && n_blocks > 1 && g->M * g->N * g->K >= (1 << 17);
    (void)par;
    HY_X86G_OMP(parallel for collapse(2) schedule(static) num_threads(n_threads) if(par))
    for (int64_t m = 0; m < g->M; m++)
        for (int64_t b = 0; b < n_blocks; b++)
            gemv_range(b * BLOCK, x86g_min(g->N, (b + 1) * BLOCK), g->K, g->x + m * g->ldx, g->w,
                       g->w_bf16, g->ldw, 1.0f, g->bias, g->y + m * g->ldy, g->accumulate);
}

/* ---- packing ------------------------------------------------------------ */

/* A panel: rows [m0, m0 + MR) of x, columns [k0, k0 + kc), as
 * ap[k * MR + r]; rows at or past M are zero. */
static void pack_a(const hy_x86_gemm_args *g, int64_t m0, int64_t k0, int64_t kc,
                   float *restrict ap)
{
    for (int r = 0; r < GEMM_MR; r++) {
        if (m0 + r < g->M) {
            const float *restrict src = g->x + (m0 + r) * g->ldx + k0;
            for (int64_t k = 0; k < kc; k++) ap[k * GEMM_MR + r] = src[k];
        } else {
            for (int64_t k = 0; k < kc; k++) ap[k * GEMM_MR + r] = 0.0f;
        }
    }
}

static inline __m256i pack_tail_mask(int64_t n)
{
    const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)n), lanes);
}

/* k0 .. k0+kn-1 (kn <= 8) of W's row n as fp32, zeros after kn: from the
 * fp32 W, or widened from the bf16 W. */
static inline __m256 pack_load8(const hy_x86_gemm_args *g, int64_t n, int64_t k0, int64_t kn)
{
    if (g->w_bf16) {
        const uint16_t *p = g->w_bf16 + n * g->ldw + k0;
        return kn == 8 ? m256_load_bf16x8(p) : m256_load_bf16x8_n(p, kn);
    }
    const float *p = g->w + n * g->ldw + k0;
    return kn == 8 ? _mm256_loadu_ps(p) : _mm256_maskload_ps(p, pack_tail_mask(kn));
}

/* B panel: outputs [n0, n0 + NR) (rows of W), columns [k0, k0 + kc), as
 * bp[k * NR + c]; outputs at or past N are zero.  8 rows x 8 k at a time:
 * eight 256-bit loads (widening loads for a bf16 W), an 8 x 8 transpose,
 * eight stores. */
static void pack_b(const hy_x86_gemm_args *g, int64_t n0, int64_t k0, int64_t kc,
                   float *restrict bp)
{
    const size_t esize = g->w_bf16 ? sizeof(uint16_t) : sizeof(float);
    const char *w = g->w_bf16 ? (const char *)g->w_bf16 : (const char *)g->w;
    for (int c0 = 0; c0 < GEMM_NR; c0 += 8) {
        const char *next[8];
        int valid[8];
        for (int i = 0; i < 8; i++) {
            valid[i] = n0 + c0 + i < g->N;
            /* the same rows of the next panel (usually packed next by this
             * thread): fetch them from memory while this one is packed */
            const int64_t nn = n0 + GEMM_NR + c0 + i;
            next[i] = nn < g->N ? w + (size_t)(nn * g->ldw + k0) * esize : NULL;
        }
        for (int64_t k = 0; k < kc; k += 8) {
            const int64_t kn = x86g_min(8, kc - k);
            if ((k & 15) == 0)
                for (int i = 0; i < 8; i++)
                    if (next[i]) _mm_prefetch(next[i] + (size_t)k * esize, _MM_HINT_T0);
            __m256 r[8];
            for (int i = 0; i < 8; i++)
                r[i] = valid[i] ? pack_load8(g, n0 + c0 + i, k0 + k, kn) : _mm256_setzero_ps();
            const __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
            const __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
            const __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
            const __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
            const __m256 u0 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(1, 0, 1, 0));
            const __m256 u1 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(3, 2, 3, 2));
            const __m256 u2 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(1, 0, 1, 0));
            const __m256 u3 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(3, 2, 3, 2));
            const __m256 u4 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(1, 0, 1, 0));
            const __m256 u5 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(3, 2, 3, 2));
            const __m256 u6 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(1, 0, 1, 0));
            const __m256 u7 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(3, 2, 3, 2));
            __m256 col[8]; /* col[j] = rows 0..7 at k + j */
            col[0] = _mm256_permute2f128_ps(u0, u4, 0x20);
            col[1] = _mm256_permute2f128_ps(u1, u5, 0x20);
            col[2] = _mm256_permute2f128_ps(u2, u6, 0x20);
            col[3] = _mm256_permute2f128_ps(u3, u7, 0x20);
            col[4] = _mm256_permute2f128_ps(u0, u4, 0x31);
            col[5] = _mm256_permute2f128_ps(u1, u5, 0x31);
            col[6] = _mm256_permute2f128_ps(u2, u6, 0x31);
            col[7] = _mm256_permute2f128_ps(u3, u7, 0x31);
            for (int j = 0; j < kn; j++) _mm256_storeu_ps(bp + (k + j) * GEMM_NR + c0, col[j]);
        }
    }
}

/* ---- micro-kernel ------------------------------------------------------- */

/* c[MR x NR] tile of y (ldc) from kc steps of ap (MR per k) and bp (NR per
 * k); only mr rows and nr columns are stored.  first: first K slice (then
 * y = (accumulate ? y : 0) + bias + acc), else y += acc. */
static inline void gemm_micro(int64_t kc, const float *restrict ap, const float *restrict bp,
                              float *restrict c, int64_t ldc, int mr, int nr, int first,
                              int accumulate, const float *restrict bias)
{
    vf c0[GEMM_MR], c1[GEMM_MR];
#pragma GCC unroll 16
    for (int r = 0; r < GEMM_MR; r++) {
        c0[r] = c1[r] = vf_zero();
        /* the y tile is read or written after the loop: start fetching it */
        _mm_prefetch((const char *)(c + r * ldc), _MM_HINT_T0);
        _mm_prefetch((const char *)(c + r * ldc + GEMM_NR - 1), _MM_HINT_T0);
    }
#pragma GCC unroll 4
    for (int64_t k = 0; k < kc; k++) {
        const vf b0 = vf_load(bp), b1 = vf_load(bp + VL);
#pragma GCC unroll 16
        for (int r = 0; r < GEMM_MR; r++) {
            const vf ar = vf_set1(ap[r]);
            c0[r] = vf_fma(ar, b0, c0[r]);
            c1[r] = vf_fma(ar, b1, c1[r]);
        }
        ap += GEMM_MR;
        bp += GEMM_NR;
    }
    const int load_c = !first || accumulate;
    const int n0 = nr < VL ? nr : VL, n1 = nr - n0; /* valid lanes of the two halves */
    vf bias0 = vf_zero(), bias1 = vf_zero();
    if (first && bias) bias0 = vf_load_n(bias, n0), bias1 = vf_load_n(bias + VL, n1);
    if (nr == GEMM_NR) {
        for (int r = 0; r < mr; r++) {
            float *cr = c + r * ldc;
            vf v0 = vf_add(c0[r], bias0), v1 = vf_add(c1[r], bias1);
            if (load_c) v0 = vf_add(vf_load(cr), v0), v1 = vf_add(vf_load(cr + VL), v1);
            vf_store(cr, v0);
            vf_store(cr + VL, v1);
        }
    } else {
        for (int r = 0; r < mr; r++) {
            float *cr = c + r * ldc;
            vf v0 = vf_add(c0[r], bias0), v1 = vf_add(c1[r], bias1);
            if (load_c)
                v0 = vf_add(vf_load_n(cr, n0), v0), v1 = vf_add(vf_load_n(cr + VL, n1), v1);
            vf_store_n(cr, v0, n0);
            if (n1 > 0) vf_store_n(cr + VL, v1, n1);
        }
    }
}

/* ---- the product -------------------------------------------------------- */

size_t HY_X86_SUFFIX(hy_x86_gemm_workspace)(int64_t M, int64_t N, int64_t K)
{
    if (M <= GEMM_SMALL_M || N <= 0 || K <= 0) return 0;
    const int64_t kc = x86g_min(K, GEMM_KC);
    const size_t a_bytes = (size_t)(x86g_round_up(M, GEMM_MR) * kc) * sizeof(float);
    const size_t b_bytes =
        (size_t)(x86g_round_up(x86g_min(N, GEMM_NC), GEMM_NR) * kc) * sizeof(float);
    return x86g_align64(a_bytes) + x86g_align64(b_bytes);
}

/* One thread's share of a (jc, pc) step: B micro-panels [q0, q1) against A
 * panels [p0, p1), the A panels walked in MC-row blocks (L2) outside the
 * B panels (L1) outside the A panels. */
static void gemm_compute(const hy_x86_gemm_args *g, int64_t jc, int64_t nc, int64_t kc,
                         int first, const float *ap, const float *bp, int64_t q0, int64_t q1,
                         int64_t p0, int64_t p1)
{
    const int64_t mc_panels = GEMM_MC / GEMM_MR;
    for (int64_t pb = p0; pb < p1; pb += mc_panels) {
        const int64_t pe = x86g_min(p1, pb + mc_panels);
        for (int64_t q = q0; q < q1; q++) {
            const int64_t n0 = jc + q * GEMM_NR;
            const int nr = (int)x86g_min(GEMM_NR, jc + nc - n0);
            const float *bq = bp + q * GEMM_NR * kc;
            const float *bias = g->bias ? g->bias + n0 : NULL;
            for (int64_t p = pb; p < pe; p++) {
                const int64_t m0 = p * GEMM_MR;
                const int mr = (int)x86g_min(GEMM_MR, g->M - m0);
                gemm_micro(kc, ap + p * GEMM_MR * kc, bq, g->y + m0 * g->ldy + n0, g->ldy, mr,
                           nr, first, g->accumulate, bias);
            }
        }
    }
}

void HY_X86_SUFFIX(hy_x86_gemm)(const hy_x86_gemm_args *g, int n_threads, void *work)
{
    if (g->M <= GEMM_SMALL_M) {
        gemm_small(g, n_threads);
        return;
    }
    const int64_t M = g->M, N = g->N, K = g->K;
    const int64_t kc_max = x86g_min(K, GEMM_KC);
    float *ap = work; /* [ceil(M / MR) panels][kc][MR] */
    float *bp = (float *)((char *)work +
                          x86g_align64((size_t)(x86g_round_up(M, GEMM_MR) * kc_max) * sizeof(float)));
    const int64_t n_apan = x86g_ceil_div(M, GEMM_MR);
    const int par = n_threads > 1 && (double)M * (double)N * (double)K >= 4e6;
    (void)par;
    HY_X86G_OMP(parallel num_threads(n_threads) if(par))
    {
        const int tid = x86g_thread_id(), nth = x86g_team_size();
        for (int64_t jc = 0; jc < N; jc += GEMM_NC) {
            const int64_t nc = x86g_min(GEMM_NC, N - jc);
            const int64_t n_bpan = x86g_ceil_div(nc, GEMM_NR);
            /* split: B panels into n_jch chunks, A panels into n_ich groups */
            const int64_t n_jch = x86g_min(nth, n_bpan);
            const int64_t n_ich = x86g_min(nth / n_jch, n_apan);
            for (int64_t pc = 0; pc < K; pc += GEMM_KC) {
                const int64_t kc = x86g_min(GEMM_KC, K - pc);
                HY_X86G_OMP(for schedule(static))
                for (int64_t i = 0; i < n_apan + n_bpan; i++) {
                    if (i < n_apan) pack_a(g, i * GEMM_MR, pc, kc, ap + i * GEMM_MR * kc);
                    else pack_b(g, jc + (i - n_apan) * GEMM_NR, pc, kc,
                                bp + (i - n_apan) * GEMM_NR * kc);
                }
                /* (implicit barrier: both packs complete) */
                for (int64_t item = tid; item < n_jch * n_ich; item += nth) {
                    const int64_t jch = item / n_ich, ich = item % n_ich;
                    gemm_compute(g, jc, nc, kc, pc == 0, ap, bp, jch * n_bpan / n_jch,
                                 (jch + 1) * n_bpan / n_jch, ich * n_apan / n_ich,
                                 (ich + 1) * n_apan / n_ich);
                }
                HY_X86G_OMP(barrier) /* the packs are overwritten next step */
            }
        }
    }
}
