#!/usr/bin/env bash
# Installs the Debian packages hybench builds and tests with.  Safe to run
# again.  Where apt-get is unavailable or fails (no network, not root, a
# lent GPU machine), it says so and the build goes on without the optional
# pieces: every optional dependency is detected at configure time.
#
#   scripts/setup.sh            build + test packages
#   scripts/setup.sh --minimal  compiler and CMake only
set -u

required=(build-essential cmake ninja-build pkg-config)
optional=(
  g++ libbenchmark-dev    # Google Benchmark timing engine (through a C++ shim)
  libhwloc-dev            # topology and thread binding
  libpapi-dev             # hardware counters (zero counters on VMs: handled)
  gnuplot-nox             # report charts
  chromium                # headless check of the report page (tests/cli_report.sh)
  libopenblas-dev         # vendor BLAS baseline for linear
  libsimde-dev            # SIMDe: the AVX-512 kernels run emulated on AVX2 (tests/test_x86_avx512_simde.c)
  python3                 # CLI tests compare raw logits files
  clang                   # libFuzzer targets for the parsers
  gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user  # ARM cross-build, run under qemu
  hipcc                   # HIP backend: the GPU kernels built for gfx90a and gfx1030 (~350 MB)
)

if [ "${1:-}" = "--minimal" ]; then
  optional=()
fi

have_all=1
for p in "${required[@]}" $(printf '%s\n' "${optional[@]}" | sed 's/#.*//'); do
  dpkg -s "$p" >/dev/null 2>&1 || { have_all=0; break; }
done
if [ "$have_all" = 1 ]; then
  echo "setup: all packages already installed"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup: apt-get not found; install cmake and a C compiler by hand (optional pieces are skipped)"
  exit 0
fi
sudo=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "setup: not root and no sudo; skipping package installation"; exit 0
  fi
fi

export DEBIAN_FRONTEND=noninteractive
if ! $sudo apt-get update -q >/tmp/hybench-apt-update.log 2>&1; then
  echo "setup: apt-get update failed (no network?); see /tmp/hybench-apt-update.log; going on with what is installed"
  exit 0
fi
pkgs=$(printf '%s\n' "${required[@]}" "${optional[@]}" | sed 's/#.*//' | tr -s ' \n' ' ')
if ! $sudo apt-get install -y -q --no-install-recommends $pkgs >/tmp/hybench-apt-install.log 2>&1; then
  echo "setup: some packages failed to install; trying one by one"
  for p in $pkgs; do
    $sudo apt-get install -y -q --no-install-recommends "$p" >>/tmp/hybench-apt-install.log 2>&1 \
      || echo "setup: could not install $p (optional pieces that need it are skipped)"
  done
fi
echo "setup: done"
