/* test_bf16_storage.c — bf16 storage (linear W: w_dtype, attention K/V
 * cache: kv_dtype) through every layer that is not a backend kernel: the
 * reference (bf16 == fp32 holding the widened values), the storage gate of
 * the variant table (hy_variant_storage_ok), the validation driver (bf16
 * upload, reference on the stored values, bf16 cache compared: honest
 * kernels pass, broken ones fail, fp32 kernels are refused), the
 * benchmark --shape keys and names, and the validation shape sets.
 * (The x86 kernels themselves: tests/test_x86_bf16.c.) */
#include "backend.h"
#include "hy_bench.h"
#include "hy_reference.h"
#include "hy_test.h"
#include "hy_validate.h"

#include <stdlib.h>
#include <string.h>

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static float urand(void) /* in [-1, 1) */
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (float)((double)(rng >> 11) / 9007199254740992.0 * 2.0 - 1.0);
}

static float widen(uint16_t h)
{
    return hy_bf16_to_f32(h);
}

/* ---- reference -------------------------------------------------------------- */

/* bf16 W gives exactly the result of an fp32 W holding the widened values
 * (the reference sums both in double in the same order). */
static void test_reference_linear(void)
{
    printf("reference linear, bf16 W\n");
    enum { T = 3, IN = 37, OUT = 5 };
    float x[T * IN], w[OUT * IN], b[OUT], y32[T * OUT], y16[T * OUT];
    uint16_t wb[OUT * IN];
    for (int i = 0; i < T * IN; i++) x[i] = urand();
    for (int i = 0; i < OUT * IN; i++) wb[i] = hy_f32_to_bf16(urand()), w[i] = widen(wb[i]);
    for (int i = 0; i < OUT; i++) b[i] = urand();
    for (int i = 0; i < T * OUT; i++) y32[i] = y16[i] = urand();
    hy_error err = {{0}};
    hy_linear_shape s = {.T = T, .in = IN, .out = OUT, .has_bias = 1, .accumulate = 1};
    hy_linear_args a = {.x = x, .w = w, .b = b, .y = y32};
    CHECK_OK(hy_ref_linear(&s, &a, &err), &err);
    s.w_dtype = HY_BF16;
    a = (hy_linear_args){.x = x, .w_bf16 = wb, .b = b, .y = y16};
    CHECK_OK(hy_ref_linear(&s, &a, &err), &err);
    CHECK(memcmp(y32, y16, sizeof y32) == 0);
    a.w_bf16 = NULL, a.w = w; /* bf16 shape, only the fp32 pointer */
    CHECK_FAILS(hy_ref_linear(&s, &a, &err), &err, "w_bf16");
}

/* A bf16 cache: the new rows are rounded to bf16 as they are written, and
 * the softmax sees the stored values, the new tokens' own included. */
static void test_reference_attention(void)
{
    printf("reference attention, bf16 K/V cache\n");
    enum { T = 3, NH = 4, NKV = 2, HD = 8, POS0 = 5, CAP = 10, NC = NKV * CAP * HD };
    float q[T * NH * HD], k[T * NKV * HD], v[T * NKV * HD], kr[T * NKV * HD], vr[T * NKV * HD];
    float kc[NC], vc[NC], out32[T * NH * HD], out16[T * NH * HD], out_unrounded[T * NH * HD];
    uint16_t kcb[NC], vcb[NC];
    for (int i = 0; i < T * NH * HD; i++) q[i] = 2.0f * urand();
    for (int i = 0; i < T * NKV * HD; i++) {
        k[i] = urand(), v[i] = urand();
        kr[i] = widen(hy_f32_to_bf16(k[i])), vr[i] = widen(hy_f32_to_bf16(v[i]));
    }
    for (int i = 0; i < NC; i++) {
        kcb[i] = hy_f32_to_bf16(urand()), vcb[i] = hy_f32_to_bf16(urand());
        kc[i] = widen(kcb[i]), vc[i] = widen(vcb[i]);
    }
    float kc2[NC], vc2[NC];
    memcpy(kc2, kc, sizeof kc), memcpy(vc2, vc, sizeof vc);
    hy_error err = {{0}};
    hy_attention_shape s = {.T = T, .nH = NH, .nKV = NKV, .hd = HD, .pos0 = POS0, .cap = CAP,
                            .scale = 0.35f};
    /* fp32 cache holding the widened values, new rows rounded beforehand */
    hy_attention_args a = {.q = q, .k = kr, .v = vr, .k_cache = kc, .v_cache = vc, .out = out32};
    CHECK_OK(hy_ref_attention(&s, &a, &err), &err);
    /* the same fp32 cache with unrounded new rows: a different result */
    a = (hy_attention_args){.q = q, .k = k, .v = v, .k_cache = kc2, .v_cache = vc2, .out = out_unrounded};
    CHECK_OK(hy_ref_attention(&s, &a, &err), &err);
    s.kv_dtype = HY_BF16;
    a = (hy_attention_args){.q = q, .k = k, .v = v, .k_cache_bf16 = kcb, .v_cache_bf16 = vcb,
                            .out = out16};
    CHECK_OK(hy_ref_attention(&s, &a, &err), &err);
    CHECK(memcmp(out32, out16, sizeof out32) == 0);
    CHECK(memcmp(out32, out_unrounded, sizeof out32) != 0);
    int cache_same = 1;
    for (int i = 0; i < NC; i++) cache_same &= widen(kcb[i]) == kc[i] && widen(vcb[i]) == vc[i];
    CHECK(cache_same);
    a.k_cache_bf16 = NULL, a.k_cache = kc;
    CHECK_FAILS(hy_ref_attention(&s, &a, &err), &err, "k_cache_bf16, v_cache_bf16");
}

