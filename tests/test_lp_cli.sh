#!/bin/sh
# leakplot's command line end to end: exit codes, the --check text,
# --json validity (python3 -m json.tool), windows, --type, errors naming the
# file, drawing to -o, and stdout silence when nothing grows.
# Ends with "N passed, N failed".
cd "$(dirname "$0")/.." || exit 2
LP=plot/leakplot
FX=tests/fixtures/plot
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0

# expect NAME WANT_RC CMD...: run CMD, stdout in $T/out, stderr in $T/err
expect() {
    name=$1 want=$2
    shift 2
    "$@" >"$T/out" 2>"$T/err"
    rc=$?
    if [ "$rc" -eq "$want" ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL $name: exit $rc, want $want"
        sed 's/^/  | /' "$T/out" "$T/err"
    fi
}

# check NAME COND...: a test on what the last command wrote
check() {
    name=$1
    shift
    if "$@"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL $name"
        sed 's/^/  | /' "$T/out" "$T/err"
    fi
}

expect leak 1 $LP --check -q $FX/leak.log
check leak-line grep -qx 'GROWING amqplib.client_0_8.Message 1,229 -> 48,987 (+14,[0-9]*/h over 3.3h; +29%/h, doubles in ~3.4h) pid 31337 on web-1' "$T/out"
check leak-one-line test "$(wc -l <"$T/out")" -eq 1
check quiet-stderr test ! -s "$T/err"

expect quiet 0 $LP --check $FX/quiet.log
check quiet-empty-stdout test ! -s "$T/out"
check summary-on-stderr grep -q 'series in 1 run judged, 0 growing' "$T/err"

expect json 1 $LP --check --json -q $FX/leak.log
check json-valid python3 -m json.tool "$T/out" /dev/null
check json-growing python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); g=d["growing"]; assert len(g)==1 and g[0]["name"]=="amqplib.client_0_8.Message" and g[0]["pid"]==31337 and g[0]["host"]=="web-1"' "$T/out"
expect json-quiet 0 $LP --json -q $FX/quiet.log
check json-quiet-valid python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["growing"]==[]' "$T/out"

expect type-excludes 0 $LP --check -q -t dict -t 'myapp.*' $FX/leak.log
check type-nothing test ! -s "$T/out"
expect type-includes 1 $LP --check -q -t 'amqplib.*' $FX/leak.log
expect until-early 0 $LP --check -q --until @1763700600 --min-snapshots 16 $FX/leak.log
expect since-age 1 $LP --check -q --since 2h $FX/leak.log
expect since-iso 1 $LP --check -q --since 2025-11-21T04:40:00Z $FX/leak.log
expect window-empty 2 $LP --check -q --since 2030-01-01 $FX/leak.log
check window-message grep -q 'no snapshot' "$T/err"

gzip -c $FX/leak.log >"$T/leak.data"
expect gzip-magic 1 $LP --check -q "$T/leak.data"

: >"$T/empty.log"
expect empty 2 $LP --check "$T/empty.log"
check empty-names-file grep -q 'empty.log: no snapshot' "$T/err"
expect missing 2 $LP --check "$T/absent.log"
check missing-names-file grep -q 'absent.log' "$T/err"
expect no-args 2 $LP --check
expect bad-option 2 $LP --frobnicate x.log
expect bad-output 2 $LP -o out.txt $FX/leak.log
expect draws 0 $LP -o "$T/mem.pdf" $FX/leak.log
check draws-a-pdf test -s "$T/mem.pdf"
check draw-is-quiet-on-stdout test ! -s "$T/out"
expect help 0 $LP --help
check help-lists grep -q -- '--min-rel' "$T/out"
expect version 0 $LP --version
check version-text grep -q '^leakplot [0-9]' "$T/out"

# garbage and a truncated line: one warning naming the first bad line
{ cat $FX/quiet.log; echo 'garbage here'; printf 'dict 12'; } >"$T/damaged.log"
expect damaged 0 $LP --check "$T/damaged.log"
check damaged-warning test "$(grep -c 'damaged.log:8202: skipped 2 unreadable lines' "$T/err")" -eq 1
expect damaged-q 0 $LP --check -q "$T/damaged.log"
check damaged-q-silent test ! -s "$T/err"

# "Why it grows" records (#REFS, #BYTES, #LEN; fixtures/plot/records.log: a
# global list of str that grows while the count of lists stays flat, a
# bounded deque, dict bytes rising)
expect records 1 $LP --check -q $FX/records.log
check records-refs grep -q '^GROWING str refs 1,000 -> 108,100 ' "$T/out"
check records-len grep -q '^GROWING list registry.LEAKY_REGISTRY len 0 -> 107,100 ' "$T/out"
check records-exact grep -q '^GROWING int exact 20,000 -> 103,300 ' "$T/out"
check records-nothing-else test "$(wc -l <"$T/out")" -eq 3
check records-bounded-deque-not-flagged sh -c "! grep -q RECENT '$T/out'"
expect records-by-bytes 1 $LP --check -q --by bytes $FX/records.log
check records-by-bytes-dict grep -q '^GROWING dict bytes 1,200,000 -> 5,960,000 ' "$T/out"
check records-by-bytes-refs-still grep -q '^GROWING str refs ' "$T/out"
expect records-json 1 $LP --check --json -q $FX/records.log
check records-json-kinds sh -c "python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
kinds = sorted(g[\"kind\"] for g in d[\"growing\"])
sys.exit(kinds != [\"exact\", \"len\", \"refs\"])' '$T/out'"
expect by-unknown 2 $LP --check --by weight $FX/records.log
check by-unknown-says grep -q "neither count nor bytes" "$T/err"
# Damaged records are bad lines; readers before them skip them as comments.
{ cat $FX/quiet.log; echo '#REFS str 12'; echo '#BYTES dict x'; } >"$T/badrec.log"
expect bad-records 0 $LP --check "$T/badrec.log"
check bad-records-counted grep -q 'skipped 2 unreadable lines' "$T/err"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
