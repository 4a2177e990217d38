/* linear_bf16_avx512.c — linear_bf16_impl.h compiled for AVX-512 (16 floats per vector). */
#define HY_X86_WIDTH 16
#include "linear_bf16_impl.h"
