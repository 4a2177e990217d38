#!/usr/bin/env bash
# The main job: installs what is needed, builds, then runs `hybench run` on
# the best available backend: prints what the machine and build offer,
# validates every kernel and the model forward against reference/, measures
# the roofline ceilings, benchmarks the kernels (validated first) and sweeps
# layer-kind costs over lengths and attention:Mamba ratios.
# Everything is written under results/runs/<date>/ (printed at the end).
#
#   scripts/run.sh                 default size (about 10 minutes on 2 cores)
#   HYBENCH_QUICK=1 scripts/run.sh a short smoke run
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

bash scripts/setup.sh
gen=()
command -v ninja >/dev/null 2>&1 && gen=(-G Ninja)
cmake -S . -B build "${gen[@]}" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$(nproc 2>/dev/null || echo 2)"
hy=build/hybench

out="results/runs/$(date -u +%Y%m%d-%H%M%S)"
mkdir -p "$out"
quick=()
[ "${HYBENCH_QUICK:-0}" = 1 ] && quick=(--quick)

# info, validate, ceilings, bench and sweep, all into $out (see
# `hybench run --help`); the console log is kept beside the results.
status=0
"$hy" run --out-dir "$out" "${quick[@]}" 2>&1 | tee "$out/run.log" || status=$?
echo
echo "results written to $out"
exit "$status"
