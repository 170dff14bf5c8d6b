"""Bad configurations under a real host (issue 7): every kind of mistake is
refused whole with leakagent.ConfigError "FILE:LINE:COLUMN: message", no
thread starts and the host goes on; through LEAKAGENT_CONFIG and the .pth
autostart the host's program still runs, its stdout exactly its own and one
warning line on stderr.
"""

import json
import os
import re
import shutil
import subprocess
import unittest

from lagtest import HARDENING, PKG_DIR, PYTHON, TmpDirTest, child_env, run_py

# (name, file content, "LINE:COLUMN", a word the message must hold)
MISTAKES = [
    ("unknown key", "intervall: 1s\n", "1:1", "did you mean 'interval'"),
    ("unknown nested key", "log:\n  max_sise: 1MB\n", "2:3", "max_size"),
    ("list for a scalar", "interval: [1s, 2s]\n", "1:11", "interval"),
    ("scalar for a section", "log: 5\n", "1:6", "log"),
    ("scalar for a list", "sample:\n  include: dict\n", "2:12", "include"),
    ("bad duration", "interval: 5 minutes\n", "1:11", "interval"),
    ("bad duration unit", "interval: 5y\n", "1:11", "interval"),
    ("bad size", "log:\n  max_size: 10 MB/day\n", "2:13", "max_size"),
    ("bad percent", "max_overhead: lots\n", "1:15", "max_overhead"),
    ("percent out of range", "max_overhead: 250%\n", "1:15", "max_overhead"),
    ("negative count", "log:\n  keep: -1\n", "2:9", "keep"),
    ("interval too short", "interval: 5ms\n", "1:11", "interval"),
    ("interval too long", "interval: 2d\n", "1:11", "interval"),
    ("keep out of range", "log:\n  keep: 5000\n", "2:9", "keep"),
    ("huge number", "sample:\n  top: 99999999999999999999999\n", "2:8", "top"),
    ("bad boolean", "enabled: maybe\n", "1:10", "enabled"),
    ("bad path template", "log:\n  path: /tmp/%q.log\n", "2:9", "%q"),
    ("unknown gauge", "gauges: [rss, heap]\n", "1:", "heap"),
    ("YAML syntax", "log: [unclosed\n", "", ""),
    ("tab indentation", "log:\n\tpath: x.log\n", "2:", ""),
    ("duplicate key", "interval: 1s\ninterval: 2s\n", "2:1", "duplicate"),
    ("two documents", "interval: 1s\n---\ninterval: 2s\n", "", "one YAML document"),
    ("a list at the top", "- interval\n", "1:1", ""),
    ("binary", "\x00\x01\x02\xff\xfe garbage \x00", "", ""),
    ("invalid UTF-8", "log:\n  path: \xff\xfe.log\n", "", ""),
    ("alias bomb", "sample:\n  include: &a [x, x, x, x, x, x, x, x]\n"
                   "  exclude: [*a, *a, *a, *a, *a, *a, *a, *a]\n", "2:12", "exclude"),
    ("deep nesting", "sample:\n  include: " + "[" * 20000 + "]" * 20000 + "\n", "", ""),
    ("error after 2 MB of comments", "# padding\n" * 200000 + "bogus: 1\n", "200001:1",
     "bogus"),
]

# The mistakes make check passes through the autostart (all of them under
# LEAKAGENT_HARDENING=1): the .pth catches every one the same way.
AUTOSTART_SAMPLE = {"unknown key", "YAML syntax", "binary", "missing file", "directory",
                    "huge file"}

# The host of the autostart runs: its own output, on both streams.
HOST = """\
import sys
print("host output 1")
print("host output 2")
sys.stdout.flush()
"""


