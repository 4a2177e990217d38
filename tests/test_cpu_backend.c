/* test_cpu_backend.c — the portable cpu backend against the reference
 * kernels, every variant of every family in its table, on shapes around
 * the kernels' block sizes and the edge cases of each contract (T = 1,
 * GQA, sliding windows, top-k = E, chunks that do not divide T, strides,
 * accumulate, continuation with state: two calls == one call); plus the
 * registry (find, best, variants, select with environment overrides) and
 * the memory ops.  Metric: max|got - ref| / max|ref| against
 * hy_tolerance(family, cost.reduction_len, HY_F32). */
#include "hy_test.h"

#include "backend.h"
#include "cpu/cpu_backend.h"
#include "hy_reference.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const hy_backend *B;
static hy_exec *EX;

/* ---- helpers ------------------------------------------------------------ */

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static float frand(float lo, float hi) /* uniform in [lo, hi) */
{
    rng_state ^= rng_state << 13, rng_state ^= rng_state >> 7, rng_state ^= rng_state << 17;
    return lo + (hi - lo) * (float)((rng_state >> 40) * (1.0 / 16777216.0));
}

static float *rand_buf(size_t n, float lo, float hi)
{
    float *p = malloc((n ? n : 1) * sizeof *p);
    for (size_t i = 0; i < n; i++) p[i] = frand(lo, hi);
    return p;
}

static float *copy_buf(const float *src, size_t n)
{
    float *p = malloc((n ? n : 1) * sizeof *p);
    memcpy(p, src, n * sizeof *p);
    return p;
}

/* A workspace of exactly `bytes` (so ASan sees any overrun), filled with
 * NaN so that reading scratch before writing it shows in the result. */
static void *workspace(size_t bytes)
{
    if (!bytes) return NULL;
    float *w = malloc(bytes);
    for (size_t i = 0; i < bytes / sizeof(float); i++) w[i] = NAN;
    return w;
}


/* Records one comparison: label says family/variant and the shape. */
static void check_close(const char *label, const char *what, const float *got, const float *ref,
                        size_t n, double tol, int line)
{
    double e = hy_test_rel_error(got, ref, n);
    int ok = e <= tol;
    char msg[256];
    snprintf(msg, sizeof msg, "%s %s: error %.3g, tolerance %.3g", label, what, e, tol);
    if (!ok || getenv("HYBENCH_TEST_VERBOSE")) printf("  %s\n", msg);
    hy_test_record(ok, __FILE__, line, msg);
}

static void check_rc(int rc, const hy_error *err, const char *label, int line)
{
    char msg[1024];
    snprintf(msg, sizeof msg, "%s runs (rc %d: %s)", label, rc, rc ? err->msg : "ok");
    if (rc) printf("  %s\n", msg);
    hy_test_record(rc == 0, __FILE__, line, msg);
}

static size_t variants_of(hy_family f, const hy_kernel_variant **out)
{
    size_t n = hy_backend_variants(B, f, out, 8);
    CHECK(n >= 1 && n <= 8);
    return n < 8 ? n : 8;
}

/* ---- linear ------------------------------------------------------------- */

static void test_linear(int64_t T, int64_t in, int64_t out, int bias, int acc, int64_t xs,
                        int64_t ys)
{
    hy_linear_shape s = {.T = T, .in = in, .out = out, .has_bias = bias, .accumulate = acc};
    const int64_t ldx = xs ? xs : in, ldy = ys ? ys : out;
    float *x = rand_buf((size_t)(T * ldx), -1, 1), *w = rand_buf((size_t)(out * in), -1, 1);
    float *b = rand_buf((size_t)out, -1, 1), *y0 = rand_buf((size_t)(T * ldy), -1, 1);
    float *yr = copy_buf(y0, (size_t)(T * ldy));
    hy_error err = {{0}};
    hy_linear_args a = {x, xs, w, bias ? b : NULL, yr, ys, NULL};
    CHECK_OK(hy_ref_linear(&s, &a, &err), &err);
    double tol = hy_tolerance(HY_FAM_LINEAR, hy_linear_cost(&s).reduction_len, HY_F32);
    const hy_kernel_variant *v[8];
    for (size_t i = 0, n = variants_of(HY_FAM_LINEAR, v); i < n; i++) {
        char label[160];
        snprintf(label, sizeof label, "linear/%s T=%lld in=%lld out=%lld bias=%d acc=%d", v[i]->name,
                 (long long)T, (long long)in, (long long)out, bias, acc);
        float *y = copy_buf(y0, (size_t)(T * ldy));
        a.y = y;
        void *ws = v[i]->impl.linear.workspace ? workspace(v[i]->impl.linear.workspace(&s)) : NULL;
        check_rc(v[i]->impl.linear.run(EX, &s, &a, ws, &err), &err, label, __LINE__);
        check_close(label, "y", y, yr, (size_t)(T * ldy), tol, __LINE__); /* padding included */
        free(ws), free(y);
    }
    free(x), free(w), free(b), free(y0), free(yr);
}

