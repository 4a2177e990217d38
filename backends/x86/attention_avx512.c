/* attention_avx512.c — the x86 attention kernels at 16 floats per vector
 * (body: attention_impl.h). */
#define HY_X86_WIDTH 16
#include "attention_impl.h"
