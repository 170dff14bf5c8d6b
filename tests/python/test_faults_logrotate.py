"""logrotate under a real host (issue 7): the live file renamed away (with
and without a new empty file created in its place) and copied then
truncated (copytruncate).  The agent goes on writing at the configured path,
into a file that starts with a header, and no snapshot is lost between the
two files.
"""

import fcntl
import os
import shutil
import unittest

from lagtest import (Host, TmpDirTest, assert_stderr_is_warnings, leakplot_json, read_text,
                     type_lines_are_whole)

# The sampler ticks every 10 ms while a host thread calls sample_now() in a
# loop: two writers, as busy as the log gets.  The test acts at "writing";
# the host then waits for 10 more snapshots and reports its totals.
BUSY_HOST = """
import threading
leakagent.start(log_path=%r, interval="10ms", max_size="0", max_overhead=100)
done = False
def more():
    while not done:
        leakagent.sample_now()
        time.sleep(0.002)
t = threading.Thread(target=more)
t.start()
until(lambda: leakagent.stats()["snapshots"] >= 10, "first snapshots")
step("writing")
n = leakagent.stats()["snapshots"]
until(lambda: leakagent.stats()["snapshots"] >= n + 10, "snapshots after")
done = True
t.join()
leakagent.stop()
step("stopped")
"""


def starts(text):
    return sum(1 for line in text.splitlines() if line.startswith("#START"))


class LogrotateTest(TmpDirTest):

    def run_busy_host(self, log, rotate):
        """BUSY_HOST writing log; rotate() runs at "writing".  Checks that
        log.1 (the old file) and log (the new one) hold every snapshot the
        host wrote, each file beginning with a header."""
        host = Host(self, BUSY_HOST % log)
        writing = host.step("writing")
        rotate()
        host.go()
        stopped = host.step("stopped")
        host.go()
        rc, stderr = host.finish()
        self.assertEqual(rc, 0, stderr)
        assert_stderr_is_warnings(self, stderr, 0)
        old, new = read_text(log + ".1"), read_text(log)
        self.assertGreaterEqual(starts(old), writing["snapshots"])
        self.assertGreaterEqual(starts(new), 10)
        self.assertEqual(starts(old) + starts(new), stopped["snapshots"])
        for text in (old, new):
            self.assertTrue(text.startswith("# leakagent 1 "), text[:100])
            self.assertEqual(type_lines_are_whole(text), [])
            self.assertNotIn("\0", text)
        report = leakplot_json(log + ".1", log)
        self.assertEqual((report["snapshots"], report["bad_lines"]), (stopped["snapshots"], 0))

    def test_moved_away(self):
        for create in (False, True):
            with self.subTest(create=create):
                log = self.path("app-%s.log" % create)

                def rotate():
                    os.rename(log, log + ".1")
                    if create:              # logrotate's "create 0640"
                        os.close(os.open(log, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640))
                self.run_busy_host(log, rotate)

    def test_copytruncate(self):
        """logrotate's copytruncate loses what is written between its copy
        and its truncate: it takes no lock.  A rotator that holds flock on
        the file while it does both loses nothing: the agent writes under a
        shared flock.  The agent sees the file shrink and starts it again
        with a header."""
        log = self.path("app.log")

        def rotate():
            with open(log, "rb") as f:
                fcntl.flock(f, fcntl.LOCK_EX)
                shutil.copyfile(log, log + ".1")
                os.truncate(log, 0)
        self.run_busy_host(log, rotate)


if __name__ == "__main__":
    unittest.main()
