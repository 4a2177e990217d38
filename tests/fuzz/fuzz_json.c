/* fuzz_json.c — libFuzzer target for the JSON parser (hy_json_parse) and,
 * through a write-back round trip, hy_strbuf's JSON escaping.  Build with
 * -DHYBENCH_FUZZ=ON and Clang; see README.md. */
#include "hy_fuzz_checks.h"

#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int accepted;
    const char *problem = hy_fuzz_check_json(data, size, &accepted);
    if (problem) {
        fprintf(stderr, "fuzz_json: %s\n", problem);
        abort();
    }
    return 0;
}
