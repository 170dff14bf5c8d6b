"""File-system faults under a real host (issue 7): the log directory removed,
made read-only, then restored; a full disk; a file size limit; a FIFO where
the log should be.  Each time
the host goes on, its output stays its own but for one rate-limited agent
warning, the sampler keeps ticking (its error counter rises), and the log
gets whole snapshots again once it can.

Read-only.  We run as root, which ignores permission bits, so "read-only"
is a read-only bind mount (EROFS, as a file system remounted read-only
after an error gives).  Not `mount -o remount,ro` of a tmpfs: the kernel
refuses that (EBUSY) while the agent holds its log open for writing.  Not a
child running as nobody: the interpreters live under /root (mode 0700).
Disk full is a small tmpfs; a file size limit (RLIMIT_FSIZE) is the other
way a write fails half-way, and the one that sends SIGXFSZ.
"""

import errno
import json
import os
import shutil
import unittest

from lagtest import (Host, TmpDirTest, all_snapshots, assert_stderr_is_warnings, leakplot_json,
                     log_files, mount, read_text, remount, run_py, type_lines_are_whole)

# A host whose snapshots have a known content: 30 classes with long names
# (about 5 KB a snapshot, so a write spans pages and can be cut) and counts
# 1..30; sample.include keeps only them.  EXPECTED is what every snapshot
# in the log must hold: a cut one shows as missing lines or a wrong count.
KNOWN_HEAP = """
KINDS = [type("Kind%02d_" % i + "x" * 150, (), {}) for i in range(30)]
heap = [k() for i, k in enumerate(KINDS) for _ in range(i + 1)]
"""
EXPECTED = {"__main__.Kind%02d_%s" % (i, "x" * 150): i + 1 for i in range(30)}
# Snapshots of a known size: the counts of KINDS alone (no detail records).
KNOWN_OPTIONS = ('include=["__main__.Kind*"], gauges=["rss"], max_overhead=100, '
                 'sample_referents=False, sample_sizes=False, sample_containers=0')


class FaultTest(TmpDirTest):
    """Checks shared by the file-system fault tests."""

    def finish(self, host, warning_has):
        """Let the host end: it exits 0, having said one warning, holding
        warning_has (all the faults of a test come within a minute)."""
        host.go()
        rc, stderr = host.finish()
        self.assertEqual(rc, 0, stderr)
        (warning,) = assert_stderr_is_warnings(self, stderr, 1)
        self.assertIn(warning_has, warning)

    def assert_whole_snapshots(self, log, at_least):
        """Every file of the log holds only whole snapshots of KNOWN_HEAP and
        no .tmp is left; returns how many snapshots."""
        snaps = all_snapshots(log)
        self.assertGreaterEqual(len(snaps), at_least)
        for f, fields, counts in snaps:
            self.assertEqual(counts, EXPECTED, "a cut snapshot in %s at %s" % (f, fields["time"]))
        for f in log_files(log):
            self.assertEqual(type_lines_are_whole(read_text(f)), [], f)
        report = leakplot_json(log)
        self.assertEqual(report["bad_lines"], 0, report)
        self.assertEqual(report["snapshots"], len(snaps))
        d = os.path.dirname(log)
        self.assertEqual([n for n in os.listdir(d) if ".tmp" in n], [])
        return len(snaps)


