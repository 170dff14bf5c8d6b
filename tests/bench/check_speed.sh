#!/bin/sh
# Speed of leakplot --check against mawk merely summing the same log
# (issue 4: leakplot must take at most a quarter of mawk's time, plain and
# gzip).  Not part of `make check` (it writes ~400 MB and takes minutes).
#
#   tests/bench/check_speed.sh [WORKDIR]
# Generates a month of one-minute snapshots of 300 types (13 M lines) as
# plain text and gzip -6 (the agent's level), a rotated layout (LOG.N.gz
# siblings, as the agent leaves them), and a month of 1,000 types for the
# detector alone; prints the best of three runs of each.
cd "$(dirname "$0")/../.." || exit 2
LP=$PWD/plot/leakplot
W=${1:-/tmp/leakplot-bench}
mkdir -p "$W"
command -v mawk >/dev/null || { echo "mawk missing: apt-get install -y mawk" >&2; exit 2; }
[ -s "$W/month.log" ] || python3 tests/bench/gen_month.py "$W/month.log" 300 30
[ -s "$W/month.log.gz" ] || gzip -6 -c "$W/month.log" >"$W/month.log.gz"
if [ ! -s "$W/rot/m.log" ]; then
    mkdir -p "$W/rot"
    # ~10 MB pieces, oldest the highest number, like the agent's rotation
    split -C 10M -d -a 3 "$W/month.log" "$W/rot/piece."
    set -- "$W"/rot/piece.*
    n=$#
    for p in "$@"; do
        if [ "$n" -eq 1 ]; then mv "$p" "$W/rot/m.log"; else gzip -6 -c "$p" >"$W/rot/m.log.$((n - 1)).gz"; rm "$p"; fi
        n=$((n - 1))
    done
fi
[ -s "$W/types1000.log" ] || python3 tests/bench/gen_month.py "$W/types1000.log" 1000 30

# best NAME CMD...: best wall time of three runs, in seconds
best() {
    name=$1
    shift
    b=""
    for _ in 1 2 3; do
        s=$(date +%s.%N)
        "$@" >/dev/null 2>&1
        e=$(date +%s.%N)
        t=$(echo "$e - $s" | bc)
        if [ -z "$b" ] || [ "$(echo "$t < $b" | bc)" = 1 ]; then b=$t; fi
    done
    printf '%-34s %6.2f s\n' "$name" "$b" >&2
    echo "$b"
}
ls -l "$W/month.log" "$W/month.log.gz" >&2
inflate=$(best "zcat (gzip's own inflate)" sh -c "zcat '$W/month.log.gz' >/dev/null")
mp=$(best "mawk sum, plain" mawk '$1!~/^#/{s[$1]+=$2}' "$W/month.log")
mg=$(best "mawk sum, gzip (zcat | mawk)" sh -c "zcat '$W/month.log.gz' | mawk '\$1!~/^#/{s[\$1]+=\$2}'")
lp=$(best "leakplot --check, plain" "$LP" --check -q "$W/month.log")
lg=$(best "leakplot --check, gzip" "$LP" --check -q "$W/month.log.gz")
lr=$(best "leakplot --check, rotated .gz" "$LP" --check -q "$W/rot/m.log")
l1=$(best "leakplot --check, 1000 types plain" "$LP" --check -q "$W/types1000.log")
echo
printf 'plain: leakplot %.2f s = mawk/%.1f (target mawk/4 = %.2f s)\n' "$lp" "$(echo "$mp / $lp" | bc -l)" "$(echo "$mp / 4" | bc -l)"
printf 'gzip:  leakplot %.2f s = mawk/%.1f against plain mawk, mawk/%.1f against zcat|mawk\n' \
    "$lg" "$(echo "$mp / $lg" | bc -l)" "$(echo "$mg / $lg" | bc -l)"
printf 'rotated gzip siblings: leakplot %.2f s\n' "$lr"
printf '1000 types x a month: leakplot %.2f s (read + detect)\n' "$l1"
"$LP" --check --explain "$W/types1000.log" 2>&1 >/dev/null | head -1
