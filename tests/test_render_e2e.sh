#!/bin/sh
# End-to-end test of drawing: a generated log with two leaking types (one
# with a very long name), a cache that fills up, churn, a gap and a restart
# is drawn to PDF, SVG and PNG; the PDF is read back with pdfinfo and
# pdftotext.  Ends with "N passed, N failed".
cd "$(dirname "$0")/.." || exit 2
out=tests/out/render_e2e
rm -rf "$out"
mkdir -p "$out"
passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok   $1"; }
bad() { failed=$((failed + 1)); echo "FAIL $1"; }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }

LONG=myapp.handlers.very_long_module_name.subpackage.ConnectionRecordWithAVeryLongName

# gen FILE LEAK: run 1 (pid 100, 300 snapshots), restart, run 2 (pid 200,
# 600 snapshots), one a minute; LEAK=1 makes two types leak.
gen() {
    awk -v leak="$2" -v long="$LONG" 'BEGIN {
        srand(7); t = 1763700000
        for (run = 1; run <= 2; run++) {
            printf "# leakagent 1 pid=%d host=web-1 program=consumer python=3.11.7 interval=60\n", run * 100
            n = run == 1 ? 300 : 600
            for (i = 0; i < n; i++) {
                t += 60
                printf "#START %.3f pid=%d rss=%d blocks=%d gc_objects=%d sample_ms=%.1f\n", t, run * 100, 50000000 + int(rand() * 400000), 400000 + int(rand() * 2000), 90000 + int(rand() * 900), 2 + rand()
                printf "dict %d\n", 20000 + (i % 37) * 40 + int(rand() * 300)
                printf "cache.Entry %d\n", (i * 40 < 5000 ? i * 40 : 5000) + int(rand() * 5)
                if (leak) {
                    printf "amqplib.client_0_8.Message %d\n", 500 + 3 * i + int(rand() * 60)
                    printf "%s %d\n", long, 1000 + 8 * i + int(rand() * 200)
                }
                if (i < 200 || i > 260) printf "gappy.Type %d\n", 3000 + int(rand() * 100)
                for (k = 0; k < 30; k++) printf "filler.Type%02d %d\n", k, 100 * (k + 1) + int(rand() * 20)
            }
        }
    }' > "$1"
}
gen "$out/leak.log" 1
gen "$out/calm.log" 0

LP=plot/leakplot
echo "drawing with $LP"

# --- PDF ---------------------------------------------------------------------
$LP -q "$out/leak.log" -o "$out/leak.pdf"
check "leak.pdf is drawn (exit 0)" "[ $? -eq 0 ] && [ -s $out/leak.pdf ]"
check "pdfinfo opens it" "pdfinfo $out/leak.pdf >$out/info.txt 2>&1"
pages=$(sed -n 's/^Pages: *//p' "$out/info.txt")
# 2 growing + 4 gauges + 24 largest others = 30 panels: 8 on page 1, 22 after
check "3 pages (got $pages)" "[ '$pages' = 3 ]"
check "A4 landscape" "grep -q 'Page size: *842 x 595' $out/info.txt"
pdftotext -f 1 -l 1 -layout "$out/leak.pdf" "$out/page1.txt"
check "page 1 says the verdict" "grep -q 'Verdict: 2 growing series' $out/page1.txt"
check "page 1 names amqplib.client_0_8.Message" "grep -q 'amqplib.client_0_8.Message' $out/page1.txt"
check "page 1 names the long type, shortened in the middle" \
    "grep -q 'myapp.handlers.*….*RecordWithAVeryLongName' $out/page1.txt"
check "page 1 gives a growth per hour" "grep -Eq '\\+[0-9,]+/h' $out/page1.txt"
check "page 1 says what was read" "grep -q 'leak.log' $out/page1.txt && grep -q 'pid 200 on web-1' $out/page1.txt && grep -q '900 in the window' $out/page1.txt"
check "cache that fills is not in the verdict" "! grep -q '^ *cache.Entry' $out/page1.txt || ! sed -n '/Verdict/,/rss/p' $out/page1.txt | grep -q 'cache.Entry .*/h'"
pdftotext -f 2 -l 2 "$out/leak.pdf" "$out/page2.txt"
check "page 2 has panels with a running header" "grep -q 'page 2 of 3' $out/page2.txt"
check "the two runs share a panel with a legend" "pdftotext $out/leak.pdf - | grep -q 'pid 100'"
check "pdftoppm renders page 1 and 2" \
    "pdftoppm -png -r 60 -f 1 -l 2 $out/leak.pdf $out/leak && [ -s $out/leak-1.png ] && [ -s $out/leak-2.png ]"

# --- options -----------------------------------------------------------------
$LP -q "$out/leak.log" --top 0 -t 'amqplib*' -o "$out/one.pdf"
check "-t and --top 0: one panel, one page" \
    "[ \"\$(pdfinfo $out/one.pdf | sed -n 's/^Pages: *//p')\" = 1 ]"
$LP -q "$out/calm.log" -o "$out/calm.pdf"
check "no growth: the verdict says so" \
    "pdftotext $out/calm.pdf - | grep -q 'Verdict: no growing series'"

# --- SVG and PNG ---------------------------------------------------------------
$LP -q "$out/leak.log" -o "$out/leak.svg"
check "SVG: one file per page" "[ -s $out/leak.svg ] && [ -s $out/leak-2.svg ] && [ -s $out/leak-3.svg ] && [ ! -e $out/leak-4.svg ]"
check "SVG is SVG" "head -c 200 $out/leak.svg | grep -q '<svg'"
$LP -q "$out/leak.log" -o "$out/leak.png"
check "PNG: 1684 x 1190 pixels" \
    "file $out/leak.png 2>/dev/null | grep -q '1684 x 1190' || od -An -tx1 -j16 -N8 $out/leak.png | tr -d ' \\n' | grep -q '00000694000004a6'"
check "no temporary files left" "! ls $out/*.tmp* 2>/dev/null | grep -q ."

# --- failures ------------------------------------------------------------------
$LP -q "$out/leak.log" -o "$out/no/such/dir/x.pdf" 2>"$out/err.txt"
check "unwritable output: exit 2 with the file named" \
    "[ $? -eq 2 ] && grep -q 'no/such/dir/x.pdf' $out/err.txt"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
