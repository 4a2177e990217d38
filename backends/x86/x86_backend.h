/* x86_backend.h — the x86 backend: AVX2 and AVX-512 kernels (one
 * width-generic source per family, compiled once per width; see
 * x86_vec.h), OpenBLAS as the vendor baseline for linear, and the cpu
 * backend's execution context and host memory ops. */
#ifndef HY_X86_BACKEND_H
#define HY_X86_BACKEND_H

#include "backend.h"

extern const hy_backend hy_backend_x86;

#endif
