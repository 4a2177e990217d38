/* test_x86_avx512_simde.c — every AVX-512 and AVX-512-BF16 variant of the
 * x86 kernel table, run emulated on AVX2 (their sources compiled again on
 * SIMDe's _mm512 intrinsics: backends/x86/simde/) and validated against
 * reference/ exactly as `hybench validate --backend x86` validates a
 * variant: hy_validate_variant, seed 1, every validation shape of the
 * family whose storage dtype the variant reads (hy_variant_storage_ok).
 *
 * The variants come from the real table (hy_backend_x86's kernels), so a
 * new avx512 / avx512bf16 variant is covered at once; one without an
 * emulated counterpart in x86_simde_kernels.c fails here, as does an
 * emulated entry that matches no real variant any more.
 *
 * Plus extra shapes for AVX-512 code the validation set does not reach
 * (conv1d's non-temporal stores of a y of 4 MiB and more).
 *
 * Per variant it prints the shapes passed and the worst error against its
 * tolerance.  Built only with HYBENCH_WITH_SIMDE.  About 2 s in a Release
 * build, 10-17 s under ASan + UBSan (Debug), on 2 cores. */
#include "hy_test.h"

#include "backend.h"
#include "hy_validate.h"
#include "x86_simde_kernels.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SEED 1 /* hybench validate's default */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Beyond the validation set: shapes that reach AVX-512 code it does not.
 * conv1d and the scan prefill stream y with non-temporal stores
 * (_mm512_stream_ps, 64-byte aligned) only when y is at least 4 MiB and
 * C (D) a multiple of 16; the scan shape also has a partial last channel
 * block and time batch. */
static const hy_val_shape extra_shapes[] = {
    {.family = HY_FAM_CONV1D, .label = "t512_c2048_k4_silu_stream", .state = HY_VAL_STATE_RANDOM,
     .s.conv1d = {.T = 512, .C = 2048, .K = 4, .has_bias = 1, .silu = 1}},
    {.family = HY_FAM_SCAN, .label = "t67_d16400_n16_stream", .state = HY_VAL_STATE_RANDOM,
     .s.scan = {.T = 67, .D = 16400, .N = 16, .has_z = 1, .has_dt_bias = 1}},
};
#define N_EXTRA (sizeof extra_shapes / sizeof extra_shapes[0])

/* The emulated copy of `real` over its family's validation shapes and
 * extra_shapes; returns 1 when every shape passed. */
static int validate_emulated(const hy_backend *b, hy_exec *ex, const hy_kernel_variant *real)
{
    hy_error err = {{0}};
    hy_kernel_variant emu;
    if (hy_x86_simde_variant(real, &emu, &err)) {
        printf("  %s/%s (%s): %s\n", hy_family_name(real->family), real->name, real->isa, err.msg);
        CHECK(!"every avx512 / avx512bf16 variant has an emulated counterpart");
        return 0;
    }
    const size_t nv = hy_val_shapes(real->family, 0, NULL, 0); /* all, not --quick */
    hy_val_shape *shapes = calloc(nv + N_EXTRA, sizeof *shapes);
    CHECK(shapes != NULL);
    if (!shapes) return 0;
    hy_val_shapes(real->family, 0, shapes, nv);
    size_t ns = nv;
    for (size_t i = 0; i < N_EXTRA; i++)
        if (extra_shapes[i].family == real->family) shapes[ns++] = extra_shapes[i];

    const double t0 = now_s();
    int run = 0, passed = 0;
    double worst_ratio = -1, worst_error = 0, worst_tol = 0;
    const char *worst_shape = "-";
    for (size_t i = 0; i < ns; i++) {
        if (!hy_variant_storage_ok(real, &shapes[i].s, NULL)) continue; /* as hybench validate */
        hy_check_result r;
        hy_validate_variant(b, ex, &emu, &shapes[i], SEED, &r);
        run++;
        const int ok = r.status == HY_CHECK_PASS;
        passed += ok;
        /* a failure counts as worst whatever its numbers (NaN, an error) */
        const double ratio = ok ? r.error / r.tolerance : INFINITY;
        if (ratio > worst_ratio) {
            worst_ratio = ratio;
            worst_error = r.error;
            worst_tol = r.tolerance;
            worst_shape = shapes[i].label;
        }
        char what[768];
        snprintf(what, sizeof what, "%s/%s (SIMDe) %s: %s (error %.3g, tolerance %.3g) %s",
                 hy_family_name(real->family), real->name, shapes[i].label,
                 hy_check_status_name(r.status), r.error, r.tolerance, r.message);
        if (!ok || getenv("HYBENCH_TEST_VERBOSE")) printf("    %s\n", what);
        hy_test_record(ok, __FILE__, __LINE__, what);
    }
    printf("  %-10s %-26s %-11s %2d/%-2d shapes passed, worst error %.3g (tolerance %.3g, %s), %.1f s\n",
           hy_family_name(real->family), real->name, real->isa, passed, run, worst_error, worst_tol,
           worst_shape, now_s() - t0);
    fflush(stdout);
    CHECK(run > 0); /* every family has shapes of each storage its variants read */
    free(shapes);
    return run > 0 && passed == run;
}

/* Every emulated entry pairs with a variant of the real table (the same
 * entry points), so none is left behind when a variant goes. */
static void check_no_stale_entries(const hy_backend *b)
{
    for (size_t i = 0; i < hy_x86_simde_count(); i++) {
        hy_kernel_variant want;
        hy_x86_simde_real(i, &want);
        int found = 0;
        for (size_t k = 0; k < b->n_kernels; k++) {
            const hy_kernel_variant *v = &b->kernels[k];
            if (v->family == want.family && !memcmp(&v->impl, &want.impl, sizeof want.impl))
                found = 1;
        }
        if (!found)
            printf("  emulated table entry %zu (%s) matches no variant of the x86 table\n", i,
                   hy_family_name(want.family));
        CHECK(found);
    }
}

int main(void)
{
    const hy_backend *x86 = hy_backend_find("x86");
    char why[256] = "";
    CHECK(x86 != NULL); /* built with HYBENCH_WITH_SIMDE, so with the x86 backend */
    if (!x86) return hy_test_finish();
    if (!x86->probe(why, sizeof why)) {
        /* the emulation itself needs AVX2 + FMA */
        printf("x86 backend not usable here (%s): the emulated kernels cannot run\n", why);
        return hy_test_finish();
    }
    hy_error err = {{0}};
    hy_exec *ex = NULL;
    CHECK_OK(x86->exec_create(&ex, &err), &err);
    if (!ex) return hy_test_finish();

    printf("AVX-512 kernels emulated through SIMDe, every validation shape, seed %d\n", SEED);
    const double t0 = now_s();
    int covered = 0, clean = 0;
    for (size_t k = 0; k < x86->n_kernels; k++) {
        if (!hy_x86_simde_covers(&x86->kernels[k])) continue;
        covered++;
        clean += validate_emulated(x86, ex, &x86->kernels[k]);
    }
    printf("%d of %d avx512 / avx512bf16 variants passed every shape, %.1f s\n", clean, covered,
           now_s() - t0);
    CHECK(covered > 0);
    CHECK((size_t)covered == hy_x86_simde_count());
    check_no_stale_entries(x86);

    x86->exec_destroy(ex);
    return hy_test_finish();
}
