/* conv1d_avx2.c — conv1d/direct with 8-lane AVX2 vectors (the body is
 * conv1d_impl.h; CMake compiles this file with -mavx2 -mfma). */
#define HY_X86_WIDTH 8
#include "conv1d_impl.h"
