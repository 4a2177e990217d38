/* test_cost.c — the cost model (flops, bytes, transcendentals, reduction
 * length) of every family against counts worked out by hand for small
 * shapes, the tolerance rule's shape and calibration (an honest float
 * kernel passes with margin, a buggy one fails), and the shape checks. */
#include "hy_reference.h"
#include "hy_test.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CHECK_COST(c, f, b, tr, r)                 \
    do {                                           \
        CHECK_NEAR((c).flops, (f), 0);             \
        CHECK_NEAR((c).bytes, (b), 0);             \
        CHECK_NEAR((c).transcendentals, (tr), 0);  \
        CHECK_NEAR((c).reduction_len, (r), 0);     \
    } while (0)

static void test_costs(void)
{
    /* linear T=2, in=3, out=4, bias: 2*T*in*out + T*out = 48 + 8 = 56 flops;
     * bytes 4 * (x 6 + W 12 + b 4 + y 8) = 120; reduction over in = 3.
     * accumulate adds T*out flops (64) and reads y once more: 4 * 38 = 152. */
    hy_linear_shape lin = {.T = 2, .in = 3, .out = 4, .has_bias = 1};
    CHECK_COST(hy_linear_cost(&lin), 56, 120, 0, 3);
    lin.accumulate = 1;
    CHECK_COST(hy_linear_cost(&lin), 64, 152, 0, 3);
    /* W stored as bf16: its 12 elements are 2 bytes each,
     * 4 * (x 6 + b 4 + y 8 + y read 8) + 2 * 12 = 128; flops unchanged */
    lin.w_dtype = HY_BF16;
    CHECK_COST(hy_linear_cost(&lin), 64, 128, 0, 3);

    /* rmsnorm T=2, D=8: per row 2D (squares) + 4 (/D, +eps, sqrt, 1/r) + 2D
     * (x*r*w) = 36, so 72; bytes 4 * (x 16 + w 8 + y 16) = 160 */
    hy_rmsnorm_shape rms = {.T = 2, .D = 8, .eps = 1e-6f};
    CHECK_COST(hy_rmsnorm_cost(&rms), 72, 160, 0, 8);

    /* conv1d T=3, C=2, K=4, bias, SiLU: per output 2K + 1 + 3 = 12, 6 outputs
     * = 72; bytes 4 * (x 6 + w 8 + b 2 + state in 8 + out 8 + y 6) = 152;
     * 6 SiLU exps */
    hy_conv1d_shape conv = {.T = 3, .C = 2, .K = 4, .has_bias = 1, .silu = 1};
    CHECK_COST(hy_conv1d_cost(&conv), 72, 152, 6, 4);

    /* scan T=2, D=3, N=4, z and dt_bias:
     * A: 2*D*N = 24; per (t,d): softplus 2 + bias 1 + dt*u 1 + D skip 2 + gate 4
     * = 10, per (t,d,n) 7 -> 6 * (10 + 28) = 228; total 252.
     * bytes 4 * (u 6 + delta 6 + B,C 16 + z 6 + A_log 12 + D 3 + dt_bias 3
     *            + state 24 + y 6) = 4 * 82 = 328
     * exps: A 12 + dA 24 + softplus 2*6 + silu 6 = 54; reduction T + N = 6 */
    hy_scan_shape scan = {.T = 2, .D = 3, .N = 4, .has_z = 1, .has_dt_bias = 1};
    CHECK_COST(hy_scan_cost(&scan), 252, 328, 54, 6);

    /* ssd T=2, H=2, P=3, G=1, N=4, z, D, dt_bias:
     * A 2*H = 4; per (t,h) 2 + 1 + 2 = 5; per (t,h,p) 1 + 2 + 4 + 5N = 27
     * -> 4 + 4 * (5 + 3 * 27) = 348
     * bytes 4 * (x 12 + dt 4 + A_log 2 + B,C 16 + D 2 + z 12 + dt_bias 2
     *            + state 48 + y 12) = 440
     * exps: A 2 + 3 per (t,h) 12 + silu 12 = 26; reduction 6 */
    hy_ssd_shape ssd = {.T = 2, .H = 2, .P = 3, .G = 1, .N = 4, .chunk = 2,
                        .has_z = 1, .has_D = 1, .has_dt_bias = 1};
    CHECK_COST(hy_ssd_cost(&ssd), 348, 440, 26, 6);

    /* attention T=2, nH=2, nKV=1, hd=4, pos0=3: tokens at 3 and 4 see 4 and 5
     * keys (9).  flops nH * (9 * (4hd + 4) + T*hd) = 2 * (180 + 8) = 376.
     * bytes 4 * (q 16 + new k,v 16 + into cache 16 + old rows 0..2: 2*3*4 = 24
     *            + out 16) = 352; 18 exps; reduction 5 keys + hd 4 = 9 */
    hy_attention_shape att = {.T = 2, .nH = 2, .nKV = 1, .hd = 4, .pos0 = 3, .cap = 8,
                              .scale = 0.5f};
    CHECK_COST(hy_attention_cost(&att), 376, 352, 18, 9);
    CHECK(hy_attention_keys_seen(&att, 0) == 1 && hy_attention_keys_seen(&att, 5) == 6);
    /* bf16 cache: the 16 new elements written and the 24 old ones read are
     * 2 bytes: 4 * (q 16 + new k,v 16 + out 16) + 2 * (16 + 24) = 272 */
    att.kv_dtype = HY_BF16;
    CHECK_COST(hy_attention_cost(&att), 376, 272, 18, 9);
    att.kv_dtype = HY_F32;
    /* window 2: 2 keys each (4): flops 2 * (4 * 20 + 8) = 176; one old row
     * (position 2): bytes 4 * (16 + 16 + 16 + 8 + 16) = 288; reduction 2 + 4 */
    att.window = 2;
    CHECK_COST(hy_attention_cost(&att), 176, 288, 8, 6);
    CHECK(hy_attention_keys_seen(&att, 0) == 1 && hy_attention_keys_seen(&att, 5) == 2);

    /* moe T=1, H=4, I=8, E=4, k=2: router 2*E*H 32 + softmax 4E 16 +
     * k * (expert 6HI + 4I = 224, combine 2H = 8) = 48 + 464 = 512.
     * Only min(E, T*k) = 2 experts' weights can be touched:
     * bytes 4 * (x 4 + router 16 + 2 * 3 * 32 + y 4) = 864; exps E + k*I = 20 */
    hy_moe_shape moe = {.T = 1, .H = 4, .I = 8, .E = 4, .k = 2};
    CHECK_COST(hy_moe_cost(&moe), 512, 864, 20, 12);
    /* T=3: 6 > E, so all 4 experts: 4 * (12 + 16 + 4 * 96 + 12) = 1696 */
    moe.T = 3;
    CHECK_NEAR(hy_moe_cost(&moe).bytes, 1696, 0);

    /* mlp T=2, H=4, I=8, accumulate: 2 * (6HI + 4I) + T*H = 448 + 8 = 456;
     * bytes 4 * (x 8 + 3 * 32 + y 8 + y read 8) = 480; 16 SiLU exps */
    hy_mlp_shape mlp = {.T = 2, .H = 4, .I = 8, .accumulate = 1};
    CHECK_COST(hy_mlp_cost(&mlp), 456, 480, 16, 12);

    hy_cost c = {.flops = 10, .bytes = 4};
    CHECK_NEAR(hy_cost_intensity(c), 2.5, 0);
    c.bytes = 0;
    CHECK(hy_cost_intensity(c) == 0.0);
}