/* ---- rmsnorm ------------------------------------------------------------ */

static void test_rmsnorm(int64_t T, int64_t D, int in_place, int64_t xs, int64_t ys)
{
    hy_rmsnorm_shape s = {.T = T, .D = D, .eps = 1e-6f};
    const int64_t ldx = xs ? xs : D, ldy = in_place ? ldx : (ys ? ys : D);
    float *x = rand_buf((size_t)(T * ldx), -3, 3), *w = rand_buf((size_t)D, 0.5f, 1.5f);
    float *yr = rand_buf((size_t)(T * ldy), -1, 1), *y0 = copy_buf(yr, (size_t)(T * ldy));
    hy_error err = {{0}};
    hy_rmsnorm_args a = {x, xs, w, yr, in_place ? xs : ys};
    CHECK_OK(hy_ref_rmsnorm(&s, &a, &err), &err);
    double tol = hy_tolerance(HY_FAM_RMSNORM, hy_rmsnorm_cost(&s).reduction_len, HY_F32);
    const hy_kernel_variant *v[8];
    for (size_t i = 0, n = variants_of(HY_FAM_RMSNORM, v); i < n; i++) {
        char label[160];
        snprintf(label, sizeof label, "rmsnorm/%s T=%lld D=%lld in_place=%d", v[i]->name,
                 (long long)T, (long long)D, in_place);
        float *xin = copy_buf(x, (size_t)(T * ldx));
        float *y = in_place ? xin : copy_buf(y0, (size_t)(T * ldy));
        hy_rmsnorm_args av = {xin, xs, w, y, in_place ? xs : ys};
        check_rc(v[i]->impl.rmsnorm.run(EX, &s, &av, NULL, &err), &err, label, __LINE__);
        if (in_place) { /* compare the D used columns of every row */
            for (int64_t t = 0; t < T; t++)
                check_close(label, "y row", y + t * ldx, yr + t * ldx, (size_t)D, tol, __LINE__);
        } else {
            check_close(label, "y", y, yr, (size_t)(T * ldy), tol, __LINE__);
            free(y);
        }
        free(xin);
    }
    free(x), free(w), free(yr), free(y0);
}

/* ---- conv1d ------------------------------------------------------------- */

/* One reference call over T; the variant over T1 then T - T1 (T1 = T: one call). */
static void test_conv1d(int64_t T, int64_t T1, int64_t C, int64_t K, int bias, int silu,
                        int64_t xs, int with_state)
{
    hy_conv1d_shape s = {.T = T, .C = C, .K = K, .has_bias = bias, .silu = silu};
    const int64_t ldx = xs ? xs : C;
    float *x = rand_buf((size_t)(T * ldx), -2, 2), *w = rand_buf((size_t)(C * K), -1, 1);
    float *b = rand_buf((size_t)C, -1, 1), *st0 = rand_buf((size_t)(C * K), -1, 1);
    float *yr = rand_buf((size_t)(T * C), -1, 1), *str = copy_buf(st0, (size_t)(C * K));
    hy_error err = {{0}};
    hy_conv1d_args a = {x, xs, w, bias ? b : NULL, with_state ? str : NULL, yr};
    CHECK_OK(hy_ref_conv1d(&s, &a, &err), &err);
    double tol = hy_tolerance(HY_FAM_CONV1D, hy_conv1d_cost(&s).reduction_len, HY_F32);
    const hy_kernel_variant *v[8];
    for (size_t i = 0, n = variants_of(HY_FAM_CONV1D, v); i < n; i++) {
        char label[160];
        snprintf(label, sizeof label, "conv1d/%s T=%lld (%lld+%lld) C=%lld K=%lld state=%d",
                 v[i]->name, (long long)T, (long long)T1, (long long)(T - T1), (long long)C,
                 (long long)K, with_state);
        float *y = rand_buf((size_t)(T * C), -1, 1), *st = copy_buf(st0, (size_t)(C * K));
        for (int part = 0; part < 2; part++) {
            const int64_t t0 = part ? T1 : 0, tn = part ? T - T1 : T1;
            if (tn == 0) continue;
            hy_conv1d_shape sp = s;
            sp.T = tn;
            hy_conv1d_args ap = {x + t0 * ldx, xs, w, bias ? b : NULL, with_state ? st : NULL,
                                 y + t0 * C};
            void *ws = v[i]->impl.conv1d.workspace ? workspace(v[i]->impl.conv1d.workspace(&sp))
                                                   : NULL;
            check_rc(v[i]->impl.conv1d.run(EX, &sp, &ap, ws, &err), &err, label, __LINE__);
            free(ws);
        }
        check_close(label, "y", y, yr, (size_t)(T * C), tol, __LINE__);
        if (with_state) check_close(label, "state", st, str, (size_t)(C * K), tol, __LINE__);
        free(y), free(st);
    }
    free(x), free(w), free(b), free(st0), free(yr), free(str);
}

