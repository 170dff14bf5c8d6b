"""lagtest: helpers shared by the leakagent integration tests.

Every test runs real Python processes (the interpreter under test, the one
running these tests) with agent/python on PYTHONPATH, and reads back the
logs they write.  Nothing here imports leakagent into the test process
itself, so one test's agent never leaks into another.
"""

import functools
import gzip
import json
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import threading
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PKG_DIR = os.path.join(ROOT, "agent", "python")
PYTHON = sys.executable
# objgraph comes from Debian's python3-objgraph (pure Python, any 3.x).
OBJGRAPH_DIR = "/usr/lib/python3/dist-packages"
LEAKPLOT = os.path.join(ROOT, "plot", "leakplot")
# LEAKAGENT_HARDENING=1 (make hardening): the fault tests repeat their faults
# as often as the issue asks; make check runs fewer rounds of the same code.
HARDENING = os.environ.get("LEAKAGENT_HARDENING") == "1"


# Prepended to a host that forks while the agent's thread runs: 3.12+ warn
# that fork() may deadlock (the agent's thread holds no lock across fork:
# pthread_atfork resets them), which is not the host's own output.
QUIET_FORK = "import warnings; warnings.simplefilter('ignore', DeprecationWarning)\n"


@functools.lru_cache(maxsize=None)
def gdb_call_problem():
    """Why gdb cannot call a function in a process on this host, or None.
    Some kernel, CPU and gdb combinations (Debian 12's gdb 13.1 on a host
    with AMX: "Couldn't write extended state status: Bad address") fail
    every inferior call, whatever leakagent does; tests that need one say
    so and skip.  Probed once, on a throwaway process."""
    gdb = shutil.which("gdb")
    problem = None
    if gdb is not None:
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"],
                                 stderr=subprocess.DEVNULL)
        try:
            res = subprocess.run([gdb, "-q", "-nx", "-batch", "-p", str(child.pid),
                                  "-ex", "call (int)getpid()"],
                                 capture_output=True, text=True, timeout=60)
            if "= %d" % child.pid not in res.stdout:
                lines = [ln for ln in (res.stdout + "\n" + res.stderr).splitlines()
                         if ln.strip() and not ln.startswith("[")]
                problem = "gdb cannot call into a process here (%s)" % (
                    lines[-1] if lines else "no output")
        except subprocess.TimeoutExpired:
            problem = "gdb cannot call into a process here (timed out)"
        finally:
            child.kill()
            child.wait()
    return problem


def needs_gdb_call(test):
    """Skip `test` where gdb_call_problem() says gdb cannot do its part."""
    @functools.wraps(test)
    def wrapper(self, *args, **kwargs):
        problem = gdb_call_problem()
        if problem:
            self.skipTest(problem)
        return test(self, *args, **kwargs)
    return wrapper


def rounds(fast, full):
    """How many times a fault test repeats its fault: `full` under
    LEAKAGENT_HARDENING=1, else `fast`."""
    return full if HARDENING else fast


def child_env(**extra):
    """Environment for a child interpreter: the package on PYTHONPATH, no
    autostart from the caller's environment, no user site."""
    env = dict(os.environ)
    env.pop("LEAKAGENT_CONFIG", None)
    env["PYTHONPATH"] = PKG_DIR
    env["PYTHONNOUSERSITE"] = "1"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update({k: v for k, v in extra.items() if v is not None})
    return env


def run_py(code, *args, timeout=60, env=None, cwd=None, check=True):
    """Run `code` (dedented) in a fresh interpreter; CompletedProcess (text).

    A timeout is a test failure (the agent must never hang its host)."""
    cmd = [PYTHON, "-c", textwrap.dedent(code)] + list(args)
    try:
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                             env=env or child_env(), cwd=cwd)
    except subprocess.TimeoutExpired as e:
        raise AssertionError("child hung for %ss\nstdout: %s\nstderr: %s"
                             % (timeout, e.stdout, e.stderr)) from None
    if check and res.returncode != 0:
        raise AssertionError("child exited %d\nstdout: %s\nstderr: %s"
                             % (res.returncode, res.stdout, res.stderr))
    return res


def run_script(path, code, *args, **kwargs):
    """Write code (dedented) to the file `path` and run it as a script, for
    programs that need an importable __main__ (multiprocessing)."""
    with open(path, "w") as f:
        f.write(textwrap.dedent(code))
    return run_py("import runpy, sys; sys.argv[:] = sys.argv[1:]; "
                  "runpy.run_path(sys.argv[0], run_name='__main__')",
                  path, *args, **kwargs)