static void test_tolerance_shape(void)
{
    for (int f = 0; f < HY_FAM_COUNT; f++) {
        double prev = 0;
        for (double n = 1; n <= 1 << 20; n *= 4) {
            double t = hy_tolerance((hy_family)f, n, HY_F32);
            CHECK(t > prev);
            prev = t;
        }
        double t32 = hy_tolerance((hy_family)f, 256, HY_F32);
        double t16 = hy_tolerance((hy_family)f, 256, HY_F16);
        double tb16 = hy_tolerance((hy_family)f, 256, HY_BF16);
        CHECK(t32 < t16 && t16 < tb16);
        /* narrower operands add the same number (8 to 32) of roundings of
         * their eps to the fp32 rule, whatever the reduction length */
        CHECK_NEAR((tb16 - t32) / (t16 - t32), 8.0, 1e-9);
        CHECK(tb16 - t32 >= 8.0 / 256.0 && tb16 - t32 <= 32.0 / 256.0);
        CHECK_NEAR(hy_tolerance((hy_family)f, 1 << 20, HY_BF16) - hy_tolerance((hy_family)f, 1 << 20, HY_F32),
                   tb16 - t32, 1e-12);
        CHECK(t32 < 1e-3); /* fp32 stays tight enough to catch bugs */
        CHECK(tb16 < 0.2); /* bf16 operands: a zero or wrong output still fails */
    }
}

