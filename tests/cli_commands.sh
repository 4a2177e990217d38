#!/usr/bin/env bash
# cli_commands.sh — the hybench commands on good input.
# usage: bash cli_commands.sh <path to hybench> <scratch dir>
# Prints one line per check and "N passed, N failed"; exit 1 on any failure.
set -u
HYBENCH=${1:?usage: cli_commands.sh HYBENCH SCRATCH}
SCRATCH=${2:?usage: cli_commands.sh HYBENCH SCRATCH}
rm -rf "$SCRATCH" && mkdir -p "$SCRATCH" || exit 1
pass=0
fail=0

ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }

# run NAME CMD...: runs hybench, keeps stdout/stderr in $SCRATCH/NAME.{out,err}, sets $rc
run() {
    local name=$1
    shift
    "$HYBENCH" "$@" >"$SCRATCH/$name.out" 2>"$SCRATCH/$name.err"
    rc=$?
}

# expect_ok NAME CMD...: exit status 0
expect_ok() {
    local name=$1
    run "$@"
    if [ "$rc" -eq 0 ]; then ok "$name"; else
        bad "$name (exit $rc)"
        tail -n 20 "$SCRATCH/$name.err" "$SCRATCH/$name.out" | sed 's/^/    /'
    fi
}

# contains NAME FILE TEXT: FILE holds TEXT
contains() {
    if grep -qF -- "$3" "$2"; then ok "$1"; else bad "$1 ('$3' not in $2)"; fi
}

