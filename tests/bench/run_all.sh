#!/bin/sh
# run_all.sh: the whole of issue 6's benchmark, one table at the end.
#
#   tests/bench/run_all.sh [PYTHON...]      (`make bench` passes every CPython 3.11+)
#
# Item 1 (snapshot cost, fresh and fragmented heaps, dirty pages after
# fork) and issue 16's detail cost run under each PYTHON given (default:
# python3), exact mode's under the last 3.13+ among them; items 2-4 (GIL
# hold, host overhead, memory) under the first; item 5 (leakplot) once.
# Each part prints JSON lines into $BENCH_OUT/results.jsonl (default
# tests/out/bench); format_table.py turns them into the table, which also
# goes to $BENCH_OUT/table.md.  The month of logs item 5 needs is made once
# into $BENCH_OUT/logs and reused.  A part that fails is named in the table
# as MISSING and the script exits 1 after printing it.
# BENCH_RUN_S / BENCH_REPS: length and count of the overhead runs (2 s, 7);
# BENCH_CHAIN_RUN_S / BENCH_REPS_CHAIN: those of issue 17's (6 s, 5).
cd "$(dirname "$0")/../.." || exit 2
[ $# -gt 0 ] || set -- python3
out=${BENCH_OUT:-tests/out/bench}
res=$out/results.jsonl
mkdir -p "$out"
: >"$res"
t0=$(date +%s)
load0=$(cut -d' ' -f1-3 /proc/loadavg)
failed=0
export PYTHONPATH="$PWD/agent/python${PYTHONPATH:+:$PYTHONPATH}"

# part NAME CMD...: run, keep its JSON lines, note a failure
part() {
    name=$1
    shift
    echo "bench: $name" >&2
    if ! "$@" >>"$res"; then
        printf '{"item": "error", "part": "%s", "why": "exited non-zero, see above"}\n' "$name" >>"$res"
        failed=1
    fi
}

exact_py=""
for py in "$@"; do
    part "snapshot cost, fresh heap, $py" "$py" tests/bench/snapshot_cost.py fresh
    part "snapshot cost, fragmented heap, $py" "$py" tests/bench/snapshot_cost.py fragmented
    part "detail cost, fresh heap, $py" "$py" tests/bench/detail_cost.py walk fresh
    part "detail cost, fragmented heap, $py" "$py" tests/bench/detail_cost.py walk fragmented
    "$py" -c 'import sys; sys.exit(sys.version_info < (3, 13))' && exact_py=$py
done
if [ -n "$exact_py" ]; then
    part "exact mode cost under $exact_py" "$exact_py" tests/bench/detail_cost.py exact
fi
part "referrer chains' GIL under $1" "$1" tests/bench/chain_cost.py gil "$out/chains"
part "referrer chains' host slowdown under $1" "$1" tests/bench/chain_cost.py overhead \
    "$out/chains" "${BENCH_CHAIN_RUN_S:-6}" "${BENCH_REPS_CHAIN:-5}"
part "agent cost under $1" "$1" tests/bench/agent_cost.py "$out/agent" \
    "${BENCH_RUN_S:-2}" "${BENCH_REPS:-7}"
if [ -x plot/leakplot ] && command -v mawk >/dev/null; then
    part "leakplot" "$1" tests/bench/leakplot_bench.py "$out/logs" plot/leakplot
else
    printf '{"item": "error", "part": "leakplot", "why": "no plot/leakplot or no mawk"}\n' >>"$res"
    failed=1
fi

printf '{"item": "meta", "date": "%s", "cpus": %d, "load_start": "%s", "load_end": "%s", "seconds": %d}\n' \
    "$(date -u +%Y-%m-%dT%H:%MZ)" "$(nproc)" "$load0" "$(cut -d' ' -f1-3 /proc/loadavg)" \
    $(($(date +%s) - t0)) >>"$res"
"$1" tests/bench/format_table.py "$res" | tee "$out/table.md"
exit $failed