/* ---- scan --------------------------------------------------------------- */

static void test_scan(int64_t T, int64_t T1, int64_t D, int64_t N, int has_z, int has_bias,
                      int64_t bcs, int64_t zs, int with_state, float delta_hi)
{
    hy_scan_shape s = {.T = T, .D = D, .N = N, .has_z = has_z, .has_dt_bias = has_bias};
    const int64_t ldbc = bcs ? bcs : N, ldz = zs ? zs : D;
    float *u = rand_buf((size_t)(T * D), -1, 1), *delta = rand_buf((size_t)(T * D), -3, delta_hi);
    float *A_log = rand_buf((size_t)(D * N), -1, 1.5f), *Bm = rand_buf((size_t)(T * ldbc), -1, 1);
    float *Cm = rand_buf((size_t)(T * ldbc), -1, 1), *Dsk = rand_buf((size_t)D, -1, 1);
    float *z = rand_buf((size_t)(T * ldz), -2, 2), *dtb = rand_buf((size_t)D, -1, 1);
    float *st0 = rand_buf((size_t)(D * N), -1, 1), *str = copy_buf(st0, (size_t)(D * N));
    float *yr = rand_buf((size_t)(T * D), -1, 1);
    hy_error err = {{0}};
    hy_scan_args a = {.u = u, .delta = delta, .A_log = A_log, .B = Bm, .C = Cm,
                      .bc_stride = bcs, .Dskip = Dsk, .z = has_z ? z : NULL, .z_stride = zs,
                      .dt_bias = has_bias ? dtb : NULL, .state = with_state ? str : NULL,
                      .y = yr};
    CHECK_OK(hy_ref_scan(&s, &a, &err), &err);
    double tol = hy_tolerance(HY_FAM_SCAN, hy_scan_cost(&s).reduction_len, HY_F32);
    const hy_kernel_variant *v[8];
    for (size_t i = 0, n = variants_of(HY_FAM_SCAN, v); i < n; i++) {
        char label[160];
        snprintf(label, sizeof label, "scan/%s T=%lld (%lld+%lld) D=%lld N=%lld z=%d bias=%d",
                 v[i]->name, (long long)T, (long long)T1, (long long)(T - T1), (long long)D,
                 (long long)N, has_z, has_bias);
        float *y = rand_buf((size_t)(T * D), -1, 1), *st = copy_buf(st0, (size_t)(D * N));
        for (int part = 0; part < 2; part++) {
            const int64_t t0 = part ? T1 : 0, tn = part ? T - T1 : T1;
            if (tn == 0) continue;
            hy_scan_shape sp = s;
            sp.T = tn;
            hy_scan_args ap = a;
            ap.u = u + t0 * D, ap.delta = delta + t0 * D, ap.B = Bm + t0 * ldbc;
            ap.C = Cm + t0 * ldbc, ap.z = has_z ? z + t0 * ldz : NULL;
            ap.state = with_state ? st : NULL, ap.y = y + t0 * D;
            void *ws = v[i]->impl.scan.workspace ? workspace(v[i]->impl.scan.workspace(&sp)) : NULL;
            check_rc(v[i]->impl.scan.run(EX, &sp, &ap, ws, &err), &err, label, __LINE__);
            free(ws);
        }
        check_close(label, "y", y, yr, (size_t)(T * D), tol, __LINE__);
        if (with_state) check_close(label, "state", st, str, (size_t)(D * N), tol, __LINE__);
        free(y), free(st);
    }
    free(u), free(delta), free(A_log), free(Bm), free(Cm), free(Dsk), free(z), free(dtb);
    free(st0), free(str), free(yr);
}

/* ---- ssd ---------------------------------------------------------------- */

