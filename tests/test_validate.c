/* test_validate.c — the validation driver (harness/hy_validate.h).
 *
 * 1. The real cpu variants pass on the quick shapes, and the cpu runtime
 *    passes the model forward check.
 * 2. The driver can fail: a test-local backend (plain host memory ops)
 *    carries deliberately wrong variants — a linear that drops the bias, a
 *    linear that ignores y_stride, a scan that ignores D, a conv1d that
 *    ignores its state, an attention that ignores the window, an rmsnorm
 *    that scribbles on its input, one that returns NaN — and each must be
 *    reported FAIL, while the same backend's honest variants (thin wrappers
 *    of the reference) PASS.  A variant returning HY_UNSUPPORTED is
 *    reported UNSUPPORTED, one returning -1 ERROR.
 * 3. A model forward with a broken scan in the kernel table FAILs.
 * 4. The shape sets hold the edge cases they promise; the MoE top-k margin
 *    is what a hand computation says. */
#include "hy_test.h"

#include "backend.h"
#include "hy_config.h"
#include "hy_reference.h"
#include "hy_validate.h"
#include "hy_weights.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- a test backend with plain host memory ---------------------------------- */

static int host_probe(char *why, size_t len)
{
    snprintf(why, len, "test backend");
    return 1;
}

static void *host_alloc(hy_exec *ex, size_t bytes, hy_error *err)
{
    (void)ex;
    size_t size = (bytes + 63) / 64 * 64;
    void *p = aligned_alloc(64, size ? size : 64);
    if (!p) hy_fail(err, "test backend: out of memory");
    return p;
}

static void host_free(hy_exec *ex, void *p)
{
    (void)ex;
    free(p);
}

static int host_copy(hy_exec *ex, void *dst, const void *src, size_t bytes, hy_error *err)
{
    (void)ex, (void)err;
    memcpy(dst, src, bytes);
    return 0;
}

static int host_zero(hy_exec *ex, void *dst, size_t bytes, hy_error *err)
{
    (void)ex, (void)err;
    memset(dst, 0, bytes);
    return 0;
}

static int host_sync(hy_exec *ex, hy_error *err)
{
    (void)ex, (void)err;
    return 0;
}

static hy_backend test_backend(const hy_kernel_variant *kernels, size_t n)
{
    return (hy_backend){
        .name = "test", .version = "0", .summary = "test backend", .host_memory = 1,
        .probe = host_probe, .alloc = host_alloc, .free = host_free, .upload = host_copy,
        .download = host_copy, .memset_zero = host_zero, .synchronize = host_sync,
        .kernels = kernels, .n_kernels = n,
    };
}

/* ---- honest variants: the reference itself ------------------------------------ */

static int ok_linear(hy_exec *ex, const hy_linear_shape *s, const hy_linear_args *a, void *w,
                     hy_error *err)
{
    return hy_ref_linear(s, a, err);
}

static int ok_scan(hy_exec *ex, const hy_scan_shape *s, const hy_scan_args *a, void *w,
                   hy_error *err)
{
    return hy_ref_scan(s, a, err);
}

static int ok_attention(hy_exec *ex, const hy_attention_shape *s, const hy_attention_args *a,
                        void *w, hy_error *err)
{
    return hy_ref_attention(s, a, err);
}

static int ok_conv1d(hy_exec *ex, const hy_conv1d_shape *s, const hy_conv1d_args *a, void *w,
                     hy_error *err)
{
    return hy_ref_conv1d(s, a, err);
}

/* ---- wrong variants ------------------------------------------------------------- */

/* Drops the bias. */
static int nobias_linear(hy_exec *ex, const hy_linear_shape *s, const hy_linear_args *a, void *w,
                         hy_error *err)
{
    hy_linear_shape s2 = *s;
    hy_linear_args a2 = *a;
    s2.has_bias = 0;
    a2.b = NULL;
    return hy_ref_linear(&s2, &a2, err);
}

/* Writes rows contiguously whatever y_stride says (right only when
 * y_stride is 0 or out). */
