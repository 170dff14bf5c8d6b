#!/bin/sh
# The demo, end to end (issue 17's "done when"): contrib/demo/leaky_service.py
# under the real agent with the demo's config, then the real leakplot.  The
# growing leaky_service.Session must come with the chain that holds it, the
# audit list, both under --check's GROWING line and on the PDF's page 1
# (pdftotext).  DEMO_SECONDS (default 15) sets the run.  KEEP=1 keeps the
# files.  Ends with "N passed, N failed".
cd "$(dirname "$0")/.." || exit 2
D=$(mktemp -d)
trap '[ -n "$KEEP" ] || rm -rf "$D"' EXIT
. tests/check_lib.sh
DEMO_SECONDS=${DEMO_SECONDS:-15} contrib/demo/run_demo.sh "$D" >"$D/demo.out" 2>&1
check demo-runs grep -q 'growth found (exit 1)' "$D/demo.out"
check log-has-session-chain grep -q '^#CHAIN leaky_service.Session auto [0-9]*/[0-9]* global:__main__.AUDIT ' \
    "$D/most_common.log"
plot/leakplot --check -q "$D/most_common.log" >"$D/check.out"
session_held_by_audit() {
    grep -A1 '^GROWING leaky_service.Session ' "$D/check.out" |
        grep -qxF '  held by: __main__.AUDIT[<int>]'
}
check check-held-by session_held_by_audit
pdftotext -f 1 -l 1 "$D/demo.pdf" "$D/page1.txt"
check page1-held-by grep -qF 'held by: __main__.AUDIT[<int>]' "$D/page1.txt"
[ "$fail" -eq 0 ] || cat "$D/demo.out" "$D/check.out"
check_summary
