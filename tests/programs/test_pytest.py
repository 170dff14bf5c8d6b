"""Debian's pytest (python3-pytest) under /usr/bin/python3 with the
leakagent plugin: registered by the dist-info `make install` writes (into a
venv of /usr/bin/python3), or loaded with -p leakagent.pytest (the package
on PYTHONPATH, autoload off).  A suite of marked tests: 50 verdicts on clean
functions all pass; a test keeping one object per call fails naming its
type, one leaking a C-level reference per call (ctypes Py_IncRef on a new
int, seed 004's shape) fails through [blocks]; fixtures work; unmarked
tests run once.

Run by /usr/bin/python3 from make check; ends with "N passed, N failed".
"""

import os
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET

import realprog
from realprog import Checks

SUITE = textwrap.dedent('''
    import ctypes, json, re
    import pytest

    class Thing:
        pass

    KEPT = []
    NEXT = [10 ** 7]
    CALLS = {"unmarked": 0}

    @pytest.mark.no_leak
    @pytest.mark.parametrize("i", range(25))
    def test_clean_json(i):
        json.loads(json.dumps({"a": [1, 2, {"b": "x" * 10}], "i": i}))

    @pytest.mark.no_leak(runs=200, warmup=20)
    @pytest.mark.parametrize("i", range(25))
    def test_clean_text(i):
        re.findall(r"(\\w+)@(\\w+)", "mail bob@example and amy@host %d" % i)
        "{:>10} {:.3f} {!r}".format("x", 3.14159 * i, [1, 2])
        try:
            {}["missing"]
        except KeyError as e:
            str(e)

    @pytest.mark.no_leak
    def test_clean_with_a_fixture(tmp_path):
        (tmp_path / "f.txt").write_text("the same file every call")

    @pytest.mark.no_leak
    def test_keeps_an_object_per_call():
        KEPT.append(Thing())

    @pytest.mark.no_leak(runs=100, warmup=10)
    def test_leaks_a_reference_per_call():
        NEXT[0] += 1
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(NEXT[0] * 3))

    def test_unmarked_runs_once():
        CALLS["unmarked"] += 1
        assert CALLS["unmarked"] == 1
''')


def run_pytest(python, suite_dir, xml, env, *args):
    cmd = [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--strict-markers",
           "--junitxml=" + xml] + list(args) + [suite_dir]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=suite_dir,
                          timeout=600)


def outcomes(xml):
    """{test name: (outcome, message)} from pytest's JUnit XML."""
    out = {}
    for case in ET.parse(xml).getroot().iter("testcase"):
        failure = case.find("failure")
        error = case.find("error")
        if failure is not None:
            out[case.get("name")] = ("failed", failure.get("message", "") + (failure.text or ""))
        elif error is not None:
            out[case.get("name")] = ("error", error.get("message", ""))
        else:
            out[case.get("name")] = ("passed", "")
    return out


def judge(c, how, res, xml):
    if not c.check("%s: pytest ran the suite (exit 1: some tests fail)" % how,
                   res.returncode == 1 and os.path.exists(xml), res.stdout[-3000:] + res.stderr):
        return
    got = outcomes(xml)
    clean = [n for n in got if n.startswith("test_clean_")]
    c.check("%s: 51 clean verdicts, all passed" % how,
            len(clean) == 51 and all(got[n][0] == "passed" for n in clean),
            [(n, got[n]) for n in clean if got[n][0] != "passed"])
    outcome, msg = got.get("test_keeps_an_object_per_call", ("missing", ""))
    c.check("%s: a test keeping an object per call fails, naming its type and +1 per call"
            % how, outcome == "failed" and "test_leaks.Thing" in msg and "(+1.00 per call)" in msg,
            msg)
    outcome, msg = got.get("test_leaks_a_reference_per_call", ("missing", ""))
    c.check("%s: a leaked C reference per call (Py_IncRef) fails through [blocks]" % how,
            outcome == "failed" and "[blocks]" in msg and "grows with the number of calls" in msg,
            msg)
    c.check("%s: an unmarked test runs once" % how,
            got.get("test_unmarked_runs_once", ("missing",))[0] == "passed")


def main():
    c = Checks()
    if not c.need(realprog.DEBIAN_PYTHON):
        return c.summary()
    res = subprocess.run([realprog.DEBIAN_PYTHON, "-c", "import pytest; print(pytest.__file__)"],
                         capture_output=True, text=True)
    if not c.check("Debian's pytest under %s (python3-pytest)" % realprog.DEBIAN_PYTHON,
                   res.returncode == 0 and res.stdout.startswith("/usr/lib/python3/"),
                   res.stdout + res.stderr + "`make deps` installs python3-pytest"):
        return c.summary()
    tmp = realprog.tmpdir("pytest")
    suite = os.path.join(tmp, "suite")
    os.makedirs(suite)
    with open(os.path.join(suite, "test_leaks.py"), "w") as f:
        f.write(SUITE)

    # 1. make install into a venv: the entry point registers the plugin.
    venv_python = realprog.debian_venv(tmp)
    env = realprog.clean_env(PYTEST_DISABLE_PLUGIN_AUTOLOAD=None)
    res = subprocess.run([venv_python, "-m", "pytest", "--markers"], capture_output=True,
                         text=True, env=env, cwd=suite)
    c.check("installed: pytest knows @pytest.mark.no_leak with no -p",
            "@pytest.mark.no_leak(runs=200, warmup=20)" in res.stdout, res.stdout + res.stderr)
    xml = os.path.join(tmp, "installed.xml")
    judge(c, "installed", run_pytest(venv_python, suite, xml, env), xml)

    # 2. -p leakagent.pytest, the package on PYTHONPATH, entry points not read.
    site = realprog.install_package(tmp, realprog.DEBIAN_PYTHON,
                                    PYTHON_SITE=os.path.join(tmp, "pythonpath"))
    env = realprog.clean_env(PYTHONPATH=site, PYTEST_DISABLE_PLUGIN_AUTOLOAD="1")
    xml = os.path.join(tmp, "unknown.xml")
    res = run_pytest(realprog.DEBIAN_PYTHON, suite, xml, env)
    c.check("without the plugin, --strict-markers refuses the marker",
            res.returncode != 0 and "'no_leak' not found in `markers`" in res.stdout + res.stderr,
            res.stdout[-2000:] + res.stderr)
    xml = os.path.join(tmp, "explicit.xml")
    judge(c, "-p leakagent.pytest",
          run_pytest(realprog.DEBIAN_PYTHON, suite, xml, env, "-p", "leakagent.pytest"), xml)
    return c.summary()


if __name__ == "__main__":
    sys.exit(main())
