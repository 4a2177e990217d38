#!/usr/bin/env bash
# The x86 backend's target shapes (issue 4), measured the way the closing
# notes report them: one full `hybench ceilings` run, then `hybench bench`
# of the seven target shapes on the x86 backend and on the portable cpu
# backend against those same ceilings (each shape validated against the
# reference first; decode shapes timed streamed, prefill warm), then a
# report of both.  About 6 minutes on 2 cores.
#
#   scripts/x86-targets.sh [OUT_DIR]        (default results/runs/x86-targets-<date>)
#   HYBENCH_BUILD=build REPS=10 scripts/x86-targets.sh
#
# Writes ceilings.json, x86.json, cpu.json, x86-bf16.json (the bf16-storage
# shapes beside their fp32 twins) and report/ in OUT_DIR.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${HYBENCH_BUILD:-$root/build}
bin=$build/hybench
[ -x "$bin" ] || { echo "x86-targets: no $bin (build first: cmake -S . -B build && cmake --build build)" >&2; exit 2; }
out=${1:-$root/results/runs/x86-targets-$(date -u +%Y%m%d-%H%M%S)}
reps=${REPS:-10}
mkdir -p "$out"

targets='scan:T=2048,D=8192,N=16;scan:T=1,D=8192,N=16;conv1d:T=2048,C=8192,K=4'
targets+=';attention:T=2048,nH=32,nKV=8,hd=128;attention:T=1,nH=32,nKV=8,hd=128,pos0=16384'
targets+=';moe:T=512,H=2048,I=5632,E=16,k=2;linear:T=512,in=4096,out=16384'
bf16='linear:T=1,in=4096,out=14336;linear:T=1,in=4096,out=14336,w=bf16'
bf16+=';linear:T=512,in=4096,out=4096;linear:T=512,in=4096,out=4096,w=bf16'
bf16+=';attention:T=1,nH=32,nKV=8,hd=128,pos0=16384;attention:T=1,nH=32,nKV=8,hd=128,pos0=16384,kv=bf16'

echo "== ceilings"
"$bin" ceilings --out "$out/ceilings.json"
echo "== x86 targets"
"$bin" bench --backend x86 --shape "$targets" --repetitions "$reps" --ceilings "$out/ceilings.json" --out "$out/x86.json"
echo "== cpu targets"
"$bin" bench --backend cpu --shape "$targets" --repetitions "$reps" --ceilings "$out/ceilings.json" --out "$out/cpu.json"
echo "== bf16 storage"
"$bin" bench --backend x86 --shape "$bf16" --repetitions "$reps" --ceilings "$out/ceilings.json" --out "$out/x86-bf16.json"
"$bin" report "$out/x86.json" "$out/cpu.json" "$out/x86-bf16.json" --label x86,cpu,x86-bf16 \
  --title "x86 backend targets" -o "$out/report"
echo "x86-targets: results in $out"
