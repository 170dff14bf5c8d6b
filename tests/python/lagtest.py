"""lagtest: helpers shared by the leakagent integration tests.

Every test runs real Python processes (the interpreter under test, the one
running these tests) with agent/python on PYTHONPATH, and reads back the
logs they write.  Nothing here imports leakagent into the test process
itself, so one test's agent never leaks into another.
"""

import gzip
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PKG_DIR = os.path.join(ROOT, "agent", "python")
PYTHON = sys.executable
# objgraph comes from Debian's python3-objgraph (pure Python, any 3.x).
OBJGRAPH_DIR = "/usr/lib/python3/dist-packages"


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


def parse_snapshots(text):
    """[(start_fields, {name: count})] of every #START in text (log format 1)."""
    snaps = []
    for line in text.splitlines():
        if line.startswith("#START"):
            parts = line.split()
            fields = {"time": float(parts[1])}
            for kv in parts[2:]:
                k, _, v = kv.partition("=")
                fields[k] = v
            snaps.append((fields, {}))
        elif line.startswith("#") or not line.strip():
            continue
        elif snaps:
            name, count = line.rsplit(None, 1)
            snaps[-1][1][name.strip()] = int(count)
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
