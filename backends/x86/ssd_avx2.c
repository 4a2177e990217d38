/* ssd_avx2.c — the x86 SSD kernel at 8 floats per vector (body: ssd_impl.h). */
#define HY_X86_WIDTH 8
#include "ssd_impl.h"
