# Cross-compiles hybench for 64-bit ARM with Debian's gcc-aarch64-linux-gnu;
# tests run under qemu-aarch64 (-cpu max, so SVE and SVE2 are present; the
# vector length is chosen with QEMU_CPU, e.g. "max,sve-default-vector-length=32").
# Emulated timings mean nothing; correctness does.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
find_program(_hy_aarch64_cxx aarch64-linux-gnu-g++)
if(_hy_aarch64_cxx)
  set(CMAKE_CXX_COMPILER ${_hy_aarch64_cxx})
endif()
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
if(DEFINED ENV{QEMU_CPU})
  set(_hy_qemu_cpu $ENV{QEMU_CPU})
else()
  set(_hy_qemu_cpu max)
endif()
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64;-L;/usr/aarch64-linux-gnu;-cpu;${_hy_qemu_cpu})
