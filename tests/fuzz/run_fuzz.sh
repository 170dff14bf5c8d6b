#!/bin/sh
# run_fuzz.sh SECONDS TARGET...: run libFuzzer targets (cfg, log) for SECONDS
# each, side by side, one process per target, and fail if one found a crash,
# a leak, a timeout or an out-of-memory.  Each starts from its seeds
# (tests/fuzz/seeds/TARGET), its saved crashes (tests/fuzz/regress/TARGET)
# and the working corpus of earlier runs, $FUZZ_OUT/corpus/TARGET, the only
# corpus directory it writes (the committed ones stay as they are).  On a
# failure it prints the reproducer and the commands to replay and minimise
# it.  Ends with "N passed, N failed", one per target.
#   FUZZ_OUT   the fuzzers and their files (default tests/out/fuzz)
#   FUZZ_ARGS  more libFuzzer options, e.g. -max_len=16384
# The fuzzers must be built first (`make fuzz`).
set -u
cd "$(dirname "$0")/../.." || exit 2
[ $# -ge 2 ] || { echo "usage: $0 SECONDS TARGET..." >&2; exit 2; }
secs=$1
shift
OUT=${FUZZ_OUT:-tests/out/fuzz}
pids=""
for t in "$@"; do
    bin=$OUT/fuzz_$t
    [ -x "$bin" ] || { echo "$bin missing: run make fuzz" >&2; exit 2; }
    # A pass must mean "nothing found this time": stale reproducers go.
    rm -rf "$OUT/artifacts/$t"
    mkdir -p "$OUT/corpus/$t" "$OUT/artifacts/$t"
    regress=tests/fuzz/regress/$t
    [ -d "$regress" ] || regress=
    # shellcheck disable=SC2086
    "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
        -dict="tests/fuzz/$t.dict" -artifact_prefix="$OUT/artifacts/$t/" \
        -print_final_stats=1 ${FUZZ_ARGS:-} \
        "$OUT/corpus/$t" "tests/fuzz/seeds/$t" $regress >"$OUT/$t.log" 2>&1 &
    pids="$pids $!"
    echo "=== fuzz_$t: ${secs}s, log in $OUT/$t.log"
done

pass=0 fail=0
for pid in $pids; do
    t=$1
    shift
    wait "$pid"
    rc=$?
    # libFuzzer's summary: executions, coverage, corpus.
    grep -E '^(#[0-9]+[[:space:]]+DONE|stat::number_of_executed_units|stat::peak_rss_mb)' \
        "$OUT/$t.log" | sed "s/^/fuzz_$t: /"
    found=$(ls "$OUT/artifacts/$t" 2>/dev/null)
    if [ "$rc" -eq 0 ] && [ -z "$found" ]; then
        pass=$((pass + 1))
        echo "ok: fuzz_$t found nothing"
        continue
    fi
    fail=$((fail + 1))
    echo "FAILED: fuzz_$t (exit $rc)"
    # The report, from its first line to the sanitizer's SUMMARY.
    sed -n '/broken promise\|==ERROR\|runtime error\|ALARM/,/^SUMMARY/p' "$OUT/$t.log" |
        head -60
    for a in $found; do
        repro=$OUT/artifacts/$t/$a
        echo "reproducer: $repro"
        echo "  replay:   $OUT/fuzz_$t $repro   (or tests/obj/fuzz_replay_$t $repro)"
        echo "  minimise: $OUT/fuzz_$t -minimize_crash=1 -runs=100000" \
             "-exact_artifact_path=$repro.min $repro"
        echo "  keep:     as tests/fuzz/regress/$t/<what-it-is> once fixed (make check replays it)"
    done
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
