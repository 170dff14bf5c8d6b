"""What the agent must not do to its host process (issue 7): die of a
signal its own writes raise (SIGPIPE from a warning to a closed stderr;
SIGXFSZ is in test_faults_fs), fail because a host signal handler
interrupted a wait (EINTR), hang because a peer sharing its log is stuck
holding a lock, or leak a descriptor into a program the host execs.
"""

import fcntl
import json
import os
import re
import subprocess
import time
import unittest

from lagtest import (PYTHON, QUIET_FORK, Host, TmpDirTest, assert_stderr_is_warnings, child_env,
                     parse_snapshots, read_text, rounds, run_py)



class HostSignalTest(TmpDirTest):

    def test_warning_to_a_closed_stderr_does_not_kill_the_host(self):
        """A host that set SIGPIPE back to the default (as command-line tools
        do) and whose stderr reader went away: the agent's warning gets
        EPIPE, not the host's death."""
        log = self.path("gone", "app.log")
        os.makedirs(os.path.dirname(log))
        r, w = os.pipe()
        os.close(r)                         # nobody reads the host's stderr
        res = subprocess.run([PYTHON, "-c", """
import os, signal, sys, leakagent
signal.signal(signal.SIGPIPE, signal.SIG_DFL)
leakagent.start(log_path=sys.argv[1], interval="1h")
os.rename(os.path.dirname(sys.argv[1]), sys.argv[2])  # (rmtree could race the thread)
try:
    leakagent.sample_now()          # fails, and warns on this thread
except RuntimeError as e:
    print("sample_now:", "No such file" in str(e))
print("alive")
""", log, self.path("moved")], env=child_env(), stdout=subprocess.PIPE, stderr=w, text=True,
            timeout=60)
        os.close(w)
        self.assertEqual((res.returncode, res.stdout), (0, "sample_now: True\nalive\n"))

    def test_a_signal_handler_does_not_fail_a_locked_write(self):
        """sample_now() waits for the log's flock while another process
        rotates (here: holds it); the host's SIGALRM handler interrupts that
        wait every 5 ms.  The write must wait on, not fail with EINTR."""
        log = self.path("app.log")
        host = Host(self, """
import signal
alarms = 0
def on_alarm(sig, frame):
    global alarms
    alarms += 1
signal.signal(signal.SIGALRM, on_alarm)
leakagent.start(log_path=%r, interval="1h")
until(lambda: leakagent.stats()["snapshots"] >= 1, "first snapshot")
step("ready")
signal.setitimer(signal.ITIMER_REAL, 0.005, 0.005)
t0 = time.monotonic()
try:
    outcome = leakagent.sample_now()
except RuntimeError as e:
    outcome = str(e)
waited = time.monotonic() - t0
signal.setitimer(signal.ITIMER_REAL, 0)
step("sampled", outcome=outcome, alarms=alarms, waited=waited)
leakagent.stop()
""" % log)
        host.step("ready")
        with open(log, "rb") as f:
            fcntl.flock(f, fcntl.LOCK_EX)   # as a rotating process holds it
            host.go()
            time.sleep(0.3)
        sampled = host.step("sampled")
        host.go()
        rc, stderr = host.finish()
        self.assertEqual(rc, 0, stderr)
        assert_stderr_is_warnings(self, stderr, 0)
        self.assertIs(sampled["outcome"], True)
        # It waited for the lock while SIGALRM came every 5 ms (Python runs
        # its handler once the call returns: the signals merge into one).
        self.assertGreater(sampled["waited"], 0.2)
        self.assertGreaterEqual(sampled["alarms"], 1)


