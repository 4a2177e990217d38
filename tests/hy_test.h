/* hy_test.h — the small check library every tests/test_*.c uses.
 * A check that fails prints file:line and the expression, and the test
 * goes on; hy_test_finish() prints "N passed, N failed" and returns the
 * exit status (non-zero when anything failed). */
#ifndef HY_TEST_H
#define HY_TEST_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

void hy_test_record(int ok, const char *file, int line, const char *what);
int hy_test_finish(void);
/* A fresh scratch directory for this test (under HYBENCH_TEST_TMP or /tmp);
 * returns a static string. */
const char *hy_test_tmpdir(const char *test_name);
/* The validation metric max|got - ref| / max|ref| over n values (the one
 * hybench validate uses, harness/hy_validate.h); NaN or inf in got gives
 * infinity. */
double hy_test_rel_error(const float *got, const float *ref, size_t n);

/* One kernel variant on one validation shape through the validation
 * driver (harness/hy_validate.h) on a host backend, recorded as one check
 * that passes only on PASS; the failing result is printed (and every one
 * with HYBENCH_TEST_VERBOSE set). */
struct hy_backend;
struct hy_exec;
struct hy_kernel_variant;
struct hy_val_shape;
/* Made-up CPU ceilings: one avx2 f32 compute peak of `gflops` and a DRAM
 * triad of `triad_gbs`, one thread and all alike (no devices). */
struct hy_ceilings;
void hy_test_cpu_ceilings(struct hy_ceilings *c, double gflops, double triad_gbs);

void hy_test_validate(const struct hy_backend *b, struct hy_exec *ex,
                      const struct hy_kernel_variant *v, const struct hy_val_shape *shape,
                      uint64_t seed);
/* The same over every shape of the variant's family (hy_val_shapes). */
void hy_test_validate_family(const struct hy_backend *b, struct hy_exec *ex,
                             const struct hy_kernel_variant *v, uint64_t seed);

#define CHECK(cond) hy_test_record(!!(cond), __FILE__, __LINE__, #cond)
/* |a - b| <= tol, printing both values on failure. */
#define CHECK_NEAR(a, b, tol)                                                              \
    do {                                                                                   \
        double hy_a_ = (double)(a), hy_b_ = (double)(b), hy_t_ = (double)(tol);            \
        int hy_ok_ = (hy_a_ - hy_b_ <= hy_t_) && (hy_b_ - hy_a_ <= hy_t_);                  \
        if (!hy_ok_)                                                                       \
            fprintf(stderr, "  %s = %.9g, %s = %.9g, tolerance %.3g\n", #a, hy_a_, #b, hy_b_, \
                    hy_t_);                                                                \
        hy_test_record(hy_ok_, __FILE__, __LINE__, #a " ~= " #b);                          \
    } while (0)
/* An API call that must succeed (returns 0); prints the error otherwise. */
#define CHECK_OK(call, errp)                                                               \
    do {                                                                                   \
        int hy_rc_ = (call);                                                               \
        if (hy_rc_ != 0) fprintf(stderr, "  error: %s\n", (errp)->msg);                   \
        hy_test_record(hy_rc_ == 0, __FILE__, __LINE__, #call);                            \
    } while (0)
/* An API call that must fail with a message containing `needle`. */
#define CHECK_FAILS(call, errp, needle)                                                    \
    do {                                                                                   \
        (errp)->msg[0] = 0;                                                                \
        int hy_rc_ = (call);                                                               \
        int hy_ok_ = hy_rc_ != 0 && strstr((errp)->msg, (needle)) != NULL;                 \
        if (!hy_ok_) fprintf(stderr, "  rc %d, message \"%s\", wanted \"%s\"\n", hy_rc_,   \
                             (errp)->msg, (needle));                                       \
        else printf("  rejected as expected: %s\n", (errp)->msg);                          \
        hy_test_record(hy_ok_, __FILE__, __LINE__, #call);                                 \
    } while (0)

#endif
