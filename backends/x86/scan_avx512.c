/* scan_avx512.c — scan/fused and scan/chunked with 16-lane AVX-512 vectors
 * (the body is scan_impl.h; CMake compiles this file with -mavx512f/bw/vl/dq). */
#define HY_X86_WIDTH 16
#include "scan_impl.h"