class ConfigTest(TmpDirTest):

    def write_bytes(self, name, data):
        p = self.path(name)
        with open(p, "wb") as f:
            f.write(data)
        return p

    def configs(self):
        """[(name, path, "LINE:COLUMN", word)] of every mistake as a file,
        plus the files that are wrong as files."""
        out = []
        for i, (name, text, where, word) in enumerate(MISTAKES):
            path = self.write_bytes("bad%02d.yaml" % i, text.encode("latin-1"))
            out.append((name, path, where, word))
        out.append(("missing file", self.path("missing.yaml"), "1:1", "No such file"))
        os.makedirs(self.path("dir.yaml"))
        out.append(("directory", self.path("dir.yaml"), "1:1", "directory"))
        huge = self.path("huge.yaml")
        with open(huge, "wb") as f:
            f.truncate(65 << 20)            # 65 MB of NULs, sparse
        out.append(("huge file", huge, "1:1", "64 MB"))
        return out

    def test_every_mistake_is_refused_and_the_host_goes_on(self):
        cases = self.configs()
        res = run_py("""
import json, os, sys, leakagent
THREADS = lambda: len(os.listdir("/proc/self/task"))
out = {"threads": THREADS(), "results": []}
for path in json.loads(sys.argv[1]):
    try:
        started = leakagent.start(path, log_path=%r)
        out["results"].append(["started", started])
        leakagent.stop()
    except leakagent.ConfigError as e:
        out["results"].append(["ConfigError", str(e), isinstance(e, ValueError),
                               THREADS(), leakagent.is_running()])
    except BaseException as e:
        out["results"].append([type(e).__name__, str(e)])
out["good"] = leakagent.start(log_path=%r, interval="1h")
leakagent.sample_now()
leakagent.stop()
print(json.dumps(out))
""" % (self.path("never.log"), self.path("good.log")), json.dumps([c[1] for c in cases]),
            timeout=120)
        out = json.loads(res.stdout)
        self.assertEqual(res.stderr, "")
        for (name, path, where, word), result in zip(cases, out["results"]):
            with self.subTest(mistake=name):
                self.assertEqual(result[0], "ConfigError", result)
                kind, msg, is_value_error, threads, running = result
                self.assertTrue(is_value_error)
                self.assertRegex(msg, r"^%s:\d+:\d+: \S" % path.replace(".", r"\."))
                self.assertTrue(msg.startswith("%s:%s" % (path, where)), msg)
                self.assertIn(word, msg)
                self.assertNotIn("\n", msg)
                self.assertEqual(threads, out["threads"])
                self.assertFalse(running)
        self.assertTrue(out["good"])
        self.assertFalse(os.path.exists(self.path("never.log")))
        self.assertTrue(os.path.exists(self.path("good.log")))

    def test_empty_file_means_the_defaults(self):
        """Every key is optional (DESIGN.md): an empty file, or one with
        only comments, starts the agent with the defaults."""
        for text in ("", "# nothing here\n", "---\n"):
            with self.subTest(text=text):
                cfg = self.write_bytes("empty.yaml", text.encode())
                res = run_py("""
import json, sys, leakagent
print(json.dumps([leakagent.start(sys.argv[1]), leakagent.stats()["interval_ms"]]))
leakagent.stop()
""", cfg, cwd=self.tmp)
                self.assertEqual(json.loads(res.stdout), [True, 60000])
                self.assertTrue(os.path.exists(self.path("most_common.log")))

    def test_unreadable_file(self):
        """Root reads every file: the host drops to nobody (after its
        imports: the interpreters live under /root, mode 0700) first."""
        cfg = self.write_bytes("secret.yaml", b"interval: 1s\n")
        os.chmod(cfg, 0o600)
        res = run_py("""
import json, os, leakagent
os.setgid(65534)
os.setuid(65534)
try:
    leakagent.start(%r)
    out = "started"
except leakagent.ConfigError as e:
    out = str(e)
print(json.dumps([out, leakagent.is_running()]))
""" % cfg, cwd="/")
        msg, running = json.loads(res.stdout)
        self.assertEqual(msg, cfg + ":1:1: cannot open config file: Permission denied")
        self.assertFalse(running)

    def test_autostart_with_a_bad_config_runs_the_host(self):
        """LEAKAGENT_CONFIG through the real .pth: site processes it at
        start-up (here from a directory that sitecustomize adds as a site
        directory, as site-packages is)."""
        site = self.path("site")
        os.makedirs(site)
        shutil.copy(os.path.join(PKG_DIR, "leakagent-autostart.pth"), site)
        with open(os.path.join(site, "sitecustomize.py"), "w") as f:
            f.write("import site\nsite.addsitedir(%r)\n" % site)
        script = self.path("host.py")
        with open(script, "w") as f:
            f.write(HOST)
        for name, path, where, word in self.configs():
            if not HARDENING and name not in AUTOSTART_SAMPLE:
                continue
            with self.subTest(mistake=name):
                env = child_env(LEAKAGENT_CONFIG=path)
                env["PYTHONPATH"] = site + os.pathsep + PKG_DIR
                try:
                    res = subprocess.run([PYTHON, script], env=env, capture_output=True, text=True,
                                         timeout=60, cwd=self.tmp)
                except subprocess.TimeoutExpired:
                    self.fail("host hung with LEAKAGENT_CONFIG=%s" % path)
                self.assertEqual(res.returncode, 0, res.stderr)
                self.assertEqual(res.stdout, "host output 1\nhost output 2\n")
                lines = res.stderr.splitlines()
                self.assertEqual(len(lines), 1, res.stderr)
                self.assertRegex(lines[0], r"^leakagent\[pid \d+ %s\]: not started from "
                                 r"LEAKAGENT_CONFIG=%s: %s:%s"
                                 % tuple(re.escape(x) for x in (os.path.splitext(
                                     os.path.basename(script))[0], path, path, where)))
        # A good config through the same path does start (the site is live).
        good = self.path("good.yaml")
        with open(good, "w") as f:
            f.write("interval: 1h\nlog:\n  path: %s\n" % self.path("auto.log"))
        env = child_env(LEAKAGENT_CONFIG=good)
        env["PYTHONPATH"] = site + os.pathsep + PKG_DIR
        res = subprocess.run([PYTHON, script], env=env, capture_output=True, text=True, timeout=60)
        self.assertEqual((res.returncode, res.stdout, res.stderr),
                         (0, "host output 1\nhost output 2\n", ""))
        self.assertTrue(os.path.exists(self.path("auto.log")))


if __name__ == "__main__":
    unittest.main()
