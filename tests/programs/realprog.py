"""realprog: what the tests of the real programs share (gunicorn, uWSGI,
node_exporter, Prometheus, pytest: Debian's packages, run under Debian's
/usr/bin/python3 as a user runs them).

Each test is a script run by that interpreter from `make check`; it ends
with "N passed, N failed".  A program that is not installed is a failure
that says so (`make deps` installs them), never a silent skip.  Servers
listen on 127.0.0.1 only, on a port the kernel picked (a socket made here
and handed over, or port 0 asked back), and every wait is a poll with a
deadline.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "python"))
import lagtest  # noqa: E402  (log parsing shared with the integration tests)

LEAKPLOT = os.path.join(ROOT, "plot", "leakplot")
DEBIAN_PYTHON = "/usr/bin/python3"
# How the one note ends that the agent may give on a loaded machine (it
# stretches its interval: max_overhead); any other line of its is a warning.
STRETCH_NOTE = "instead (max_overhead)"
# The agent's share of a server's time in these tests (production's default
# is 1%): a quarter keeps the 100 ms interval's snapshots coming while the
# details are walked, and keeps the agent from slowing the worker it
# watches, and with it the leak's rate, as an agent allowed all of it did.
MAX_OVERHEAD = "25%"


class Checks:
    """Named checks, printed as they come; summary() prints the total line."""

    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            print("ok: " + name)
        else:
            self.failed += 1
            print("FAILED: " + name)
            if detail:
                print("  | " + str(detail).rstrip().replace("\n", "\n  | "))
        sys.stdout.flush()
        return ok

    def need(self, *programs):
        """True if every program is installed; else one failure naming the
        missing ones."""
        missing = [p for p in programs if shutil.which(p) is None and not os.path.exists(p)]
        return self.check("installed: " + " ".join(programs), not missing,
                          "missing %s: `make deps` installs them" % " ".join(missing))

    def summary(self):
        print("%d passed, %d failed" % (self.passed, self.failed))
        return 1 if self.failed else 0


def tmpdir(test_name):
    """A temporary directory, removed at exit unless KEEP=1."""
    d = tempfile.mkdtemp(prefix="leakagent-%s-" % test_name)
    if os.environ.get("KEEP") != "1":
        import atexit
        atexit.register(shutil.rmtree, d, True)
    else:
        print("keeping " + d)
    return d


def make_env():
    """The environment for a nested make: none of the outer make's flags
    but the variables given on its command line (CC, SAN_FLAGS...)."""
    env = dict(os.environ)
    for key in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES"):
        env.pop(key, None)
    return env


def install_package(tmp, python, **variables):
    """`make install-python PYTHON=python VARIABLES...` (PYTHON_SITE=,
    DESTDIR=, ...), the extension linked in tmp/build (not in the tree,
    whose extension for this ABI tag belongs to the interpreter the tree is
    built for); returns the site directory the package went to (what
    make install said).  AssertionError with make's output on failure."""
    suffix = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_config_var"
                             "('EXT_SUFFIX'))"], capture_output=True, text=True,
                            check=True).stdout.strip()
    build = os.path.join(tmp, "build")
    os.makedirs(build, exist_ok=True)
    cmd = ["make", "--no-print-directory", "-C", ROOT, "PYTHON=" + python,
           "PYAGENT_SO=" + os.path.join(build, "_leakagent" + suffix), "install-python"]
    cmd += ["%s=%s" % kv for kv in variables.items()]
    res = subprocess.run(cmd, capture_output=True, text=True, env=make_env(), timeout=600)
    m = re.search(r"^leakagent: (?:installed|staged) for .* in (.*)/leakagent$", res.stdout, re.M)
    if res.returncode != 0 or not m:
        raise AssertionError("%s failed:\n%s%s" % (" ".join(cmd), res.stdout, res.stderr))
    return m.group(1)


def debian_venv(tmp):
    """A venv of /usr/bin/python3 that sees Debian's packages (gunicorn,
    pytest) and has leakagent installed with `make install PYTHON=...`;
    returns its python."""
    venv = os.path.join(tmp, "venv")
    subprocess.run([DEBIAN_PYTHON, "-m", "venv", "--without-pip", "--system-site-packages", venv],
                   check=True)
    python = os.path.join(venv, "bin", "python")
    install_package(tmp, python)
    return python


def clean_env(**extra):
    """The environment for a program under test: no leakagent settings or
    PYTHONPATH of ours, plus extra (None removes)."""
    env = dict(os.environ)
    for key in ("LEAKAGENT_CONFIG", "PYTHONPATH", "PYTHONHOME"):
        env.pop(key, None)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    for k, v in extra.items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = v
    return env


def listener():
    """A TCP socket listening on 127.0.0.1 at a port the kernel chose,
    inheritable, to hand to a server (gunicorn's fd://N)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(128)
    s.set_inheritable(True)
    return s


def free_port():
    """A port on 127.0.0.1 free a moment ago, for servers that must bind
    themselves (node_exporter, Prometheus).  The caller checks that the
    server did listen there."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def poll(cond, what, timeout=60.0, every=0.05):
    """cond()'s first true value, polled until `timeout` seconds passed;
    AssertionError naming `what` after that."""
    end = time.monotonic() + timeout
    while True:
        value = cond()
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError("timed out after %gs waiting for %s" % (timeout, what))
        time.sleep(every)


