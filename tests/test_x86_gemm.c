/* test_x86_gemm.c — the x86 GEMM-based kernels (backends/x86/x86_gemm.h):
 * linear/packed, linear/openblas, mlp/swiglu, moe/grouped, moe/token, for
 * both vector widths (AVX-512 skipped, with the reason, where the CPU or OS
 * lacks it), validated through harness/hy_validate.h against reference/ on
 * every validation shape of the family plus shapes around the SGEMM's tile
 * and block sizes (MR 6/12, NR 16/32, KC 256, NC 3072, the M <= 2 GEMV
 * path).  Also: the SGEMM on hand-computed values, bit-identical results on
 * 1 and 2 threads, argument errors, and (printed, never asserted) the speed
 * of linear/packed against the cpu backend's linear/blocked. */
#include "hy_test.h"

#include "backend.h"
#include "cpu/cpu_backend.h"
#include "cpu/cpu_kernels.h"
#include "hy_isa.h"
#include "hy_validate.h"
#include "x86/x86_gemm.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static hy_exec *EX;

typedef struct width {
    const char *isa;
    int usable;
    void (*gemm)(const hy_x86_gemm_args *, int, void *);
    size_t (*gemm_ws)(int64_t, int64_t, int64_t);
    hy_kernel_variant linear, mlp, grouped, token;
} width;

static width W[2];

static void setup_widths(void)
{
    W[0] = (width){.isa = "avx2", .gemm = hy_x86_gemm_avx2, .gemm_ws = hy_x86_gemm_workspace_avx2};
    W[0].linear = (hy_kernel_variant){.family = HY_FAM_LINEAR, .name = "packed", .isa = "avx2",
                                      .impl.linear = {hy_x86_linear_packed_avx2,
                                                      hy_x86_linear_packed_workspace_avx2}};
    W[0].mlp = (hy_kernel_variant){.family = HY_FAM_MLP, .name = "swiglu", .isa = "avx2",
                                   .impl.mlp = {hy_x86_mlp_swiglu_avx2,
                                                hy_x86_mlp_swiglu_workspace_avx2}};
    W[0].grouped = (hy_kernel_variant){.family = HY_FAM_MOE, .name = "grouped", .isa = "avx2",
                                       .impl.moe = {hy_x86_moe_grouped_avx2,
                                                    hy_x86_moe_grouped_workspace_avx2}};
    W[0].token = (hy_kernel_variant){.family = HY_FAM_MOE, .name = "token", .isa = "avx2",
                                     .impl.moe = {hy_x86_moe_token_avx2,
                                                  hy_x86_moe_token_workspace_avx2}};
    W[1] = (width){.isa = "avx512", .gemm = hy_x86_gemm_avx512,
                   .gemm_ws = hy_x86_gemm_workspace_avx512};
    W[1].linear = (hy_kernel_variant){.family = HY_FAM_LINEAR, .name = "packed", .isa = "avx512",
                                      .impl.linear = {hy_x86_linear_packed_avx512,
                                                      hy_x86_linear_packed_workspace_avx512}};
    W[1].mlp = (hy_kernel_variant){.family = HY_FAM_MLP, .name = "swiglu", .isa = "avx512",
                                   .impl.mlp = {hy_x86_mlp_swiglu_avx512,
                                                hy_x86_mlp_swiglu_workspace_avx512}};
    W[1].grouped = (hy_kernel_variant){.family = HY_FAM_MOE, .name = "grouped", .isa = "avx512",
                                       .impl.moe = {hy_x86_moe_grouped_avx512,
                                                    hy_x86_moe_grouped_workspace_avx512}};
    W[1].token = (hy_kernel_variant){.family = HY_FAM_MOE, .name = "token", .isa = "avx512",
                                     .impl.moe = {hy_x86_moe_token_avx512,
                                                  hy_x86_moe_token_workspace_avx512}};
    for (int i = 0; i < 2; i++) {
        char why[256] = "";
        W[i].usable = hy_isa_usable(W[i].isa, why, sizeof why);
        if (!W[i].usable) printf("skip %s: %s\n", W[i].isa, why);
    }
}