static void test_ssd(int64_t T, int64_t T1, int64_t H, int64_t P, int64_t G, int64_t N,
                     int64_t Q, int has_z, int has_D, int has_bias, int with_state)
{
    hy_ssd_shape s = {.T = T, .H = H, .P = P, .G = G, .N = N, .chunk = Q,
                      .has_z = has_z, .has_D = has_D, .has_dt_bias = has_bias};
    float *x = rand_buf((size_t)(T * H * P), -1, 1), *dt = rand_buf((size_t)(T * H), -3, 1);
    float *A_log = rand_buf((size_t)H, -1, 1.5f), *Bm = rand_buf((size_t)(T * G * N), -1, 1);
    float *Cm = rand_buf((size_t)(T * G * N), -1, 1), *Dsk = rand_buf((size_t)H, -1, 1);
    float *z = rand_buf((size_t)(T * H * P), -2, 2), *dtb = rand_buf((size_t)H, -1, 1);
    float *st0 = rand_buf((size_t)(H * P * N), -1, 1), *str = copy_buf(st0, (size_t)(H * P * N));
    float *yr = rand_buf((size_t)(T * H * P), -1, 1);
    hy_error err = {{0}};
    hy_ssd_args a = {x, dt, A_log, Bm, Cm, has_D ? Dsk : NULL, has_z ? z : NULL,
                     has_bias ? dtb : NULL, with_state ? str : NULL, yr};
    CHECK_OK(hy_ref_ssd(&s, &a, &err), &err);
    double tol = hy_tolerance(HY_FAM_SSD, hy_ssd_cost(&s).reduction_len, HY_F32);
    const hy_kernel_variant *v[8];
    for (size_t i = 0, n = variants_of(HY_FAM_SSD, v); i < n; i++) {
        char label[160];
        snprintf(label, sizeof label,
                 "ssd/%s T=%lld (%lld+%lld) H=%lld P=%lld G=%lld N=%lld Q=%lld z=%d D=%d",
                 v[i]->name, (long long)T, (long long)T1, (long long)(T - T1), (long long)H,
                 (long long)P, (long long)G, (long long)N, (long long)Q, has_z, has_D);
        float *y = rand_buf((size_t)(T * H * P), -1, 1), *st = copy_buf(st0, (size_t)(H * P * N));
        for (int part = 0; part < 2; part++) {
            const int64_t t0 = part ? T1 : 0, tn = part ? T - T1 : T1;
            if (tn == 0) continue;
            hy_ssd_shape sp = s;
            sp.T = tn;
            hy_ssd_args ap = a;
            ap.x = x + t0 * H * P, ap.dt = dt + t0 * H, ap.B = Bm + t0 * G * N;
            ap.C = Cm + t0 * G * N, ap.z = has_z ? z + t0 * H * P : NULL;
            ap.state = with_state ? st : NULL, ap.y = y + t0 * H * P;
            void *ws = v[i]->impl.ssd.workspace ? workspace(v[i]->impl.ssd.workspace(&sp)) : NULL;
            check_rc(v[i]->impl.ssd.run(EX, &sp, &ap, ws, &err), &err, label, __LINE__);
            free(ws);
        }
        check_close(label, "y", y, yr, (size_t)(T * H * P), tol, __LINE__);
        if (with_state) check_close(label, "state", st, str, (size_t)(H * P * N), tol, __LINE__);
        free(y), free(st);
    }
    free(x), free(dt), free(A_log), free(Bm), free(Cm), free(Dsk), free(z), free(dtb);
    free(st0), free(str), free(yr);
}

/* ---- attention ---------------------------------------------------------- */

/* pos0 tokens already cached (random rows), then T new ones, the variant
 * in two calls of T1 and T - T1. */
