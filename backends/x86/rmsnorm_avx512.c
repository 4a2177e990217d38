/* rmsnorm_avx512.c — rmsnorm/rowwise with 16-lane AVX-512 vectors (the body
 * is rmsnorm_impl.h; CMake compiles this file with -mavx512f/bw/vl/dq). */
#define HY_X86_WIDTH 16
#include "rmsnorm_impl.h"