/* ---- the storage gate ----------------------------------------------------------- */

static void test_storage_gate(void)
{
    printf("storage gate\n");
    hy_error err = {{0}};
    const hy_kernel_variant f32_lin = {.family = HY_FAM_LINEAR, .name = "plain"};
    const hy_kernel_variant bf16_lin = {.family = HY_FAM_LINEAR, .name = "narrow", .storage = HY_BF16};
    const hy_kernel_variant bf16_att = {.family = HY_FAM_ATTENTION, .name = "kv16", .storage = HY_BF16};
    const hy_kernel_variant bf16_rms = {.family = HY_FAM_RMSNORM, .name = "odd", .storage = HY_BF16};
    hy_linear_shape lin = {.T = 1, .in = 4, .out = 4};
    CHECK(hy_variant_storage_ok(&f32_lin, &lin, &err));
    CHECK(!hy_variant_storage_ok(&bf16_lin, &lin, &err));
    CHECK(strcmp(err.msg, "linear/narrow reads W as bf16; this shape stores it as f32") == 0);
    lin.w_dtype = HY_BF16;
    CHECK(hy_variant_storage_ok(&bf16_lin, &lin, &err));
    CHECK(!hy_variant_storage_ok(&f32_lin, &lin, &err));
    CHECK(strcmp(err.msg, "linear/plain reads W as f32; this shape stores it as bf16") == 0);
    hy_attention_shape att = {.T = 1, .nH = 2, .nKV = 1, .hd = 4, .cap = 1};
    CHECK(!hy_variant_storage_ok(&bf16_att, &att, &err));
    CHECK(strstr(err.msg, "reads the K/V cache as bf16") != NULL);
    att.kv_dtype = HY_BF16;
    CHECK(hy_variant_storage_ok(&bf16_att, &att, &err));
    hy_rmsnorm_shape rms = {.T = 1, .D = 4, .eps = 1e-6f}; /* rmsnorm stores everything as f32 */
    CHECK(!hy_variant_storage_ok(&bf16_rms, &rms, &err));
}

/* ---- the validation driver with test kernels --------------------------------------- */

/* Honest: float sums in k order over the widened W. */
static int honest_linear(hy_exec *ex, const hy_linear_shape *s, const hy_linear_args *a, void *w,
                         hy_error *err)
{
    (void)ex, (void)w;
    if (s->w_dtype != HY_BF16) return hy_fail(err, "test kernel reads bf16 W only");
    const int64_t ldx = a->x_stride ? a->x_stride : s->in, ldy = a->y_stride ? a->y_stride : s->out;
    for (int64_t t = 0; t < s->T; t++)
        for (int64_t o = 0; o < s->out; o++) {
            float acc = 0.0f;
            for (int64_t i = 0; i < s->in; i++) acc += a->x[t * ldx + i] * widen(a->w_bf16[o * s->in + i]);
            acc += s->has_bias ? a->b[o] : 0.0f;
            a->y[t * ldy + o] = s->accumulate ? a->y[t * ldy + o] + acc : acc;
        }
    return 0;
}

