"""python -m leakagent attach PID: the agent started in (and --stop stopped
in) real running processes through gdb, idle ones (a main loop that
sleeps) and busy ones (threads allocating, a main thread computing), many
times over with no hang and no crash, the log then written and the target's
output its own; and the refusals: gdb missing, ptrace not permitted, a gdb
that cannot call into any process (the target left untouched), another
Python version, leakagent not importable there, no such process.
make hardening repeats the attaches 50 times (LEAKAGENT_HARDENING=1).
"""

import os
import subprocess
import sys
import textwrap
import time
import unittest

from lagtest import (PYTHON, TmpDirTest, assert_stderr_is_warnings, child_env,
                     gdb_call_problem, needs_gdb_call, parse_snapshots, read_text, rounds)

IDLE = """
import sys, time
print("target up", flush=True)
for line in sys.stdin:          # the test's go-ahead to exit
    break
"""

IDLE_SLEEPING = """
import sys, threading, time
print("target up", flush=True)
threading.Thread(target=lambda: sys.stdin.readline() and None, daemon=True).start()
while threading.active_count() > 1:
    time.sleep(0.05)
"""

BUSY = """
import sys, threading, time
print("target up", flush=True)
stop = []
def worker():
    junk = []
    while not stop:
        junk.append([{"k": i} for i in range(100)])
        if len(junk) > 50:
            junk.clear()
        time.sleep(0.0005)
for _ in range(3):
    threading.Thread(target=worker, daemon=True).start()
threading.Thread(target=lambda: (sys.stdin.readline(), stop.append(1)), daemon=True).start()
n = 0
while not stop:
    n += sum(i * i for i in range(1000))
"""


class Target:
    """A running Python process of `code`, stdout and stderr kept."""

    def __init__(self, test, code, python=PYTHON, env=None):
        self.out = open(test.path("target.out"), "w+")
        self.err = open(test.path("target.err"), "w+")
        self.proc = subprocess.Popen([python, "-c", textwrap.dedent(code)],
                                     stdin=subprocess.PIPE, stdout=self.out, stderr=self.err,
                                     text=True, env=env or child_env())
        test.addCleanup(self.kill)
        end = time.monotonic() + 30
        while "target up" not in self.output()[0]:
            if time.monotonic() > end or self.proc.poll() is not None:
                raise AssertionError("target did not start: %r" % (self.output(),))
            time.sleep(0.02)

    @property
    def pid(self):
        return self.proc.pid

    def output(self):
        self.out.flush()
        self.err.flush()
        with open(self.out.name) as o, open(self.err.name) as e:
            return o.read(), e.read()

    def finish(self):
        """Let it exit; its return code (hanging is a failure)."""
        self.proc.stdin.write("bye\n")
        self.proc.stdin.close()
        return self.proc.wait(30)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.out.close()
        self.err.close()


