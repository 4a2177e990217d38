/* test_x86_attention.c — the x86 attention (flash, decode) and ssd (chunked)
 * kernels, at both vector widths, against the reference through the
 * validation driver: every validation shape of the family plus shapes aimed
 * at the kernels' edges (head sizes 64/80/96/128/256 and odd ones, lengths
 * around vector and tile multiples, GQA/MQA groups larger than a task,
 * windows, split-KV decode over long caches, SSD P/N tails, chunk caps).
 * The AVX-512 width is skipped, with the reason, where it cannot run.
 * Finally a printed (never asserted) speed ratio against the cpu backend. */
#include "cpu/cpu_backend.h"
#include "hy_isa.h"
#include "hy_test.h"
#include "hy_timer.h"
#include "hy_validate.h"
#include "x86/x86_attention.h"

#include <math.h>
#include <string.h>

#define MAX_SHAPES 64

typedef struct width {
    const char *isa;
    hy_kernel_variant flash, decode, ssd;
} width;

static width make_width(const char *isa, hy_attention_fn flash, size_t (*flash_ws)(const hy_attention_shape *),
                        hy_attention_fn decode, size_t (*decode_ws)(const hy_attention_shape *),
                        hy_ssd_fn ssd, size_t (*ssd_ws)(const hy_ssd_shape *))
{
    width w = {.isa = isa};
    w.flash = (hy_kernel_variant){.family = HY_FAM_ATTENTION, .name = "flash", .isa = isa,
                                  .summary = "x86 flash attention"};
    w.flash.impl.attention.run = flash;
    w.flash.impl.attention.workspace = flash_ws;
    w.decode = (hy_kernel_variant){.family = HY_FAM_ATTENTION, .name = "decode", .isa = isa,
                                   .summary = "x86 split-KV attention"};
    w.decode.impl.attention.run = decode;
    w.decode.impl.attention.workspace = decode_ws;
    w.ssd = (hy_kernel_variant){.family = HY_FAM_SSD, .name = "chunked", .isa = isa,
                                .summary = "x86 chunked ssd"};
    w.ssd.impl.ssd.run = ssd;
    w.ssd.impl.ssd.workspace = ssd_ws;
    return w;
}

static hy_val_shape att(int64_t T, int64_t nH, int64_t nKV, int64_t hd, int64_t pos0,
                        int64_t window)
{
    hy_val_shape v = {.family = HY_FAM_ATTENTION};
    snprintf(v.label, sizeof v.label, "t%lld_h%lld_kv%lld_d%lld_p%lld_w%lld", (long long)T,
             (long long)nH, (long long)nKV, (long long)hd, (long long)pos0, (long long)window);
    v.s.attention = (hy_attention_shape){.T = T, .nH = nH, .nKV = nKV, .hd = hd, .pos0 = pos0,
                                         .cap = pos0 + T + 5, .window = window,
                                         .scale = (float)(1.0 / sqrt((double)hd))};
    return v;
}

static hy_val_shape ssd(int64_t T, int64_t H, int64_t P, int64_t G, int64_t N, int64_t chunk,
                        int zDb, hy_val_state state)
{
    hy_val_shape v = {.family = HY_FAM_SSD, .state = state};
    snprintf(v.label, sizeof v.label, "t%lld_h%lld_p%lld_g%lld_n%lld_q%lld", (long long)T,
             (long long)H, (long long)P, (long long)G, (long long)N, (long long)chunk);
    v.s.ssd = (hy_ssd_shape){.T = T, .H = H, .P = P, .G = G, .N = N, .chunk = chunk,
                             .has_z = zDb, .has_D = zDb, .has_dt_bias = zDb};
    return v;
}

/* The family's validation shapes followed by `extra`. */
static size_t shapes_of(hy_family f, const hy_val_shape *extra, size_t n_extra, hy_val_shape *out)
{
    size_t n = hy_val_shapes(f, 0, out, MAX_SHAPES);
    if (n > MAX_SHAPES) n = MAX_SHAPES;
    for (size_t i = 0; i < n_extra && n < MAX_SHAPES; i++) out[n++] = extra[i];
    return n;
}

static void validate_all(hy_exec *ex, const hy_kernel_variant *v, const hy_val_shape *shapes,
                         size_t n)
{
    for (size_t i = 0; i < n; i++) {
        hy_check_result res;
        hy_validate_variant(&hy_backend_cpu, ex, v, &shapes[i], 1234 + i, &res);
        /* a shape storing what v does not read (a bf16 K/V cache) is refused, not run */
        int ok = res.status == HY_CHECK_PASS ||
                 (res.status == HY_CHECK_UNSUPPORTED && !hy_variant_storage_ok(v, &shapes[i].s, NULL));
        printf("  %s/%s/%s %-40s %s err %.2e tol %.2e %s\n", hy_family_name(v->family), v->name,
               v->isa, shapes[i].label, hy_check_status_name(res.status), res.error,
               res.tolerance, res.message);
        CHECK(ok);
    }
}

