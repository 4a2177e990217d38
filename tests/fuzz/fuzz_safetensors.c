/* fuzz_safetensors.c — libFuzzer target for safetensors validation
 * (hy_st_open_buffer) and f32 conversion of whatever it accepts.  Build
 * with -DHYBENCH_FUZZ=ON and Clang; see README.md. */
#include "hy_fuzz_checks.h"

#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int accepted;
    const char *problem = hy_fuzz_check_safetensors(data, size, &accepted);
    if (problem) {
        fprintf(stderr, "fuzz_safetensors: %s\n", problem);
        abort();
    }
    return 0;
}