/* Validation through the driver on the cpu backend's execution context. */
static void validate(const hy_kernel_variant *v, const hy_val_shape *shape)
{
    hy_test_validate(&hy_backend_cpu, EX, v, shape, 1234);
}

static void validate_family_shapes(const hy_kernel_variant *v)
{
    hy_test_validate_family(&hy_backend_cpu, EX, v, 1234);
}

static hy_val_shape lin(int64_t T, int64_t in, int64_t out, int bias, int acc, int strided)
{
    hy_val_shape v = {.family = HY_FAM_LINEAR, .strided = strided};
    v.s.linear = (hy_linear_shape){.T = T, .in = in, .out = out, .has_bias = bias,
                                   .accumulate = acc};
    snprintf(v.label, sizeof v.label, "t%lld_in%lld_out%lld%s%s%s", (long long)T, (long long)in,
             (long long)out, bias ? "_bias" : "", acc ? "_acc" : "", strided ? "_strided" : "");
    return v;
}

static hy_val_shape mlp(int64_t T, int64_t H, int64_t I, int acc)
{
    hy_val_shape v = {.family = HY_FAM_MLP};
    v.s.mlp = (hy_mlp_shape){.T = T, .H = H, .I = I, .accumulate = acc};
    snprintf(v.label, sizeof v.label, "t%lld_h%lld_i%lld%s", (long long)T, (long long)H,
             (long long)I, acc ? "_acc" : "");
    return v;
}

static hy_val_shape moe(int64_t T, int64_t H, int64_t I, int64_t E, int64_t k, int acc)
{
    hy_val_shape v = {.family = HY_FAM_MOE};
    v.s.moe = (hy_moe_shape){.T = T, .H = H, .I = I, .E = E, .k = k, .accumulate = acc};
    snprintf(v.label, sizeof v.label, "t%lld_h%lld_i%lld_e%lld_k%lld%s", (long long)T,
             (long long)H, (long long)I, (long long)E, (long long)k, acc ? "_acc" : "");
    return v;
}

/* Shapes around the tile sizes of both widths: T across MR = 6 / 12 and
 * the GEMV path (T <= 2), out across NR = 16 / 32, in across KC = 256,
 * out past NC = 3072 (two column blocks). */
static void validate_targeted(const width *w)
{
    const hy_val_shape lins[] = {
        lin(2, 40, 37, 1, 1, 0),    lin(3, 5, 1, 0, 0, 0),      lin(5, 17, 15, 1, 0, 1),
        lin(6, 16, 16, 0, 0, 0),    lin(7, 255, 17, 1, 1, 0),   lin(11, 256, 32, 0, 1, 1),
        lin(12, 257, 33, 1, 0, 0),  lin(13, 513, 31, 0, 0, 0),  lin(25, 64, 48, 1, 1, 1),
        lin(150, 20, 40, 1, 0, 0),  lin(4, 9, 3100, 1, 1, 0),   lin(1, 300, 70, 1, 0, 1),
    };
    for (size_t i = 0; i < sizeof lins / sizeof lins[0]; i++) validate(&w->linear, &lins[i]);
    const hy_val_shape mlps[] = {mlp(2, 40, 24, 1), mlp(13, 300, 40, 1), mlp(20, 16, 270, 0)};
    for (size_t i = 0; i < sizeof mlps / sizeof mlps[0]; i++) validate(&w->mlp, &mlps[i]);
    const hy_val_shape moes[] = {moe(40, 37, 70, 16, 2, 0), moe(24, 300, 20, 4, 2, 1),
                                 moe(2, 24, 40, 3, 1, 1), moe(30, 17, 9, 19, 3, 0)};
    for (size_t i = 0; i < sizeof moes / sizeof moes[0]; i++) {
        validate(&w->grouped, &moes[i]);
        validate(&w->token, &moes[i]);
    }
}

static float frand(uint64_t *s)
{
    *s ^= *s << 13, *s ^= *s >> 7, *s ^= *s << 17;
    return (float)((*s >> 40) * (1.0 / 16777216.0)) * 2.0f - 1.0f;
}

