/* mlp_avx512.c — mlp_impl.h compiled for AVX-512 (16 floats per vector). */
#define HY_X86_WIDTH 16
#include "mlp_impl.h"
