/* moe_avx2.c — moe_impl.h compiled for AVX2 + FMA (8 floats per vector). */
#define HY_X86_WIDTH 8
#include "moe_impl.h"
