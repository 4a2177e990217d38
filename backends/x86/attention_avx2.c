/* attention_avx2.c — the x86 attention kernels at 8 floats per vector
 * (body: attention_impl.h). */
#define HY_X86_WIDTH 8
#include "attention_impl.h"
