/* test_val_case_timing_only.c — hy_val_case_create_opts without a
 * reference: the case binds, resets and launches like a validation case,
 * and hy_val_case_check refuses it with status ERROR. */
#include "hy_test.h"
#include "hy_validate.h"

#include <stdio.h>
#include <string.h>

static void check_family(const hy_backend *cpu, hy_exec *ex, hy_family fam)
{
    hy_val_shape shapes[32];
    size_t n = hy_val_shapes(fam, 1, shapes, 32);
    CHECK(n > 0);
    if (n == 0) return;
    hy_error err = {{0}};
    hy_val_case *c = NULL;
    CHECK_OK(hy_val_case_create_opts(cpu, ex, &shapes[0], 7, 0, &c, &err), &err);
    if (!c) return;
    CHECK(hy_val_case_shape(c)->family == fam);
    CHECK(hy_val_case_cost(c).flops == hy_val_shape_cost(&shapes[0]).flops);
    CHECK_OK(hy_val_case_bind(c, hy_backend_select(cpu, fam), &err), &err);
    CHECK_OK(hy_val_case_reset(c, &err), &err);
    CHECK_OK(hy_val_case_launch(c, &err), &err);
    hy_check_result r;
    hy_val_case_check(c, &r);
    CHECK(r.status == HY_CHECK_ERROR);
    CHECK(strstr(r.message, "without a reference") != NULL);
    hy_val_case_destroy(c);

    /* the same shape with the reference still validates */
    CHECK_OK(hy_val_case_create_opts(cpu, ex, &shapes[0], 7, 1, &c, &err), &err);
    if (!c) return;
    CHECK_OK(hy_val_case_bind(c, hy_backend_select(cpu, fam), &err), &err);
    CHECK_OK(hy_val_case_reset(c, &err), &err);
    CHECK_OK(hy_val_case_launch(c, &err), &err);
    hy_val_case_check(c, &r);
    CHECK(r.status == HY_CHECK_PASS);
    hy_val_case_destroy(c);
}

int main(void)
{
    const hy_backend *cpu = hy_backend_find("cpu");
    CHECK(cpu != NULL);
    if (!cpu) return hy_test_finish();
    hy_error err = {{0}};
    hy_exec *ex = NULL;
    CHECK_OK(cpu->exec_create(&ex, &err), &err);
    if (!ex) return hy_test_finish();
    const hy_family fams[] = {HY_FAM_SCAN, HY_FAM_ATTENTION, HY_FAM_MOE, HY_FAM_LINEAR};
    for (size_t i = 0; i < sizeof fams / sizeof fams[0]; i++) {
        printf("timing-only case: %s\n", hy_family_name(fams[i]));
        check_family(cpu, ex, fams[i]);
    }
    cpu->exec_destroy(ex);
    return hy_test_finish();
}