/* ---- calibration: honest float kernels pass with margin, buggy ones fail --- */

static uint64_t rng = 88172645463325252ull;
static float urand(void) /* in [-1, 1) */
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (float)((double)(rng >> 11) / 9007199254740992.0 * 2.0 - 1.0);
}


/* linear accumulating in float, in order; `skip` drops term i == skip */
static void float_linear(int64_t T, int64_t in, int64_t out, const float *x, const float *w,
                         float *y, int64_t skip)
{
    for (int64_t t = 0; t < T; t++)
        for (int64_t o = 0; o < out; o++) {
            float acc = 0.0f;
            for (int64_t i = 0; i < in; i++)
                if (i != skip) acc += x[t * in + i] * w[o * in + i];
            y[t * out + o] = acc;
        }
}

static void test_calibration_linear(void)
{
    hy_error err = {{0}};
    enum { T = 4, IN = 4096, OUT = 16 };
    float *x = malloc(sizeof(float) * T * IN), *w = malloc(sizeof(float) * OUT * IN);
    float ref[T * OUT], got[T * OUT];
    for (int i = 0; i < T * IN; i++) x[i] = urand();
    for (int i = 0; i < OUT * IN; i++) w[i] = urand();
    hy_linear_shape s = {.T = T, .in = IN, .out = OUT};
    hy_linear_args a = {.x = x, .w = w, .y = ref};
    CHECK_OK(hy_ref_linear(&s, &a, &err), &err);
    double tol = hy_tolerance(HY_FAM_LINEAR, hy_linear_cost(&s).reduction_len, HY_F32);

    float_linear(T, IN, OUT, x, w, got, -1);
    double e_ok = hy_test_rel_error(got, ref, (size_t)T * OUT);
    printf("  linear in=%d: float kernel error %.3g, tolerance %.3g\n", IN, e_ok, tol);
    CHECK(e_ok * 10 <= tol);

    float_linear(T, IN, OUT, x, w, got, 1234); /* one term of 4096 missing */
    double e_bug = hy_test_rel_error(got, ref, (size_t)T * OUT);
    printf("  linear in=%d: one missing term gives %.3g\n", IN, e_bug);
    CHECK(e_bug > 10 * tol);
    free(x);
    free(w);
}

/* bf16 operands (a vdpbf16ps kernel): W stored as bf16 (the reference
 * reads it exactly), x rounded to bf16 by the kernel, fp32 sums.  The
 * error stays a few bf16 roundings whatever the length; the bf16
 * tolerance passes it with margin and still fails a kernel that loses
 * every second product (an odd-lane bug of a pairwise dot instruction). */
static void test_calibration_linear_bf16(void)
{
    hy_error err = {{0}};
    enum { T = 4, IN = 4096, OUT = 16 };
    float *x = malloc(sizeof(float) * T * IN), *xr = malloc(sizeof(float) * T * IN);
    float *w = malloc(sizeof(float) * OUT * IN);
    uint16_t *wb = malloc(sizeof(uint16_t) * OUT * IN);
    float ref[T * OUT], got[T * OUT];
    for (int i = 0; i < T * IN; i++) x[i] = urand(), xr[i] = hy_bf16_to_f32(hy_f32_to_bf16(x[i]));
    for (int i = 0; i < OUT * IN; i++) wb[i] = hy_f32_to_bf16(urand()), w[i] = hy_bf16_to_f32(wb[i]);
    hy_linear_shape s = {.T = T, .in = IN, .out = OUT, .w_dtype = HY_BF16};
    hy_linear_args a = {.x = x, .w_bf16 = wb, .y = ref};
    CHECK_OK(hy_ref_linear(&s, &a, &err), &err);
    double tol = hy_tolerance(HY_FAM_LINEAR, hy_linear_cost(&s).reduction_len, HY_BF16);
    CHECK(tol < 0.04); /* 8 bf16 roundings + the fp32 terms */

    float_linear(T, IN, OUT, xr, w, got, -1);
    double e_ok = hy_test_rel_error(got, ref, (size_t)T * OUT);
    printf("  linear in=%d, bf16 operands: error %.3g, tolerance %.3g\n", IN, e_ok, tol);
    CHECK(e_ok * 4 <= tol);

    for (int i = 0; i < T * IN; i += 2) xr[i + 1] = 0.0f; /* every second product lost */
    float_linear(T, IN, OUT, xr, w, got, -1);
    double e_bug = hy_test_rel_error(got, ref, (size_t)T * OUT);
    printf("  linear in=%d, bf16 operands, odd products lost: %.3g\n", IN, e_bug);
    CHECK(e_bug > 4 * tol);
    free(x);
    free(xr);
    free(w);
    free(wb);
}

