#!/bin/sh
# leakplot against hostile logs (issue 7): lines of 100 MB, binary junk,
# gzip bombs, names of 10,000 bytes and names that are not UTF-8, counts
# past 64 bits, times out of order or in the year 3000 or 99999, a million
# types, 100,000 processes, 20,000 gauges, 1,200 growing types, empty and
# header-only files, a directory, a device, a FIFO, a cut and a corrupt gzip.
#
# Each input runs through --check, --json and drawing (-o x.pdf) under an
# address-space cap (ulimit -v, so the bound is enforced, not just
# measured) and a time limit.  Asserted: the exit code (0/1 results, 2
# errors), no crash (a signal, a timeout or sanitizer output fails), the
# message naming the file and line when input is refused or skipped, and
# the right result where the input is odd but valid.  Peak RSS and time of
# every run are printed (peak RSS when /usr/bin/time exists).
#
#   tests/test_hostile_logs.sh            the make check set (~20 s)
#   HOSTILE_FULL=1 tests/test_hostile_logs.sh   also 10 GiB bombs read to
#       the end, a million types over 1,000 snapshots, a million pids
# LEAKPLOT=path picks the binary; under a sanitizer (ASan needs terabytes
# of address space) the caps are left out.  Ends with "N passed, N failed".
cd "$(dirname "$0")/.." || exit 2
. tests/check_lib.sh
LP=${LEAKPLOT:-$PWD/plot/leakplot}
FULL=${HOSTILE_FULL:-0}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
CAP=1
if [ -n "${ASAN_OPTIONS:-}${UBSAN_OPTIONS:-}" ] || ldd "$LP" 2>/dev/null | grep -q 'libasan\|libtsan'; then
    CAP=0
    echo "note: sanitizer build, address-space caps left out"
fi
TIMER=
[ -x /usr/bin/time ] && TIMER="/usr/bin/time -f %M -o $T/rss"

# ---- the inputs -------------------------------------------------------------
python3 - "$T" "$FULL" <<'EOF' || { echo "FAILED: generating the inputs"; exit 1; }
import gzip, os, random, sys, zlib
D, FULL = sys.argv[1], sys.argv[2] == "1"
def path(name): return os.path.join(D, name)
def write(name, data):
    with open(path(name), "wb") as f: f.write(data)
T0 = 1763700000

def snaps(n=60, name=b"leaky.Type", times=None, count=None, first=0, header=True):
    """n snapshots (lines 2, 5, 8 ...): dict, and `name` leaking 1,000 + 100 a snapshot."""
    out = [b"# leakagent 1 pid=42 host=web-1 program=p interval=60\n"] if header else []
    for i in range(first, first + n):
        t = times[i] if times else T0 + 60 * i
        out.append(b"#START %s pid=42 rss=52428800\n" % (t if isinstance(t, bytes) else b"%r" % t))
        out.append(b"dict 5000\n")
        out.append(name + b" " + (count(i) if count else b"%d" % (1000 + 100 * i)) + b"\n")
    return b"".join(out)

def members(payload, n):
    """n gzip members of payload each: a gzip stream, made in no time."""
    return gzip.compress(payload, 9) * n

