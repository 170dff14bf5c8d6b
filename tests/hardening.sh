#!/bin/sh
# `make hardening`, the slow half of issue 7: the same code under
# AddressSanitizer + UndefinedBehaviorSanitizer and ThreadSanitizer, and
# leakplot under valgrind memcheck.  Ends with "N passed, N failed" (through
# tests/run_tests.sh) and exits non-zero if anything failed.
#
# Object directories are fixed (agent/obj, plot/obj, tests/obj), so each
# sanitizer variant is built out of tree: the working tree's files (tracked
# and untracked-but-not-ignored, so uncommitted edits are tested) are copied
# into OUT/asan and OUT/tsan and built there with SAN_FLAGS/LDFLAGS.
#   ASan+UBSan: every C unit test, the rotation demo, leakplot's command-line
#     and end-to-end scripts, and leakplot --check / --json / drawing (PDF,
#     SVG, PNG) over the fixtures and a sample of the generated corpus.
#   TSan: the thread and rotation tests (test_smp, test_rlog, rotation demo).
#   valgrind: the normal plot/leakplot over the fixtures and the corpus
#     sample, --check and drawing; any error or definite leak fails.
#   The whole corpus (tests/leakplot_corpus.sh): --check and drawing of
#     each of its 140 scenarios, with the ASan+UBSan leakplot and under
#     valgrind.
#   Hostile logs (tests/test_hostile_logs.sh): the make check set under
#     ASan+UBSan, and the full set (HOSTILE_FULL=1) with the normal build.
#   Faults under real Python hosts (tests/python/test_faults_*.py) and
#     attaching with gdb (test_attach.py: 50 attaches and stops a target)
#     with LEAKAGENT_HARDENING=1 (the issue's round counts) under every
#     CPython in PYTHONS (from make).
#   Fuzzing (tests/fuzz): the libFuzzer targets for the config loader and
#     the log reader (clang, ASan+UBSan) run side by side for FUZZ_SECONDS
#     (default 180) each; a crash, leak, timeout or OOM fails, with its
#     reproducer.  The seeds and saved crashes are also replayed by the
#     ASan+UBSan gcc build of the replay drivers.
# Usage: [FUZZ_SECONDS=N] tests/hardening.sh [OUT]   (default tests/out/hardening)
set -u
cd "$(dirname "$0")/.." || exit 2
ROOT=$(pwd)
OUT=${1:-tests/out/hardening}
mkdir -p "$OUT" && OUT=$(cd "$OUT" && pwd) || exit 2
MAKE=${MAKE:-make}
JOBS=$(nproc 2>/dev/null || echo 2)
FUZZ_SECONDS=${FUZZ_SECONDS:-180}

ASAN_FLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
TSAN_FLAGS="-fsanitize=thread"

AGENT_TESTS="tests/obj/test_cfg tests/obj/test_snap tests/obj/test_logfmt \
tests/obj/test_rlog tests/obj/test_smp tests/obj/test_prom tests/obj/test_la_agent \
tests/obj/test_chain_pick"
PLOT_TESTS="plot/obj/test_lp_read plot/obj/test_lp_trend plot/obj/test_lp_detect \
plot/obj/test_lp_cli plot/obj/test_render_axis plot/obj/test_render_decimate \
plot/obj/test_render_layout"
FUZZ_REPLAYS="tests/obj/fuzz_replay_cfg tests/obj/fuzz_replay_log"

# copy_tree DIR: a fresh copy of the working tree's sources in DIR.
copy_tree() {
    rm -rf "$1" && mkdir -p "$1" || return 1
    git ls-files -z --cached --others --exclude-standard |
        xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
        xargs -0 cp --parents -t "$1"
}

# build DIR FLAGS TARGETS...: the variant's targets (never `all`, which would
# also build the Python extension with a sanitizer runtime Python lacks).
build() {
    dir=$1 flags=$2
    shift 2
    echo "=== build $(basename "$dir"): $flags"
    copy_tree "$dir" || return 1
    $MAKE -s -C "$dir" -j"$JOBS" SAN_FLAGS="$flags" LDFLAGS="$flags" "$@" \
        >"$dir.build.log" 2>&1 || { cat "$dir.build.log"; return 1; }
}