static int nostride_linear(hy_exec *ex, const hy_linear_shape *s, const hy_linear_args *a, void *w,
                           hy_error *err)
{
    hy_linear_args a2 = *a;
    a2.y_stride = 0;
    return hy_ref_linear(s, &a2, err);
}

/* Ignores the D skip: the workspace holds D zeros. */
static size_t zeroD_workspace(const hy_scan_shape *s)
{
    return (size_t)s->D * sizeof(float);
}

static int noD_scan(hy_exec *ex, const hy_scan_shape *s, const hy_scan_args *a, void *w,
                    hy_error *err)
{
    if (!w) return hy_fail(err, "noD_scan: no workspace");
    memset(w, 0, (size_t)s->D * sizeof(float));
    hy_scan_args a2 = *a;
    a2.Dskip = w;
    return hy_ref_scan(s, &a2, err);
}

/* Attends to the whole causal past whatever the window. */
static int nowindow_attention(hy_exec *ex, const hy_attention_shape *s, const hy_attention_args *a,
                              void *w, hy_error *err)
{
    hy_attention_shape s2 = *s;
    s2.window = 0;
    return hy_ref_attention(&s2, a, err);
}

/* Starts from zero history and keeps no state. */
static int nostate_conv1d(hy_exec *ex, const hy_conv1d_shape *s, const hy_conv1d_args *a, void *w,
                          hy_error *err)
{
    hy_conv1d_args a2 = *a;
    a2.state = NULL;
    return hy_ref_conv1d(s, &a2, err);
}

/* Correct output, but overwrites its input. */
static int scribble_rmsnorm(hy_exec *ex, const hy_rmsnorm_shape *s, const hy_rmsnorm_args *a,
                            void *w, hy_error *err)
{
    if (hy_ref_rmsnorm(s, a, err)) return -1;
    ((float *)a->x)[0] += 1.0f;
    return 0;
}

/* A NaN in the output. */
static int nan_mlp(hy_exec *ex, const hy_mlp_shape *s, const hy_mlp_args *a, void *w, hy_error *err)
{
    if (hy_ref_mlp(s, a, err)) return -1;
    a->y[s->T * s->H - 1] = NAN;
    return 0;
}

/* Declines shapes with more than 8 rows. */
static int small_only_mlp(hy_exec *ex, const hy_mlp_shape *s, const hy_mlp_args *a, void *w,
                          hy_error *err)
{
    if (s->T > 8) {
        hy_fail(err, "small_only: T = %lld > 8", (long long)s->T);
        return HY_UNSUPPORTED;
    }
    return hy_ref_mlp(s, a, err);
}

/* Always fails. */
static int broken_moe(hy_exec *ex, const hy_moe_shape *s, const hy_moe_args *a, void *w,
                      hy_error *err)
{
    return hy_fail(err, "broken_moe: deliberately failing");
}

static const hy_kernel_variant test_kernels[] = {
    {.family = HY_FAM_LINEAR, .name = "ok", .isa = "c", .impl.linear = {ok_linear, NULL}},
    {.family = HY_FAM_LINEAR, .name = "nobias", .isa = "c", .impl.linear = {nobias_linear, NULL}},
    {.family = HY_FAM_LINEAR, .name = "nostride", .isa = "c",
     .impl.linear = {nostride_linear, NULL}},
    {.family = HY_FAM_SCAN, .name = "ok", .isa = "c", .impl.scan = {ok_scan, NULL}},
    {.family = HY_FAM_SCAN, .name = "noD", .isa = "c", .impl.scan = {noD_scan, zeroD_workspace}},
    {.family = HY_FAM_ATTENTION, .name = "ok", .isa = "c", .impl.attention = {ok_attention, NULL}},
    {.family = HY_FAM_ATTENTION, .name = "nowindow", .isa = "c",
     .impl.attention = {nowindow_attention, NULL}},
    {.family = HY_FAM_CONV1D, .name = "ok", .isa = "c", .impl.conv1d = {ok_conv1d, NULL}},
    {.family = HY_FAM_CONV1D, .name = "nostate", .isa = "c", .impl.conv1d = {nostate_conv1d, NULL}},
    {.family = HY_FAM_RMSNORM, .name = "scribble", .isa = "c",
     .impl.rmsnorm = {scribble_rmsnorm, NULL}},
    {.family = HY_FAM_MLP, .name = "nan", .isa = "c", .impl.mlp = {nan_mlp, NULL}},
    {.family = HY_FAM_MLP, .name = "small_only", .isa = "c", .impl.mlp = {small_only_mlp, NULL}},
    {.family = HY_FAM_MOE, .name = "broken", .isa = "c", .impl.moe = {broken_moe, NULL}},
};

