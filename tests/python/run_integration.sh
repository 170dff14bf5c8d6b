#!/bin/sh
# run_integration.sh PYTHON... [-- TEST...]: the leakagent integration tests
# (real Python processes) under each CPython >= 3.11 among the arguments (one
# per EXT_SUFFIX, see find_pythons.sh), saying which interpreter each run
# uses.  After `--`, the test modules or names to run (integration.py's
# arguments; default: every tests/python/test_*.py).  The extension must be
# built for each (make pyagent-ext-all).  Ends with "N passed, N failed"
# over all interpreters.
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
timeout_s=${LEAKAGENT_TEST_TIMEOUT:-600}
passed=0
failed=0
# Split the arguments: interpreters before `--`, test names after it (kept
# in "$@").
candidates=""
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
    candidates="$candidates $1"
    shift
done
[ $# -gt 0 ] && shift
# shellcheck disable=SC2086
pythons=$("$here/find_pythons.sh" $candidates)
if [ -z "$pythons" ]; then
    echo "run_integration: no CPython >= 3.11 among:$candidates"
    echo "0 passed, 1 failed"
    exit 1
fi
for py in $pythons; do
    version=$("$py" -c 'import sys; print(sys.version.split()[0])')
    echo "--- integration tests under CPython $version ($py)"
    out=$(mktemp)
    (cd "$root" && timeout "$timeout_s" "$py" "$here/integration.py" "$@") >"$out" 2>&1
    rc=$?
    cat "$out"
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out" | tail -1)
    rm -f "$out"
    p=$(echo "$line" | sed -n 's/^\([0-9]*\) passed.*/\1/p')
    f=$(echo "$line" | sed -n 's/.* \([0-9]*\) failed$/\1/p')
    p=${p:-0}
    f=${f:-0}
    if [ $rc -ne 0 ] && [ "$f" = 0 ]; then
        echo "--- CPython $version: the test run itself failed (exit $rc)"
        f=1
    fi
    passed=$((passed + p))
    failed=$((failed + f))
done
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