def read_text(path):
    """A log file's text, gunzipped when it starts with the gzip magic."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return data.decode("utf-8")


def log_files(path):
    """The live file and its rotated siblings (path.N, path.N.gz), oldest first."""
    d, base = os.path.split(path)
    found = []
    for name in os.listdir(d or "."):
        m = re.fullmatch(re.escape(base) + r"(?:\.(\d+)(?:\.gz)?)?", name)
        if m:
            found.append((-(int(m.group(1)) if m.group(1) else 0), os.path.join(d, name)))
    return [p for _, p in sorted(found)]


# The detail records' tags (DESIGN.md, "Why it grows"; plot/lp_records.c).
RECORD_TAGS = ("#REFS", "#BYTES", "#LEN", "#EXACT", "#CHAIN", "#GONE")


def parse_snapshots(text, bad=None):
    """[(start_fields, {name: count})] of every #START in text (log format 1).
    A line that is not "name count" raises ValueError, or, given a list
    `bad`, is appended to it and skipped; so is a detail record ("#BYTES
    name bytes", RECORD_TAGS) that a crash cut, which the next start ended
    with "<cut>": as for leakplot, a bad record, where a line cut inside
    its tag ("#BYT<cut>") is a comment like any other.  What follows the
    last newline is a line still being written (a live log read while the
    agent writes) and is left out."""
    snaps = []
    for line in text[:text.rfind("\n") + 1].splitlines():
        tag = line.split(None, 1)[0] if line.strip() else ""
        if tag == "#START":
            parts = line.split()
            fields = {"time": float(parts[1])}
            for kv in parts[2:]:
                k, _, v = kv.partition("=")
                fields[k] = v
            snaps.append((fields, {}))
        elif bad is not None and tag in RECORD_TAGS and line.endswith("<cut>"):
            bad.append(line)
        elif line.startswith("#") or not line.strip():
            continue
        elif bad is not None and not re.fullmatch(r"\S+ \d+", line):
            bad.append(line)
        elif snaps:
            name, count = line.rsplit(None, 1)
            snaps[-1][1][name.strip()] = int(count)
    return snaps


def parse_details(text):
    """The detail records (issue 16) of every snapshot in text, in order:
    [{"refs": {type: (references, bytes)}, "bytes": {type: bytes},
      "len": [(type, id, length, holder)], "exact": {type: net},
      "order": [record tags in the order written]}].  Raises ValueError on
    a record that does not parse, or one outside a snapshot."""
    snaps = []
    for line in text.splitlines():
        if line.startswith("#START"):
            snaps.append({"refs": {}, "bytes": {}, "len": [], "exact": {}, "order": []})
            continue
        tag = line.split(" ", 1)[0]
        if tag not in ("#REFS", "#BYTES", "#LEN", "#EXACT"):
            if snaps and snaps[-1]["order"] and not line.startswith("#"):
                raise ValueError("a count line after the records: %r" % line)
            continue
        if not snaps:
            raise ValueError("a record before any #START: %r" % line)
        snap, f = snaps[-1], line.split(" ")
        snap["order"].append(tag)
        if tag == "#REFS" and len(f) == 4:
            snap["refs"][f[1]] = (int(f[2]), int(f[3]))
        elif tag == "#BYTES" and len(f) == 3:
            snap["bytes"][f[1]] = int(f[2])
        elif tag == "#LEN" and len(f) == 5 and f[2].startswith("0x"):
            snap["len"].append((f[1], int(f[2], 16), int(f[3]), f[4]))
        elif tag == "#EXACT" and len(f) == 3:
            snap["exact"][f[1]] = int(f[2])
        else:
            raise ValueError("bad record: %r" % line)
    return snaps


def headers(text):
    """{key: value} of every '# leakagent 1' header line in text."""
    out = []
    for line in text.splitlines():
        if line.startswith("# leakagent 1"):
            out.append(dict(kv.partition("=")[::2] for kv in line.split()[3:]))
    return out


class TmpDirTest(unittest.TestCase):
    """A test with a fresh temporary directory in self.tmp."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="leakagent-test-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def path(self, *names):
        return os.path.join(self.tmp, *names)

    def write(self, name, text):
        p = self.path(name)
        with open(p, "w") as f:
            f.write(textwrap.dedent(text))
        return p


# ---- the host's own output ---------------------------------------------------

# How every line the agent writes on its host's stderr starts.
WARNING_PREFIX = re.compile(r"leakagent\[pid (\d+) ([^\]]*)\]: ")


# The note a run gives once when a loaded machine makes it stretch its
# interval (max_overhead), whole: the agent writes it in one write, which may
# land inside a line the host is writing (a traceback's).
OVERHEAD_NOTE = re.compile(r"leakagent\[pid \d+ [^\]]*\]: [^\n]* instead \(max_overhead\)\n")


def without_overhead_note(stderr):
    """stderr without the agent's max_overhead notes, wherever they landed."""
    return OVERHEAD_NOTE.sub("", stderr)


def agent_warnings(stderr):
    """The lines of a child's stderr that the agent wrote
    ("leakagent[pid 1234 program]: ...")."""
    return [line for line in stderr.splitlines() if WARNING_PREFIX.match(line)]


def assert_stderr_is_warnings(test, stderr, at_most):
    """stderr holds nothing but the agent's lines: at most `at_most` warnings
    (they are rate-limited to one a minute), and the note each run may give
    once when a loaded machine makes it stretch its interval (max_overhead).
    Returns the warnings."""
    lines = stderr.splitlines()
    agent = agent_warnings(stderr)
    test.assertEqual(len(agent), len(lines), "stderr is not only the agent's:\n" + stderr)
    warnings = [line for line in agent if not line.endswith("instead (max_overhead)")]
    test.assertLessEqual(len(warnings), at_most, stderr)
    return warnings


# ---- reading logs back ---------------------------------------------------------

def leakplot_json(*paths):
    """leakplot --check --json over paths (rotated siblings read too): its
    report as a dict ("snapshots", "bad_lines", ...); AssertionError if it fails."""
    res = subprocess.run([LEAKPLOT, "--check", "--json", "-q"] + list(paths),
                         capture_output=True, text=True, timeout=60)
    if res.returncode not in (0, 1):
        raise AssertionError("leakplot exited %d: %s" % (res.returncode, res.stderr))
    return json.loads(res.stdout)


def type_lines_are_whole(text):
    """The lines of text that are neither blank, comments, nor "name count"."""
    return [line for line in text.splitlines()
            if line.strip() and not line.startswith("#")
            and not re.fullmatch(r"\S+ \d+", line)]


def all_snapshots(path):
    """[(file, start_fields, {name: count})] of the live file and its rotated
    siblings, oldest file first."""
    return [(f, fields, counts) for f in log_files(path)
            for fields, counts in parse_snapshots(read_text(f))]


# ---- mounts (we run as root in a container) ------------------------------------

def mount(test, target, *options):
    """mount OPTIONS... TARGET, undone (lazily) when the test ends; skips the
    test, saying why, where this container may not mount."""
    res = subprocess.run(["mount"] + list(options) + [target], capture_output=True, text=True)
    if res.returncode != 0:
        test.skipTest("cannot mount here (mount %s %s): %s"
                      % (" ".join(options), target, res.stderr.strip()))
    test.addCleanup(subprocess.run, ["umount", "-l", target], capture_output=True)


def remount(target, options):
    """Change the options of a mount made by mount(), e.g. "bind,ro"."""
    subprocess.run(["mount", "-o", "remount," + options, target], check=True,
                   capture_output=True)


# ---- a host driven step by step ---------------------------------------------------

# Prepended to a Host's code: step() tells the test where the program is (with
# the agent's statistics) and waits until the test has done its part; until()
# waits for a condition without hanging forever.
HOST_PRELUDE = """
import json, os, sys, time
import leakagent
def step(name, **extra):
    out = dict(leakagent.stats(), step=name, **extra)
    sys.stdout.write(json.dumps(out) + "\\n")
    sys.stdout.flush()
    if sys.stdin.readline() != "go\\n":
        raise SystemExit("the test went away")
def until(cond, what, timeout=20.0):
    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            raise SystemExit("timed out waiting for " + what)
        time.sleep(0.005)
"""


class Host:
    """A child interpreter running HOST_PRELUDE + code, driven by its step()
    calls: step() returns the statistics the child reported and go() lets it
    continue.  Every stdout line must be such a report (the host's own
    output); finish() returns (returncode, stderr)."""

    def __init__(self, test, code, env=None, timeout=30):
        self.timeout = timeout
        self.proc = subprocess.Popen([PYTHON, "-c", HOST_PRELUDE + textwrap.dedent(code)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, env=env or child_env())
        self.lines = queue.Queue()
        self.stderr = []
        self.readers = [threading.Thread(target=self._pump, args=(self.proc.stdout, self.lines.put, True)),
                        threading.Thread(target=self._pump, args=(self.proc.stderr, self.stderr.append, False))]
        for t in self.readers:
            t.start()
        test.addCleanup(self._kill)

    @staticmethod
    def _pump(stream, put, mark_end):
        for line in stream:
            put(line)
        if mark_end:
            put(None)

    def step(self, name):
        """Wait for the child's step(name); its report (a dict)."""
        try:
            line = self.lines.get(timeout=self.timeout)
        except queue.Empty:
            raise AssertionError("host hung before step %r; stderr: %s"
                                 % (name, "".join(self.stderr))) from None
        if line is None:
            self.proc.wait(self.timeout)
            raise AssertionError("host exited %s before step %r; stderr: %s"
                                 % (self.proc.returncode, name, "".join(self.stderr)))
        report = json.loads(line)       # anything else on stdout is not the host's
        if report.get("step") != name:
            raise AssertionError("host at step %r, expected %r" % (report.get("step"), name))
        return report

    def go(self):
        self.proc.stdin.write("go\n")
        self.proc.stdin.flush()

    def finish(self):
        """Let the child end; (returncode, stderr).  Hanging is a failure."""
        self.proc.stdin.close()
        try:
            self.proc.wait(self.timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError("host hung at exit; stderr: %s" % "".join(self.stderr)) from None
        for t in self.readers:
            t.join()
        rest = []
        while not self.lines.empty():
            line = self.lines.get()
            if line is not None:
                rest.append(line)
        if rest:
            raise AssertionError("host printed what it did not: %r" % rest)
        return self.proc.returncode, "".join(self.stderr)

    def _kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            try:
                stream.close()
            except OSError:
                pass
