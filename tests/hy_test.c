#include "hy_test.h"

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