static void test_calibration_rmsnorm(void)
{
    hy_error err = {{0}};
    enum { T = 4, D = 4096 };
    float *x = malloc(sizeof(float) * T * D), *w = malloc(sizeof(float) * D);
    float *ref = malloc(sizeof(float) * T * D), *got = malloc(sizeof(float) * T * D);
    for (int i = 0; i < T * D; i++) x[i] = urand() * 3.0f;
    for (int i = 0; i < D; i++) w[i] = 1.0f + 0.1f * urand();
    hy_rmsnorm_shape s = {.T = T, .D = D, .eps = 1e-6f};
    hy_rmsnorm_args a = {.x = x, .w = w, .y = ref};
    CHECK_OK(hy_ref_rmsnorm(&s, &a, &err), &err);
    double tol = hy_tolerance(HY_FAM_RMSNORM, hy_rmsnorm_cost(&s).reduction_len, HY_F32);
    for (int bug = 0; bug < 2; bug++) {
        for (int t = 0; t < T; t++) {
            float ss = 0.0f;
            for (int i = 0; i < D; i++) ss += x[t * D + i] * x[t * D + i];
            float r = 1.0f / sqrtf(ss / (float)D + 1e-6f);
            for (int i = 0; i < D; i++) /* the bug: ignore the weight */
                got[t * D + i] = (bug ? 1.0f : w[i]) * (x[t * D + i] * r);
        }
        double e = hy_test_rel_error(got, ref, (size_t)T * D);
        printf("  rmsnorm D=%d, %s: error %.3g, tolerance %.3g\n", D,
               bug ? "weight ignored" : "float kernel", e, tol);
        CHECK(bug ? e > 10 * tol : e * 10 <= tol);
    }
    free(x), free(w), free(ref), free(got);
}

/* scan in float (expf, log1pf), as a straightforward backend would write it;
 * bug = 1 forgets the D skip of channel 0 */
static void float_scan(int64_t T, int64_t D, int64_t N, const float *u, const float *delta,
                       const float *A_log, const float *B, const float *C, const float *Dskip,
                       const float *z, const float *dt_bias, float *y, int bug)
{
    for (int64_t d = 0; d < D; d++) {
        float h[64] = {0};
        for (int64_t t = 0; t < T; t++) {
            float v = delta[t * D + d] + dt_bias[d];
            float dt = v > 20.0f ? v : log1pf(expf(v));
            float acc = 0.0f;
            for (int64_t n = 0; n < N; n++) {
                h[n] = expf(dt * -expf(A_log[d * N + n])) * h[n] + dt * u[t * D + d] * B[t * N + n];
                acc += h[n] * C[t * N + n];
            }
            if (!(bug && d == 0)) acc += Dskip[d] * u[t * D + d];
            float zz = z[t * D + d];
            y[t * D + d] = acc * (zz / (1.0f + expf(-zz)));
        }
    }
}