/* Broken: converts the bf16 bits as an integer instead of widening them. */
static int int_convert_linear(hy_exec *ex, const hy_linear_shape *s, const hy_linear_args *a,
                              void *w, hy_error *err)
{
    (void)ex, (void)w, (void)err;
    const int64_t ldx = a->x_stride ? a->x_stride : s->in, ldy = a->y_stride ? a->y_stride : s->out;
    for (int64_t t = 0; t < s->T; t++)
        for (int64_t o = 0; o < s->out; o++) {
            float acc = s->has_bias ? a->b[o] : 0.0f;
            for (int64_t i = 0; i < s->in; i++)
                acc += a->x[t * ldx + i] * ((float)a->w_bf16[o * s->in + i] * 1e-5f);
            a->y[t * ldy + o] = s->accumulate ? a->y[t * ldy + o] + acc : acc;
        }
    return 0;
}

static int ref_attention(hy_exec *ex, const hy_attention_shape *s, const hy_attention_args *a,
                         void *w, hy_error *err)
{
    (void)ex, (void)w;
    return hy_ref_attention(s, a, err);
}

/* Broken: the reference, then the new cache rows re-written truncated
 * (the upper 16 bits) instead of rounded to nearest. */
static int truncating_attention(hy_exec *ex, const hy_attention_shape *s,
                                const hy_attention_args *a, void *w, hy_error *err)
{
    if (ref_attention(ex, s, a, w, err)) return -1;
    for (int64_t t = 0; t < s->T; t++)
        for (int64_t g = 0; g < s->nKV; g++)
            for (int64_t i = 0; i < s->hd; i++) {
                float kv = a->k[(t * s->nKV + g) * s->hd + i];
                uint32_t bits;
                memcpy(&bits, &kv, sizeof bits);
                a->k_cache_bf16[(g * s->cap + s->pos0 + t) * s->hd + i] = (uint16_t)(bits >> 16);
            }
    return 0;
}

static void test_driver(void)
{
    printf("validation driver on bf16 storage\n");
    const hy_backend *cpu = hy_backend_find("cpu");
    CHECK(cpu != NULL);
    if (!cpu) return;
    hy_error err = {{0}};
    hy_exec *ex = NULL;
    CHECK_OK(cpu->exec_create(&ex, &err), &err);
    const hy_kernel_variant honest = {.family = HY_FAM_LINEAR, .name = "honest", .isa = "c",
                                      .storage = HY_BF16, .impl.linear = {honest_linear, NULL}};
    const hy_kernel_variant broken = {.family = HY_FAM_LINEAR, .name = "int_convert", .isa = "c",
                                      .storage = HY_BF16, .impl.linear = {int_convert_linear, NULL}};
    const hy_kernel_variant att_ok = {.family = HY_FAM_ATTENTION, .name = "ref", .isa = "c",
                                      .storage = HY_BF16, .impl.attention = {ref_attention, NULL}};
    const hy_kernel_variant att_trunc = {.family = HY_FAM_ATTENTION, .name = "trunc", .isa = "c",
                                         .storage = HY_BF16,
                                         .impl.attention = {truncating_attention, NULL}};
    hy_val_shape shapes[64];
    hy_check_result r;
    int n_lin = 0, n_att = 0;
    size_t n = hy_val_shapes(HY_FAM_LINEAR, 0, shapes, 64);
    for (size_t i = 0; i < n && i < 64; i++) {
        if (shapes[i].s.linear.w_dtype != HY_BF16) continue;
        n_lin++;
        hy_test_validate(cpu, ex, &honest, &shapes[i], 7);
        hy_validate_variant(cpu, ex, &broken, &shapes[i], 7, &r);
        CHECK(r.status == HY_CHECK_FAIL && r.error > 100 * r.tolerance);
        /* the cpu backend's fp32 kernel is refused with the reason, never called */
        const hy_kernel_variant *cpu_lin = hy_backend_select(cpu, HY_FAM_LINEAR);
        hy_validate_variant(cpu, ex, cpu_lin, &shapes[i], 7, &r);
        CHECK(r.status == HY_CHECK_UNSUPPORTED && strstr(r.message, "reads W as f32; this shape stores it as bf16"));
    }
    n = hy_val_shapes(HY_FAM_ATTENTION, 0, shapes, 64);
    for (size_t i = 0; i < n && i < 64; i++) {
        if (shapes[i].s.attention.kv_dtype != HY_BF16) {
            hy_validate_variant(cpu, ex, &att_ok, &shapes[i], 7, &r); /* f32 cache: refused */
            CHECK(r.status == HY_CHECK_UNSUPPORTED);
            continue;
        }
        if (shapes[i].s.attention.pos0 > 2048) continue; /* the long decode: x86 test's business */
        n_att++;
        hy_test_validate(cpu, ex, &att_ok, &shapes[i], 7);
        hy_validate_variant(cpu, ex, &att_trunc, &shapes[i], 7, &r);
        printf("  truncated cache rows, %s: %s %s (error %.3g)\n", shapes[i].label,
               hy_check_status_name(r.status), r.worst, r.error);
        CHECK(r.status == HY_CHECK_FAIL && strcmp(r.worst, "k_cache") == 0);
    }
    CHECK(n_lin >= 4 && n_att >= 4);
    cpu->exec_destroy(ex);
}

