/* linear_avx2.c — linear_impl.h compiled for AVX2 + FMA (8 floats per vector). */
#define HY_X86_WIDTH 8
#include "linear_impl.h"
