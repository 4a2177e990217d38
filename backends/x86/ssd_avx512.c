/* ssd_avx512.c — the x86 SSD kernel at 16 floats per vector (body: ssd_impl.h). */
#define HY_X86_WIDTH 16
#include "ssd_impl.h"
