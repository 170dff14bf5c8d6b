#!/bin/sh
# The agent's prometheus.textfile, written by a real Python process, parses
# as Prometheus exposition format (Debian's python3-prometheus-client parser)
# and holds the process's own class with its exact count.
cd "$(dirname "$0")/.." || exit 2
PY=${PYTHON:-python3}
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT
# The host keeps a copy of its textfile in seen/ (stop() removes the file).
PYTHONPATH=agent/python "$PY" -c '
import glob, os, shutil, sys, leakagent
class Widget: pass
keep = [Widget() for _ in range(1234)]
d = sys.argv[1]
leakagent.start(interval="1h", log_path=d + "/mc.log", textfile=d + "/la.%p.prom")
leakagent.sample_now()
os.mkdir(d + "/seen")
for f in glob.glob(d + "/la.*"):
    shutil.copy(f, d + "/seen/")
leakagent.stop()
' "$D" || { echo "0 passed, 1 failed"; exit 1; }
/usr/bin/python3 - "$D" <<'PYEOF'
import glob, sys
from prometheus_client.parser import text_string_to_metric_families
files = glob.glob(sys.argv[1] + "/seen/la.*.prom")
passed = failed = 0
def check(name, ok):
    global passed, failed
    print(("ok: " if ok else "FAILED: ") + name)
    passed += ok
    failed += not ok
check("one textfile, named with the pid", len(files) == 1)
fams = {f.name: f for f in text_string_to_metric_families(open(files[0]).read())}
check("parses, with the object and gauge families",
      {"python_objects", "python_resident_memory_bytes", "python_gc_objects"} <= set(fams))
widgets = [s for s in fams["python_objects"].samples if s.labels.get("type") == "__main__.Widget"]
check("__main__.Widget counted exactly", len(widgets) == 1 and widgets[0].value == 1234)
check("no temporary file left", not glob.glob(sys.argv[1] + "/seen/*.tmp.*"))
check("stop() removes the textfile", not glob.glob(sys.argv[1] + "/la.*"))
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
PYEOF
