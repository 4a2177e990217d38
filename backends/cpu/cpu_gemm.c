/* cpu_gemm.c — the blocked matrix product y = x W^T (+ b) shared by the
 * linear, mlp and moe kernels, plus the dot and axpy helpers.
 *
 * Both operands are contiguous along the reduction index, so the inner
 * kernel is a set of dot products.  Each dot product keeps HY_CPU_LANES
 * independent partial sums, which compilers vectorise without -ffast-math.
 * Blocking: a task owns a tile of GEMM_TB rows x GEMM_OB outputs and walks
 * the reduction in GEMM_KC slices, so the x slice (TB x KC) and the W slice
 * (OB x KC) stay in L2 while the 2 x 4 micro-kernel streams them from L1. */
#include "cpu_internal.h"

#include <string.h>

enum {
    GEMM_TB = 32,  /* rows of x per task                       */
    GEMM_OB = 64,  /* outputs (rows of W) per task              */
    GEMM_KC = 256, /* reduction slice                           */
    GEMM_MR = 2,   /* micro-kernel rows                         */
    GEMM_NR = 4,   /* micro-kernel outputs                      */
};

float cpu_dot(const float *restrict a, const float *restrict b, int64_t n)
{
    float acc[HY_CPU_LANES] = {0};
    int64_t i = 0;
    for (; i + HY_CPU_LANES <= n; i += HY_CPU_LANES)
        for (int l = 0; l < HY_CPU_LANES; l++) acc[l] += a[i + l] * b[i + l];
    float sum = 0.0f;
    for (int l = 0; l < HY_CPU_LANES; l++) sum += acc[l];
    for (; i < n; i++) sum += a[i] * b[i];
    return sum;
}

void cpu_axpy(float *restrict y, float alpha, const float *restrict x, int64_t n)
{
    for (int64_t i = 0; i < n; i++) y[i] += alpha * x[i];
}

/* tile[r][c] += x_r . w_c over n for r < 2, c < 4.
 * x0, x1: two rows of x; w: four rows of W, each of stride ldw. */
static void micro_2x4(const float *restrict x0, const float *restrict x1,
                      const float *restrict w0, const float *restrict w1,
                      const float *restrict w2, const float *restrict w3, int64_t n,
                      float *restrict t0, float *restrict t1)
{
    float a[GEMM_MR][GEMM_NR][HY_CPU_LANES];
    memset(a, 0, sizeof a);
    int64_t i = 0;
    for (; i + HY_CPU_LANES <= n; i += HY_CPU_LANES) {
        for (int l = 0; l < HY_CPU_LANES; l++) {
            float xa = x0[i + l], xb = x1[i + l];
            a[0][0][l] += xa * w0[i + l];
            a[0][1][l] += xa * w1[i + l];
            a[0][2][l] += xa * w2[i + l];
            a[0][3][l] += xa * w3[i + l];
            a[1][0][l] += xb * w0[i + l];
            a[1][1][l] += xb * w1[i + l];
            a[1][2][l] += xb * w2[i + l];
            a[1][3][l] += xb * w3[i + l];
        }
    }
    float s[GEMM_MR][GEMM_NR];
    for (int r = 0; r < GEMM_MR; r++)
        for (int c = 0; c < GEMM_NR; c++) {
            float sum = 0.0f;
            for (int l = 0; l < HY_CPU_LANES; l++) sum += a[r][c][l];
            s[r][c] = sum;
        }
    for (; i < n; i++) {
        s[0][0] += x0[i] * w0[i], s[0][1] += x0[i] * w1[i];
        s[0][2] += x0[i] * w2[i], s[0][3] += x0[i] * w3[i];
        s[1][0] += x1[i] * w0[i], s[1][1] += x1[i] * w1[i];
        s[1][2] += x1[i] * w2[i], s[1][3] += x1[i] * w3[i];
    }
    for (int c = 0; c < GEMM_NR; c++) t0[c] += s[0][c], t1[c] += s[1][c];
}

/* One task: rows [t0, t0+tn) x outputs [o0, o0+on), whole reduction. */
static void gemm_tile(int64_t t0, int64_t tn, int64_t o0, int64_t on, int64_t in,
                      const float *x, int64_t ldx, const float *w, const float *b, float *y,
                      int64_t ldy, int accumulate)
{
    float tile[GEMM_TB][GEMM_OB]; /* partial sums of y for this task */
    memset(tile, 0, sizeof tile);
    for (int64_t k0 = 0; k0 < in; k0 += GEMM_KC) {
        int64_t kn = cpu_min64(GEMM_KC, in - k0);
        int64_t t = 0;
        for (; t + GEMM_MR <= tn; t += GEMM_MR) {
            const float *xa = x + (t0 + t) * ldx + k0;
            const float *xb = xa + ldx;
            int64_t o = 0;
            for (; o + GEMM_NR <= on; o += GEMM_NR) {
                const float *wo = w + (o0 + o) * in + k0;
                micro_2x4(xa, xb, wo, wo + in, wo + 2 * in, wo + 3 * in, kn, &tile[t][o],
                          &tile[t + 1][o]);
            }
            for (; o < on; o++) {
                const float *wo = w + (o0 + o) * in + k0;
                tile[t][o] += cpu_dot(xa, wo, kn);
                tile[t + 1][o] += cpu_dot(xb, wo, kn);
            }
        }
        for (; t < tn; t++) { /* odd last row (and T = 1: decode is a GEMV) */
            const float *xa = x + (t0 + t) * ldx + k0;
            for (int64_t o = 0; o < on; o++)
                tile[t][o] += cpu_dot(xa, w + (o0 + o) * in + k0, kn);
        }
    }
    for (int64_t t = 0; t < tn; t++) {
        float *yr = y + (t0 + t) * ldy + o0;
        for (int64_t o = 0; o < on; o++) {
            float v = tile[t][o] + (b ? b[o0 + o] : 0.0f);
            yr[o] = accumulate ? yr[o] + v : v;
        }
    }
}

void cpu_gemm_xwt(int64_t T, int64_t in, int64_t out, const float *x, int64_t ldx,
                  const float *w, const float *b, float *y, int64_t ldy, int accumulate,
                  int n_threads)
{
    const int64_t n_ob = cpu_ceil_div(out, GEMM_OB), n_tb = cpu_ceil_div(T, GEMM_TB);
    (void)n_threads; /* unused without OpenMP */
    HY_OMP(parallel for collapse(2) schedule(static) num_threads(n_threads) if(n_threads > 1))
    for (int64_t ob = 0; ob < n_ob; ob++)
        for (int64_t tb = 0; tb < n_tb; tb++) {
            int64_t o0 = ob * GEMM_OB, t0 = tb * GEMM_TB;
            gemm_tile(t0, cpu_min64(GEMM_TB, T - t0), o0, cpu_min64(GEMM_OB, out - o0), in, x,
                      ldx, w, b, y, ldy, accumulate);
        }
}
