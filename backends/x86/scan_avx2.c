/* scan_avx2.c — scan/fused and scan/chunked with 8-lane AVX2 vectors (the
 * body is scan_impl.h; CMake compiles this file with -mavx2 -mfma). */
#define HY_X86_WIDTH 8
#include "scan_impl.h"