static void test_attention(int64_t T, int64_t T1, int64_t nH, int64_t nKV, int64_t hd,
                           int64_t pos0, int64_t window)
{
    const int64_t cap = pos0 + T + 3; /* a little unused capacity */
    hy_attention_shape s = {.T = T, .nH = nH, .nKV = nKV, .hd = hd, .pos0 = pos0, .cap = cap,
                            .window = window, .scale = 1.0f / sqrtf((float)hd)};
    const size_t cache_n = (size_t)(nKV * cap * hd);
    float *q = rand_buf((size_t)(T * nH * hd), -2, 2), *k = rand_buf((size_t)(T * nKV * hd), -2, 2);
    float *vv = rand_buf((size_t)(T * nKV * hd), -1, 1);
    float *kc0 = rand_buf(cache_n, -2, 2), *vc0 = rand_buf(cache_n, -1, 1);
    float *kcr = copy_buf(kc0, cache_n), *vcr = copy_buf(vc0, cache_n);
    float *outr = rand_buf((size_t)(T * nH * hd), -1, 1);
    hy_error err = {{0}};
    hy_attention_args a = {q, k, vv, kcr, vcr, outr, NULL, NULL};
    CHECK_OK(hy_ref_attention(&s, &a, &err), &err);
    double tol = hy_tolerance(HY_FAM_ATTENTION, hy_attention_cost(&s).reduction_len, HY_F32);
    const hy_kernel_variant *v[8];
    for (size_t i = 0, n = variants_of(HY_FAM_ATTENTION, v); i < n; i++) {
        char label[160];
        snprintf(label, sizeof label,
                 "attention/%s T=%lld (%lld+%lld) nH=%lld nKV=%lld hd=%lld pos0=%lld window=%lld",
                 v[i]->name, (long long)T, (long long)T1, (long long)(T - T1), (long long)nH,
                 (long long)nKV, (long long)hd, (long long)pos0, (long long)window);
        float *kc = copy_buf(kc0, cache_n), *vc = copy_buf(vc0, cache_n);
        float *out = rand_buf((size_t)(T * nH * hd), -1, 1);
        for (int part = 0; part < 2; part++) {
            const int64_t t0 = part ? T1 : 0, tn = part ? T - T1 : T1;
            if (tn == 0) continue;
            hy_attention_shape sp = s;
            sp.T = tn, sp.pos0 = pos0 + t0;
            hy_attention_args ap = {q + t0 * nH * hd, k + t0 * nKV * hd, vv + t0 * nKV * hd, kc, vc,
                                    out + t0 * nH * hd, NULL, NULL};
            void *ws = v[i]->impl.attention.workspace
                           ? workspace(v[i]->impl.attention.workspace(&sp))
                           : NULL;
            check_rc(v[i]->impl.attention.run(EX, &sp, &ap, ws, &err), &err, label, __LINE__);
            free(ws);
        }
        check_close(label, "out", out, outr, (size_t)(T * nH * hd), tol, __LINE__);
        CHECK(memcmp(kc, kcr, cache_n * sizeof *kc) == 0); /* the cache is a copy: exact */
        CHECK(memcmp(vc, vcr, cache_n * sizeof *vc) == 0);
        free(kc), free(vc), free(out);
    }
    free(q), free(k), free(vv), free(kc0), free(vc0), free(kcr), free(vcr), free(outr);
}

/* ---- moe ---------------------------------------------------------------- */

static void test_moe(int64_t T, int64_t H, int64_t I, int64_t E, int64_t k, int acc,
                     int flat_router)
{
    hy_moe_shape s = {.T = T, .H = H, .I = I, .E = E, .k = k, .accumulate = acc};
    float *x = rand_buf((size_t)(T * H), -1, 1), *wr = rand_buf((size_t)(E * H), -1, 1);
    if (flat_router) memset(wr, 0, (size_t)(E * H) * sizeof *wr); /* all probabilities tie */
    const float **wg = malloc((size_t)E * sizeof *wg), **wu = malloc((size_t)E * sizeof *wu);
    const float **wd = malloc((size_t)E * sizeof *wd);
    for (int64_t e = 0; e < E; e++) {
        wg[e] = rand_buf((size_t)(I * H), -0.5f, 0.5f);
        wu[e] = rand_buf((size_t)(I * H), -0.5f, 0.5f);
        wd[e] = rand_buf((size_t)(H * I), -0.5f, 0.5f);
    }
    float *y0 = rand_buf((size_t)(T * H), -1, 1), *yr = copy_buf(y0, (size_t)(T * H));
    hy_error err = {{0}};
    hy_moe_args a = {x, wr, wg, wu, wd, yr};
    CHECK_OK(hy_ref_moe(&s, &a, &err), &err);
    double tol = hy_tolerance(HY_FAM_MOE, hy_moe_cost(&s).reduction_len, HY_F32);
    const hy_kernel_variant *v[8];
    for (size_t i = 0, n = variants_of(HY_FAM_MOE, v); i < n; i++) {
        char label[160];
        snprintf(label, sizeof label, "moe/%s T=%lld H=%lld I=%lld E=%lld k=%lld acc=%d flat=%d",
                 v[i]->name, (long long)T, (long long)H, (long long)I, (long long)E, (long long)k,
                 acc, flat_router);
        float *y = copy_buf(y0, (size_t)(T * H));
        a.y = y;
        void *ws = v[i]->impl.moe.workspace ? workspace(v[i]->impl.moe.workspace(&s)) : NULL;
        check_rc(v[i]->impl.moe.run(EX, &s, &a, ws, &err), &err, label, __LINE__);
        check_close(label, "y", y, yr, (size_t)(T * H), tol, __LINE__);
        free(ws), free(y);
    }
    for (int64_t e = 0; e < E; e++) free((void *)wg[e]), free((void *)wu[e]), free((void *)wd[e]);
    free(wg), free(wu), free(wd), free(x), free(wr), free(y0), free(yr);
}