/* Hand-computed: x = [[1, 2], [3, 4], [5, 6]], W = [[1, 0], [0, 1],
 * [1, 1], [2, -1]], bias [10, 20, 30, 40]:  x W^T + b =
 * [[11, 22, 33, 40], [13, 24, 37, 42], [15, 26, 41, 44]], then accumulate
 * once more (y += x W^T + b). */
static void gemm_hand(const width *w)
{
    const float x[6] = {1, 2, 3, 4, 5, 6}, wt[8] = {1, 0, 0, 1, 1, 1, 2, -1};
    const float b[4] = {10, 20, 30, 40};
    const float want[12] = {11, 22, 33, 40, 13, 24, 37, 42, 15, 26, 41, 44};
    float y[12];
    hy_x86_gemm_args g = {.M = 3, .N = 4, .K = 2, .x = x, .ldx = 2, .w = wt, .ldw = 2,
                          .bias = b, .y = y, .ldy = 4};
    void *work = malloc(w->gemm_ws(3, 4, 2) + 64);
    w->gemm(&g, 2, work);
    for (int i = 0; i < 12; i++) CHECK_NEAR(y[i], want[i], 0.0);
    g.accumulate = 1;
    w->gemm(&g, 2, work);
    for (int i = 0; i < 12; i++) CHECK_NEAR(y[i], 2 * want[i], 0.0);
    free(work);
}

/* The same product on 1 and 2 threads must give identical bits. */
static void gemm_thread_invariance(const width *w)
{
    const int64_t M = 37, N = 100, K = 300;
    uint64_t s = 42;
    float *x = malloc(sizeof(float) * M * K), *wt = malloc(sizeof(float) * N * K);
    float *b = malloc(sizeof(float) * N);
    float *y1 = malloc(sizeof(float) * M * N), *y2 = malloc(sizeof(float) * M * N);
    for (int64_t i = 0; i < M * K; i++) x[i] = frand(&s);
    for (int64_t i = 0; i < N * K; i++) wt[i] = frand(&s);
    for (int64_t i = 0; i < N; i++) b[i] = frand(&s);
    void *work = malloc(w->gemm_ws(M, N, K));
    hy_x86_gemm_args g = {.M = M, .N = N, .K = K, .x = x, .ldx = K, .w = wt, .ldw = K,
                          .bias = b, .y = y1, .ldy = N};
    w->gemm(&g, 1, work);
    g.y = y2;
    w->gemm(&g, 2, work);
    CHECK(memcmp(y1, y2, sizeof(float) * M * N) == 0);
    free(x), free(wt), free(b), free(y1), free(y2), free(work);
}

