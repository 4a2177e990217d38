#!/usr/bin/env bash
# cli_report.sh — `hybench report` on the committed sample results, then
# the page opened in headless Chromium: a screenshot that is a real image,
# and the page's own rendering check (#render-check, written by its script
# once every chart image decoded) read back from the DOM.  The Chromium
# part is skipped with a message where Chromium is not installed (Debian
# package chromium; scripts/setup.sh installs it).
# usage: bash cli_report.sh <path to hybench> <scratch dir>
set -u
HYBENCH=${1:?usage: cli_report.sh HYBENCH SCRATCH}
SCRATCH=${2:?usage: cli_report.sh HYBENCH SCRATCH}
rm -rf "$SCRATCH" && mkdir -p "$SCRATCH" || exit 1
SCRATCH=$(cd "$SCRATCH" && pwd)
SAMPLES=$(cd "$(dirname "$0")/../results/samples" && pwd)
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }

# --- the command ------------------------------------------------------------
"$HYBENCH" report "$SAMPLES"/*.json -o "$SCRATCH/report" >"$SCRATCH/report.out" 2>"$SCRATCH/report.err"
rc=$?
if [ "$rc" -eq 0 ]; then ok "report exits 0"; else
    bad "report exits $rc"
    cat "$SCRATCH/report.err" "$SCRATCH/report.out" | sed 's/^/    /'
fi
page="$SCRATCH/report/report.html"
[ -s "$page" ] && ok "report.html written" || bad "report.html missing"
[ -s "$SCRATCH/report/report.md" ] && ok "report.md written" || bad "report.md missing"
grep -qF "$page" "$SCRATCH/report.out" && ok "prints the page's path" || bad "page path not printed"
grep -q 'src=["'"'"']\(http\|//\)' "$page" && bad "page loads something from the network" || ok "page is self-contained"

"$HYBENCH" report >/dev/null 2>&1
[ $? -eq 2 ] && ok "no files: usage error" || bad "no files: not a usage error"
"$HYBENCH" report "$SAMPLES"/*.json >/dev/null 2>&1
[ $? -eq 2 ] && ok "no -o: usage error" || bad "no -o: not a usage error"
"$HYBENCH" report "$SCRATCH/none.json" -o "$SCRATCH/x" 2>"$SCRATCH/missing.err" >/dev/null
[ $? -eq 1 ] && grep -q none.json "$SCRATCH/missing.err" && ok "missing file: exit 1 naming it" \
    || bad "missing file not reported"
"$HYBENCH" report "$SAMPLES"/*.json -o "$SCRATCH/tables" --no-charts >"$SCRATCH/nocharts.out" 2>&1
[ $? -eq 0 ] && grep -q "charts were switched off" "$SCRATCH/nocharts.out" && ok "--no-charts: tables only, says so" \
    || bad "--no-charts"

# validate --out feeds the validation matrix
"$HYBENCH" validate --quick --family rmsnorm --out "$SCRATCH/validate.json" >"$SCRATCH/validate.out" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && grep -q '"validation"' "$SCRATCH/validate.json" 2>/dev/null; then
    ok "validate --out writes JSON"
else
    bad "validate --out (exit $rc)"
fi
"$HYBENCH" report "$SCRATCH/validate.json" -o "$SCRATCH/val-report" --no-charts >/dev/null 2>&1
grep -q '^| rmsnorm | pass' "$SCRATCH/val-report/report.md" 2>/dev/null \
    && ok "validation JSON in the report's matrix" || bad "validation JSON not in the matrix"

# --- headless Chromium ---------------------------------------------------------
chrome=""
for c in chromium chromium-browser google-chrome; do
    if command -v "$c" >/dev/null 2>&1; then chrome=$(command -v "$c"); break; fi
done
if [ -z "$chrome" ]; then
    echo "skip: Chromium is not installed (apt-get install chromium); the page was not opened in a browser"
elif [ -s "$page" ]; then
    flags=(--headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run
           --user-data-dir="$SCRATCH/chromium-profile")
    timeout 120 "$chrome" "${flags[@]}" --window-size=1400,2400 \
        --screenshot="$SCRATCH/report.png" "file://$page" >"$SCRATCH/chromium-shot.log" 2>&1
    png="$SCRATCH/report.png"
    if [ -s "$png" ] && [ "$(head -c 8 "$png" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ]; then
        ok "screenshot is a PNG"
    else
        bad "no screenshot"
        tail -n 5 "$SCRATCH/chromium-shot.log" | sed 's/^/    /'
    fi
    # a blank page compresses to a few kB; a page of tables and charts does not
    size=$(wc -c <"$png" 2>/dev/null || echo 0)
    [ "$size" -gt 50000 ] && ok "screenshot is non-trivial ($size bytes)" || bad "screenshot too small ($size bytes)"
    timeout 120 "$chrome" "${flags[@]}" --enable-logging=stderr --v=0 --virtual-time-budget=5000 \
        --dump-dom "file://$page" \
        >"$SCRATCH/dom.html" 2>"$SCRATCH/chromium-dom.log"
    check=$(grep -o '<p id="render-check"[^<]*' "$SCRATCH/dom.html")
    echo "    $check"
    if echo "$check" | grep -q 'data-ok="1"'; then ok "page script ran: every chart decoded"; else
        bad "render check failed (script error or a chart that did not decode)"
    fi
    drawn=$(sed -n 's/^report: [0-9]* files*, \([0-9]*\) of \([0-9]*\) charts drawn.*/\1/p' "$SCRATCH/report.out")
    if [ -n "$drawn" ] && echo "$check" | grep -q "rendered: $drawn of $drawn charts"; then
        ok "browser shows all $drawn charts"
    else
        bad "browser chart count differs from the report's ($drawn)"
    fi
    grep -qi "Uncaught\|SyntaxError\|TypeError" "$SCRATCH/chromium-dom.log" \
        && bad "JavaScript errors in the console" || ok "no JavaScript errors logged"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
