/* attention_bf16_avx512.c — attention_bf16_impl.h compiled for AVX-512 (16 floats per vector). */
#define HY_X86_WIDTH 16
#include "attention_bf16_impl.h"
