#!/usr/bin/env bash
# The GPU check: builds hybench with the CUDA backend on a bare machine
# (nvcc, CMake, a C compiler; none of Debian's -dev packages, no network),
# then, on the GPU:
#   1. hybench info                       device, kernel tables
#   2. test_gpu_backends                  every cuda variant on every
#                                         validation shape, memory ops, timing
#   3. hybench validate --backend cuda    kernels + model forward vs reference
#   4. hybench bench --backend cuda       quick benchmark set (validated first)
#   5. hybench sweep --backend cuda       quick layer-kind sweep
# sized to finish in under 8 minutes on one H200 (each step has a time
# limit; bench and sweep stop starting work at --max-time and keep what
# they measured).  Results go to $OUT (the device tool's output folder)
# when set, else results/runs/gpu-check-<date>/; summary.txt lists the
# exit status of each step.  Exit status 0 only when every step passed.
#
#   scripts/gpu-check.sh
#   HYBENCH_CUDA_ARCHITECTURES=90-real scripts/gpu-check.sh   (faster build)
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

out=${OUT:-results/runs/gpu-check-$(date -u +%Y%m%d-%H%M%S)}
mkdir -p "$out"
out=$(cd "$out" && pwd)
build=${HYBENCH_GPU_BUILD:-build-gpu-check}
summary="$out/summary.txt"
: >"$summary"
status=0

# step NAME LIMIT_S COMMAND...: runs with a time limit, logs to NAME.log
step() {
  local name=$1 limit=$2
  shift 2
  local t0=$SECONDS
  echo "== $name (limit ${limit}s): $*"
  timeout --kill-after=10 "$limit" "$@" >"$out/$name.log" 2>&1
  local rc=$?
  tail -n 15 "$out/$name.log"
  echo "$name rc=$rc $((SECONDS - t0))s" | tee -a "$summary"
  [ "$rc" = 0 ] || status=1
  return "$rc"
}

gen=()
command -v ninja >/dev/null 2>&1 && gen=(-G Ninja)
arch=()
[ -n "${HYBENCH_CUDA_ARCHITECTURES:-}" ] && arch=(-DHYBENCH_CUDA_ARCHITECTURES="$HYBENCH_CUDA_ARCHITECTURES")
step configure 120 cmake -S . -B "$build" "${gen[@]}" -DCMAKE_BUILD_TYPE=Release \
  -DHYBENCH_WITH_CUDA=ON -DHYBENCH_WITH_HIP=OFF -DHYBENCH_WITH_HWLOC=OFF \
  -DHYBENCH_WITH_PAPI=OFF -DHYBENCH_WITH_GBENCH=OFF -DHYBENCH_WITH_OPENBLAS=OFF \
  -DHYBENCH_WITH_GNUPLOT=OFF -DHYBENCH_WITH_ARM_CROSS=OFF "${arch[@]}" || { echo "configure failed"; exit 1; }
step build 240 cmake --build "$build" -j "$(nproc 2>/dev/null || echo 4)" \
  --target hybench test_gpu_backends || { echo "build failed"; exit 1; }
hy="$build/hybench"

step info 30 "$hy" info
if ! grep -q "cuda 1: available" "$out/info.log"; then
  echo "gpu-check: the cuda backend is not available here (see $out/info.log)" | tee -a "$summary"
  exit 1
fi
step test_gpu_backends 120 "$build/tests/test_gpu_backends"
step validate 120 "$hy" validate --backend cuda --out "$out/validate.json"
step bench 150 "$hy" bench --backend cuda --quick --max-time 100 \
  --out "$out/bench.json" --csv "$out/bench.csv"
step sweep 150 "$hy" sweep --backend cuda --preset jamba-v0.1 --width-div 4 --quick \
  --max-time 100 --out "$out/sweep.json" --csv "$out/sweep.csv"

echo "gpu-check: results in $out (status $status)"
exit "$status"
