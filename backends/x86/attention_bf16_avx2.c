/* attention_bf16_avx2.c — attention_bf16_impl.h compiled for AVX2 + FMA (8 floats per vector). */
#define HY_X86_WIDTH 8
#include "attention_bf16_impl.h"