build "$OUT/asan" "$ASAN_FLAGS" $AGENT_TESTS $PLOT_TESTS $FUZZ_REPLAYS \
    tests/obj/rotation_demo plot/leakplot || exit 2
build "$OUT/tsan" "$TSAN_FLAGS" tests/obj/test_smp tests/obj/test_rlog \
    tests/obj/test_la_agent tests/obj/rotation_demo || exit 2
echo "=== build normal plot/leakplot"
$MAKE -s -C "$ROOT" plot/leakplot || exit 2
# The Python extension for every interpreter the fault tests run under.
echo "=== build the Python extension for: ${PYTHONS:-python3}"
$MAKE -s -C "$ROOT" pyagent-ext-all ${PYTHONS:+PYTHONS="$PYTHONS"} || exit 2
# The fuzzers are compiled by clang straight from the sources (no object
# directory), so they are built in the tree, into tests/out/fuzz, where
# their working corpus also grows from run to run.
echo "=== build fuzzers (clang, libFuzzer + ASan + UBSan)"
$MAKE -s -C "$ROOT" fuzz || exit 2

# A sample of the labeled corpus (tests/corpus/gen_corpus.py): one scenario of
# several families, with rotated siblings and a gzipped live file among them,
# and the 1000-type quiet crowd (many panels to draw).
CORPUS="$OUT/corpus"
rm -rf "$CORPUS" && mkdir -p "$CORPUS"
python3 - "$CORPUS" <<'EOF' || exit 2
import sys
sys.path.insert(0, "tests/corpus")
import gen_corpus as g
out = sys.argv[1]
names = [n for n, _ in g.scenarios(1.0)]
want = {"linear-0", "staircase-0", "restart_leak-0", "two_processes-0",
        "old_format-0", "gauge_leak-0", "short-0", "quiet_crowd-0"}
pick = [i for i, n in enumerate(names) if n in want]
pick.append(next(i for i in range(len(names)) if i % 5 == 1))    # rotated
pick.append(next(i for i in range(len(names)) if i % 11 == 3))   # .gz live
for i in sorted(set(pick)):
    print("corpus sample:", g.build((out, i, 1.0)))