static void test_calibration_scan(void)
{
    hy_error err = {{0}};
    enum { T = 512, D = 8, N = 16 };
    static float u[T * D], delta[T * D], B[T * N], C[T * N], z[T * D], ref[T * D], got[T * D];
    float A_log[D * N], Dskip[D], dt_bias[D];
    for (int i = 0; i < T * D; i++) u[i] = urand(), delta[i] = urand(), z[i] = 2 * urand();
    for (int i = 0; i < T * N; i++) B[i] = urand(), C[i] = urand();
    for (int d = 0; d < D; d++) {
        Dskip[d] = 1.0f;
        dt_bias[d] = -3.0f + 0.5f * urand(); /* dt ~ 0.03 .. 0.1, long memory */
        for (int n = 0; n < N; n++) A_log[d * N + n] = logf((float)(n + 1));
    }
    hy_scan_shape s = {.T = T, .D = D, .N = N, .has_z = 1, .has_dt_bias = 1};
    hy_scan_args a = {.u = u, .delta = delta, .A_log = A_log, .B = B, .C = C, .Dskip = Dskip,
                      .z = z, .dt_bias = dt_bias, .y = ref};
    CHECK_OK(hy_ref_scan(&s, &a, &err), &err);
    double tol = hy_tolerance(HY_FAM_SCAN, hy_scan_cost(&s).reduction_len, HY_F32);
    for (int bug = 0; bug < 2; bug++) {
        float_scan(T, D, N, u, delta, A_log, B, C, Dskip, z, dt_bias, got, bug);
        double e = hy_test_rel_error(got, ref, (size_t)T * D);
        printf("  scan T=%d N=%d, %s: error %.3g, tolerance %.3g\n", T, N,
               bug ? "D skip missing on one channel" : "float kernel", e, tol);
        CHECK(bug ? e > 10 * tol : e * 10 <= tol);
    }
}

/* attention in float with a two-pass softmax; bug = 1 lets a query see one
 * key beyond its causal limit (the classic off-by-one mask) */
static void test_calibration_attention(void)
{
    hy_error err = {{0}};
    enum { T = 256, nH = 2, hd = 64, CAP = 256 };
    static float q[T * nH * hd], k[T * hd], v[T * hd], kc[CAP * hd], vc[CAP * hd];
    static float ref[T * nH * hd], got[T * nH * hd];
    for (int i = 0; i < T * nH * hd; i++) q[i] = urand();
    for (int i = 0; i < T * hd; i++) k[i] = urand(), v[i] = urand();
    hy_attention_shape s = {.T = T, .nH = nH, .nKV = 1, .hd = hd, .pos0 = 0, .cap = CAP,
                            .scale = 1.0f / 8.0f};
    hy_attention_args a = {.q = q, .k = k, .v = v, .k_cache = kc, .v_cache = vc, .out = ref};
    CHECK_OK(hy_ref_attention(&s, &a, &err), &err);
    double tol = hy_tolerance(HY_FAM_ATTENTION, hy_attention_cost(&s).reduction_len, HY_F32);
    static float p[T + 1];
    for (int bug = 0; bug < 2; bug++) {
        for (int t = 0; t < T; t++)
            for (int h = 0; h < nH; h++) {
                int last = bug && t + 1 < T ? t + 1 : t;
                float m = -INFINITY, sum = 0.0f;
                for (int j = 0; j <= last; j++) {
                    float dot = 0.0f;
                    for (int i = 0; i < hd; i++) dot += q[(t * nH + h) * hd + i] * k[j * hd + i];
                    p[j] = dot * s.scale;
                    m = fmaxf(m, p[j]);
                }
                for (int j = 0; j <= last; j++) sum += (p[j] = expf(p[j] - m));
                for (int i = 0; i < hd; i++) {
                    float acc = 0.0f;
                    for (int j = 0; j <= last; j++) acc += p[j] * v[j * hd + i];
                    got[(t * nH + h) * hd + i] = acc / sum;
                }
            }
        double e = hy_test_rel_error(got, ref, (size_t)T * nH * hd);
        printf("  attention T=%d hd=%d, %s: error %.3g, tolerance %.3g\n", T, hd,
               bug ? "one future key visible" : "float kernel", e, tol);
        CHECK(bug ? e > 10 * tol : e * 10 <= tol);
    }
}