/* Seconds per launch of v on shape (a timing-only case), best of reps. */
static double time_variant(hy_exec *ex, const hy_kernel_variant *v, const hy_val_shape *shape,
                           int reps)
{
    hy_error err = {{0}};
    hy_val_case *c = NULL;
    double best = -1.0;
    if (hy_val_case_create_opts(&hy_backend_cpu, ex, shape, 7, 0, &c, &err) ||
        hy_val_case_bind(c, v, &err)) {
        printf("  timing setup failed: %s\n", err.msg);
        hy_val_case_destroy(c);
        return -1.0;
    }
    for (int r = 0; r < reps; r++) {
        hy_val_case_reset(c, &err);
        double t0 = hy_timer_now();
        int rc = hy_val_case_launch(c, &err);
        double t = hy_timer_now() - t0;
        if (rc) break;
        if (best < 0 || t < best) best = t;
    }
    hy_val_case_destroy(c);
    return best;
}

static void error_paths(const width *w)
{
    hy_error err = {{0}};
    hy_attention_shape s = att(4, 4, 2, 64, 0, 0).s.attention;
    hy_attention_args a = {0};
    char work[64];
    CHECK_FAILS(w->flash.impl.attention.run(NULL, &s, &a, work, &err), &err, "must not be NULL");
    CHECK_FAILS(w->decode.impl.attention.run(NULL, NULL, &a, work, &err), &err, "NULL");
    hy_attention_shape bad = s;
    bad.nKV = 3; /* does not divide nH */
    CHECK(w->flash.impl.attention.workspace(&bad) == 0);
    CHECK(w->flash.impl.attention.run(NULL, &bad, &a, work, &err) == -1);
    hy_ssd_shape ss = ssd(4, 2, 8, 1, 16, 4, 1, HY_VAL_STATE_NULL).s.ssd;
    hy_ssd_args sa = {0};
    CHECK_FAILS(w->ssd.impl.ssd.run(NULL, &ss, &sa, work, &err), &err, "must not be NULL");
    float x[64] = {0};
    sa = (hy_ssd_args){.x = x, .dt = x, .A_log = x, .B = x, .C = x, .y = x, .z = x,
                       .dt_bias = x};
    CHECK_FAILS(w->ssd.impl.ssd.run(NULL, &ss, &sa, work, &err), &err, "Dskip is NULL");
    ss.has_D = 0;
    CHECK_FAILS(w->ssd.impl.ssd.run(NULL, &ss, &sa, NULL, &err), &err, "workspace is NULL");
}

