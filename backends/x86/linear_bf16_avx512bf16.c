/* linear_bf16_avx512bf16.c — linear/dpbf16:  y[t, o] (+)= sum_i x[t, i] W[o, i] + b[o]
 * with W stored as bf16 (w_dtype bf16) and x rounded to bf16 too
 * (vcvtne2ps2bf16, nearest even), the products summed in fp32 by
 * vdpbf16ps (each of the 16 lanes adds two products per instruction).
 * Operand precision bf16: the table declares dtype HY_BF16, which picks
 * the tolerance.  Needs AVX512_BF16 (Cooper Lake, Sapphire Rapids, Zen 4);
 * declared in x86_bf16.h.
 *
 * x is first rounded into the workspace as xb [T, kp] (kp = in rounded up
 * to 32, zeros past in).  The product is a dot-product form: a micro-tile
 * of DP_MR rows of xb by DP_NR rows of W keeps DP_MR x DP_NR accumulators
 * over the whole reduction (DP_MR + DP_NR loads of 64 bytes per DP_MR x
 * DP_NR instructions) and reduces each at the end.  Cache tiles: DP_MB
 * rows of xb (K = 4096: 384 KiB, in L2) against all W rows, split across
 * threads by blocks of DP_NR outputs; a decode (T = 1) is one W stream.
 * Every output is summed in the same order on any thread count. */
#include "x86_bf16.h"
#include "gemm_util.h"
#include "cpu/cpu_backend.h"

#ifdef HY_X86_SIMDE /* the emulated build (simde/README.md): SIMDe's intrinsics, other names */
#include "simde/x86_simde.h"
#define DP_SUFFIX(name) name##_avx512bf16simde
#else
#include <immintrin.h>
#define DP_SUFFIX(name) name##_avx512bf16
#endif

#define DP_K 32  /* bf16 elements per 512-bit vector (16 lanes x 2) */
#define DP_NR 4  /* W rows per micro-tile   */
#define DP_MR 3  /* x rows per micro-tile   */
#define DP_MB 48 /* x rows per cache tile   */
#define DP_INLINE static inline __attribute__((always_inline))

static int64_t padded_k(int64_t in)
{
    return x86g_round_up(in, DP_K);
}

size_t DP_SUFFIX(hy_x86_linear_dpbf16_workspace)(const hy_linear_shape *s)
{
    if (!s || hy_linear_check(s, NULL)) return 0; /* the kernel will reject the shape */
    return (size_t)(s->T * padded_k(s->in)) * sizeof(uint16_t);
}

/* The first n lanes (n may be <= 0 or >= 16). */
static __mmask16 lanes16(int64_t n)
{
    return n <= 0 ? 0 : n >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << n) - 1u);
}

/* x [T, ldx] -> xb [T, kp] as bf16, zeros past in (masked loads: nothing
 * past in is read). */
static void round_x(const float *x, int64_t ldx, int64_t T, int64_t in, int64_t kp, uint16_t *xb,
                    int n_threads)
{
    const int par = n_threads > 1 && T * kp >= (1 << 16);
    (void)par;
    HY_X86G_OMP(parallel for schedule(static) num_threads(n_threads) if(par))
    for (int64_t t = 0; t < T; t++) {
        const float *src = x + t * ldx;
        for (int64_t k = 0; k < kp; k += DP_K) {
            const __m512 lo = _mm512_maskz_loadu_ps(lanes16(in - k), src + k);
            const __m512 hi = _mm512_maskz_loadu_ps(lanes16(in - k - 16), src + k + 16);
            _mm512_storeu_si512(xb + t * kp + k, (__m512i)_mm512_cvtne2ps_pbh(hi, lo));
        }
    }
}

/* out[m][r] = sum_k xr[m][k] wr[r][k] over k < in, for m < mr (a
 * constant at each call, so the tile is specialised); xr rows are zero
 * past in, the W tail is loaded masked. */