def http_get(url, timeout=10.0):
    """(status, body) of GET url; (None, error text) if it failed."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read()
    except Exception as e:  # a refused or reset connection while a server starts
        return None, str(e)


class Load:
    """Threads that GET urls in turn over 127.0.0.1 until stop(); counts."""

    def __init__(self, urls, threads=8):
        self.urls = urls
        self.ok = 0
        self.errors = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(i,), daemon=True)
                        for i in range(threads)]
        for t in self.threads:
            t.start()

    def _run(self, i):
        n = i
        while not self.stopping.is_set():
            status, body = http_get(self.urls[n % len(self.urls)])
            n += 1
            with self.lock:
                if status == 200:
                    self.ok += 1
                else:
                    self.errors.append(body)

    def stop(self):
        self.stopping.set()
        for t in self.threads:
            t.join(30)


def stop_process(proc, sig=signal.SIGTERM, timeout=30):
    """Send sig and wait for the exit; kill after timeout.  The return code,
    or None if it had to be killed."""
    if proc.poll() is None:
        proc.send_signal(sig)
    try:
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return None


def logs_by_pid(directory, pattern=r"mc\.(\d+)\.log"):
    """{pid: [(fields, counts)...]} of the logs named mc.PID.log in directory."""
    out = {}
    for name in os.listdir(directory):
        m = re.fullmatch(pattern, name)
        if m:
            text = lagtest.read_text(os.path.join(directory, name))
            out[int(m.group(1))] = lagtest.parse_snapshots(text)
    return out


def leak_until_judged(d, port, workers, snapshots):
    """Load the server at 127.0.0.1:port (/leak and /churn of leakyapp)
    until each worker's log in d (mc.PID.log) holds `snapshots` snapshots
    with leakyapp.Leak, then run leakplot --check over d's logs while the
    load goes on, as cron would on a live service.  Returns (load, logs by
    pid, leakplot's exit code, GROWING lines, its stderr); the load stopped."""
    load = Load(["http://127.0.0.1:%d/leak" % port, "http://127.0.0.1:%d/churn" % port])
    try:
        seen = {}

        def enough():
            logs = logs_by_pid(d)
            seen.update({p: sum(1 for _, counts in logs.get(p, []) if "leakyapp.Leak" in counts)
                         for p in workers})
            seen["log files"] = sorted(logs)
            return all(seen[p] >= snapshots for p in workers) and logs
        try:
            logs = poll(enough, "%d leaking snapshots from each worker" % snapshots, 120,
                        every=0.5)
        except AssertionError as e:
            raise AssertionError("%s; leaking snapshots by worker: %s (%d requests served)"
                                 % (e, seen, load.ok)) from None
        rc, growing, err = leakplot_check(
            os.path.join(d, n) for n in sorted(os.listdir(d)) if n.endswith(".log"))
    finally:
        load.stop()
    print("\n".join("  | " + line for line in growing))
    return load, logs, rc, growing, err


def agent_lines(output):
    """The lines of a server's output that are not its own: the agent's
    warnings (but the stretch note) and tracebacks."""
    return [line for line in output.splitlines()
            if ("leakagent[" in line and not line.endswith(STRETCH_NOTE)) or "Traceback" in line]


def leakplot_check(paths):
    """(exit code, GROWING lines, stderr) of leakplot --check over paths."""
    res = subprocess.run([LEAKPLOT, "--check", "-q"] + list(paths), capture_output=True,
                         text=True, timeout=120)
    return res.returncode, [ln for ln in res.stdout.splitlines() if ln.strip()], res.stderr


# What the leak itself is (leakyapp keeps a Leak per /leak request in the
# module-level list KEPT, each Leak holding an int), and what the agent's
# "Why it grows" records show it is made of: the list by name and length,
# the ints it reaches.  Anything else GROWING, gauges aside, is a false
# alarm.
LEAK_SERIES = ("leakyapp.Leak", "list leakyapp.KEPT len", "int refs")


def only_the_leak(lines):
    """The GROWING lines that are neither the leak's series nor gauges (the
    "  held by:" lines under them are not GROWING lines)."""
    return [line for line in lines if line.startswith("GROWING ")
            and not line.startswith(tuple("GROWING %s " % s for s in LEAK_SERIES) + ("GROWING [",))]


def held_by(lines, series):
    """The "held by:" texts leakplot --check printed under series' GROWING lines."""
    out, under = [], False
    for line in lines:
        if line.startswith("GROWING "):
            under = line.startswith("GROWING %s " % series)
        elif under and line.startswith("  held by: "):
            out.append(line[len("  held by: "):])
    return out


def growing_by_pid(lines):
    """{pid: [series name...]} of leakplot --check's GROWING lines."""
    out = {}
    for line in lines:
        m = re.match(r"GROWING (.+?) [\d,.]+ -> .* pid (\d+) on ", line)
        if m:
            out.setdefault(int(m.group(2)), []).append(m.group(1))
    return out
