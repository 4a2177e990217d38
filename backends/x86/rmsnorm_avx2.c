/* rmsnorm_avx2.c — rmsnorm/rowwise with 8-lane AVX2 vectors (the body is
 * rmsnorm_impl.h; CMake compiles this file with -mavx2 -mfma). */
#define HY_X86_WIDTH 8
#include "rmsnorm_impl.h"
