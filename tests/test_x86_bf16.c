/* test_x86_bf16.c — the x86 bf16-storage variants (backends/x86/x86_bf16.h):
 *   - every one in the table is validated through the driver on its
 *     family's bf16-storage shapes plus shapes around its tiles (GEMV rows
 *     in fours, the GEMM's k tail in packing, attention chunks of 4 rows
 *     with padding, splits, windows across splits, head-size tails);
 *   - convert-on-load is exact: linear/packed_bf16w on bf16 W gives the
 *     same bits as linear/packed on an fp32 W holding the widened values,
 *     on the GEMV path (T <= 2) and the packed GEMM path;
 *   - where the CPU lacks AVX512_BF16, linear/dpbf16 reports unsupported
 *     with the reason instead of running. */
#include "backend.h"
#include "hy_isa.h"
#include "hy_test.h"
#include "hy_validate.h"

#include <stdlib.h>
#include <string.h>

static hy_val_shape lin16(int64_t T, int64_t in, int64_t out, int bias, int acc)
{
    hy_val_shape v = {.family = HY_FAM_LINEAR};
    v.s.linear = (hy_linear_shape){.T = T, .in = in, .out = out, .has_bias = bias,
                                   .accumulate = acc, .w_dtype = HY_BF16};
    snprintf(v.label, sizeof v.label, "t%lld_in%lld_out%lld_wbf16", (long long)T, (long long)in,
             (long long)out);
    return v;
}

static hy_val_shape att16(int64_t T, int64_t nH, int64_t nKV, int64_t hd, int64_t pos0,
                          int64_t window)
{
    hy_val_shape v = {.family = HY_FAM_ATTENTION};
    v.s.attention = (hy_attention_shape){.T = T, .nH = nH, .nKV = nKV, .hd = hd, .pos0 = pos0,
                                         .cap = pos0 + T + 2, .window = window,
                                         .scale = 1.0f / (float)hd, .kv_dtype = HY_BF16};
    snprintf(v.label, sizeof v.label, "t%lld_h%lldkv%lld_d%lld_pos%lld_win%lld_kvbf16",
             (long long)T, (long long)nH, (long long)nKV, (long long)hd, (long long)pos0,
             (long long)window);
    return v;
}

static const hy_kernel_variant *find(const hy_backend *b, hy_family f, const char *name)
{
    const hy_kernel_variant *vs[32];
    size_t n = hy_backend_variants(b, f, vs, 32);
    for (size_t i = 0; i < n && i < 32; i++)
        if (strcmp(vs[i]->name, name) == 0) return vs[i];
    return NULL;
}

static void test_validate_all(const hy_backend *x86, hy_exec *ex)
{
    const hy_val_shape extra_lin[] = {
        lin16(1, 4096, 7, 1, 0),  /* GEMV: one block of 4 rows and 3 single rows */
        lin16(2, 300, 13, 0, 1),  /* two GEMV rows, k tail of the vector loop    */
        lin16(3, 300, 50, 1, 0),  /* smallest GEMM: k tail in the packing        */
        lin16(13, 520, 33, 1, 1), /* three K slices, edge tiles                  */
    };
    const hy_val_shape extra_att[] = {
        att16(1, 32, 8, 128, 3000, 0),  /* Jamba decode: 4 rows per chunk, splits   */
        att16(3, 4, 1, 80, 1100, 0),    /* 12 rows: 3 chunks, decode over splits    */
        att16(1, 4, 2, 72, 2000, 700),  /* window spanning splits                   */
        att16(5, 2, 2, 20, 900, 0),     /* MHA, 5 tokens: causal masks per row      */
        att16(2, 6, 3, 256, 600, 0),    /* hd 256, padding row in a chunk           */
        att16(40, 4, 1, 64, 0, 0),      /* prefill: many chunks, no splits          */
    };
    int validated = 0;
    for (size_t i = 0; i < x86->n_kernels; i++) {
        const hy_kernel_variant *v = &x86->kernels[i];
        if (v->storage != HY_BF16) continue;
        char why[160];
        if (!hy_variant_usable(v, why, sizeof why)) {
            printf("skip %s/%s: %s\n", hy_family_name(v->family), v->name, why);
            continue;
        }
        printf("%s/%s\n", hy_family_name(v->family), v->name);
        hy_test_validate_family(x86, ex, v, 99);
        const hy_val_shape *extra = v->family == HY_FAM_LINEAR ? extra_lin : extra_att;
        size_t n = v->family == HY_FAM_LINEAR ? sizeof extra_lin / sizeof extra_lin[0]
                                             : sizeof extra_att / sizeof extra_att[0];
        for (size_t k = 0; k < n; k++) hy_test_validate(x86, ex, v, &extra[k], 99 + k);
        validated++;
    }
    CHECK(validated >= 2); /* an AVX2 machine runs the two convert-on-load variants */
}

