/* conv1d_avx512.c — conv1d/direct with 16-lane AVX-512 vectors (the body is
 * conv1d_impl.h; CMake compiles this file with -mavx512f/bw/vl/dq). */
#define HY_X86_WIDTH 16
#include "conv1d_impl.h"