static void test_checks(void)
{
    hy_error err = {{0}};
    hy_linear_shape lin = {.T = 1, .in = 1, .out = 1};
    CHECK_OK(hy_linear_check(&lin, &err), &err);
    lin.out = 0;
    CHECK_FAILS(hy_linear_check(&lin, &err), &err, "out");
    lin.out = 1, lin.T = -3;
    CHECK_FAILS(hy_linear_check(&lin, &err), &err, "T");
    CHECK_FAILS(hy_linear_check(NULL, &err), &err, "NULL");
    lin.T = 1, lin.w_dtype = HY_BF16;
    CHECK_OK(hy_linear_check(&lin, &err), &err);
    lin.w_dtype = HY_F16; /* not a storage of the contract */
    CHECK_FAILS(hy_linear_check(&lin, &err), &err, "linear: w_dtype must be f32 or bf16 (got f16)");

    hy_rmsnorm_shape rms = {.T = 1, .D = 4, .eps = 1e-5f};
    CHECK_OK(hy_rmsnorm_check(&rms, &err), &err);
    rms.eps = NAN;
    CHECK_FAILS(hy_rmsnorm_check(&rms, &err), &err, "eps");

    hy_conv1d_shape conv = {.T = 1, .C = 4, .K = 4};
    CHECK_OK(hy_conv1d_check(&conv, &err), &err);
    conv.C = 0;
    CHECK_FAILS(hy_conv1d_check(&conv, &err), &err, "C");

    hy_scan_shape scan = {.T = 1, .D = 4, .N = 16};
    CHECK_OK(hy_scan_check(&scan, &err), &err);
    scan.N = 0;
    CHECK_FAILS(hy_scan_check(&scan, &err), &err, "N");

    hy_ssd_shape ssd = {.T = 8, .H = 4, .P = 2, .G = 2, .N = 4, .chunk = 4};
    CHECK_OK(hy_ssd_check(&ssd, &err), &err);
    ssd.G = 3;
    CHECK_FAILS(hy_ssd_check(&ssd, &err), &err, "G (3) must divide H (4)");
    ssd.G = 2, ssd.chunk = 0;
    CHECK_FAILS(hy_ssd_check(&ssd, &err), &err, "chunk");

    hy_attention_shape att = {.T = 4, .nH = 8, .nKV = 2, .hd = 16, .pos0 = 4, .cap = 8,
                              .scale = 0.25f};
    CHECK_OK(hy_attention_check(&att, &err), &err);
    att.nKV = 3;
    CHECK_FAILS(hy_attention_check(&att, &err), &err, "nKV (3) must divide nH (8)");
    att.nKV = 2, att.cap = 7;
    CHECK_FAILS(hy_attention_check(&att, &err), &err, "cap (7) must be >= pos0 + T");
    att.cap = 8, att.pos0 = -1;
    CHECK_FAILS(hy_attention_check(&att, &err), &err, "pos0");
    att.pos0 = 0, att.window = -1;
    CHECK_FAILS(hy_attention_check(&att, &err), &err, "window");
    att.window = 0, att.hd = 0;
    CHECK_FAILS(hy_attention_check(&att, &err), &err, "hd");
    att.hd = 16, att.kv_dtype = HY_BF16;
    CHECK_OK(hy_attention_check(&att, &err), &err);
    att.kv_dtype = (hy_dtype)7;
    CHECK_FAILS(hy_attention_check(&att, &err), &err, "attention: kv_dtype must be f32 or bf16");

    hy_moe_shape moe = {.T = 1, .H = 4, .I = 8, .E = 4, .k = 4};
    CHECK_OK(hy_moe_check(&moe, &err), &err);
    moe.k = 5;
    CHECK_FAILS(hy_moe_check(&moe, &err), &err, "k must be in [1, E = 4]");
    moe.k = 0;
    CHECK_FAILS(hy_moe_check(&moe, &err), &err, "k must be");
    moe.k = 1, moe.E = 0;
    CHECK_FAILS(hy_moe_check(&moe, &err), &err, "E");

    hy_mlp_shape mlp = {.T = 1, .H = 4, .I = 8};
    CHECK_OK(hy_mlp_check(&mlp, &err), &err);
    mlp.H = 0;
    CHECK_FAILS(hy_mlp_check(&mlp, &err), &err, "H");
}

int main(void)
{
    test_costs();
    test_tolerance_shape();
    test_calibration_linear();
    test_calibration_linear_bf16();
    test_calibration_rmsnorm();
    test_calibration_scan();
    test_calibration_attention();
    test_checks();
    return hy_test_finish();
}