class DirectoryTest(FaultTest):

    def test_directory_removed_then_read_only_then_restored(self):
        parent = self.path("var")
        logs = os.path.join(parent, "logs")
        log = os.path.join(logs, "app.log")
        os.makedirs(logs)
        view = self.path("ro-view")            # what the read-only mount shows
        os.makedirs(os.path.join(view, "logs"))
        host = Host(self, KNOWN_HEAP + """
leakagent.start(log_path=%r, interval="20ms", %s)
until(lambda: leakagent.stats()["snapshots"] >= 3, "first snapshots")
step("writing")
def failing(n):
    e = leakagent.stats()["errors"]
    until(lambda: leakagent.stats()["errors"] >= e + n, "errors")
    try:
        leakagent.sample_now()
        return "written"
    except RuntimeError as exc:
        return str(exc)
step("gone", sample_now=failing(5))
step("read_only", sample_now=failing(5))
n = leakagent.stats()["snapshots"]
until(lambda: leakagent.stats()["snapshots"] >= n + 3, "snapshots again")
step("restored")
leakagent.stop()
step("stopped")
""" % (log, KNOWN_OPTIONS))
        writing = host.step("writing")
        self.assertEqual(writing["errors"], 0)
        # Away in one step, then deleted: file by file, the agent could
        # create its file again before the directory goes.
        os.rename(logs, self.path("removed"))
        shutil.rmtree(self.path("removed"))
        host.go()

        gone = host.step("gone")
        # The thread ticks every 20 ms while this process renames: one or two
        # may land before the directory goes (more on a loaded machine).
        self.assertLessEqual(gone["snapshots"], writing["snapshots"] + 3)
        self.assertIn("No such file or directory", gone["last_error"])
        self.assertIn(log, gone["sample_now"])
        self.assertIn("No such file or directory", gone["sample_now"])
        # Read-only in one step (no moment where the agent could create its
        # file): the view, with its empty logs/, made read-only first, then
        # bound over var/ (a bind of a read-only mount is read-only).
        mount(self, view, "--bind", view)
        remount(view, "bind,ro")
        mount(self, parent, "--bind", view)
        host.go()

        ro = host.step("read_only")
        self.assertEqual(ro["snapshots"], gone["snapshots"])
        self.assertGreaterEqual(ro["errors"], gone["errors"] + 5)
        self.assertIn("Read-only file system", ro["last_error"])
        self.assertIn("Read-only file system", ro["sample_now"])
        remount(parent, "bind,rw")
        host.go()

        restored = host.step("restored")
        self.assertGreaterEqual(restored["snapshots"], ro["snapshots"] + 3)
        host.go()
        stopped = host.step("stopped")
        self.finish(host, "cannot open log " + log)
        text = read_text(log)
        self.assertTrue(text.startswith("# leakagent 1 "), text[:200])
        self.assertEqual(self.assert_whole_snapshots(log, 3),
                         stopped["snapshots"] - ro["snapshots"])

    def test_read_only_while_the_log_is_open(self):
        """Writes go on into the open file; rotation fails (reported) until
        the directory is writable again.  The live file then deleted from
        outside cannot be recreated: nothing is written, the ticks go on."""
        parent = self.path("var")
        logs = os.path.join(parent, "logs")
        log = os.path.join(logs, "app.log")
        os.makedirs(logs)
        alias = self.path("alias")             # the same directory, writable
        os.makedirs(alias)
        mount(self, alias, "--bind", parent)
        host = Host(self, KNOWN_HEAP + """
leakagent.start(log_path=%r, interval="20ms", max_size="16KB", keep=100, %s)
until(lambda: leakagent.stats()["rotations"] >= 1, "a rotation")
step("writing")
s = leakagent.stats()
until(lambda: leakagent.stats()["snapshots"] >= s["snapshots"] + 8, "snapshots")
step("read_only")
s = leakagent.stats()
until(lambda: leakagent.stats()["errors"] >= s["errors"] + 5, "errors")
step("deleted")
s = leakagent.stats()
until(lambda: leakagent.stats()["rotations"] > s["rotations"], "a rotation again")
step("restored")
leakagent.stop()
""" % (log, KNOWN_OPTIONS))
        writing = host.step("writing")
        mount(self, logs, "--bind", logs)
        remount(logs, "bind,ro")
        host.go()

        ro = host.step("read_only")
        self.assertGreaterEqual(ro["snapshots"], writing["snapshots"] + 8)
        self.assertLessEqual(ro["rotations"], writing["rotations"] + 1)
        self.assertGreater(ro["errors"], writing["errors"])
        self.assertIn("rotation failed", ro["last_error"])
        self.assertIn("Read-only file system", ro["last_error"])
        self.assertGreater(os.path.getsize(log), 16 * 1024 + 5000)
        os.unlink(os.path.join(alias, "logs", "app.log"))
        host.go()

        deleted = host.step("deleted")
        self.assertLessEqual(deleted["snapshots"], ro["snapshots"] + 1)
        self.assertIn("cannot open log", deleted["last_error"])
        self.assertIn("Read-only file system", deleted["last_error"])
        remount(logs, "bind,rw")
        host.go()

        restored = host.step("restored")
        self.assertGreater(restored["snapshots"], deleted["snapshots"])
        self.finish(host, "rotation failed")
        # The deleted file's snapshots are gone with it; the rest are whole.
        self.assert_whole_snapshots(log, 3)


class NotAFileTest(TmpDirTest):

    def test_log_path_is_a_fifo(self):
        """A FIFO at log.path: the open would wait for a reader, the writes
        for the reader to read, and the host with them (at exit, joining
        the thread).  start() refuses it, reader or not."""
        fifo = self.path("app.log")
        os.mkfifo(fifo)
        reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
        self.addCleanup(os.close, reader)
        for log in (fifo, self.path("nobody-reads.log")):
            if log != fifo:
                os.mkfifo(log)
            with self.subTest(log=log):
                res = run_py("""
import json, leakagent
try:
    leakagent.start(log_path=%r, interval="10ms")
    out = "started"
except OSError as e:
    out = str(e)
print(json.dumps([out, leakagent.is_running()]))
""" % log, timeout=30)
                self.assertEqual(json.loads(res.stdout),
                                 ["cannot open log %s: a pipe or socket, not a file" % log, False])


