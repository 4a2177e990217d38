/* linear_avx512.c — linear_impl.h compiled for AVX-512 (16 floats per vector). */
#define HY_X86_WIDTH 16
#include "linear_impl.h"