static const hy_kernel_variant *variant(const hy_backend *b, hy_family f, const char *name)
{
    const hy_kernel_variant *vs[16];
    size_t n = hy_backend_variants(b, f, vs, 16);
    for (size_t i = 0; i < n && i < 16; i++)
        if (strcmp(vs[i]->name, name) == 0) return vs[i];
    return NULL;
}

/* Validates variant `name` of family f over the full shape list, counting
 * results by status; `pred` selects the shapes (NULL = all). */
typedef int (*shape_pred)(const hy_val_shape *s);

static void run_variant(const hy_backend *b, hy_family f, const char *name, shape_pred pred,
                        int counts[4], char *first_fail, size_t len)
{
    memset(counts, 0, 4 * sizeof(int));
    if (first_fail) first_fail[0] = 0;
    const hy_kernel_variant *v = variant(b, f, name);
    CHECK(v != NULL);
    if (!v) return;
    hy_val_shape shapes[64];
    size_t n = hy_val_shapes(f, 0, shapes, 64);
    for (size_t i = 0; i < n && i < 64; i++) {
        if (pred && !pred(&shapes[i])) continue;
        hy_check_result r;
        hy_validate_variant(b, NULL, v, &shapes[i], 7, &r);
        counts[r.status]++;
        if (r.status != HY_CHECK_PASS && first_fail && !first_fail[0])
            snprintf(first_fail, len, "%s/%s %s: %s", hy_family_name(f), name, shapes[i].label,
                     r.message);
    }
}

static int has_bias(const hy_val_shape *s) { return s->s.linear.has_bias; }
static int strided(const hy_val_shape *s) { return s->strided; }
static int not_strided(const hy_val_shape *s) { return !s->strided; }
static int windowed(const hy_val_shape *s)
{
    return s->s.attention.window > 0 && s->s.attention.window < s->s.attention.pos0 + s->s.attention.T;
}
static int random_state(const hy_val_shape *s) { return s->state == HY_VAL_STATE_RANDOM; }

