/* gemm_avx512.c — gemm_impl.h compiled for AVX-512 (16 floats per vector). */
#define HY_X86_WIDTH 16
#include "gemm_impl.h"
