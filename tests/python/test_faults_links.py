"""Links planted in a directory others can write to (issue 13), under a real
host, as root: for each file the agent and leakplot create (the live log,
the rotation's LOG.1.gz.tmp, the rotated LOG.1 it compresses, the Prometheus
textfile's .tmp.PID and the textfile itself, leakplot's -o temporary and
output), a symbolic or hard link to a victim file leaves the victim byte for
byte unchanged.  The agent says which path it refuses and why; a symlinked
log in a directory only its owner can write is still followed; new files
get log.mode.
"""

import json
import os
import stat
import subprocess
import unittest

from lagtest import LEAKPLOT, TmpDirTest, all_snapshots, read_text, run_py

VICTIM = b"root:x:0:0:root:/root:/bin/bash\n" * 8


class PlantedLinkTest(TmpDirTest):

    def setUp(self):
        super().setUp()
        self.shared = self.path("shared")
        os.mkdir(self.shared)
        os.chmod(self.shared, 0o1777)           # like /tmp
        self.victim = self.path("victim.txt")   # outside it, in a private directory
        with open(self.victim, "wb") as f:
            f.write(VICTIM)
        self.victim_stat = os.stat(self.victim)

    def assert_victim_unchanged(self):
        with open(self.victim, "rb") as f:
            self.assertEqual(f.read(), VICTIM)
        st = os.stat(self.victim)
        self.assertEqual((st.st_mtime_ns, st.st_size, st.st_mode),
                         (self.victim_stat.st_mtime_ns, self.victim_stat.st_size,
                          self.victim_stat.st_mode))

    def in_shared(self, name):
        return os.path.join(self.shared, name)

    def test_link_at_the_live_log_is_refused(self):
        log = self.in_shared("mc.log")
        os.symlink(self.victim, log)
        res = run_py("""
            import sys, leakagent
            try:
                leakagent.start(log_path=sys.argv[1], interval="20ms")
            except OSError as e:
                print(e)
            else:
                print("started")
            """, log)
        self.assertIn("refusing log %s: a symbolic link, in a directory others can write to" % log,
                      res.stdout)
        self.assert_victim_unchanged()

    def test_link_planted_while_running_is_refused_and_reported(self):
        log = self.in_shared("mc.log")
        res = run_py("""
            import os, sys, time, leakagent
            log, victim = sys.argv[1], sys.argv[2]
            leakagent.start(log_path=log, interval="20ms", max_overhead=100)
            leakagent.sample_now()
            os.unlink(log)
            os.symlink(victim, log)             # the attacker's move
            try:
                leakagent.sample_now()
            except RuntimeError as e:
                print("refused:", e)
            time.sleep(0.3)                     # the thread's ticks meet it too
            print("errors", leakagent.stats()["errors"])
            leakagent.stop()
            """, log, self.victim)
        self.assertIn("refused:", res.stdout)
        self.assertIn("a symbolic link, in a directory others can write to", res.stdout)
        errors = int(res.stdout.split("errors")[1])
        self.assertGreaterEqual(errors, 2)
        # Rate-limited: one warning on stderr, naming the path.
        warnings = [l for l in res.stderr.splitlines() if l.startswith("leakagent")]
        self.assertEqual(len(warnings), 1, res.stderr)
        self.assertIn(log, warnings[0])
        self.assert_victim_unchanged()

    def test_links_at_the_rotation_files_are_not_followed(self):
        log = self.in_shared("mc.log")
        os.symlink(self.victim, log + ".1.gz.tmp")
        res = run_py("""
            import sys, time, leakagent
            leakagent.start(log_path=sys.argv[1], interval="10ms", max_size=2000, keep=3,
                            max_overhead=100)
            keep = [object() for _ in range(100)]
            deadline = time.time() + 20
            while leakagent.stats().get("rotations", 0) < 3 and time.time() < deadline:
                leakagent.sample_now()
            print("rotations", leakagent.stats().get("rotations"))
            leakagent.stop()
            """, log)
        self.assertGreaterEqual(int(res.stdout.split()[-1]), 3, res.stdout + res.stderr)
        self.assert_victim_unchanged()
        self.assertFalse(os.path.islink(log + ".1.gz.tmp"))
        self.assertGreaterEqual(len(all_snapshots(log)), 3)

        # A rotated LOG.1 "left by a crash" that is a link: not copied into
        # a .gz others could read.
        for name in os.listdir(self.shared):
            os.unlink(self.in_shared(name))
        os.symlink(self.victim, log + ".1")
        res = run_py("""
            import sys, leakagent
            leakagent.start(log_path=sys.argv[1], interval="1s", keep=3)
            leakagent.stop()
            """, log)
        self.assertFalse(os.path.exists(log + ".1.gz"))
        self.assert_victim_unchanged()

    def test_links_at_the_textfile_are_not_followed(self):
        prom = self.in_shared("la.prom")
        os.symlink(self.victim, prom)           # the final name: replaced, not followed
        res = run_py("""
            import json, os, stat, sys, leakagent
            prom, victim = sys.argv[1], sys.argv[2]
            os.symlink(victim, "%s.tmp.%d" % (prom, os.getpid()))   # a guessed pid
            leakagent.start(log_path=sys.argv[3], interval="1s", prometheus_textfile=prom)
            leakagent.sample_now()
            st = os.lstat(prom)                 # the textfile goes with the agent: look now
            with open(prom) as f:
                text = f.read()
            print(json.dumps({"regular": stat.S_ISREG(st.st_mode), "mode": stat.S_IMODE(st.st_mode),
                              "metrics": "python_objects" in text,
                              "tmp": [n for n in os.listdir(os.path.dirname(prom)) if ".tmp." in n
                                      and not os.path.islink(os.path.join(os.path.dirname(prom), n))]}))
            leakagent.stop()
            """, prom, self.victim, self.path("private.log"))
        self.assert_victim_unchanged()
        out = json.loads(res.stdout)
        self.assertEqual(out, {"regular": True, "mode": 0o644, "metrics": True, "tmp": []})

    def test_links_at_leakplot_output_are_not_followed(self):
        log = self.path("private.log")
        run_py("""
            import sys, leakagent
            leakagent.start(log_path=sys.argv[1], interval="1s")
            for _ in range(3):
                leakagent.sample_now()
            leakagent.stop()
            """, log)
        out = self.in_shared("mem.pdf")
        os.symlink(self.victim, out)
        os.symlink(self.victim, out + ".tmp")
        # The temporary's name has leakplot's pid: plant it for the pid
        # leakplot will have (exec keeps the shell's).
        res = subprocess.run(["sh", "-c", 'ln -s "$1" "$2.tmp.$$.0"; exec "$3" -q "$4" -o "$2"',
                              "sh", self.victim, out, LEAKPLOT, log],
                             capture_output=True, text=True, timeout=60)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assert_victim_unchanged()
        self.assertTrue(stat.S_ISREG(os.lstat(out).st_mode))
        with open(out, "rb") as f:
            self.assertEqual(f.read(5), b"%PDF-")

    def test_symlinked_log_in_a_private_directory_is_followed(self):
        private = self.path("private")
        os.mkdir(private, 0o755)
        target = os.path.join(private, "real.log")
        log = os.path.join(private, "mc.log")
        os.symlink("real.log", log)
        run_py("""
            import sys, leakagent
            leakagent.start(log_path=sys.argv[1], interval="1s")
            leakagent.sample_now()
            leakagent.stop()
            """, log)
        self.assertIn("#START", read_text(target))
        self.assertEqual(stat.S_IMODE(os.stat(target).st_mode), 0o640)

    def test_log_mode(self):
        cfg = self.write("mode.yaml", """\
            interval: 1s
            log:
              path: %s
              mode: 0600
              max_size: 500B
            """ % self.path("m.log"))
        run_py("""
            import os, sys, leakagent
            os.umask(0)
            leakagent.start(sys.argv[1])
            for _ in range(3):
                leakagent.sample_now()
            leakagent.stop()
            """, cfg)
        for name in ("m.log", "m.log.1.gz"):
            self.assertEqual(stat.S_IMODE(os.stat(self.path(name)).st_mode), 0o600, name)


if __name__ == "__main__":
    unittest.main()