EOF
LOGS="$ROOT/tests/fixtures/plot/leak.log $ROOT/tests/fixtures/plot/quiet.log"
VG_LOGS=$LOGS       # valgrind is slow: the fixtures and the two small
for d in "$CORPUS"/*/; do   # scenarios with rotated or gzipped files
    f=$(ls "$d"most_common.log* | head -1)
    LOGS="$LOGS $f"
    case $(ls "$d") in
    *.gz*) [ "$(du -k "$f" | cut -f1)" -lt 4000 ] && VG_LOGS="$VG_LOGS $f" ;;
    esac
done

# The ASan/UBSan runtime: stop at the first report; leaks fail the program.
LSAN_OPTIONS="suppressions=$ROOT/tests/lsan.supp print_suppressions=0"
ASAN_OPTIONS="detect_leaks=1 abort_on_error=0 strict_string_checks=1 detect_stack_use_after_return=1 check_initialization_order=1"
UBSAN_OPTIONS="print_stacktrace=1 halt_on_error=1"
# die_after_fork=0: test_smp forks with the sampler thread running (the
# child keeps to one thread under TSan, see tests/test_smp.c).
TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1 die_after_fork=0"
export LSAN_OPTIONS ASAN_OPTIONS UBSAN_OPTIONS TSAN_OPTIONS

# leakplot_runs LEAKPLOT WRAPPER...: --check, --json and drawing (PDF, SVG,
# PNG) over each log; --check's own exit (0 quiet, 1 growing) is fine, 2 or a
# sanitizer's/valgrind's exit code is not.  Prints "N passed, N failed".
cat >"$OUT/leakplot_runs.sh" <<'EOF'
#!/bin/sh
lp=$1; shift
wrap=$1; shift
logs=$1
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
pass=0 fail=0
run() {  # run NAME OKCODES CMD...
    name=$1 ok=$2; shift 2
    "$@" >"$t/out" 2>"$t/err"
    rc=$?
    case " $ok " in
    *" $rc "*) pass=$((pass + 1)) ;;
    *) fail=$((fail + 1)); echo "FAIL $name: exit $rc"; tail -40 "$t/err" ;;
    esac
}
for log in $logs; do
    n=$(basename "$(dirname "$log")")/$(basename "$log")
    run "check $n" "0 1" $wrap "$lp" --check -q "$log"
    run "json $n" "0 1" $wrap "$lp" --json -q "$log"
    run "pdf $n" "0" $wrap "$lp" -q -o "$t/x.pdf" "$log"
done
log=${logs%% *}
run "svg $log" "0" $wrap "$lp" -q -o "$t/x.svg" "$log"
run "png $log" "0" $wrap "$lp" -q -o "$t/x.png" "$log"
run "all logs at once" "0 1" $wrap "$lp" --check -q $logs
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
EOF
chmod +x "$OUT/leakplot_runs.sh"

A="cd '$OUT/asan' &&"
T="cd '$OUT/tsan' &&"
VG="valgrind -q --num-callers=50 --error-exitcode=99 --leak-check=full \
--errors-for-leak-kinds=definite --suppressions=$ROOT/tests/valgrind.supp"
set --
for t in $AGENT_TESTS $PLOT_TESTS $FUZZ_REPLAYS tests/rotation_demo.sh tests/test_lp_cli.sh \
         tests/test_render_e2e.sh; do
    set -- "$@" "$A $t"
done
set -- "$@" "$A '$OUT/leakplot_runs.sh' plot/leakplot '' '$LOGS'"
for t in tests/obj/test_smp tests/obj/test_rlog tests/obj/test_la_agent tests/rotation_demo.sh; do
    set -- "$@" "$T $t"
done
set -- "$@" "'$OUT/leakplot_runs.sh' '$ROOT/plot/leakplot' '$VG' '$VG_LOGS'"
# The whole labeled corpus (140 scenarios), --check and a PDF each: with the
# ASan + UBSan build (~1 min) and under valgrind (~4.5 min).
set -- "$@" "tests/leakplot_corpus.sh '$OUT/asan/plot/leakplot'"
set -- "$@" "tests/leakplot_corpus.sh '$ROOT/plot/leakplot' '$VG'"

# ---- more checks: add one `set -- "$@" "COMMAND"` line each here --------
# (run in order from the tree's top by tests/run_tests.sh, counted in the
# summary)

# Hostile logs: the make check set again under ASan + UBSan (no address-space
# cap: ASan reserves terabytes), then the full set with the normal build
# (10 GiB bombs read to the end, a million types over 1,000 snapshots, a
# million pids), capped.
set -- "$@" "LEAKPLOT='$OUT/asan/plot/leakplot' tests/test_hostile_logs.sh"
set -- "$@" "env -u ASAN_OPTIONS -u UBSAN_OPTIONS HOSTILE_FULL=1 tests/test_hostile_logs.sh"

# Faults under real hosts, as many rounds as the issue asks (100 exits during
# a snapshot, 40 kill -9 during rotation, 20 rounds of the 8-thread race and
# of the 20-child pool, every config mistake through the .pth too), under
# every CPython the extension was built for.
FAULT_TESTS="$(cd tests/python && ls test_faults_*.py | sed 's/\.py$//') test_attach"
set -- "$@" "LEAKAGENT_HARDENING=1 tests/python/run_integration.sh ${PYTHONS:-python3} -- $(echo $FAULT_TESTS)"

# Fuzzing last, the longest step: both targets at once, FUZZ_SECONDS each.
set -- "$@" "tests/fuzz/run_fuzz.sh $FUZZ_SECONDS cfg log"
tests/run_tests.sh "$@"