/* ---- mlp ---------------------------------------------------------------- */

static void test_mlp(int64_t T, int64_t H, int64_t I, int acc)
{
    hy_mlp_shape s = {.T = T, .H = H, .I = I, .accumulate = acc};
    float *x = rand_buf((size_t)(T * H), -1, 1), *wg = rand_buf((size_t)(I * H), -0.5f, 0.5f);
    float *wu = rand_buf((size_t)(I * H), -0.5f, 0.5f), *wd = rand_buf((size_t)(H * I), -0.5f, 0.5f);
    float *y0 = rand_buf((size_t)(T * H), -1, 1), *yr = copy_buf(y0, (size_t)(T * H));
    hy_error err = {{0}};
    hy_mlp_args a = {x, wg, wu, wd, yr};
    CHECK_OK(hy_ref_mlp(&s, &a, &err), &err);
    double tol = hy_tolerance(HY_FAM_MLP, hy_mlp_cost(&s).reduction_len, HY_F32);
    const hy_kernel_variant *v[8];
    for (size_t i = 0, n = variants_of(HY_FAM_MLP, v); i < n; i++) {
        char label[160];
        snprintf(label, sizeof label, "mlp/%s T=%lld H=%lld I=%lld acc=%d", v[i]->name,
                 (long long)T, (long long)H, (long long)I, acc);
        float *y = copy_buf(y0, (size_t)(T * H));
        a.y = y;
        void *ws = v[i]->impl.mlp.workspace ? workspace(v[i]->impl.mlp.workspace(&s)) : NULL;
        check_rc(v[i]->impl.mlp.run(EX, &s, &a, ws, &err), &err, label, __LINE__);
        check_close(label, "y", y, yr, (size_t)(T * H), tol, __LINE__);
        free(ws), free(y);
    }
    free(x), free(wg), free(wu), free(wd), free(y0), free(yr);
}

/* ---- registry, table and memory ops ------------------------------------- */

static void test_registry(void)
{
    size_t count = 0;
    const hy_backend *const *all = hy_backends(&count);
    CHECK(all != NULL && count >= 1);
    CHECK(all[count - 1] == &hy_backend_cpu); /* the portable backend comes last */
    CHECK(hy_backend_find("cpu") == &hy_backend_cpu);
    CHECK(hy_backend_find("no-such-backend") == NULL);
    CHECK(hy_backend_find(NULL) == NULL);
    const hy_backend *best = hy_backend_best();
    char why[256] = "";
    CHECK(best != NULL && best->probe(why, sizeof why) == 1);

    const hy_kernel_variant *v[4];
    CHECK(hy_backend_variants(B, HY_FAM_SCAN, v, 4) == 2);
    CHECK(strcmp(v[0]->name, "seq") == 0 && strcmp(v[1]->name, "chunked") == 0);
    CHECK(hy_backend_variants(B, HY_FAM_SCAN, v, 1) == 2); /* counts past max */
    CHECK(hy_backend_variants(NULL, HY_FAM_SCAN, v, 4) == 0);

    unsetenv("HYBENCH_VARIANT_SCAN");
    const hy_kernel_variant *sel = hy_backend_select_explain(B, HY_FAM_SCAN, why, sizeof why);
    CHECK(sel && strcmp(sel->name, "seq") == 0 && strcmp(why, "default") == 0);
    setenv("HYBENCH_VARIANT_SCAN", "chunked", 1);
    sel = hy_backend_select_explain(B, HY_FAM_SCAN, why, sizeof why);
    CHECK(sel && strcmp(sel->name, "chunked") == 0);
    CHECK(strcmp(why, "forced by HYBENCH_VARIANT_SCAN=chunked") == 0);
    CHECK(hy_backend_select(B, HY_FAM_SCAN) == sel);
    CHECK(strcmp(hy_backend_select(B, HY_FAM_SSD)->name, "chunked") == 0); /* other families unaffected */
    setenv("HYBENCH_VARIANT_SCAN", "foo", 1);
    sel = hy_backend_select_explain(B, HY_FAM_SCAN, why, sizeof why);
    CHECK(sel && strcmp(sel->name, "seq") == 0);
    CHECK(strcmp(why, "HYBENCH_VARIANT_SCAN=foo names no variant; using default seq") == 0);
    setenv("HYBENCH_VARIANT_ATTENTION", "naive", 1);
    CHECK(strcmp(hy_backend_select(B, HY_FAM_ATTENTION)->name, "naive") == 0);
    unsetenv("HYBENCH_VARIANT_SCAN");
    unsetenv("HYBENCH_VARIANT_ATTENTION");
    CHECK(strcmp(hy_backend_select(B, HY_FAM_ATTENTION)->name, "flash") == 0);

    hy_backend empty = {.name = "empty"}; /* no kernels: every family unsupported */
    CHECK(hy_backend_select_explain(&empty, HY_FAM_MOE, why, sizeof why) == NULL);
    CHECK(strstr(why, "not supported") != NULL);

    /* the table: every family present, names unique within a family */
    for (int f = 0; f < HY_FAM_COUNT; f++) CHECK(hy_backend_variants(B, (hy_family)f, NULL, 0) >= 1);
    for (size_t i = 0; i < B->n_kernels; i++) {
        const hy_kernel_variant *ki = &B->kernels[i];
        CHECK(ki->name && ki->isa && ki->summary && ki->impl.linear.run != NULL);
        for (size_t j = i + 1; j < B->n_kernels; j++)
            CHECK(ki->family != B->kernels[j].family || strcmp(ki->name, B->kernels[j].name) != 0);
    }
}

