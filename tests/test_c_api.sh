#!/bin/sh
# The C API end to end: contrib/c-api/conn_server.c, a native program that
# links libleakagent and keeps three counters, runs for 4 s; leakplot --check
# on its log flags the buffer it leaks and nothing else.
# Ends with "N passed, N failed".
cd "$(dirname "$0")/.." || exit 2
root=$(pwd)
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT
. tests/check_lib.sh
(cd "$D" && "$root/tests/obj/conn_server" "$root/contrib/c-api/leakagent.yaml" 400)
check "conn_server runs (exit 0)" test $? -eq 0
check "its log has snapshots with its counters" grep -q '^example.Connection ' "$D/most_common.log"
plot/leakplot -q --check "$D/most_common.log" > "$D/out"
rc=$?
cat "$D/out"
check "--check exits 1" test "$rc" -eq 1
check "example.Buffer is flagged" grep -q '^GROWING example.Buffer ' "$D/out"
check "example.Connection and example.Pool are not" \
    test -z "$(grep -E '^GROWING example\.(Connection|Pool) ' "$D/out")"
check_summary