class StuckPeerTest(TmpDirTest):

    def test_a_peer_stuck_holding_a_lock_does_not_hang_the_host(self):
        """Processes sharing a log path lock it (flock); one of them can be
        stopped holding a lock (a debugger, SIGSTOP, a frozen container).
        Here the test holds them.  The directory's lock (held for a whole
        rotation): the host writes on and leaves the rotation to the holder.
        The live file's lock: sample_now() gives up after 2 s with an error,
        and the host's exit does not wait longer than that."""
        log = self.path("app.log")
        host = Host(self, """
leakagent.start(log_path=%r, interval="20ms", max_size="4KB", keep=5, max_overhead=100)
until(lambda: leakagent.stats()["rotations"] >= 1, "a rotation")
step("ready")
n = leakagent.stats()["snapshots"]
until(lambda: leakagent.stats()["snapshots"] >= n + 10, "snapshots")
step("dir_locked", size=os.path.getsize(%r))
r = leakagent.stats()["rotations"]
until(lambda: leakagent.stats()["rotations"] > r, "a rotation again")
step("dir_free")
t0 = time.monotonic()
try:
    outcome = leakagent.sample_now()
except RuntimeError as e:
    outcome = str(e)
step("file_locked", outcome=outcome, waited=time.monotonic() - t0)
""" % (log, log))
        ready = host.step("ready")
        dfd = os.open(self.tmp, os.O_RDONLY | os.O_DIRECTORY)
        self.addCleanup(os.close, dfd)
        fcntl.flock(dfd, fcntl.LOCK_EX)
        host.go()
        locked = host.step("dir_locked")
        self.assertEqual(locked["rotations"], ready["rotations"])
        self.assertGreater(locked["size"], 4096)
        self.assertEqual(locked["errors"], 0)
        fcntl.flock(dfd, fcntl.LOCK_UN)
        host.go()
        host.step("dir_free")
        with open(log, "rb") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            host.go()
            sampled = host.step("file_locked")
            self.assertIn("stays locked by another process", sampled["outcome"])
            self.assertTrue(1.5 < sampled["waited"] < 5, sampled["waited"])
            t0 = time.monotonic()
            host.go()
            rc, stderr = host.finish()      # exits while the lock is still held
            self.assertLess(time.monotonic() - t0, 5)
        self.assertEqual(rc, 0, stderr)
        (warning,) = assert_stderr_is_warnings(self, stderr, 1)
        self.assertIn("stays locked", warning)


class DescriptorTest(TmpDirTest):

    def test_a_host_started_with_stderr_closed(self):
        """A daemon started with fd 2 closed, which later points fd 2 at a
        file of its own (dup2), as daemonizing does.  The agent's log must
        not have taken fd 2: the host's dup2 would replace it, the agent
        then close the host's new stderr, and the host write into our log."""
        log = self.path("app.log")
        mine = self.path("host-stderr.txt")
        res = subprocess.run([PYTHON, "-c", """
import os, sys, leakagent
leakagent.start(log_path=sys.argv[1], interval="1h")
fd = os.open(sys.argv[2], os.O_WRONLY | os.O_CREAT, 0o644)
os.dup2(fd, 2)                          # the daemon's stderr from now on
leakagent.sample_now()
os.write(2, b"the host's own line\\n")
leakagent.sample_now()
print("fd 2 is", os.readlink("/proc/self/fd/2"))
""", log, mine], env=child_env(), capture_output=False, stdout=subprocess.PIPE,
            text=True, timeout=60, preexec_fn=lambda: os.close(2))
        self.assertEqual((res.returncode, res.stdout), (0, "fd 2 is %s\n" % mine))
        with open(mine) as f:
            self.assertEqual(f.read(), "the host's own line\n")
        text = read_text(log)
        self.assertNotIn("host's own", text)
        self.assertGreaterEqual(len(parse_snapshots(text)), 2)     # + the thread's, perhaps

    def test_no_descriptor_leaks_into_an_exec(self):
        """Programs the host starts without closing descriptors while the
        agent writes, rotates and compresses: by os.posix_spawn (no Python
        at-fork hooks), and by os.fork() + os.execv() (the child's agent
        reopens its log first).  None of them holds a file of the log."""
        log = self.path("logs", "app.log")
        os.makedirs(os.path.dirname(log))
        res = run_py(QUIET_FORK + """
import json, os, subprocess, sys, threading, leakagent
junk = [{} for _ in range(50000)]
leakagent.start(log_path=%r, interval="10ms", max_size="1B", keep=5, max_overhead=100)
done = False
def more():
    while not done:
        leakagent.sample_now()
threading.Thread(target=more).start()
seen = []
for i in range(int(sys.argv[1])):
    r, w = os.pipe()
    argv = ["sh", "-c", "ls -l /proc/$$/fd"]
    if i %% 2:
        pid = os.posix_spawn("/bin/sh", argv, os.environ,
                             file_actions=[(os.POSIX_SPAWN_DUP2, w, 1)])
    else:
        pid = os.fork()
        if pid == 0:
            os.dup2(w, 1)
            os.execv("/bin/sh", argv)
    os.close(w)
    with os.fdopen(r) as f:
        seen.append(f.read())
    os.waitpid(pid, 0)
done = True
leakagent.stop()
print(json.dumps({"listings": seen, "stats": leakagent.stats()}))
""" % log, str(rounds(150, 1000)), timeout=300)
        out = json.loads(res.stdout)
        assert_stderr_is_warnings(self, res.stderr, 0)
        self.assertGreater(out["stats"]["rotations"], 20)
        leaked = [line for listing in out["listings"] for line in listing.splitlines()
                  if re.search(re.escape(os.path.dirname(log)), line)]
        self.assertEqual(leaked, [])


if __name__ == "__main__":
    unittest.main()