class DiskFullTest(FaultTest):

    def fill(self, path):
        """Write `path` until the file system is full, to the last byte."""
        with open(path, "wb", buffering=0) as f:
            for chunk in (65536, 4096, 1):
                try:
                    while True:
                        f.write(b"\0" * chunk)
                except OSError as e:
                    self.assertEqual(e.errno, errno.ENOSPC)

    def test_disk_full_then_space_freed(self):
        disk = self.path("disk")
        os.makedirs(disk)
        mount(self, disk, "-t", "tmpfs", "-o", "size=256k", "tmpfs")
        log = os.path.join(disk, "app.log")
        host = Host(self, KNOWN_HEAP + """
leakagent.start(log_path=%r, interval="20ms", max_size="48KB", keep=2, %s)
until(lambda: leakagent.stats()["rotations"] >= 1, "a rotation")
step("writing")
e = leakagent.stats()["errors"]
until(lambda: leakagent.stats()["errors"] >= e + 10, "errors")
try:
    leakagent.sample_now()
    outcome = "written"
except RuntimeError as exc:
    outcome = str(exc)
step("full", sample_now=outcome)
s = leakagent.stats()
until(lambda: leakagent.stats()["snapshots"] >= s["snapshots"] + 15, "snapshots again")
until(lambda: leakagent.stats()["rotations"] > s["rotations"], "a rotation again")
step("freed")
leakagent.stop()
""" % (log, KNOWN_OPTIONS))
        writing = host.step("writing")
        filler = os.path.join(disk, "filler")
        self.fill(filler)
        host.go()

        full = host.step("full")
        self.assertGreaterEqual(full["errors"], writing["errors"] + 10)
        self.assertIn(log, full["last_error"])
        self.assertNotEqual(full["sample_now"], "written")
        os.unlink(filler)
        host.go()

        freed = host.step("freed")
        self.assertGreaterEqual(freed["snapshots"], full["snapshots"] + 15)
        self.finish(host, log)
        self.assert_whole_snapshots(log, 15)

    def test_file_size_limit_neither_kills_the_host_nor_cuts_a_snapshot(self):
        """RLIMIT_FSIZE cuts a write that crosses it short, and makes one
        that starts at it fail (EFBIG) and send SIGXFSZ, whose default
        action kills.  CPython ignores SIGXFSZ, but a host may have set it
        back (or embed Python without its handlers): the agent's writes must
        not kill it, nor leave a cut snapshot."""
        log = self.path("app.log")
        host = Host(self, KNOWN_HEAP + """
import resource, signal
signal.signal(signal.SIGXFSZ, signal.SIG_DFL)
leakagent.start(log_path=%r, interval="20ms", max_size="0", %s)
until(lambda: leakagent.stats()["snapshots"] >= 3, "first snapshots")
soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
def limited(room):
    e = leakagent.stats()["errors"]
    resource.setrlimit(resource.RLIMIT_FSIZE, (os.path.getsize(%r) + room, hard))
    outcomes = []
    for _ in range(3):          # on this thread: the signal would be ours
        try:
            leakagent.sample_now()
            outcomes.append("written")
        except RuntimeError as exc:
            outcomes.append(str(exc))
    until(lambda: leakagent.stats()["errors"] >= e + 10, "errors")
    return outcomes
step("crossing", sample_now=limited(1000))
step("at", sample_now=limited(0))
resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
n = leakagent.stats()["snapshots"]
until(lambda: leakagent.stats()["snapshots"] >= n + 3, "snapshots again")
leakagent.sample_now()
step("unlimited")
leakagent.stop()
""" % (log, KNOWN_OPTIONS, log))
        for name, error in (("crossing", "short write"), ("at", "File too large")):
            limited = host.step(name)
            self.assertEqual(len(limited["sample_now"]), 3)
            for outcome in limited["sample_now"]:
                self.assertIn("cannot write log " + log, outcome)
                self.assertIn(error, outcome)
            host.go()
        unlimited = host.step("unlimited")
        self.assertGreaterEqual(unlimited["snapshots"], limited["snapshots"] + 4)
        self.finish(host, log)
        self.assert_whole_snapshots(log, 7)


if __name__ == "__main__":
    unittest.main()
