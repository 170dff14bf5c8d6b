#!/bin/sh
# leakplot over the whole labeled corpus (tests/corpus/gen_corpus.py, 140
# scenarios, ~600 MB), under a checking wrapper: `make hardening` runs it
# under valgrind memcheck and with the ASan + UBSan build.  For every
# scenario, --check and drawing a PDF; all of a scenario's files (rotated,
# gzipped) are given at once, as a user would.  --check may exit 0 or 1
# (the detector's answer is tests/corpus/run_corpus.sh's business); any
# other exit (2, a sanitizer's or valgrind's error code, a signal) fails,
# and its stderr is shown.  Scenarios run two at a time (or nproc).
# Ends with "N passed, N failed".
#
#   tests/leakplot_corpus.sh LEAKPLOT ['WRAPPER COMMAND']
cd "$(dirname "$0")/.." || exit 2
LP=$1
WRAP=${2:-}
[ -x "$LP" ] || { echo "leakplot_corpus: no program $LP"; echo "0 passed, 1 failed"; exit 1; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
python3 tests/corpus/gen_corpus.py "$T/corpus" >/dev/null || {
    echo "leakplot_corpus: generating the corpus failed"; echo "0 passed, 1 failed"; exit 1; }

# one.sh LEAKPLOT WRAPPER DIR OUT: both runs of one scenario, into
# OUT/NAME.result: "ok NAME MODE", or "FAIL NAME MODE: exit N" and the
# run's stderr.
cat >"$T/one.sh" <<'EOF'
#!/bin/sh
lp=$1 wrap=$2 dir=$3 out=$4
name=$(basename "$dir")
exec >"$out/$name.result"
for mode in check draw; do
    if [ "$mode" = check ]; then ok="0 1"; set -- --check -q
    else ok=0; set -- -q -o "$out/$name.pdf"; fi
    $wrap "$lp" "$@" "$dir"/most_common.log* >/dev/null 2>"$out/$name.$mode.err"
    rc=$?
    case " $ok " in
    *" $rc "*) echo "ok $name $mode" ;;
    *) echo "FAIL $name $mode: exit $rc"; head -60 "$out/$name.$mode.err" | sed 's/^/  | /' ;;
    esac
    rm -f "$out/$name.pdf"
done
EOF
mkdir "$T/out"
jobs=$(nproc 2>/dev/null || echo 2)
ls -d "$T"/corpus/*/ | xargs -P "$jobs" -I{} sh "$T/one.sh" "$LP" "$WRAP" {} "$T/out"
cat "$T"/out/*.result >"$T/results"
grep -v '^ok ' "$T/results"
pass=$(grep -c '^ok ' "$T/results")
fail=$(grep -c '^FAIL ' "$T/results")
echo "leakplot over $(ls -d "$T"/corpus/*/ | wc -l) corpus scenarios${WRAP:+ under ${WRAP%% *}}"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