DP_INLINE void dp_tile(int64_t in, const uint16_t *const xr[DP_MR],
                       const uint16_t *const wr[DP_NR], float out[DP_MR][DP_NR], int mr)
{
    __m512 acc[DP_MR][DP_NR];
    for (int m = 0; m < mr; m++)
        for (int r = 0; r < DP_NR; r++) acc[m][r] = _mm512_setzero_ps();
    int64_t k = 0;
    for (; k < in; k += DP_K) {
        const __mmask32 tail = in - k >= DP_K ? (__mmask32)0xffffffffu
                                              : (__mmask32)((1u << (in - k)) - 1u);
        __m512bh w[DP_NR];
        for (int r = 0; r < DP_NR; r++) w[r] = (__m512bh)_mm512_maskz_loadu_epi16(tail, wr[r] + k);
        for (int m = 0; m < mr; m++) {
            const __m512bh xv = (__m512bh)_mm512_loadu_si512(xr[m] + k);
            for (int r = 0; r < DP_NR; r++) acc[m][r] = _mm512_dpbf16_ps(acc[m][r], xv, w[r]);
        }
    }
    for (int m = 0; m < mr; m++)
        for (int r = 0; r < DP_NR; r++) out[m][r] = _mm512_reduce_add_ps(acc[m][r]);
}

/* y rows [m0, m1) x outputs [n0, n0 + DP_NR) (fewer at the end of out). */
static void dp_block(const hy_linear_shape *s, const hy_linear_args *a, int64_t ldy,
                     const uint16_t *xb, int64_t kp, int64_t m0, int64_t m1, int64_t n0)
{
    const int nr = (int)x86g_min(DP_NR, s->out - n0);
    const uint16_t *wr[DP_NR];
    for (int r = 0; r < DP_NR; r++) /* past out: repeat the last row, not stored */
        wr[r] = a->w_bf16 + (n0 + (r < nr ? r : nr - 1)) * s->in;
    for (int64_t m = m0; m < m1;) {
        const int mr = m1 - m >= DP_MR ? DP_MR : 1;
        const uint16_t *xr[DP_MR];
        for (int i = 0; i < DP_MR; i++) xr[i] = xb + (m + (i < mr ? i : 0)) * kp;
        float d[DP_MR][DP_NR];
        if (mr == DP_MR) dp_tile(s->in, xr, wr, d, DP_MR);
        else dp_tile(s->in, xr, wr, d, 1);
        for (int i = 0; i < mr; i++) {
            float *y = a->y + (m + i) * ldy + n0;
            for (int r = 0; r < nr; r++) {
                const float v = d[i][r] + (s->has_bias ? a->b[n0 + r] : 0.0f);
                y[r] = s->accumulate ? y[r] + v : v;
            }
        }
        m += mr;
    }
}

int DP_SUFFIX(hy_x86_linear_dpbf16)(hy_exec *ex, const hy_linear_shape *s,
                                    const hy_linear_args *a, void *work, hy_error *err)
{
    int64_t ldx = 0, ldy = 0;
    const int rc = hy_x86_linear_bf16_args(s, a, &ldx, &ldy, err);
    if (rc) return rc;
    if (!work)
        return hy_fail(err, "linear: workspace is NULL (linear/dpbf16 needs %zu bytes)",
                       DP_SUFFIX(hy_x86_linear_dpbf16_workspace)(s));
    const int64_t kp = padded_k(s->in), n_blocks = x86g_ceil_div(s->out, DP_NR);
    const int n_threads = hy_cpu_exec_threads(ex);
    uint16_t *xb = work; /* [T, kp] */
    round_x(a->x, ldx, s->T, s->in, kp, xb, n_threads);
    const int par = n_threads > 1 && n_blocks > 1 && s->out * s->in >= (1 << 16);
    (void)par;
    for (int64_t m0 = 0; m0 < s->T; m0 += DP_MB) {
        const int64_t m1 = x86g_min(s->T, m0 + DP_MB);
        HY_X86G_OMP(parallel for schedule(static) num_threads(n_threads) if(par))
        for (int64_t b = 0; b < n_blocks; b++) dp_block(s, a, ldy, xb, kp, m0, m1, b * DP_NR);
    }
    return 0;
}