static void argument_errors(const width *w)
{
    hy_error err;
    float x[4] = {0}, wt[4] = {0}, y[4] = {0};
    const hy_linear_shape s = {.T = 2, .in = 2, .out = 2, .has_bias = 1};
    const hy_linear_args a = {.x = x, .w = wt, .y = y};
    CHECK_FAILS(w->linear.impl.linear.run(EX, &s, &a, NULL, &err), &err, "b is NULL");
    const hy_linear_shape s2 = {.T = 2, .in = 2, .out = 2};
    const hy_linear_args narrow = {.x = x, .x_stride = 1, .w = wt, .y = y};
    CHECK_FAILS(w->linear.impl.linear.run(EX, &s2, &narrow, NULL, &err), &err, "narrower");
    const hy_mlp_shape ms = {.T = 1, .H = 2, .I = 2};
    const hy_mlp_args ma = {.x = x, .w_gate = wt, .w_up = wt, .w_down = wt, .y = y};
    CHECK_FAILS(w->mlp.impl.mlp.run(EX, &ms, &ma, NULL, &err), &err, "workspace is NULL");
    const hy_moe_shape es = {.T = 1, .H = 2, .I = 2, .E = 2, .k = 1};
    const float *ptrs[2] = {wt, NULL};
    const hy_moe_args ea = {.x = x, .w_router = wt, .w_gate = ptrs, .w_up = ptrs,
                            .w_down = ptrs, .y = y};
    char ws[4096];
    CHECK_FAILS(w->grouped.impl.moe.run(EX, &es, &ea, ws, &err), &err, "expert 1");
    CHECK_FAILS(w->token.impl.moe.run(EX, &es, &ea, ws, &err), &err, "expert 1");
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Printed only: linear/packed against cpu linear/blocked, T 96, 512 -> 1024. */
static void speed_ratio(const width *w)
{
    const int64_t T = 96, in = 512, out = 1024;
    uint64_t s = 7;
    float *x = malloc(sizeof(float) * T * in), *wt = malloc(sizeof(float) * out * in);
    float *y = malloc(sizeof(float) * T * out);
    for (int64_t i = 0; i < T * in; i++) x[i] = frand(&s);
    for (int64_t i = 0; i < out * in; i++) wt[i] = frand(&s);
    const hy_linear_shape sh = {.T = T, .in = in, .out = out};
    const hy_linear_args a = {.x = x, .w = wt, .y = y};
    void *work = malloc(w->linear.impl.linear.workspace(&sh));
    hy_error err;
    double best[2] = {1e30, 1e30};
    for (int rep = 0; rep < 5; rep++) {
        double t0 = now_s();
        CHECK_OK(w->linear.impl.linear.run(EX, &sh, &a, work, &err), &err);
        double t1 = now_s();
        CHECK_OK(hy_cpu_linear_blocked(EX, &sh, &a, NULL, &err), &err);
        double t2 = now_s();
        if (t1 - t0 < best[0]) best[0] = t1 - t0;
        if (t2 - t1 < best[1]) best[1] = t2 - t1;
    }
    const double flops = 2.0 * T * in * out;
    printf("  linear T%lld %lld->%lld: packed/%s %.1f GFLOP/s, cpu/blocked %.1f GFLOP/s, "
           "speed-up %.2fx (printed, not checked)\n",
           (long long)T, (long long)in, (long long)out, w->isa, flops / best[0] * 1e-9,
           flops / best[1] * 1e-9, best[1] / best[0]);
    free(x), free(wt), free(y), free(work);
}

int main(void)
{
    hy_error err;
    CHECK_OK(hy_cpu_exec_create(&EX, &err), &err);
    if (!EX) return hy_test_finish();
    setup_widths();
    for (int i = 0; i < 2; i++) {
        if (!W[i].usable) continue;
        printf("width %s\n", W[i].isa);
        gemm_hand(&W[i]);
        gemm_thread_invariance(&W[i]);
        argument_errors(&W[i]);
        validate_family_shapes(&W[i].linear);
        validate_family_shapes(&W[i].mlp);
        validate_family_shapes(&W[i].grouped);
        validate_family_shapes(&W[i].token);
        validate_targeted(&W[i]);
        speed_ratio(&W[i]);
    }

    /* linear/openblas: isa "c"; unsupported (not failed) without OpenBLAS */
    const hy_kernel_variant ob = {.family = HY_FAM_LINEAR, .name = "openblas", .isa = "c",
                                  .impl.linear = {hy_x86_linear_openblas, NULL}};
#ifdef HYBENCH_HAVE_OPENBLAS
    printf("linear/openblas\n");
    validate_family_shapes(&ob);
    const hy_val_shape extra[] = {lin(7, 255, 17, 1, 1, 0), lin(16, 17, 31, 1, 1, 1)};
    for (size_t i = 0; i < 2; i++) validate(&ob, &extra[i]);
#else
    {
        float x[4] = {0}, wt[4] = {0}, y[4] = {0};
        const hy_linear_shape s = {.T = 2, .in = 2, .out = 2};
        const hy_linear_args a = {.x = x, .w = wt, .y = y};
        CHECK(ob.impl.linear.run(EX, &s, &a, NULL, &err) == HY_UNSUPPORTED);
        printf("skip linear/openblas: %s\n", err.msg);
    }
#endif
    hy_cpu_exec_destroy(EX);
    return hy_test_finish();
}