/* packed_bf16w(bf16 W) == packed(fp32 W of the widened values), bit for bit. */
static void test_convert_exact(const hy_backend *x86, hy_exec *ex)
{
    const hy_kernel_variant *narrow = find(x86, HY_FAM_LINEAR, "packed_bf16w-avx2");
    const hy_kernel_variant *wide = find(x86, HY_FAM_LINEAR, "packed-avx2");
    CHECK(narrow != NULL && wide != NULL);
    if (!narrow || !wide) return;
    static const int64_t Ts[] = {1, 2, 3, 19};
    for (size_t c = 0; c < sizeof Ts / sizeof Ts[0]; c++) {
        const int64_t T = Ts[c], IN = 777, OUT = 45;
        float *x = malloc(sizeof(float) * (size_t)(T * IN)), *w = malloc(sizeof(float) * IN * OUT);
        float *b = malloc(sizeof(float) * OUT);
        float *y1 = malloc(sizeof(float) * (size_t)(T * OUT)), *y2 = malloc(sizeof(float) * (size_t)(T * OUT));
        uint16_t *wb = malloc(sizeof(uint16_t) * IN * OUT);
        uint64_t r = 12345 + (uint64_t)T;
        for (int64_t i = 0; i < T * IN; i++) x[i] = (float)((r = r * 6364136223846793005ull + 1) >> 40) / 16777216.0f - 0.5f;
        for (int64_t i = 0; i < IN * OUT; i++) {
            wb[i] = hy_f32_to_bf16((float)((r = r * 6364136223846793005ull + 1) >> 40) / 16777216.0f - 0.5f);
            w[i] = hy_bf16_to_f32(wb[i]);
        }
        for (int64_t i = 0; i < OUT; i++) b[i] = 0.25f * (float)i;
        hy_linear_shape s32 = {.T = T, .in = IN, .out = OUT, .has_bias = 1};
        hy_linear_shape s16 = s32;
        s16.w_dtype = HY_BF16;
        size_t ws = wide->impl.linear.workspace(&s32);
        void *work = ws ? aligned_alloc(64, (ws + 63) / 64 * 64) : NULL;
        hy_error err = {{0}};
        hy_linear_args a32 = {.x = x, .w = w, .b = b, .y = y1};
        hy_linear_args a16 = {.x = x, .w_bf16 = wb, .b = b, .y = y2};
        CHECK_OK(wide->impl.linear.run(ex, &s32, &a32, work, &err), &err);
        CHECK_OK(narrow->impl.linear.run(ex, &s16, &a16, work, &err), &err);
        printf("  T=%lld: bf16 W %s fp32 W of the same values\n", (long long)T,
               memcmp(y1, y2, sizeof(float) * (size_t)(T * OUT)) == 0 ? "==" : "!=");
        CHECK(memcmp(y1, y2, sizeof(float) * (size_t)(T * OUT)) == 0);
        /* and the fp32 shape is refused by the bf16 kernel */
        CHECK(narrow->impl.linear.run(ex, &s32, &a32, work, &err) == HY_UNSUPPORTED);
        free(work), free(x), free(w), free(b), free(y1), free(y2), free(wb);
    }
}

static void test_dpbf16_gate(const hy_backend *x86, hy_exec *ex)
{
    const hy_kernel_variant *dp = find(x86, HY_FAM_LINEAR, "dpbf16-avx512bf16");
    CHECK(dp != NULL && dp->dtype == HY_BF16 && dp->storage == HY_BF16);
    if (!dp || hy_isa_usable("avx512bf16", NULL, 0)) return; /* runs: validated above */
    hy_val_shape sh = lin16(1, 64, 8, 0, 0);
    hy_check_result r;
    hy_validate_variant(x86, ex, dp, &sh, 1, &r);
    printf("  dpbf16 here: %s %s\n", hy_check_status_name(r.status), r.message);
    CHECK(r.status == HY_CHECK_UNSUPPORTED && strstr(r.message, "needs avx512bf16: ") != NULL);
}

int main(void)
{
    const hy_backend *x86 = hy_backend_find("x86");
    char why[256] = "";
    if (!x86 || !x86->probe(why, sizeof why)) {
        printf("x86 backend not usable here (%s): nothing to test\n", x86 ? why : "not built");
        return hy_test_finish();
    }
    hy_error err = {{0}};
    hy_exec *ex = NULL;
    CHECK_OK(x86->exec_create(&ex, &err), &err);
    if (!ex) return hy_test_finish();
    test_validate_all(x86, ex);
    test_convert_exact(x86, ex);
    test_dpbf16_gate(x86, ex);
    x86->exec_destroy(ex);
    return hy_test_finish();
}