static void test_wrong_variants_fail(void)
{
    printf("wrong variants are caught\n");
    hy_backend b = test_backend(test_kernels, sizeof test_kernels / sizeof test_kernels[0]);
    int c[4];
    char msg[600];

    run_variant(&b, HY_FAM_LINEAR, "ok", NULL, c, msg, sizeof msg);
    CHECK(c[HY_CHECK_PASS] > 0 && c[HY_CHECK_FAIL] == 0 && c[HY_CHECK_ERROR] == 0);
    run_variant(&b, HY_FAM_LINEAR, "nobias", has_bias, c, msg, sizeof msg);
    CHECK(c[HY_CHECK_FAIL] > 0 && c[HY_CHECK_PASS] == 0);
    printf("  %s\n", msg);
    run_variant(&b, HY_FAM_LINEAR, "nostride", strided, c, msg, sizeof msg);
    CHECK(c[HY_CHECK_FAIL] > 0 && c[HY_CHECK_PASS] == 0);
    printf("  %s\n", msg);
    run_variant(&b, HY_FAM_LINEAR, "nostride", not_strided, c, NULL, 0);
    CHECK(c[HY_CHECK_FAIL] == 0 && c[HY_CHECK_PASS] > 0); /* right where it happens to be right */

    run_variant(&b, HY_FAM_SCAN, "ok", NULL, c, msg, sizeof msg);
    CHECK(c[HY_CHECK_PASS] > 0 && c[HY_CHECK_FAIL] == 0 && c[HY_CHECK_ERROR] == 0);
    run_variant(&b, HY_FAM_SCAN, "noD", NULL, c, msg, sizeof msg);
    CHECK(c[HY_CHECK_FAIL] > 0 && c[HY_CHECK_PASS] == 0 && c[HY_CHECK_ERROR] == 0);
    printf("  %s\n", msg);

    run_variant(&b, HY_FAM_ATTENTION, "ok", windowed, c, msg, sizeof msg);
    CHECK(c[HY_CHECK_PASS] > 0 && c[HY_CHECK_FAIL] == 0);
    run_variant(&b, HY_FAM_ATTENTION, "nowindow", windowed, c, msg, sizeof msg);
    CHECK(c[HY_CHECK_FAIL] > 0 && c[HY_CHECK_PASS] == 0);
    printf("  %s\n", msg);

    run_variant(&b, HY_FAM_CONV1D, "ok", NULL, c, msg, sizeof msg);
    CHECK(c[HY_CHECK_PASS] > 0 && c[HY_CHECK_FAIL] == 0);
    run_variant(&b, HY_FAM_CONV1D, "nostate", random_state, c, msg, sizeof msg);
    CHECK(c[HY_CHECK_FAIL] > 0 && c[HY_CHECK_PASS] == 0);
    printf("  %s\n", msg);

    run_variant(&b, HY_FAM_RMSNORM, "scribble", NULL, c, msg, sizeof msg);
    CHECK(c[HY_CHECK_FAIL] > 0 && c[HY_CHECK_PASS] == 0);
    CHECK(strstr(msg, "input x was modified") != NULL);
    printf("  %s\n", msg);

    run_variant(&b, HY_FAM_MLP, "nan", NULL, c, msg, sizeof msg);
    CHECK(c[HY_CHECK_FAIL] > 0 && c[HY_CHECK_PASS] == 0);
    printf("  %s\n", msg);

    run_variant(&b, HY_FAM_MLP, "small_only", NULL, c, msg, sizeof msg);
    CHECK(c[HY_CHECK_UNSUPPORTED] > 0 && c[HY_CHECK_PASS] > 0 && c[HY_CHECK_FAIL] == 0);
    CHECK(strstr(msg, "small_only: T =") != NULL);
    printf("  %s\n", msg);

    run_variant(&b, HY_FAM_MOE, "broken", NULL, c, msg, sizeof msg);
    CHECK(c[HY_CHECK_ERROR] > 0 && c[HY_CHECK_PASS] == 0);
    CHECK(strstr(msg, "deliberately failing") != NULL);
    printf("  %s\n", msg);
}

/* The case API in steps (as the benchmark uses it): the error after a
 * launch is small, a second launch without reset still leaves the inputs
 * intact, and reset + launch reproduces the first result. */
static void test_case_lifecycle(void)
{
    printf("case lifecycle\n");
    const hy_backend *cpu = hy_backend_find("cpu");
    CHECK(cpu != NULL);
    if (!cpu) return;
    hy_val_shape shapes[16];
    size_t n = hy_val_shapes(HY_FAM_SCAN, 1, shapes, 16);
    CHECK(n > 0);
    hy_error err = {{0}};
    hy_exec *ex = NULL;
    CHECK_OK(cpu->exec_create(&ex, &err), &err);
    hy_val_case *c = NULL;
    CHECK_OK(hy_val_case_create(cpu, ex, &shapes[0], 3, &c, &err), &err);
    if (c) {
        CHECK(hy_val_case_shape(c)->family == HY_FAM_SCAN);
        CHECK(hy_val_case_cost(c).flops > 0);
        CHECK_OK(hy_val_case_bind(c, hy_backend_select(cpu, HY_FAM_SCAN), &err), &err);
        hy_check_result r;
        CHECK_OK(hy_val_case_reset(c, &err), &err);
        CHECK_OK(hy_val_case_launch(c, &err), &err);
        hy_val_case_check(c, &r);
        CHECK(r.status == HY_CHECK_PASS);
        /* launched twice on a stateful shape: the state moved on, the check fails */
        CHECK_OK(hy_val_case_launch(c, &err), &err);
        hy_val_case_check(c, &r);
        CHECK(r.status == HY_CHECK_FAIL);
        CHECK_OK(hy_val_case_reset(c, &err), &err);
        CHECK_OK(hy_val_case_launch(c, &err), &err);
        hy_val_case_check(c, &r);
        CHECK(r.status == HY_CHECK_PASS);
        /* a variant of another family is refused */
        CHECK_FAILS(hy_val_case_bind(c, hy_backend_select(cpu, HY_FAM_LINEAR), &err), &err,
                    "not a scan kernel");
        hy_val_case_destroy(c);
    }
    cpu->exec_destroy(ex);
}