# compare NAME A B TOL: two raw little-endian float32 files of equal size,
# max|a-b| / max|b| <= TOL (python3 if it runs, else od + awk).
compare() {
    local name=$1 a=$2 b=$3 tol=$4 out
    if [ ! -s "$a" ] || [ ! -s "$b" ]; then
        bad "$name (missing output)"
        return
    fi
    if [ "$(wc -c <"$a")" -ne "$(wc -c <"$b")" ]; then
        bad "$name (sizes $(wc -c <"$a") and $(wc -c <"$b") differ)"
        return
    fi
    if python3 -c 'pass' >/dev/null 2>&1; then
        out=$(python3 - "$a" "$b" "$tol" <<'EOF'
import math, struct, sys
a = open(sys.argv[1], "rb").read()
b = open(sys.argv[2], "rb").read()
n = len(a) // 4
x = struct.unpack("<%df" % n, a)
y = struct.unpack("<%df" % n, b)
if not all(math.isfinite(v) for v in x + y):
    print("non-finite value")
    sys.exit(1)
ref = max(abs(v) for v in y)
diff = max(abs(p - q) for p, q in zip(x, y))
err = diff / ref if ref > 0 else diff
print("max rel err %.3g" % err)
sys.exit(0 if err <= float(sys.argv[3]) else 1)
EOF
)
    else
        out=$(paste <(od -An -v -t f4 -w4 "$a") <(od -An -v -t f4 -w4 "$b") | awk -v tol="$tol" '
            tolower($0) ~ /nan|inf/ { print "non-finite value"; bad = 1; exit 1 }
            { d = $1 - $2; if (d < 0) d = -d; r = $2 < 0 ? -$2 : $2
              if (d > md) md = d; if (r > mr) mr = r }
            END { if (bad) exit 1; e = mr > 0 ? md / mr : md; printf "max rel err %.3g\n", e
                  exit !(e <= tol) }')
    fi
    if [ $? -eq 0 ]; then ok "$name: $out"; else bad "$name: $out"; fi
}

# --- info -------------------------------------------------------------------
expect_ok info info
contains "info lists the cpu backend" "$SCRATCH/info.out" "cpu"
contains "info shows the kernel table" "$SCRATCH/info.out" "default"
contains "info shows CPU features" "$SCRATCH/info.out" "features"
contains "info lists presets" "$SCRATCH/info.out" "jamba-v0.1"
for c in info validate make-model forward memory; do
    expect_ok "$c --help" "$c" --help
    contains "$c --help prints usage" "$SCRATCH/$c --help.out" "usage: hybench $c"
done
expect_ok "hybench --help" --help

# --- validate ---------------------------------------------------------------
expect_ok "validate --backend cpu --quick" validate --backend cpu --quick
contains "validate reports no failure" "$SCRATCH/validate --backend cpu --quick.out" " 0 failed, "
contains "validate checks the model forward" "$SCRATCH/validate --backend cpu --quick.out" "chunked"
expect_ok "validate --family scan" validate --backend=cpu --family scan --quick

# --- make-model + forward -----------------------------------------------------
M=$SCRATCH/tiny
expect_ok "make-model tiny" make-model --preset tiny --out "$M" --seed 7
[ -s "$M/config.json" ] && [ -s "$M/model.safetensors" ] && ok "model files written" ||
    bad "model files written"
vocab=$(sed -n 's/.*"vocab_size"[[:space:]]*:[[:space:]]*\([0-9][0-9]*\).*/\1/p' "$M/config.json")
TOKENS=1,2,3,250,7,0,42
NT=7
expect_ok "forward cpu prefill" forward --model "$M" --tokens $TOKENS --backend cpu --out "$SCRATCH/cpu_prefill.f32"
expect_ok "forward reference prefill" forward --model "$M" --tokens $TOKENS --backend reference --out "$SCRATCH/ref_prefill.f32"
expect_ok "forward cpu decode" forward --model "$M" --tokens $TOKENS --backend cpu --mode decode --out "$SCRATCH/cpu_decode.f32"
expect_ok "forward reference decode" forward --model "$M" --tokens $TOKENS --backend reference --mode decode --out "$SCRATCH/ref_decode.f32"
if [ -n "$vocab" ] && [ "$(wc -c <"$SCRATCH/cpu_prefill.f32" 2>/dev/null || echo 0)" -eq $((NT * vocab * 4)) ]; then
    ok "logits file is [tokens][vocab] float32 ($NT x $vocab)"
else
    bad "logits file size (vocab '$vocab')"
fi
compare "cpu prefill vs reference prefill" "$SCRATCH/cpu_prefill.f32" "$SCRATCH/ref_prefill.f32" 1e-4
compare "cpu decode vs reference prefill" "$SCRATCH/cpu_decode.f32" "$SCRATCH/ref_prefill.f32" 1e-4
compare "reference decode vs reference prefill" "$SCRATCH/ref_decode.f32" "$SCRATCH/ref_prefill.f32" 1e-6
expect_ok "forward summary" forward --model "$M" --tokens $TOKENS --backend cpu
contains "summary has a checksum" "$SCRATCH/forward summary.out" "checksum"
contains "summary has per-position rows" "$SCRATCH/forward summary.out" "argmax"

# bf16 storage loads and runs (converted to f32 at load)
expect_ok "make-model bf16" make-model --preset tiny-dense --dtype bf16 --out "$SCRATCH/dense16"
expect_ok "forward bf16 model" forward --model "$SCRATCH/dense16" --tokens 5,6 --out "$SCRATCH/d16.f32"

# --- memory -------------------------------------------------------------------
expect_ok "memory jamba-v0.1" memory --preset jamba-v0.1 --context 262144 --cache-dtype bf16
if grep -E '^ *kv_cache +4294967296 bytes +4\.000 GiB' "$SCRATCH/memory jamba-v0.1.out" >/dev/null; then
    ok "jamba-v0.1 KV cache at 256K tokens is 4 GiB (4294967296 bytes)"
else
    bad "jamba-v0.1 KV cache at 256K tokens"
    cat "$SCRATCH/memory jamba-v0.1.out"
fi
contains "memory prints parameter counts" "$SCRATCH/memory jamba-v0.1.out" "parameters"
expect_ok "memory --model" memory --model "$M" --context 100
expect_ok "memory --config" memory --config "$M/config.json" --context=100 --weight-dtype bf16

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
