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

expect explain 1 $LP --check -q --explain $FX/leak.log
check explain-stretch grep -q '^GROWING   amqplib.client_0_8.Message pid 31337: n=200 .* stretch=whole load=- runs=1 (growing)$' "$T/err"

expect quiet 0 $LP --check $FX/quiet.log
check quiet-empty-stdout test ! -s "$T/out"
check summary-on-stderr grep -q 'series in 1 run judged, 0 growing' "$T/err"

# Four celery workers filling one cache at their own rates (corpus2's
# shared_rotated-5): the slow ones' slowing is no load that moved between
# them, as their sum slows too, only within its noise.
expect cache-workers 0 $LP --check -q $FX/cache_workers.log.gz
check cache-workers-quiet test ! -s "$T/out"

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

# Who holds it (issue 17; fixtures/plot/chains.log: a broker leaking
# channels and messages, a registry list, a linked list past the depth
# limit, a class-held dict of a long-named type, a bounded LRU cache, jobs
# that expect_gone finds alive; four damaged records)
expect chains 1 $LP --check $FX/chains.log
check chains-damaged-counted grep -q 'chains.log:1018: skipped 4 unreadable lines' "$T/err"
check chains-channel sh -c "grep -A2 '^GROWING leaky.Channel ' '$T/out' | sed -n 2,3p >'$T/cut'; printf '%s\n' '  held by: leaky.Connection.channels[<int>] <- __main__.BROKER' '  held by: leaky.Connection.channels[<int>] <- thread MainThread in serve() local conn' | cmp -s - '$T/cut'"
check chains-folded-registry grep -qxF '  held by: __main__.LEAKY_REGISTRY[<int>]' "$T/out"
check chains-external grep -qxF '  held by: leaky.Channel.callbacks[<int>] <- held only from outside the collector (+2 refs)' "$T/out"
check chains-depth grep -q '^  held by: leaky.Node.next <- .* <- (depth limit)$' "$T/out"
check chains-gone-series grep -q '^GROWING job survived expect_gone 0 -> 114 ' "$T/out"
check chains-gone-chain grep -qxF "  held by: app.jobs._FORGOTTEN['job-77']" "$T/out"
check chains-gone-flat-not-flagged sh -c "! grep -q tmpbuf '$T/out'"
check chains-held-note sh -c "grep -A1 '^HELD app.cache.Entry ' '$T/err' | grep -qxF \"  held by: app.cache.LRU._entries['/api/v1/user']\""
check chains-at-most-2 python3 -c 'import sys
n = 0
for line in open(sys.argv[1]):
    n = n + 1 if line.startswith("  held by: ") else 0
    assert n <= 2, line' "$T/out"