static void test_memory_and_identity(void)
{
    hy_error err = {{0}};
    char buf[512] = "";
    B->describe(buf, sizeof buf);
    printf("  cpu: %s\n", buf);
    CHECK(strlen(buf) > 0 && strstr(buf, "thread") != NULL);
    CHECK(hy_cpu_exec_threads(EX) >= 1);

    float *d = B->alloc(EX, 100 * sizeof(float), &err);
    CHECK(d != NULL && ((uintptr_t)d % 64) == 0);
    float h[100], back[100];
    for (int i = 0; i < 100; i++) h[i] = (float)i * 0.5f;
    CHECK_OK(B->upload(EX, d, h, sizeof h, &err), &err);
    CHECK_OK(B->synchronize(EX, &err), &err);
    CHECK_OK(B->download(EX, back, d, sizeof back, &err), &err);
    CHECK(memcmp(h, back, sizeof h) == 0);
    CHECK_OK(B->memset_zero(EX, d, 10 * sizeof(float), &err), &err);
    CHECK_OK(B->download(EX, back, d, sizeof back, &err), &err);
    CHECK(back[0] == 0.0f && back[9] == 0.0f && back[10] == 5.0f);
    B->free(EX, d);
    void *z = B->alloc(EX, 0, &err);
    CHECK(z != NULL);
    B->free(EX, z);

    /* kernels reject bad shapes and missing workspaces with a message */
    float x[4] = {0}, w[4] = {0}, y[4];
    hy_linear_shape ls = {.T = 0, .in = 2, .out = 2};
    hy_linear_args la = {x, 0, w, NULL, y, 0, NULL};
    CHECK_FAILS(hy_backend_select(B, HY_FAM_LINEAR)->impl.linear.run(EX, &ls, &la, NULL, &err),
                &err, "T");
    hy_mlp_shape ms = {.T = 1, .H = 2, .I = 2};
    hy_mlp_args ma = {x, w, w, w, y};
    CHECK_FAILS(hy_backend_select(B, HY_FAM_MLP)->impl.mlp.run(EX, &ms, &ma, NULL, &err), &err,
                "workspace");
    hy_moe_shape os = {.T = 1, .H = 2, .I = 2, .E = 2, .k = 3};
    const float *ws[2] = {w, w};
    hy_moe_args oa = {x, w, ws, ws, ws, y};
    CHECK_FAILS(hy_backend_select(B, HY_FAM_MOE)->impl.moe.run(EX, &os, &oa, NULL, &err), &err,
                "k");
    /* a workspace function asked about a bad shape answers 0, and the kernel rejects it */
    hy_ssd_shape bad = {.T = 4, .H = 1, .P = 1, .G = 1, .N = 1, .chunk = 0};
    const hy_kernel_variant *ssd = hy_backend_select(B, HY_FAM_SSD);
    CHECK(ssd->impl.ssd.workspace(&bad) == 0);
    hy_ssd_args sa = {x, x, x, x, x, NULL, NULL, NULL, NULL, y};
    CHECK_FAILS(ssd->impl.ssd.run(EX, &bad, &sa, y, &err), &err, "chunk");
}

