#!/usr/bin/env bash
# The main job: installs what is needed, builds, then on the best available
# backend: prints what the machine and build offer, validates every kernel
# and the model forward against reference/, measures the roofline ceilings,
# and benchmarks the kernels (validated first) at a default size.
# Everything is written under results/runs/<date>/ (printed at the end).
#
#   scripts/run.sh                 default size (about 10 minutes on 2 cores)
#   HYBENCH_QUICK=1 scripts/run.sh a short smoke run
set -euo pipefail
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

echo "== info =="
"$hy" info | tee "$out/info.txt"
echo "== validate =="
"$hy" validate "${quick[@]}" | tee "$out/validate.txt"
echo "== ceilings =="
"$hy" ceilings "${quick[@]}" --out "$out/ceilings.json" | tee "$out/ceilings.txt"
echo "== bench (kernels of one hybrid-3b layer at 512 and 2048 tokens, prefill and decode) =="
# Roofline fractions use the ceilings measured just above; --max-time keeps
# the default run near 10 minutes on 2 cores (what was measured is kept).
"$hy" bench "${quick[@]}" --ceilings "$out/ceilings.json" --max-time "${HYBENCH_BENCH_SECONDS:-420}" \
  --out "$out/bench.json" --csv "$out/bench.csv" | tee "$out/bench.txt"
echo "== model forward (tiny preset, best backend vs reference) =="
"$hy" make-model --preset tiny --seed 1 --out "$out/model-tiny" >/dev/null
"$hy" forward --model "$out/model-tiny" --tokens 1,2,3,4,5,6,7,8 --out "$out/logits-best.f32"
"$hy" forward --model "$out/model-tiny" --tokens 1,2,3,4,5,6,7,8 --backend reference --out "$out/logits-reference.f32"
echo
echo "results written to $out"
