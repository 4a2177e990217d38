/* gemm_avx2.c — gemm_impl.h compiled for AVX2 + FMA (8 floats per vector). */
#define HY_X86_WIDTH 8
#include "gemm_impl.h"
