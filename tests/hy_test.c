#include "hy_test.h"

#include "hy_ceilings.h"
#include "hy_validate.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int passed, failed;

void hy_test_record(int ok, const char *file, int line, const char *what)
{
    if (ok) {
        passed++;
    } else {
        failed++;
        fprintf(stderr, "FAIL %s:%d: %s\n", file, line, what);
    }
}

int hy_test_finish(void)
{
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 && passed > 0 ? 0 : 1;
}

const char *hy_test_tmpdir(const char *test_name)
{
    static char path[1024];
    const char *base = getenv("HYBENCH_TEST_TMP");
    if (!base || !*base) base = "/tmp";
    snprintf(path, sizeof path, "%s/%s", base, test_name);
    mkdir(base, 0755);
    mkdir(path, 0755);
    return path;
}

double hy_test_rel_error(const float *got, const float *ref, size_t n)
{
    size_t worst;
    return hy_val_relative_error(got, ref, n, &worst);
}

void hy_test_validate(const hy_backend *b, hy_exec *ex, const hy_kernel_variant *v,
                      const hy_val_shape *shape, uint64_t seed)
{
    hy_check_result res;
    hy_validate_variant(b, ex, v, shape, seed, &res);
    char msg[900];
    snprintf(msg, sizeof msg, "%s/%s/%s %s: %s (error %.3g, tolerance %.3g) %s",
             hy_family_name(v->family), v->name, v->isa, shape->label,
             hy_check_status_name(res.status), res.error, res.tolerance, res.message);
    if (res.status != HY_CHECK_PASS || getenv("HYBENCH_TEST_VERBOSE")) printf("  %s\n", msg);
    hy_test_record(res.status == HY_CHECK_PASS, __FILE__, __LINE__, msg);
}

void hy_test_validate_family(const hy_backend *b, hy_exec *ex, const hy_kernel_variant *v,
                             uint64_t seed)
{
    hy_val_shape shapes[64];
    const size_t n = hy_val_shapes(v->family, 0, shapes, 64);
    CHECK(n > 0);
    for (size_t i = 0; i < n && i < 64; i++)
        if (hy_variant_storage_ok(v, &shapes[i].s, NULL)) /* the shapes v reads (f32 or bf16 W, ...) */
            hy_test_validate(b, ex, v, &shapes[i], seed);
}

static void made_up_stat(hy_ceil_stat *s, double v)
{
    memset(s, 0, sizeof *s);
    s->best = s->median = s->worst = v;
    s->repetitions = 1;
    s->measured = 1;
}

void hy_test_cpu_ceilings(hy_ceilings *c, double gflops, double triad_gbs)
{
    memset(c, 0, sizeof *c);
    c->n_compute = 1;
    snprintf(c->compute[0].id, sizeof c->compute[0].id, "avx2_f32");
    snprintf(c->compute[0].isa, sizeof c->compute[0].isa, "avx2");
    snprintf(c->compute[0].dtype, sizeof c->compute[0].dtype, "f32");
    c->compute[0].available = 1;
    made_up_stat(&c->compute[0].one_thread, gflops);
    made_up_stat(&c->compute[0].all_threads, gflops);
    c->n_bandwidth = 1;
    snprintf(c->bandwidth[0].level, sizeof c->bandwidth[0].level, "dram");
    snprintf(c->bandwidth[0].kernel, sizeof c->bandwidth[0].kernel, "triad");
    made_up_stat(&c->bandwidth[0].one_thread, triad_gbs);
    made_up_stat(&c->bandwidth[0].all_threads, triad_gbs);
}
