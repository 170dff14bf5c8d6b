#!/bin/sh
# make demo: run contrib/demo/leaky_service.py under the agent for
# $DEMO_SECONDS (default 30) seconds, draw OUT/demo.pdf from the log the
# agent wrote, render its page 1 to OUT/demo-page1.png, and run --check.
# Usage: run_demo.sh [OUT]   (default tests/out/demo; PYTHON picks the
# interpreter the extension was built for)
cd "$(dirname "$0")/../.." || exit 2
out=${1:-tests/out/demo}
py=${PYTHON:-python3}
secs=${DEMO_SECONDS:-30}
mkdir -p "$out" || exit 2
rm -f "$out"/most_common.log* "$out"/demo.pdf "$out"/demo-page1.png

echo "== running contrib/demo/leaky_service.py under leakagent for ${secs}s"
PYTHONPATH=agent/python "$py" -m leakagent -c contrib/demo/leakagent-demo.yaml \
    -o "log.path=$out/most_common.log" contrib/demo/leaky_service.py --seconds "$secs" || exit 2

LP=plot/leakplot
echo "== $LP $out/most_common.log -o $out/demo.pdf"
$LP "$out/most_common.log" -o "$out/demo.pdf" || exit 2
if command -v pdftoppm >/dev/null; then
    pdftoppm -png -r 72 -f 1 -l 1 -singlefile "$out/demo.pdf" "$out/demo-page1"
fi
echo "== $LP --check $out/most_common.log"
$LP --check "$out/most_common.log"
rc=$?
echo
echo "The log:      $out/most_common.log"
echo "The PDF:      $out/demo.pdf   (page 1: the verdict and the leaking types)"
[ -s "$out/demo-page1.png" ] && echo "Page 1 image: $out/demo-page1.png"
case $rc in
0) echo "--check: nothing grows (exit 0)" ;;
1) echo "--check: growth found (exit 1), as expected: the service leaks Sessions" ;;
*) echo "--check failed (exit $rc)"; exit 2 ;;
esac