write("leak.log", snaps())
# lines of 100 MB: at the end without a newline; in the middle (plain, and
# gzip made of a 300-byte pattern: 229 times smaller, not a bomb); and a
# line of 100 MB of 'x' gzipped (1,000 times: a bomb)
rnd = random.Random(7)
pattern = bytes(rnd.randrange(97, 123) for _ in range(300))
line = (pattern * ((100 << 20) // 300 + 1))[:100 << 20]
write("hugeline_end.log", snaps() + line)
mid = snaps(30) + line + b"\n" + snaps(30, first=30, header=False)
write("hugeline_mid.log", mid)
write("hugeline_mid.gz", gzip.compress(mid, 6))
write("hugeline_x.gz", gzip.compress(snaps(30), 6) + members(b"x" * (1 << 20), 100))
# binary junk: after every snapshot a line of random bytes (no '\n', not
# '#' first) and a line of NULs; the first at line 5
parts = [b"# leakagent 1 pid=42 host=web-1 program=p interval=60\n"]
for i in range(60):
    parts.append(snaps(1, first=i, header=False))
    junk = bytes(rnd.choice([b for b in range(256) if b not in (10, 35)]) for _ in range(300))
    parts.append(junk + b"\n" + b"\0" * 50 + b"\n")
write("junk.log", b"".join(parts))
# names
write("longname.log", snaps(name=b"m." + b"x" * 9993 + b".Leak"))
write("nonutf8.log", snaps(name=b"caf\xe9.\xff\xfe(bad\x80\xed\xa0\x80\xf4\x90\x80\x80.Leak"))
# counts: snapshot 30 (line 94) holds the odd one
for tag, c in [("2p64", b"18446744073709551616"), ("2p64p1", b"18446744073709551617"),
               ("huge", b"99999999999999999999999"), ("neg", b"-5"), ("1e400", b"1e400"),
               ("nan", b"nan"), ("inf", b"inf")]:
    write("count_%s.log" % tag, snaps(count=lambda i, c=c: c if i == 30 else b"%d" % (1000 + 100 * i)))
write("count_2p64m1.log", snaps(count=lambda i: b"18446744073709551615" if i == 30 else b"%d" % (1000 + 100 * i)))
write("count_5g.log", snaps(count=lambda i: b"%d" % (5000000000 + 200000000 * i)))
# times
write("time_decreasing.log", snaps(times=[T0 + 60 * (59 - i) for i in range(60)],
                                   count=lambda i: b"%d" % (1000 + 100 * (59 - i))))
write("time_dup.log", snaps(times=[T0 + 60 * (i // 2) for i in range(60)]))
write("time_3000.log", snaps(times=[32503680000 + 60 * i for i in range(60)]))
write("time_1969.log", snaps(times=[-172800 + 60 * i for i in range(60)]))
write("time_year1.log", snaps(times=[-62135596800 + 60 * i for i in range(60)]))
write("time_year9999.log", snaps(times=[253402300799 - 60 * (59 - i) for i in range(60)]))
write("time_99999.log", snaps(times=[3093527980800 + 60 * i for i in range(60)]))
write("time_1e18.log", snaps(times=[b"1e18"] * 60))
write("time_glitch3000.log", snaps(times=[T0 + 60 * i for i in range(59)] + [32503680000]))
# a million types in 3 snapshots; many types spread over many snapshots,
# with a leak among them
def many_wide(n_types, snapshots, width):
    with open(path("many_wide.log"), "w") as f:
        for s in range(snapshots):
            f.write("#START %d pid=7\n" % (T0 + 60 * s))
            f.write("".join("%s%d %d\n" % (width, i, 10 + s) for i in range(n_types)))
def many_spread(name, n_types, snapshots, ends=False):
    per = n_types // snapshots
    with open(path(name), "w") as f:
        for s in range(snapshots):
            f.write("#START %d pid=7\nleaky.Type %d\n" % (T0 + 60 * s, 1000 + 100 * s))
            if not ends:
                f.write("".join("mod.Type%d 10\n" % (s * per + i) for i in range(per)))
            elif s in (0, snapshots - 1):
                f.write("".join("mod.Type%d 10\n" % i for i in range(n_types)))
if FULL:
    many_wide(1000000, 3, "some.module.path.ClassName")
    many_spread("many_spread.log", 1000000, 1000)
    many_spread("many_ends.log", 1000000, 1000, ends=True)
else:
    many_wide(1000000, 3, "t")
    many_spread("many_spread.log", 200000, 200)
# processes and gauges
with open(path("pids.log"), "w") as f:
    for s in range(1000000 if FULL else 100000):
        f.write("#START %d pid=%d\ndict %d\n" % (T0 + s, s + 1, 100 + s))
with open(path("gauges.log"), "w") as f:
    n = 100000 if FULL else 20000
    for s in range(40):
        f.write("#START %d " % (T0 + 60 * s) + " ".join("g%d=%d" % (i, i + s) for i in range(n)) + "\ndict 5\n")
with open(path("grow1200.log"), "w") as f:
    for s in range(300):
        f.write("#START %d pid=7\n" % (T0 + 60 * s))
        f.write("".join("mod.Leak%d %d\n" % (i, 1000 + 100 * s + rnd.randrange(50)) for i in range(1200)))
# referrer chains (#CHAIN): 2,000 types' chains of 12 hops a snapshot
# (120,000, far past the chains' memory budget; FULL: 10,000 a snapshot),
# a #CHAIN line of 1 MB, one of 100,000 hops, one not UTF-8
with open(path("chains.log"), "wb") as f:
    f.write(b"# leakagent 1 pid=42 host=web-1 program=p interval=60\n")
    hops = b" ".join(b"mod.H%d@0x%x:.attr%d" % (j, j + 1, j) for j in range(12))
    per = 10000 if FULL else 2000
    for i in range(60):
        f.write(b"#START %d pid=42\ndict 5000\nleaky.Type %d\n" % (T0 + 60 * i, 1000 + 100 * i))
        f.write(b"#CHAIN leaky.Type auto 1/1 global:app.REG list@0x10:[<int>]\n")
        f.write(b"".join(b"#CHAIN mod.T%d auto 1/1 depth %s\n" % (i * per + j, hops)
                         for j in range(per)))
        if i == 30:
            f.write(b"#CHAIN leaky.Type auto 1/1 global:" + b"y" * (1 << 20) + b"\n")
            f.write(b"#CHAIN leaky.Type auto 1/1 depth "
                    + b" ".join(b"x@0x%x:.n" % j for j in range(100000)) + b"\n")
            f.write(b"#CHAIN \xff\xfe auto 1/1 global:\xc3 \xe2\x80@0x1:['\xff']\n")
# files of nothing
write("empty.log", b"")
write("headers.log", b"# leakagent 1 pid=1 host=h program=p\n" * 100)
# gzip: cut short, a wrong CRC, 100,000 members
gz = gzip.compress(snaps(), 6)
write("trunc.gz", gz[:len(gz) * 2 // 3])
write("badcrc.gz", gz[:-8] + bytes([gz[-8] ^ 1]) + gz[-7:])
write("members.gz", gzip.compress(snaps(1), 9) + members(b"dict 1\n", 100000))
# gzip bombs: 1 GiB (FULL: 10 GiB) of zeros, of a short line, and after a
# valid member; generated as 1 MiB members, ~1,000 times smaller each
n = 10240 if FULL else 1024
write("bomb_zeros.gz", members(b"\0" * (1 << 20), n))
write("bomb_lines.gz", gzip.compress(b"#START 1763700000\n", 9) + members(b"dict 5\n" * 149796, n))
write("bomb_after.gz", gz + members(b"\0" * (1 << 20), n))
# 128 MiB of one line repeated in one snapshot, read through: not kept per line
write("repeat.gz", gzip.compress(b"#START 1763700000\n", 9) + members(b"dict 5\n" * 149796, 128))
if FULL:
    # a big log that is no bomb: 300,000 snapshots of 100 types that never
    # change, ~140 times smaller (the most a real log gets); read in full
    types = b"".join(b"mod.T%d %d\n" % (k, 1000 + k) for k in range(100))
    z = zlib.compressobj(9, zlib.DEFLATED, 31)
    with open(path("big_legit.gz"), "wb") as f:
        for chunk in range(300):
            f.write(z.compress(b"".join(b"#START %d pid=42 rss=52428800\n" % (T0 + 60 * i) + types
                                        for i in range(chunk * 1000, chunk * 1000 + 1000))))
        f.write(z.flush())
EOF
mkdir "$T/adir"
mkfifo "$T/fifo" 2>/dev/null || echo "note: no mkfifo, FIFO case skipped"

# ---- running leakplot ---------------------------------------------------------
# lp NAME CAP_MB SECONDS WANT_RC ARGS...: leakplot ARGS with at most
# CAP_MB of address space and SECONDS of time; stdout in $T/out, stderr in
# $T/err.  Checks the exit code and that it did not crash.
lp() {
    name=$1 cap=$2 secs=$3 want=$4
    shift 4
    start=$(date +%s%N)
    (
        [ "$CAP" = 1 ] && ulimit -v $((cap * 1024))
        exec timeout -k 5 "$secs" $TIMER "$LP" "$@"
    ) >"$T/out" 2>"$T/err"
    rc=$?
    ms=$((($(date +%s%N) - start) / 1000000))
    rss=$( [ -s "$T/rss" ] && tail -1 "$T/rss"); rm -f "$T/rss"
    check "$name: exit $rc, want $want (${rss:-?} KB peak, $ms ms, $([ "$CAP" = 1 ] &&
        echo "cap $cap MB" || echo "no cap"))" test "$rc" = "$want"
    check "$name: no crash, no timeout, no sanitizer report" no_crash "$rc"
    [ "$rc" = "$want" ] || sed 's/^/  | /' "$T/err" | head -5
}
no_crash() {
    [ "$1" -lt 124 ] && ! grep -q 'Sanitizer\|runtime error\|Assertion' "$T/err"
}
# err_has TEXT: stderr holds TEXT (fixed string)
err_has() { grep -qF -- "$1" "$T/err"; }
out_has() { grep -qF -- "$1" "$T/out"; }
# json NAME EXPR: the last --json output ($T/out.json) must parse (strictly:
# UTF-8, no NaN) and the Python expression EXPR on it (d) hold.  Judged
# all at once by json_judge at the end: one python3 start, not fifty.
mkdir "$T/json" && : >"$T/json/list"
json() {
    k=$(($(wc -l <"$T/json/list") + 1))
    cp "$T/out.json" "$T/json/$k.json"
    printf '%s\t%s\t%s\n' "$k" "$1" "$2" >>"$T/json/list"
}
json_judge() {
    python3 - "$T/json" >"$T/json/verdicts" <<'EOF' || echo "FAILED: judging the JSON"
import json, sys
def bad(x): raise ValueError(x)
for line in open(sys.argv[1] + "/list", encoding="utf-8"):
    k, name, expr = line.rstrip("\n").split("\t", 2)
    try:
        text = open("%s/%s.json" % (sys.argv[1], k), "rb").read().decode("utf-8")
        d = json.loads(text, parse_constant=bad)
        ok = bool(eval(expr))
    except Exception:
        ok = False
    print(0 if ok else 1, name)
EOF
    while read -r status name; do
        check "$name" test "$status" = 0
    done <"$T/json/verdicts"
}

# three NAME CAP SECONDS RC_CHECK RC_DRAW FILE [ARGS]: --check, --json and a
# drawing of FILE; stdout of the first two kept in $T/out.check .json,
# stderr of each in $T/err.check .json .draw
three() {
    t_name=$1 t_cap=$2 t_secs=$3 rc_check=$4 rc_draw=$5 t_file=$T/$6
    shift 6
    lp "$t_name --check" "$t_cap" "$t_secs" "$rc_check" --check "$@" "$t_file"
    cp "$T/err" "$T/err.check"
    cp "$T/out" "$T/out.check"
    lp "$t_name --json" "$t_cap" "$t_secs" "$rc_check" --json "$@" "$t_file"
    cp "$T/err" "$T/err.json"
    cp "$T/out" "$T/out.json"
    [ "$rc_check" = 2 ] || json "$t_name --json: valid JSON" True
    lp "$t_name draw" "$t_cap" "$t_secs" "$rc_draw" -o "$T/x.pdf" "$@" "$t_file"
    cp "$T/err" "$T/err.draw"
}
# all_err TEXT: every mode's stderr holds TEXT
all_err() {
    grep -qF -- "$1" "$T/err.check" && grep -qF -- "$1" "$T/err.json" &&
        grep -qF -- "$1" "$T/err.draw"
}

S=60            # seconds any run may take
M=100           # MB of address space for a small log, or a 100 MB line, or a
                # bomb: leakplot needs ~53 MB (8 MiB blocks, a thread, cairo)
                # whatever the file's size; a whole 100 MB line would not fit
three baseline $M $S 1 0 leak.log
check "baseline: GROWING leaky.Type" grep -q '^GROWING leaky.Type 1,000 -> 6,900' "$T/out.check"

# ---- huge lines -----------------------------------------------------------------
three "100 MB line at the end, no newline" $M $S 1 0 hugeline_end.log
check "100 MB line: one bad line, named" all_err "hugeline_end.log:182: skipped 1 unreadable line"
three "100 MB line in the middle" $M $S 1 0 hugeline_mid.log
check "100 MB line in the middle: named" all_err "hugeline_mid.log:92: skipped 1 unreadable line"
json "100 MB line in the middle: 60 snapshots, 1 bad line" 'd["snapshots"] == 60 and d["bad_lines"] == 1'
three "100 MB line in the middle, gzip" $M $S 1 0 hugeline_mid.gz
check "100 MB gzip line: named" all_err "hugeline_mid.gz:92: skipped 1 unreadable line"
three "100 MB line of x, gzip (1,000x)" $M $S 2 2 hugeline_x.gz
check "100 MB line of x: a gzip bomb, named" all_err "hugeline_x.gz: gzip data expands more than 500 times (a gzip bomb?)"

# ---- binary junk ------------------------------------------------------------------
three "binary junk between snapshots" $M $S 1 0 junk.log
check "junk: counted, the first bad line named" all_err "junk.log:5: skipped 120 unreadable lines"
json "junk: 60 snapshots, only leaky.Type grows" \
    'd["snapshots"] == 60 and d["bad_lines"] == 120 and [g["name"] for g in d["growing"]] == ["leaky.Type"]'

# ---- names --------------------------------------------------------------------------
long="m.$(printf '%9993s' '' | tr ' ' x).Leak"
three "name of 10,000 bytes" $M $S 1 0 longname.log
check "10,000-byte name: --check prints it whole" grep -qF "GROWING $long 1,000" "$T/out.check"
json "10,000-byte name: --json names it whole" "[g['name'] for g in d['growing']] == ['$long']"
three "name that is not UTF-8" $M $S 1 0 nonutf8.log
# one U+FFFD (in JSON the escape \ufffd) for each byte of no well-formed
# sequence: e9, ff, fe, 80, ed a0 80 (a surrogate), f4 90 80 80 (> U+10FFFF)
json "not UTF-8: --json valid, bad bytes as \\ufffd escapes" \
    "d['growing'][0]['name'] == 'caf\ufffd.\ufffd\ufffd(bad' + '\ufffd' * 8 + '.Leak'"
check "not UTF-8: --json output is ASCII there" grep -qF 'caf\ufffd.' "$T/out.json"
check "not UTF-8: --check text is valid UTF-8" iconv -f UTF-8 -t UTF-8 -o /dev/null "$T/out.check"

# ---- counts ------------------------------------------------------------------------
for odd in 2p64 2p64p1 huge neg 1e400 nan inf; do
    three "count $odd" $M $S 1 0 "count_$odd.log"
    check "count $odd: the line is named, the leak still found" all_err "count_$odd.log:94: skipped 1 unreadable line"
done
three "count 2^64-1 (fits)" $M $S 1 0 count_2p64m1.log
check "count 2^64-1: read, no warning" sh -c "! grep -q warning '$T/err.json'"
lp "counts past 4 G" $M $S 1 --json "$T/count_5g.log"
cp "$T/out" "$T/out.json"
json "counts past 4 G: exact, growth found" \
    'd["growing"][0]["first"] == 5e9 and d["growing"][0]["last"] == 5e9 + 59 * 2e8'

# ---- times --------------------------------------------------------------------------
three "times decreasing" $M $S 1 0 time_decreasing.log
check "times decreasing: warned with the line" all_err "time_decreasing.log:5: 59 snapshots not later than the one before"
three "times duplicated" $M $S 1 0 time_dup.log
check "times duplicated: warned with the line" all_err "time_dup.log:5: 30 snapshots not later"
three "year 3000" $M $S 1 0 time_3000.log
three "year 1969" $M $S 1 0 time_1969.log
three "year 1" $M $S 1 0 time_year1.log
three "year 9999" $M $S 1 0 time_year9999.log
three "one snapshot in year 3000" $M $S 1 0 time_glitch3000.log
three "year 99999" $M $S 2 2 time_99999.log
check "year 99999: refused, line and file named" all_err "time_99999.log:2: skipped 60 unreadable lines"
check "year 99999: no snapshot left" all_err "time_99999.log: no snapshot found"
three "time 1e18" $M $S 2 2 time_1e18.log
check "time 1e18: refused, line named" all_err "time_1e18.log:2: skipped 60 unreadable lines"

# ---- referrer chains ----------------------------------------------------------------
# measured: 120,000 chains (16 MiB of them kept) peak at ~46 MB resident
three "120,000 chains, lines of 1 MB and 100,000 hops" $M $S 1 0 chains.log
check "chains: the two long lines are bad lines, the first named" sh -c \
    "grep -q 'chains.log:[0-9]*: skipped 2 unreadable lines' '$T/err.check'"
check "chains: the leak's chain under its line" grep -qxF '  held by: app.REG[<int>]' "$T/out.check"
check "chains: --check text is valid UTF-8" iconv -f UTF-8 -t UTF-8 -o /dev/null "$T/out.check"
json "chains: --json has the leak's chain" \
    '[c["text"] for c in d["growing"][0]["chains"]] == ["held by: app.REG[<int>]"]'
lp "120,000 chains --dot" $M $S 0 --dot "$T/chains.dot" "$T/chains.log"
check "chains --dot: a graph" grep -q '^digraph referrers {' "$T/chains.dot"

# ---- many types, processes, gauges, growing series ------------------------------
# measured need (ulimit -v): a million types 240 MB (FULL, longer names:
# 256 MB), 200,000 spread 95 MB (FULL, a million: 229 MB; in the first and
# last snapshot: 287 MB), 100,000 pids 72 MB (FULL, a million: 240 MB),
# 20,000 gauges 70 MB, the 450 MB gzip of FULL 337 MB
if [ "$FULL" = 1 ]; then WIDE=500 SPREAD=500 PIDS=500; else WIDE=400 SPREAD=200 PIDS=150; fi
three "a million types in 3 snapshots" $WIDE $S 0 0 many_wide.log
json "a million types: 3 snapshots, nothing judged" 'd["snapshots"] == 3 and d["growing"] == []'
three "many types spread over many snapshots" $SPREAD $S 1 0 many_spread.log
check "spread types: only the leak grows" sh -c \
    "grep -q '^GROWING leaky.Type ' '$T/out.check' && test \$(wc -l <'$T/out.check') = 1"
if [ "$FULL" = 1 ]; then
    three "a million types in the first and last of 1,000 snapshots" 500 $S 1 0 many_ends.log
fi
three "100,000 processes (FULL: a million)" $PIDS $S 0 0 pids.log
check "processes: at most 64 lines a panel, the rest counted" sh -c \
    "pdftotext '$T/x.pdf' - | grep -q '^+[0-9]* more'"
lp "gauges: 20,000 keys (FULL: 100,000)" 150 $S 0 -o "$T/g.pdf" "$T/gauges.log"
check "gauges: 24 drawn, the rest counted on page 1" sh -c \
    "pdftotext -f 1 -l 1 '$T/g.pdf' - | grep -q '24 gauges (of [0-9]*)'"
lp "1,200 growing types" 150 $S 0 -o "$T/grow.pdf" "$T/grow1200.log"
check "1,200 growing: the first 1,000 drawn, said so" err_has "(1200 growing, the first 1000 drawn)"

# ---- files of nothing, not files ---------------------------------------------------
three "empty file" $M $S 2 2 empty.log
check "empty: named" all_err "empty.log: no snapshot found"
three "only headers" $M $S 2 2 headers.log
check "only headers: named" all_err "headers.log: no snapshot found"
three "a directory" $M $S 2 2 adir
check "directory: named" all_err "adir: is a directory"
lp "/dev/zero" $M $S 2 --check /dev/zero
check "/dev/zero: refused, named" err_has "/dev/zero: not a regular file or a pipe"
if [ -p "$T/fifo" ]; then
    cat "$T/leak.log" >"$T/fifo" &
    lp "a FIFO" $M $S 1 --check "$T/fifo"
    check "FIFO: the leak found" out_has "GROWING leaky.Type"
    wait
fi

# ---- damaged gzip ------------------------------------------------------------------
three "gzip cut short" $M $S 1 0 trunc.gz
check "gzip cut short: warned, data before kept" all_err "trunc.gz: damaged gzip data (unexpected end of file); the data before it was read"
three "gzip with a bad CRC" $M $S 1 0 badcrc.gz
check "gzip bad CRC: warned" all_err "badcrc.gz: damaged gzip data (incorrect data check)"
lp "100,000 gzip members" $M $S 0 --json "$T/members.gz"
cp "$T/out" "$T/out.json"
json "100,000 gzip members: all read" 'd["snapshots"] == 1'

# ---- gzip bombs -------------------------------------------------------------------
for bomb in zeros lines after; do
    three "gzip bomb ($bomb)" $M $S 2 2 "bomb_$bomb.gz"
    check "gzip bomb ($bomb): stopped early, named" all_err "bomb_$bomb.gz: gzip data expands more than 500 times (a gzip bomb?): stopped after"
done
check "gzip bomb: the way out named" err_has "--max-inflate raises the limit"
lp "gzip bomb, a lower --max-inflate" $M $S 2 --check --max-inflate 100 "$T/bomb_zeros.gz"
lp "--max-inflate 0: 128 MiB of one line in one snapshot" $M $S 0 --json --max-inflate 0 "$T/repeat.gz"
cp "$T/out" "$T/out.json"
json "128 MiB of one line: read, summed" 'd["snapshots"] == 1 and d["bad_lines"] == 0'
if [ "$FULL" = 1 ]; then
    lp "10 GiB of zeros read to the end (--max-inflate 0)" $M 600 2 --check --max-inflate 0 "$T/bomb_zeros.gz"
    check "10 GiB of zeros: one bad line, no snapshot" err_has "bomb_zeros.gz: no snapshot found"
    lp "10 GiB of lines read to the end (--max-inflate 0)" $M 600 0 --check --max-inflate 0 "$T/bomb_lines.gz"
    three "a big log, not a bomb (140x)" 500 600 0 0 big_legit.gz
fi

json_judge
check_summary