static void test_cpu_variants_pass(void)
{
    printf("cpu variants pass on the quick shapes\n");
    const hy_backend *cpu = hy_backend_find("cpu");
    CHECK(cpu != NULL);
    if (!cpu) return;
    hy_error err = {{0}};
    hy_exec *ex = NULL;
    CHECK_OK(cpu->exec_create(&ex, &err), &err);
    int total = 0;
    for (int f = 0; f < HY_FAM_COUNT; f++) {
        const hy_kernel_variant *vs[16];
        size_t nv = hy_backend_variants(cpu, (hy_family)f, vs, 16);
        hy_val_shape shapes[64];
        size_t ns = hy_val_shapes((hy_family)f, 1, shapes, 64);
        for (size_t v = 0; v < nv && v < 16; v++)
            for (size_t s = 0; s < ns; s++) {
                hy_check_result r;
                if (!hy_variant_storage_ok(vs[v], &shapes[s].s, NULL)) continue; /* bf16 storage */
                hy_validate_variant(cpu, ex, vs[v], &shapes[s], 1, &r);
                total++;
                if (r.status != HY_CHECK_PASS)
                    printf("  %s/%s %s: %s %s\n", hy_family_name((hy_family)f), vs[v]->name,
                           shapes[s].label, hy_check_status_name(r.status), r.message);
                CHECK(r.status == HY_CHECK_PASS);
                CHECK(r.error <= r.tolerance);
            }
    }
    printf("  %d checks\n", total);
    CHECK(total > 0);
    cpu->exec_destroy(ex);
}

/* A broken scan in the runtime's kernel table makes the model forward fail;
 * the same table with an honest scan passes. */
static void test_forward(void)
{
    printf("model forward\n");
    const hy_backend *cpu = hy_backend_find("cpu");
    CHECK(cpu != NULL);
    if (!cpu) return;
    hy_error err = {{0}};
    hy_config cfg;
    hy_model *m = NULL;
    CHECK_OK(hy_config_preset("tiny", &cfg, &err), &err);
    CHECK_OK(hy_model_random(&cfg, 5, &m, &err), &err);
    if (!m) return;
    hy_check_result r;
    for (int mode = HY_FWD_PREFILL; mode <= HY_FWD_CHUNKED; mode++) {
        hy_validate_forward(cpu, &m->config, &m->w, (hy_forward_mode)mode, 9, 4, 2,
                            HY_FORWARD_TOLERANCE, &r);
        if (r.status != HY_CHECK_PASS) printf("  cpu %s: %s\n", hy_forward_mode_name(mode), r.message);
        CHECK(r.status == HY_CHECK_PASS);
    }

    /* cpu's table with our scan first (the default). */
    size_t n = cpu->n_kernels;
    hy_kernel_variant *table = calloc(n + 1, sizeof *table);
    CHECK(table != NULL);
    if (table) {
        for (int broken = 0; broken < 2; broken++) {
            table[0] = (hy_kernel_variant){.family = HY_FAM_SCAN, .name = broken ? "noD" : "ok",
                                           .isa = "c"};
            table[0].impl.scan.run = broken ? noD_scan : ok_scan;
            table[0].impl.scan.workspace = broken ? zeroD_workspace : NULL;
            memcpy(table + 1, cpu->kernels, n * sizeof *table);
            hy_backend b = *cpu;
            b.name = "cpu-test";
            b.kernels = table;
            b.n_kernels = n + 1;
            hy_validate_forward(&b, &m->config, &m->w, HY_FWD_CHUNKED, 9, 4, 2,
                                HY_FORWARD_TOLERANCE, &r);
            printf("  scan %s: %s %s\n", table[0].name, hy_check_status_name(r.status), r.message);
            CHECK(r.status == (broken ? HY_CHECK_FAIL : HY_CHECK_PASS));
        }
        free(table);
    }
    hy_model_free(m);
}