static void run_width(hy_exec *ex, const width *w)
{
    char why[128];
    if (!hy_isa_usable(w->isa, why, sizeof why)) {
        printf("skip %s: %s\n", w->isa, why);
        return;
    }
    printf("== %s ==\n", w->isa);
    static const int64_t head_sizes[] = {64, 80, 96, 128, 256, 72, 33};
    hy_val_shape extra_att[32];
    size_t ne = 0;
    for (size_t i = 0; i < sizeof head_sizes / sizeof head_sizes[0]; i++)
        extra_att[ne++] = att(19, 4, 2, head_sizes[i], 0, 0);
    extra_att[ne++] = att(65, 8, 2, 128, 0, 0);     /* more than one key tile, diagonal  */
    extra_att[ne++] = att(40, 32, 1, 64, 0, 0);     /* MQA: 32 heads, 2 tokens per task   */
    extra_att[ne++] = att(3, 80, 1, 16, 0, 0);      /* 80 heads: two head blocks per task */
    extra_att[ne++] = att(70, 4, 2, 96, 0, 20);     /* window inside the key tiles        */
    extra_att[ne++] = att(1, 8, 2, 128, 1500, 0);   /* decode, three key splits           */
    extra_att[ne++] = att(3, 4, 1, 80, 1100, 0);    /* T = 3 decode over splits           */
    extra_att[ne++] = att(1, 4, 2, 72, 2000, 700);  /* window spanning two splits         */
    extra_att[ne++] = att(2, 6, 3, 256, 600, 0);    /* hd 256, split, rep 2               */
    /* fewer rows than lanes (the rows layout): odd row counts, hd tails, masks per row */
    extra_att[ne++] = att(1, 6, 2, 33, 700, 300);   /* 3 rows, hd 33, window              */
    extra_att[ne++] = att(5, 2, 2, 20, 900, 0);     /* MHA, 5 tokens: causal per row      */
    extra_att[ne++] = att(1, 32, 8, 80, 3000, 0);   /* decode hd 80, 4 heads per KV head  */
    extra_att[ne++] = att(3, 3, 3, 256, 1030, 1000); /* 3 tokens, window across splits    */
    extra_att[ne++] = att(1, 16, 2, 96, 1300, 0);   /* 8 rows: as many as AVX2 lanes      */
    extra_att[ne++] = att(2, 16, 2, 64, 700, 0);    /* 16 rows: as many as AVX-512 lanes  */
    hy_val_shape sh[MAX_SHAPES];
    size_t n = shapes_of(HY_FAM_ATTENTION, extra_att, ne, sh);
    validate_all(ex, &w->flash, sh, n);
    validate_all(ex, &w->decode, sh, n);

    hy_val_shape extra_ssd[] = {
        ssd(37, 4, 20, 2, 13, 16, 1, HY_VAL_STATE_RANDOM), /* P and N tails, 3 chunks      */
        ssd(50, 8, 5, 2, 7, 8, 0, HY_VAL_STATE_ZERO),      /* tiny P, 4 heads per group    */
        ssd(300, 2, 16, 1, 16, 300, 1, HY_VAL_STATE_RANDOM), /* chunk above the 256 cap  */
        ssd(64, 3, 48, 3, 64, 32, 1, HY_VAL_STATE_NULL),   /* P = 48: one full + tail  */
        ssd(1, 4, 64, 1, 128, 64, 1, HY_VAL_STATE_RANDOM), /* decode step               */
    };
    n = shapes_of(HY_FAM_SSD, extra_ssd, sizeof extra_ssd / sizeof extra_ssd[0], sh);
    validate_all(ex, &w->ssd, sh, n);
    error_paths(w);

    /* speed against the portable backend: printed, not asserted */
    const hy_kernel_variant *cpu_flash = NULL, *cpu_ssd = NULL;
    for (size_t i = 0; i < hy_backend_cpu.n_kernels; i++) {
        const hy_kernel_variant *k = &hy_backend_cpu.kernels[i];
        if (k->family == HY_FAM_ATTENTION && !strcmp(k->name, "flash")) cpu_flash = k;
        if (k->family == HY_FAM_SSD && !strcmp(k->name, "chunked")) cpu_ssd = k;
    }
    hy_val_shape ta = att(256, 8, 2, 128, 0, 0), td = att(1, 8, 2, 128, 4096, 0);
    hy_val_shape ts = ssd(256, 8, 64, 1, 64, 64, 1, HY_VAL_STATE_ZERO);
    if (cpu_flash) {
        double base = time_variant(ex, cpu_flash, &ta, 5), t = time_variant(ex, &w->flash, &ta, 5);
        printf("  speed: attention prefill T=256 cpu/flash %.3g ms, %s/flash %.3g ms (x%.1f)\n",
               base * 1e3, w->isa, t * 1e3, base / t);
        base = time_variant(ex, cpu_flash, &td, 5), t = time_variant(ex, &w->decode, &td, 5);
        printf("  speed: attention decode pos0=4096 cpu/flash %.3g ms, %s/decode %.3g ms (x%.1f)\n",
               base * 1e3, w->isa, t * 1e3, base / t);
    }
    if (cpu_ssd) {
        double base = time_variant(ex, cpu_ssd, &ts, 5), t = time_variant(ex, &w->ssd, &ts, 5);
        printf("  speed: ssd T=256 H=8 P=64 N=64 cpu/chunked %.3g ms, %s/chunked %.3g ms (x%.1f)\n",
               base * 1e3, w->isa, t * 1e3, base / t);
    }
}

int main(void)
{
    hy_error err = {{0}};
    hy_exec *ex = NULL;
    CHECK_OK(hy_cpu_exec_create(&ex, &err), &err);
    if (!ex) return hy_test_finish();
    width w2 = make_width("avx2", hy_x86_attention_flash_avx2, hy_x86_attention_flash_workspace_avx2,
                          hy_x86_attention_decode_avx2, hy_x86_attention_decode_workspace_avx2,
                          hy_x86_ssd_chunked_avx2, hy_x86_ssd_chunked_workspace_avx2);
    width w5 = make_width("avx512", hy_x86_attention_flash_avx512,
                          hy_x86_attention_flash_workspace_avx512, hy_x86_attention_decode_avx512,
                          hy_x86_attention_decode_workspace_avx512, hy_x86_ssd_chunked_avx512,
                          hy_x86_ssd_chunked_workspace_avx512);
    run_width(ex, &w2);
    run_width(ex, &w5);
    hy_cpu_exec_destroy(ex);
    return hy_test_finish();
}
