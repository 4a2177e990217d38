#!/usr/bin/env bash
# The test command: installs what is needed, builds, and runs the whole
# ctest suite three times: a normal Release build, the same tree
# cross-compiled for aarch64 and run under qemu, then under
# AddressSanitizer and UBSan.  On an x86-64 CPU without AVX-512 it then
# validates the AVX-512 kernels under Bochs (scripts/avx512-emulated.sh,
# about 9 minutes; where the CPU has AVX-512 the Release ctest already ran
# them natively).  Exit status is non-zero if anything fails.
#
#   scripts/test.sh              all of it
#   HYBENCH_NO_SANITIZE=1 scripts/test.sh   skip the sanitizer build
#   HYBENCH_NO_ARM=1 scripts/test.sh        skip the aarch64 build under qemu
#   HYBENCH_NO_AVX512_EMU=1 scripts/test.sh skip the AVX-512 run under Bochs
# (the aarch64 cross build and its tests run when gcc-aarch64-linux-gnu and
# qemu-user are installed, as scripts/setup.sh does)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

bash scripts/setup.sh
jobs=$(nproc 2>/dev/null || echo 2)
gen=()
command -v ninja >/dev/null 2>&1 && gen=(-G Ninja)

echo "== build (Release) =="
cmake -S . -B build "${gen[@]}" -DCMAKE_BUILD_TYPE=Release
cmake --build build -j "$jobs"
echo "== tests (Release) =="
(cd build && ctest --output-on-failure -j "$jobs")

if [ "${HYBENCH_NO_ARM:-0}" != 1 ] && grep -q '^arm_cross: on' build/generated/hybench_features.txt 2>/dev/null; then
  echo "== tests (aarch64 cross build, run under qemu-aarch64 -cpu max) =="
  cmake --build build --target arm-check
fi

if [ "${HYBENCH_NO_SANITIZE:-0}" != 1 ]; then
  echo "== build (ASan + UBSan) =="
  cmake -S . -B build-asan "${gen[@]}" -DCMAKE_BUILD_TYPE=Debug -DHYBENCH_SANITIZE=ON
  cmake --build build-asan -j "$jobs"
  echo "== tests (ASan + UBSan) =="
  # OpenMP's runtime keeps thread pools alive at exit: not a leak of ours.
  (cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
     UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j "$jobs")
fi
if [ "${HYBENCH_NO_AVX512_EMU:-0}" != 1 ] && [ "$(uname -m)" = x86_64 ] &&
   ! grep -qw avx512f /proc/cpuinfo; then
  echo "== AVX-512 kernels under Bochs (emulated Skylake-X; this CPU has no AVX-512) =="
  bash scripts/avx512-emulated.sh
fi
echo "== all tests passed =="