static int find_shape(hy_family f, int (*pred)(const hy_val_shape *))
{
    hy_val_shape shapes[64];
    size_t n = hy_val_shapes(f, 0, shapes, 64);
    for (size_t i = 0; i < n && i < 64; i++)
        if (pred(&shapes[i])) return 1;
    return 0;
}

static int att_long_decode(const hy_val_shape *s)
{
    return s->s.attention.T == 1 && s->s.attention.pos0 >= 32768;
}
static int att_window_short(const hy_val_shape *s)
{
    return s->s.attention.window > 0 && s->s.attention.window < s->s.attention.T;
}
static int att_window_long(const hy_val_shape *s)
{
    return s->s.attention.window > s->s.attention.pos0 + s->s.attention.T;
}
static int att_gqa1(const hy_val_shape *s) { return s->s.attention.nH == s->s.attention.nKV; }
static int att_gqa_many(const hy_val_shape *s) { return s->s.attention.nH > s->s.attention.nKV; }
static int att_continue(const hy_val_shape *s)
{
    return s->s.attention.pos0 > 0 && s->s.attention.T > 1;
}
static int scan_n16(const hy_val_shape *s) { return s->s.scan.N == 16; }
static int scan_n128(const hy_val_shape *s) { return s->s.scan.N == 128; }
static int scan_decode_state(const hy_val_shape *s)
{
    return s->s.scan.T == 1 && s->state == HY_VAL_STATE_RANDOM;
}
static int moe_k_all(const hy_val_shape *s) { return s->s.moe.k == s->s.moe.E; }

static int want_hd;
static int att_hd(const hy_val_shape *s) { return s->s.attention.hd == want_hd; }
static int want_T;
static int lin_T(const hy_val_shape *s) { return s->s.linear.T == want_T; }