# every held by line fits 100 columns; the long one is cut around an ellipsis
check chains-fit python3 -c 'import sys
lines = [l.rstrip("\n") for l in open(sys.argv[1], encoding="utf-8") if l.startswith("  held by")]
assert lines and all(len(l) <= 100 for l in lines), lines
assert any("\u2026" in l and l.endswith("-long-key-for-the-cut'"'"']") for l in lines), lines' "$T/out"
# the GROWING lines are what they are without the chains
grep -v '^#CHAIN' $FX/chains.log >"$T/nochains.log"
grep '^GROWING' "$T/out" >"$T/growing-with"
expect chains-none 1 $LP --check -q "$T/nochains.log"
check chains-growing-lines-unchanged cmp -s "$T/out" "$T/growing-with"
expect chains-json 1 $LP --json -q $FX/chains.log
check chains-json-whole python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
g = {s["name"]: s for s in d["growing"]}
ch = g["leaky.Channel"]["chains"]
assert len(ch) == 2, ch
c = ch[0]
assert c["why"] == "auto" and (c["k"], c["n"]) == (3, 3), c
assert c["root"] == {"kind": "global", "field": "global:__main__.BROKER", "name": "__main__.BROKER"}, c
assert c["hops"] == [{"type": "leaky.Connection", "address": "0x7f3a1c2b4d10", "edge": ".channels[<int>]"}], c
assert c["text"] == "held by: leaky.Connection.channels[<int>] <- __main__.BROKER", c
assert ch[1]["root"]["kind"] == "frame" and ch[1]["root"]["thread"] == "MainThread", ch[1]
long = [s for n, s in g.items() if n.endswith("ReconciliationBatchAccumulatorEntry")][0]["chains"][0]
assert "\u2026" not in long["text"] and long["text"].endswith("[\x27batch-caf\u00e9-2026-12-01-long-key-for-the-cut\x27]"), long
assert len(g["leaky.Node"]["chains"][0]["hops"]) == 14
gone = g["job survived expect_gone"]
assert gone["kind"] == "gone" and gone["chains"][0]["why"] == "gone:job", gone
assert g["list __main__.LEAKY_REGISTRY len"]["chains"] == []
held = d["held"][0]
assert held["name"] == "app.cache.Entry" and held["chains"][0]["root"]["kind"] == "class", held
ext = [c for c in g["leaky.Message"]["chains"] if c["root"]["kind"] == "external"][0]
assert ext["root"]["excess"] == 2, ext' "$T/out"
# an old log without the records: the same lines, no chains anywhere
expect old-log-json 1 $LP --json -q $FX/leak.log
check old-log-no-chains python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
assert all(s["chains"] == [] for k in ("growing", "rising", "held") for s in d[k])' "$T/out"
expect old-log-text 1 $LP --check -q $FX/leak.log
check old-log-no-held-by sh -c "! grep -q 'held by' '$T/out'"

# --dot FILE and -o FILE.dot: the referrer graph, which dot(1) accepts
expect dot 0 $LP -q --dot "$T/graph.dot" $FX/chains.log
check dot-draws-nothing-else sh -c "test ! -e mem.pdf && test ! -s '$T/out'"
check dot-svg dot -Tsvg "$T/graph.dot" -o "$T/graph.svg"
check dot-svg-has-nodes grep -q 'leaky.Connection' "$T/graph.svg"
check dot-holder-merged test "$(grep -c '^  "r0/0x7f3a1c2b4d10" \[label=' "$T/graph.dot")" -eq 1
check dot-shared-holder-edges test "$(grep -c '^  "r0/0x7f3a1c2b4d10" -> ' "$T/graph.dot")" -eq 2
check dot-growing-filled grep -q '"r0/instances/leaky.Channel" \[label="leaky.Channel\\ninstances", fillcolor="#f08080"' "$T/graph.dot"
check dot-held-amber grep -q '"r0/instances/app.cache.Entry" .*fillcolor="#ffd28a"' "$T/graph.dot"
check dot-roots-shaped sh -c "grep -q 'shape=house' '$T/graph.dot' && grep -q 'shape=octagon' '$T/graph.dot' && grep -q 'shape=note' '$T/graph.dot'"
check dot-edge-labelled grep -qF -- '-> "r0/instances/leaky.Channel" [label=".channels[<int>]"];' "$T/graph.dot"
check dot-utf8-key grep -qF "batch-café" "$T/graph.dot"
check dot-no-temporary sh -c "! ls '$T'/graph.dot.tmp* 2>/dev/null | grep -q ."
expect dot-o 0 $LP -q -o "$T/o.dot" $FX/chains.log
check dot-o-same cmp -s "$T/graph.dot" "$T/o.dot"
expect dot-with-check 1 $LP -q --check --dot "$T/c.dot" $FX/chains.log
check dot-with-check-both sh -c "cmp -s '$T/graph.dot' '$T/c.dot' && grep -q '^GROWING' '$T/out'"
expect dot-and-pdf 0 $LP -q --dot "$T/p.dot" -o "$T/p.pdf" $FX/chains.log
check dot-and-pdf-both sh -c "test -s '$T/p.dot' && test -s '$T/p.pdf'"
expect dot-type 0 $LP -q -t leaky.Channel --dot "$T/t.dot" $FX/chains.log
check dot-type-selects sh -c "grep -q 'r0/instances/leaky.Channel' '$T/t.dot' && ! grep -q 'app.Record' '$T/t.dot'"
expect dot-empty 0 $LP -q --dot "$T/e.dot" $FX/leak.log
check dot-empty-valid dot -Tsvg "$T/e.dot" -o "$T/e.svg"
expect dot-unwritable 2 $LP -q --dot "$T/no/such/dir/g.dot" $FX/chains.log
check dot-unwritable-names grep -q 'no/such/dir/g.dot' "$T/err"
expect dot-empty-name 2 $LP --dot '' $FX/chains.log
# page 1 of the drawing names the holders
expect chains-pdf 0 $LP -q -o "$T/chains.pdf" $FX/chains.log
check chains-pdf-page1 sh -c "pdftotext -f 1 -l 1 -layout '$T/chains.pdf' - | grep -qF 'held by: leaky.Connection.channels[<int>] <- __main__.BROKER'"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
