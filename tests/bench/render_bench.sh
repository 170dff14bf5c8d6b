#!/bin/sh
# Drawing speed (issue 5): one day of one-minute snapshots of 300 types
# drawn by the matplotlib recipe (tests/bench/recipe_matplotlib.py) and by
# leakplot, which must be >= 50x faster; and a month of the same drawn by
# leakplot, which must take <= 1.5x its --check on that file.
# Files go to $BENCH_DIR (default tests/out/render_bench); the month is ~340 MB.
# MPL_PYTHON: an interpreter with matplotlib (default /usr/bin/python3).
cd "$(dirname "$0")/../.." || exit 2
dir=${BENCH_DIR:-tests/out/render_bench}
mpl=${MPL_PYTHON:-/usr/bin/python3}
mkdir -p "$dir"
passed=0
failed=0

now() { date +%s.%N; }
# secs CMD...: run, print the wall time in seconds
secs() {
    a=$(now)
    "$@" >/dev/null 2>&1
    b=$(now)
    echo "$a $b" | awk '{ printf "%.3f", $2 - $1 }'
}
best3() {   # best of three runs
    best=
    for _ in 1 2 3; do
        s=$(secs "$@")
        if [ -z "$best" ] || awk "BEGIN { exit !($s < $best) }"; then best=$s; fi
    done
    echo "$best"
}

[ -s "$dir/day.log" ] || python3 tests/bench/gen_month.py "$dir/day.log" 300 1
[ -s "$dir/month.log" ] || python3 tests/bench/gen_month.py "$dir/month.log" 300 30

LP=plot/leakplot
echo "leakplot: $LP"

lp_day=$(best3 $LP -q "$dir/day.log" -o "$dir/day.pdf")
if "$mpl" -c 'import matplotlib' 2>/dev/null; then
    mpl_day=$(secs "$mpl" tests/bench/recipe_matplotlib.py "$dir/day.log" "$dir/day-mpl.pdf")
    ratio=$(echo "$mpl_day $lp_day" | awk '{ printf "%.0f", $1 / $2 }')
    echo "day, 300 types: matplotlib recipe ${mpl_day}s, leakplot ${lp_day}s: ${ratio}x faster"
    if [ "$ratio" -ge 50 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
else
    echo "day, 300 types: leakplot ${lp_day}s (no matplotlib for $mpl: recipe skipped)"
fi

check=$(best3 $LP -q --check "$dir/month.log")
draw=$(best3 $LP -q "$dir/month.log" -o "$dir/month.pdf")
ratio=$(echo "$draw $check" | awk '{ printf "%.2f", $1 / $2 }')
echo "month, 300 types: --check ${check}s, draw ${draw}s: ${ratio}x (limit 1.5x)"
if awk "BEGIN { exit !($ratio <= 1.5) }"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
ls -l "$dir"/day.pdf "$dir"/month.pdf | awk '{ print $5, $9 }'
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