static void test_shape_sets(void)
{
    printf("shape sets\n");
    for (int f = 0; f < HY_FAM_COUNT; f++) {
        size_t all = hy_val_shapes((hy_family)f, 0, NULL, 0);
        size_t quick = hy_val_shapes((hy_family)f, 1, NULL, 0);
        CHECK(quick > 0 && quick < all);
        hy_val_shape shapes[64];
        size_t n = hy_val_shapes((hy_family)f, 0, shapes, 64);
        CHECK(n == all && n <= 64);
        int one_row = 0;
        for (size_t i = 0; i < n && i < 64; i++) {
            CHECK(shapes[i].family == (hy_family)f);
            CHECK(shapes[i].label[0] != 0 && strchr(shapes[i].label, ' ') == NULL);
            for (size_t j = 0; j < i; j++)
                if (strcmp(shapes[i].label, shapes[j].label) == 0) {
                    printf("  duplicate label %s\n", shapes[i].label);
                    CHECK(0);
                }
            /* T is the first field of every shape struct */
            int64_t T = f == HY_FAM_LINEAR ? shapes[i].s.linear.T
                      : f == HY_FAM_RMSNORM ? shapes[i].s.rmsnorm.T
                      : f == HY_FAM_CONV1D ? shapes[i].s.conv1d.T
                      : f == HY_FAM_SCAN ? shapes[i].s.scan.T
                      : f == HY_FAM_SSD ? shapes[i].s.ssd.T
                      : f == HY_FAM_ATTENTION ? shapes[i].s.attention.T
                      : f == HY_FAM_MOE ? shapes[i].s.moe.T : shapes[i].s.mlp.T;
            one_row |= T == 1;
        }
        CHECK(one_row);
    }
    CHECK(find_shape(HY_FAM_ATTENTION, att_long_decode));
    CHECK(find_shape(HY_FAM_ATTENTION, att_window_short));
    CHECK(find_shape(HY_FAM_ATTENTION, att_window_long));
    CHECK(find_shape(HY_FAM_ATTENTION, att_gqa1));
    CHECK(find_shape(HY_FAM_ATTENTION, att_gqa_many));
    CHECK(find_shape(HY_FAM_ATTENTION, att_continue));
    static const int hds[] = {64, 80, 96, 128, 256};
    for (size_t i = 0; i < 5; i++) {
        want_hd = hds[i];
        CHECK(find_shape(HY_FAM_ATTENTION, att_hd));
    }
    static const int Ts[] = {1, 7, 8, 9, 15, 16, 17, 31, 33};
    for (size_t i = 0; i < sizeof Ts / sizeof Ts[0]; i++) {
        want_T = Ts[i];
        CHECK(find_shape(HY_FAM_LINEAR, lin_T));
    }
    CHECK(find_shape(HY_FAM_SCAN, scan_n16));
    CHECK(find_shape(HY_FAM_SCAN, scan_n128));
    CHECK(find_shape(HY_FAM_SCAN, scan_decode_state));
    CHECK(find_shape(HY_FAM_MOE, moe_k_all));

    /* attention shapes get scale 1/sqrt(hd) */
    hy_val_shape a[64];
    size_t n = hy_val_shapes(HY_FAM_ATTENTION, 0, a, 64);
    for (size_t i = 0; i < n && i < 64; i++)
        CHECK_NEAR(a[i].s.attention.scale, 1.0 / sqrt((double)a[i].s.attention.hd), 1e-7);
}

/* Hand-computed margins: logits x . w_e for H = 2. */
static void test_moe_margin(void)
{
    printf("moe top-k margin\n");
    /* token 0: x = (1, 0) -> logits (3, 2, 1.5, -1)
     * token 1: x = (0, 1) -> logits (0.5, 0, 2.25, 2) */
    const float x[] = {1, 0, 0, 1};
    const float router[] = {3, 0.5f, 2, 0, 1.5f, 2.25f, -1, 2};
    hy_moe_shape s = {.T = 2, .H = 2, .I = 1, .E = 4, .k = 2};
    /* k = 2: token 0 gap 2 - 1.5 = 0.5, token 1 gap 2 - 0.5 = 1.5 -> 0.5 */
    CHECK_NEAR(hy_val_moe_topk_margin(&s, x, router), 0.5, 1e-12);
    s.k = 1; /* token 0: 3 - 2 = 1; token 1: 2.25 - 2 = 0.25 */
    CHECK_NEAR(hy_val_moe_topk_margin(&s, x, router), 0.25, 1e-12);
    s.k = 3; /* token 0: 1.5 - (-1) = 2.5; token 1: 0.5 - 0 = 0.5 */
    CHECK_NEAR(hy_val_moe_topk_margin(&s, x, router), 0.5, 1e-12);
    s.k = 4;
    CHECK(isinf(hy_val_moe_topk_margin(&s, x, router)));
}

static void test_relative_error(void)
{
    printf("relative error\n");
    const float ref[] = {1, -4, 2};
    const float got[] = {1, -3.5f, 2.25f};
    size_t at = 99;
    CHECK_NEAR(hy_val_relative_error(got, ref, 3, &at), 0.5 / 4.0, 1e-12);
    CHECK(at == 1);
    CHECK(hy_val_relative_error(ref, ref, 3, &at) == 0);
    const float bad[] = {1, NAN, 2};
    CHECK(isinf(hy_val_relative_error(bad, ref, 3, &at)) && at == 1);
}

int main(void)
{
    test_relative_error();
    test_moe_margin();
    test_shape_sets();
    test_wrong_variants_fail();
    test_case_lifecycle();
    test_cpu_variants_pass();
    test_forward();
    return hy_test_finish();
}