int main(void)
{
    hy_error err = {{0}};
    B = hy_backend_find("cpu");
    CHECK(B != NULL);
    if (!B) return hy_test_finish();
    CHECK_OK(B->exec_create(&EX, &err), &err);

    test_registry();
    test_memory_and_identity();

    /* linear: GEMV (T=1), sizes around the 2x4 micro-kernel, 32-row / 64-output
     * tiles and the 256 reduction slice; strides, bias, accumulate */
    test_linear(1, 7, 5, 0, 0, 0, 0);
    test_linear(1, 64, 130, 1, 1, 0, 0);
    test_linear(3, 16, 17, 1, 0, 20, 0);
    test_linear(8, 8, 8, 0, 1, 0, 0);
    test_linear(33, 64, 65, 1, 1, 0, 70);
    test_linear(37, 300, 70, 1, 0, 301, 0);

    test_rmsnorm(1, 1, 0, 0, 0);
    test_rmsnorm(4, 16, 0, 0, 0);
    test_rmsnorm(7, 33, 1, 0, 0);
    test_rmsnorm(5, 17, 0, 20, 19);
    test_rmsnorm(3, 9, 1, 12, 0);

    /* conv1d: decode, T < K, channel blocks of 64, chunked continuation */
    test_conv1d(1, 1, 5, 4, 1, 1, 0, 1);
    test_conv1d(1, 1, 5, 4, 0, 0, 0, 0);
    test_conv1d(2, 2, 9, 4, 1, 1, 0, 1);
    test_conv1d(7, 7, 70, 4, 1, 1, 140, 1);
    test_conv1d(16, 16, 16, 1, 1, 0, 0, 1);
    test_conv1d(10, 10, 8, 3, 0, 1, 0, 0);
    test_conv1d(9, 2, 70, 4, 1, 1, 0, 1);  /* T1 < K-1 */
    test_conv1d(9, 8, 16, 4, 1, 1, 20, 1); /* prefill then a decode step */
    test_conv1d(12, 1, 8, 5, 0, 1, 0, 1);  /* decode then prefill */

    /* scan: decode, N slices beyond 64, several time chunks, strides,
     * softplus's linear branch, continuation */
    test_scan(1, 1, 4, 16, 1, 1, 0, 0, 1, 1.0f);
    test_scan(37, 37, 20, 16, 1, 1, 40, 50, 1, 1.0f);
    test_scan(70, 70, 5, 70, 0, 0, 0, 0, 1, 1.0f);
    test_scan(100, 100, 17, 8, 1, 0, 0, 0, 0, 1.0f);
    test_scan(200, 200, 3, 4, 1, 1, 0, 0, 1, 25.0f);
    test_scan(130, 61, 18, 16, 1, 1, 0, 0, 1, 1.0f);
    test_scan(40, 39, 8, 16, 1, 1, 0, 0, 1, 1.0f);

    /* ssd: decode, chunk not dividing T, chunk == T, chunk > T, groups, continuation */
    test_ssd(1, 1, 2, 4, 1, 8, 4, 1, 1, 1, 1);
    test_ssd(20, 20, 4, 8, 2, 16, 8, 1, 1, 1, 1);
    test_ssd(33, 33, 3, 5, 3, 7, 16, 0, 0, 0, 1);
    test_ssd(16, 16, 2, 16, 1, 16, 16, 1, 1, 0, 0);
    test_ssd(50, 50, 2, 4, 1, 4, 64, 0, 1, 1, 1);
    test_ssd(45, 17, 4, 8, 2, 8, 8, 1, 1, 1, 1);
    test_ssd(24, 23, 2, 4, 1, 8, 5, 1, 0, 1, 1);

    /* attention: MHA and GQA, query tiles of 16 and key tiles of 64 crossed,
     * window shorter and longer than the sequence, decode against a long
     * cache, chunked continuation */
    test_attention(20, 20, 4, 4, 16, 0, 0);
    test_attention(33, 33, 8, 2, 16, 0, 0);
    test_attention(40, 40, 4, 2, 8, 0, 5);
    test_attention(10, 10, 4, 1, 8, 0, 64);
    test_attention(70, 70, 2, 1, 8, 0, 0);
    test_attention(1, 1, 4, 2, 16, 70, 0);
    test_attention(1, 1, 4, 2, 8, 100, 30);
    test_attention(3, 3, 6, 3, 4, 130, 17);
    test_attention(50, 18, 4, 2, 8, 0, 0);
    test_attention(50, 49, 4, 4, 8, 0, 20);

    /* moe: decode, top-k = E, ties (flat router), accumulate */
    test_moe(1, 16, 8, 4, 2, 0, 0);
    test_moe(9, 8, 16, 4, 4, 1, 0);
    test_moe(20, 33, 17, 8, 2, 0, 0);
    test_moe(5, 16, 16, 6, 1, 1, 0);
    test_moe(3, 8, 8, 4, 2, 0, 1);
    test_moe(40, 16, 8, 3, 2, 1, 0);

    test_mlp(1, 16, 8, 0);
    test_mlp(9, 33, 20, 1);
    test_mlp(40, 70, 35, 0);

    B->exec_destroy(EX);
    return hy_test_finish();
}
