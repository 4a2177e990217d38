/* moe_avx512.c — moe_impl.h compiled for AVX-512 (16 floats per vector). */
#define HY_X86_WIDTH 16
#include "moe_impl.h"
