"""The ways to turn the agent on without calling start() in the program:
`python -m leakagent -c leakagent.yaml script.py args...`, and
LEAKAGENT_CONFIG with the .pth file `make install` puts into site-packages
(installed here into a temporary virtual environment and a DESTDIR).
"""

import json
import os
import re
import subprocess
import sys
import sysconfig
import unittest

from lagtest import PYTHON, ROOT, TmpDirTest, child_env, headers, parse_snapshots, read_text

SCRIPT = """\
import json, sys, time
import leakagent
class Payload: pass
keep = [Payload() for _ in range(321)]
leakagent.sample_now() if leakagent.is_running() else None
print(json.dumps({"argv": sys.argv, "name": __name__, "running": leakagent.is_running(),
                  "path0": sys.path[0]}))
"""

PROBE = """\
import json, sys
print(json.dumps({"imported": "leakagent" in sys.modules,
                  "autostart": "leakagent._autostart" in sys.modules,
                  "running": "leakagent" in sys.modules
                             and sys.modules["leakagent"].is_running()}))
"""


def make_env():
    """The environment for a nested make: none of the outer make's flags."""
    env = dict(os.environ)
    for key in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES"):
        env.pop(key, None)
    return env


class EntryTest(TmpDirTest):

    def config(self, name="leakagent.yaml", log="most_common.log"):
        return self.write(name, """\
            interval: 100ms
            max_overhead: 50%%
            log:
              path: %s
            """ % self.path(log))

    def run_cmd(self, cmd, env=None, timeout=60, cwd=None):
        try:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                                  env=env or child_env(), cwd=cwd or self.tmp)
        except subprocess.TimeoutExpired:
            self.fail("hung: %s" % cmd)

    # ---- python -m leakagent ----------------------------------------------

    def test_python_m_leakagent_runs_a_script(self):
        cfg = self.config()
        script = self.write("worker.py", SCRIPT)
        res = self.run_cmd([PYTHON, "-m", "leakagent", "-c", cfg, script, "one", "--two"])
        self.assertEqual(res.returncode, 0, res.stderr)
        out = json.loads(res.stdout)
        self.assertEqual(out["argv"], [script, "one", "--two"])
        self.assertEqual(out["name"], "__main__")
        self.assertEqual(out["path0"], self.tmp)
        self.assertTrue(out["running"])
        text = read_text(self.path("most_common.log"))
        self.assertEqual(headers(text)[0]["program"], "worker")
        self.assertEqual(parse_snapshots(text)[-1][1].get("__main__.Payload"), 321)

    def test_python_m_leakagent_keeps_the_scripts_globals_until_exit(self):
        # As under `python script.py`, the script's objects are alive while its
        # atexit handlers run (this one takes the last snapshot), however the
        # script ends: at its last line, by sys.exit(), by an error.
        for end, rc in (("", 0), ("import sys; sys.exit(3)", 3), ("1 / 0", 1)):
            with self.subTest(end=end):
                log = "mc-%d.log" % rc
                script = self.write("worker.py", """\
                    import atexit, leakagent
                    class Payload: pass
                    keep = [Payload() for _ in range(321)]
                    atexit.register(leakagent.sample_now)
                    %s
                    """ % end)
                res = self.run_cmd([PYTHON, "-m", "leakagent", "-c", self.config(log=log),
                                    script])
                self.assertEqual(res.returncode, rc, res.stderr)
                snapshots = parse_snapshots(read_text(self.path(log)))
                self.assertEqual(snapshots[-1][1].get("__main__.Payload"), 321)

    def test_python_m_leakagent_module_and_overrides(self):
        self.write("mymod.py", SCRIPT)
        log = self.path("mod-%p.log")
        res = self.run_cmd([PYTHON, "-m", "leakagent", "-o", "log.path=" + log,
                            "-o", "interval=1h", "-m", "mymod", "x"])
        self.assertEqual(res.returncode, 0, res.stderr)
        out = json.loads(res.stdout)
        self.assertEqual(out["argv"][1:], ["x"])
        self.assertEqual(out["name"], "__main__")
        (name,) = [n for n in os.listdir(self.tmp) if n.startswith("mod-")]
        self.assertEqual(headers(read_text(self.path(name)))[0]["program"], "mymod")

    def test_python_m_leakagent_bad_config(self):
        cfg = self.write("bad.yaml", "interval: 5 minutes\n")
        script = self.write("worker.py", SCRIPT)
        res = self.run_cmd([PYTHON, "-m", "leakagent", "-c", cfg, script])
        self.assertEqual(res.returncode, 2)
        self.assertIn(cfg + ":1:", res.stderr)
        self.assertEqual(res.stdout, "")

    # ---- LEAKAGENT_CONFIG + the installed .pth --------------------------------

    def install_into_venv(self):
        """A virtual environment in self.tmp with leakagent installed into it by
        `make install PYTHON=<its python>`; returns its python."""
        venv = self.path("venv")
        res = self.run_cmd([PYTHON, "-m", "venv", "--without-pip", venv], timeout=120)
        self.assertEqual(res.returncode, 0, res.stderr)
        py = os.path.join(venv, "bin", "python3")
        res = self.run_cmd(["make", "-s", "-C", ROOT, "install", "PYTHON=" + py],
                           env=make_env(), timeout=300)
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        return py

    def test_env_autostart_through_the_installed_pth(self):
        py = self.install_into_venv()
        site = self.run_cmd([py, "-c", "import sysconfig; print(sysconfig.get_paths()['platlib'])"])
        platlib = site.stdout.strip()
        self.assertTrue(platlib.startswith(self.tmp), platlib)
        self.assertTrue(os.path.exists(os.path.join(platlib, "leakagent-autostart.pth")))
        probe = self.write("probe.py", PROBE)
        env = child_env()
        del env["PYTHONPATH"]       # the installed copy only

        # Without the variable: nothing imported at all.
        out = json.loads(self.run_cmd([py, probe], env=env).stdout)
        self.assertEqual(out, {"imported": False, "autostart": False, "running": False})

        # With it: started before the program's first line.
        cfg = self.config(log="auto-%p.log")
        env["LEAKAGENT_CONFIG"] = cfg
        res = self.run_cmd([py, probe], env=env)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(json.loads(res.stdout),
                         {"imported": True, "autostart": True, "running": True})
        logs = [n for n in os.listdir(self.tmp) if n.startswith("auto-")]
        self.assertEqual(len(logs), 1)
        text = read_text(self.path(logs[0]))
        self.assertEqual(headers(text)[0]["program"], "probe")
        self.assertGreaterEqual(len(parse_snapshots(text)), 1)

        # -E and -I ignore the environment: LEAKAGENT_CONFIG too (nothing
        # imported, as with PYTHON* variables there).
        for flag in ("-E", "-I"):
            res = self.run_cmd([py, flag, probe], env=env)
            self.assertEqual(res.returncode, 0, res.stderr)
            self.assertEqual(json.loads(res.stdout),
                             {"imported": False, "autostart": False, "running": False}, flag)
            self.assertEqual(res.stderr, "", flag)

        # autostart.programs: only the programs it lists (their %n) start one;
        # a `python -c` helper (%n is the executable's name) does not.
        env["LEAKAGENT_CONFIG"] = self.write("only.yaml", """\
            interval: 100ms
            log:
              path: %s
            autostart:
              programs: [myservice, "prob?"]
            """ % self.path("only-%n-%p.log"))
        res = self.run_cmd([py, probe], env=env)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertTrue(json.loads(res.stdout)["running"])
        res = self.run_cmd([py, "-c", PROBE], env=env)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(res.stderr, "")
        self.assertEqual(json.loads(res.stdout)["running"], False)
        self.assertEqual(sorted(n.split("-")[1] for n in os.listdir(self.tmp)
                                if n.startswith("only-")), ["probe"])

        # A bad config never stops the host from starting.
        env["LEAKAGENT_CONFIG"] = self.write("bad.yaml", "intervall: 1s\n")
        res = self.run_cmd([py, probe], env=env)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertRegex(res.stderr, r"^leakagent\[pid \d+ probe\]: not started")
        self.assertIn("bad.yaml:1:1", res.stderr)
        self.assertFalse(json.loads(res.stdout)["running"])

    def test_make_install_destdir(self):
        dest = self.path("dest")
        res = self.run_cmd(["make", "-s", "-C", ROOT, "install", "PYTHON=" + PYTHON,
                            "DESTDIR=" + dest], env=make_env(), timeout=300)
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        site = dest + sysconfig.get_paths()["platlib"]
        names = sorted(os.listdir(os.path.join(site, "leakagent")))
        self.assertIn("__init__.py", names)
        self.assertIn("__main__.py", names)
        self.assertIn("_leakagent" + sysconfig.get_config_var("EXT_SUFFIX"), names)
        with open(os.path.join(site, "leakagent-autostart.pth")) as f:
            pth = f.read()
        self.assertIn("LEAKAGENT_CONFIG", pth)
        # site.addsitedir() processes the .pth as start-up does.
        env = child_env(LEAKAGENT_CONFIG=self.config(log="dest.log"))
        del env["PYTHONPATH"]
        res = self.run_cmd([PYTHON, "-c", "import site, sys; site.addsitedir(%r); "
                            "import leakagent; print(leakagent.__file__, "
                            "leakagent.is_running())" % site], env=env)
        self.assertEqual(res.returncode, 0, res.stderr)
        path, running = res.stdout.split()
        self.assertTrue(path.startswith(site), path)
        self.assertEqual(running, "True")

    def test_start_docstring_points_at_files_of_the_tree(self):
        """leakagent.start()'s help names where the config keys are
        described: files that exist in this tree."""
        res = self.run_cmd([PYTHON, "-c", "import leakagent; print(leakagent.start.__doc__)"],
                           env=child_env())
        named = re.findall(r"\b(?:config|contrib|agent|plot)/[\w./-]*\w", res.stdout)
        self.assertIn("config/leakagent.yaml", named)
        for rel in named:
            self.assertTrue(os.path.exists(os.path.join(ROOT, rel)), rel)
        self.assertIn("man 5 leakagent.yaml", res.stdout)
        self.assertTrue(os.path.exists(os.path.join(ROOT, "contrib/man/leakagent.yaml.5")))


if __name__ == "__main__":
    unittest.main()