def attach(*args, python=PYTHON, env=None, timeout=120, wrap=()):
    """python -m leakagent attach ARGS; CompletedProcess (hanging fails)."""
    try:
        return subprocess.run(list(wrap) + [python, "-m", "leakagent", "attach"] + list(args),
                              capture_output=True, text=True, env=env or child_env(),
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        raise AssertionError("attach hung: %s" % (args,)) from None


class AttachTest(TmpDirTest):

    def attach_many(self, code, n):
        target = Target(self, code)
        log = self.path("mc.%p.log")
        for i in range(n):
            res = attach(str(target.pid), "-o", "interval=50ms", "-o", "log.path=" + log,
                         "-o", "max_overhead=100")
            self.assertEqual(res.returncode, 0, "attach %d: %s" % (i, res.stderr))
            self.assertIn("leakagent started in process %d" % target.pid, res.stdout)
            path = self.path("mc.%d.log" % target.pid)
            before = len(parse_snapshots(read_text(path)))
            end = time.monotonic() + 20
            while len(parse_snapshots(read_text(path))) < before + 2:
                self.assertLess(time.monotonic(), end, "no snapshot after attach %d" % i)
                time.sleep(0.02)
            res = attach(str(target.pid), "--stop")
            self.assertEqual(res.returncode, 0, "stop %d: %s" % (i, res.stderr))
            self.assertIn("leakagent stopped in process %d" % target.pid, res.stdout)
        # Stopped: no snapshot comes any more.
        count = len(parse_snapshots(read_text(path)))
        time.sleep(0.3)
        self.assertEqual(len(parse_snapshots(read_text(path))), count)
        self.assertEqual(target.finish(), 0)
        out, err = target.output()
        self.assertEqual(out, "target up\n")
        assert_stderr_is_warnings(self, err, 0)     # a loaded machine's stretch note at most
        text = read_text(path)
        self.assertGreaterEqual(len(parse_snapshots(text)), 2 * n)
        self.assertEqual(text.count("# leakagent 1 "), n)    # one header a start

    @needs_gdb_call
    def test_idle_main_loop_sleeping(self):
        self.attach_many(IDLE_SLEEPING, rounds(3, 50))

    @needs_gdb_call
    def test_busy_threads_allocating(self):
        self.attach_many(BUSY, rounds(3, 50))

    @needs_gdb_call
    def test_already_running(self):
        target = Target(self, IDLE_SLEEPING)
        args = [str(target.pid), "-o", "log.path=" + self.path("a.log"), "-o", "interval=1h"]
        self.assertEqual(attach(*args).returncode, 0)
        res = attach(*args)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn("was already running", res.stdout)
        self.assertEqual(target.finish(), 0)

    def test_a_process_that_never_releases_the_gil_is_left_alone(self):
        # Blocked in a read with the GIL released, and nothing else runs:
        # no thread passes the safe point; attach gives up and detaches.
        target = Target(self, IDLE)
        t0 = time.monotonic()
        res = attach(str(target.pid), "--timeout", "1", "-o", "log.path=" + self.path("n.log"))
        self.assertEqual(res.returncode, 2)
        self.assertIn("no safe point in 1 s", res.stderr)
        self.assertLess(time.monotonic() - t0, 30)
        self.assertFalse(os.path.exists(self.path("n.log")))
        self.assertEqual(target.finish(), 0)     # detached, alive, not stopped
        self.assertEqual(target.output(), ("target up\n", ""))

    def test_refusals(self):
        target = Target(self, IDLE_SLEEPING)
        pid = str(target.pid)
        env = child_env(PATH="/nonexistent")
        res = attach(pid, env=env, python=PYTHON)
        self.assertIn("gdb is not installed (Debian: apt-get install gdb)", res.stderr)
        res = attach("999999999")
        self.assertIn("no process 999999999", res.stderr)
        # ptrace not permitted: the target undumpable, and this run without
        # CAP_SYS_PTRACE (setpriv), as a production service's user would be.
        undumpable = Target(self, "import ctypes; ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)\n"
                            + IDLE_SLEEPING)
        res = attach(str(undumpable.pid), wrap=("setpriv", "--inh-caps=-sys_ptrace",
                                                "--bounding-set=-sys_ptrace"))
        self.assertEqual(res.returncode, 2, res.stderr)
        self.assertIn("ptrace not permitted", res.stderr)
        self.assertIn("kernel.yama.ptrace_scope", res.stderr)
        for t in (target, undumpable):
            self.assertEqual(t.finish(), 0)
            self.assertEqual(t.output(), ("target up\n", ""))

    def test_gdb_that_cannot_call_is_found_before_the_target(self):
        # A gdb whose every inferior call fails, as Debian 12's gdb 13.1 on
        # some hosts with AMX: attach asks it of a throwaway process, refuses,
        # and never runs gdb on the target.
        target = Target(self, IDLE_SLEEPING)
        calls = self.path("gdb-calls")
        fake = self.path("bin")
        os.mkdir(fake)
        self.write("bin/gdb", """\
            #!/bin/sh
            echo "$*" >> %s
            echo "Couldn't write extended state status: Bad address." >&2
            exit 1
            """ % calls)
        os.chmod(self.path("bin/gdb"), 0o755)
        res = attach(str(target.pid), env=child_env(PATH=fake + os.pathsep + os.environ["PATH"]))
        self.assertEqual(res.returncode, 2, res.stderr)
        self.assertIn("gdb cannot call a function in a process on this host (gdb: Couldn't "
                      "write extended state status: Bad address.); process %d was not touched"
                      % target.pid, res.stderr)
        (call,) = read_text(calls).splitlines()
        self.assertIn("call (int)getpid()", call)
        self.assertNotIn("-p %d " % target.pid, call)
        self.assertEqual(target.finish(), 0)
        self.assertEqual(target.output(), ("target up\n", ""))

    def test_real_gdb_that_cannot_call_leaves_the_target_alone(self):
        if not gdb_call_problem():
            self.skipTest("gdb can call into a process here")
        target = Target(self, IDLE_SLEEPING)
        res = attach(str(target.pid))
        self.assertEqual(res.returncode, 2, res.stderr)
        self.assertIn("process %d was not touched" % target.pid, res.stderr)
        self.assertEqual(target.finish(), 0)
        self.assertEqual(target.output(), ("target up\n", ""))

    @needs_gdb_call
    def test_another_interpreter(self):
        # Debian's python3 of the same minor version has no leakagent of its
        # own; one of another version is refused before gdb runs.
        other = "/usr/bin/python3"
        if not os.path.exists(other):
            self.skipTest("no /usr/bin/python3")
        if os.path.realpath(other) == os.path.realpath(sys.executable):
            self.skipTest("the tests run under /usr/bin/python3 itself (a fresh Debian)")
        env = child_env()
        del env["PYTHONPATH"]
        target = Target(self, IDLE_SLEEPING, python=other, env=env)
        res = attach(str(target.pid))
        self.assertEqual(res.returncode, 2)
        same = sys.version_info[:2] == tuple(int(x) for x in subprocess.run(
            [other, "-c", "import sys; print(*sys.version_info[:2])"], capture_output=True,
            text=True).stdout.split())
        if same:
            self.assertIn("leakagent is not importable in process %d" % target.pid, res.stderr)
            self.assertIn("make install PYTHON=/usr/bin/python3", res.stderr)
        else:
            self.assertIn("process %d runs CPython" % target.pid, res.stderr)
            self.assertIn("make install PYTHON=/usr/bin/python3", res.stderr)
        self.assertEqual(target.finish(), 0)
        self.assertEqual(target.output(), ("target up\n", ""))


if __name__ == "__main__":
    unittest.main()