/* ---- benchmark shapes and validation shape sets -------------------------------------- */

static void test_bench_shapes(void)
{
    printf("bench --shape storage keys\n");
    hy_bench_shape b;
    hy_error err = {{0}};
    CHECK_OK(hy_bench_parse_shape("linear:T=1,in=64,out=32,w=bf16", &b, &err), &err);
    CHECK(b.v.s.linear.w_dtype == HY_BF16);
    CHECK(strcmp(b.name, "T=1,in=64,out=32,bias=0,w=bf16") == 0);
    CHECK_OK(hy_bench_parse_shape("linear:T=1,in=64,out=32,w=f32", &b, &err), &err);
    CHECK(strcmp(b.name, "T=1,in=64,out=32,bias=0") == 0); /* fp32 names as before */
    CHECK_OK(hy_bench_parse_shape("attention:T=1,nH=32,nKV=8,hd=128,pos0=16384,kv=bf16", &b, &err), &err);
    CHECK(b.v.s.attention.kv_dtype == HY_BF16 && b.v.s.attention.cap == 16385);
    CHECK(strcmp(b.name, "T=1,nH=32,nKV=8,hd=128,pos0=16384,cap=16385,window=0,kv=bf16") == 0);
    CHECK_FAILS(hy_bench_parse_shape("linear:T=1,in=4,out=4,w=f16", &b, &err), &err,
                "w is 'f16'; expected f32 or bf16");
    CHECK_FAILS(hy_bench_parse_shape("linear:T=1,in=4,out=4,w=bf16,w=f32", &b, &err), &err,
                "key 'w' given twice");
    CHECK_FAILS(hy_bench_parse_shape("linear:T=1,in=4,out=4,kv=bf16", &b, &err), &err,
                "unknown key 'kv' for linear (keys: T, in, out, bias, w)");
    CHECK_FAILS(hy_bench_parse_shape("rmsnorm:T=1,D=4,w=bf16", &b, &err), &err, "unknown key 'w'");

    printf("validation shape sets hold bf16 storage\n");
    static const hy_family fams[2] = {HY_FAM_LINEAR, HY_FAM_ATTENTION};
    for (int q = 0; q < 2; q++)
        for (int f = 0; f < 2; f++) {
            hy_val_shape sh[64];
            size_t n = hy_val_shapes(fams[f], q, sh, 64), narrow = 0;
            for (size_t i = 0; i < n && i < 64; i++) {
                const int bf16 = hy_shape_storage(fams[f], &sh[i].s) == HY_BF16;
                narrow += bf16;
                const char *suffix = fams[f] == HY_FAM_LINEAR ? "_wbf16" : "_kvbf16";
                const size_t len = strlen(sh[i].label), sl = strlen(suffix);
                CHECK(bf16 == (len > sl && strcmp(sh[i].label + len - sl, suffix) == 0));
                for (size_t j = 0; j < i; j++) CHECK(strcmp(sh[i].label, sh[j].label) != 0);
            }
            CHECK(narrow >= 1);
        }
}

int main(void)
{
    test_reference_linear();
    test_reference_attention();
    test_storage_gate();
    test_driver();
    test_bench_shapes();
    return hy_test_finish();
}
