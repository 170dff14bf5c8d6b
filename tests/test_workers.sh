#!/bin/sh
# Many processes: a real pre-fork server shape (a parent that starts the
# agent, then forks 4 workers; one worker leaks).  With %p in log.path each
# worker writes its own file; `leakplot --check` over all of them must name
# the leaking worker's pid, and only it, and the drawing must show one
# line per process in a shared panel.  KEEP=1 keeps the files.  Ends with
# "N passed, N failed".
cd "$(dirname "$0")/.." || exit 2
PY=${PYTHON:-python3}
D=$(mktemp -d)
trap '[ -n "$KEEP" ] || rm -rf "$D"' EXIT
. tests/check_lib.sh
PYTHONPATH=agent/python "$PY" - "$D" <<'PYEOF' > "$D/pids" || { echo "0 passed, 1 failed"; exit 1; }
import os, sys, time, leakagent
d = sys.argv[1]
class Request: pass
class Session: pass
leakagent.start(interval="50ms", log_path=d + "/most_common.%p.log", max_overhead=100)
children = []
for worker in range(4):
    pid = os.fork()
    if pid == 0:
        kept = []
        for tick in range(160):
            junk = [Request() for _ in range(50)]       # churn in every worker
            if worker == 2:
                kept.extend(Session() for _ in range(20))   # the leak
            time.sleep(0.02)
        leakagent.stop()
        os._exit(0)
    children.append(pid)
for pid in children:
    os.waitpid(pid, 0)
leakagent.stop()
print(" ".join(str(p) for p in children))
PYEOF
set -- $(cat "$D/pids")
leaker=$3
check "one log per process (parent + 4 workers)" test "$(ls "$D"/most_common.*.log | wc -l)" -eq 5
plot/leakplot -q --check "$D"/most_common.*.log > "$D/out"
rc=$?
cat "$D/out"
check "--check exits 1" test "$rc" -eq 1
check "the leaking worker's Session is named with its pid" \
    grep -q "^GROWING __main__.Session .* pid $leaker on " "$D/out"
check "no other worker is blamed" \
    test "$(grep -c " pid " "$D/out")" -eq "$(grep -c " pid $leaker " "$D/out")"
plot/leakplot -q "$D"/most_common.*.log -o "$D/mem.pdf"
check "drawing exits 0" test $? -eq 0
pdftotext "$D/mem.pdf" "$D/mem.txt"
check "the legend names the processes" test "$(grep -c "^pid [0-9]" "$D/mem.txt")" -ge 2
check_summary
