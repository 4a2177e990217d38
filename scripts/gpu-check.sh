#!/usr/bin/env bash
# The GPU check: builds hybench with the CUDA backend on a bare machine
# (nvcc, CMake, a C compiler; none of Debian's -dev packages, no network),
# then, on the GPU:
#   1. hybench info                       device, kernel tables
#   2. test_gpu_backends                  every cuda variant (fp32 and the
#                                         tensor-core bf16 ones) on every
#                                         validation shape, memory ops, timing
#   3. test_gpu_ceilings                  the device probes and the roofline
#   4. hybench ceilings --quick           CPU and GPU ceilings (FMA, bf16 mma,
#                                         device copy and memcpy) -> ceilings.json
#   5. hybench validate --backend cuda    kernels + model forward vs reference
#   6. hybench bench --backend cuda       quick benchmark set (validated first),
#                                         timed with CUDA events, roofline
#                                         fractions against the GPU ceilings
#   7. hybench sweep --backend cuda       quick layer-kind sweep
#   8. hybench bench (target shapes)      the issue's H200 targets: bf16
#                                         prefill attention at L = 4096,
#                                         decode over 16384 keys, the scan
#   9. hybench validate --backend x86     the host CPU's AVX-512 variants
#                                         (validated nowhere else)
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
  --target hybench test_gpu_backends test_gpu_ceilings || { echo "build failed"; exit 1; }
hy="$build/hybench"

step info 30 "$hy" info
if ! grep -q "cuda 1: available" "$out/info.log"; then
  echo "gpu-check: the cuda backend is not available here (see $out/info.log)" | tee -a "$summary"
  exit 1
fi
step test_gpu_backends 120 "$build/tests/test_gpu_backends"
step test_gpu_ceilings 60 "$build/tests/test_gpu_ceilings"
# bench and sweep hold the kernels to these ceilings; without the file
# (the step failed) they measure a quick set themselves
ceil=()
step ceilings 60 "$hy" ceilings --quick --out "$out/ceilings.json" &&
  [ -s "$out/ceilings.json" ] && ceil=(--ceilings "$out/ceilings.json")
step validate 120 "$hy" validate --backend cuda --out "$out/validate.json"
step bench 120 "$hy" bench --backend cuda --quick --max-time 70 "${ceil[@]}" \
  --out "$out/bench.json" --csv "$out/bench.csv"
step sweep 120 "$hy" sweep --backend cuda --preset jamba-v0.1 --width-div 4 --quick \
  --max-time 70 "${ceil[@]}" --out "$out/sweep.json" --csv "$out/sweep.csv"

# the issue's H200 target shapes: bf16 prefill attention at L = 4096 (tensor
# cores), decode attention over a 16384-token cache, the Jamba scan layer
# (prefill and the decode step)
step bench_targets 100 "$hy" bench --backend cuda --max-time 60 "${ceil[@]}" --repetitions 5 \
  --shape 'attention:T=4096,nH=32,nKV=8,hd=128;attention:T=1,nH=32,nKV=8,hd=128,pos0=16384;scan:T=4096,D=8192,N=16;scan:T=1,D=8192,N=16' \
  --out "$out/bench-targets.json"
# the host CPU of a GPU machine usually has AVX-512 (this project's own
# machines do not): validate every x86 variant there, AVX-512 and AVX2 alike
step validate_x86 120 "$hy" validate --backend x86 --out "$out/validate-x86.json"

echo "gpu-check: results in $out (status $status)"
exit "$status"
