"""Debian's uWSGI (uwsgi-core + uwsgi-plugin-python3) with
contrib/uwsgi/uwsgi.ini, serving tests/programs/leakyapp.py under load over
127.0.0.1: `leakplot --check` flags leakyapp.Leak in each of the 4 workers
and nothing else but gauges.  The ini is used as shipped but for the lines a
user edits (module, http-socket, the env line's config path) and one added
line, `virtualenv =`, naming the venv of /usr/bin/python3 the package was
installed into (`make install PYTHON=venv/bin/python`).  Then the same ini
without py-call-osafterfork: no worker writes a log, and the master says why
on stderr.

Run by /usr/bin/python3 from make check; ends with "N passed, N failed".
"""

import os
import re
import signal
import subprocess
import sys
import time

import realprog
from realprog import ROOT, Checks

UWSGI = "/usr/bin/uwsgi"
INI = os.path.join(ROOT, "contrib", "uwsgi", "uwsgi.ini")
WORKERS = 4
SNAPSHOTS = 80
# The lines of the shipped ini that a user edits, and what the test puts there.
EDITED = ("module", "http-socket", "env")


def test_ini(d, port, venv, config, drop=()):
    """The shipped ini with the user's lines set; `drop`: options left out."""
    with open(INI) as f:
        text = f.read()
    out = []
    seen = set()
    for line in text.splitlines():
        key = line.split("=", 1)[0].strip()
        if key in EDITED:
            seen.add(key)
            line = {"module": "module = leakyapp:application",
                    "http-socket": "http-socket = 127.0.0.1:%d" % port,
                    "env": "env = LEAKAGENT_CONFIG=%s" % config}[key]
        elif key in drop:
            continue
        out.append(line)
    assert seen == set(EDITED), "%s lacks %s" % (INI, set(EDITED) - seen)
    out += ["chdir = %s" % os.path.join(ROOT, "tests", "programs"),
            "virtualenv = %s" % venv]
    path = os.path.join(d, "uwsgi.ini")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")
    return path


def write_config(d):
    path = os.path.join(d, "leakagent.yaml")
    with open(path, "w") as f:
        f.write("interval: 100ms\nmax_overhead: %s\nlog:\n  path: %s/mc.%%p.log\n"
                % (realprog.MAX_OVERHEAD, d))
    return path


def spawned(err_path):
    """(master pid, [worker pids]) from uWSGI's log so far."""
    with open(err_path, errors="replace") as f:
        text = f.read()
    m = re.search(r"spawned uWSGI master process \(pid: (\d+)\)", text)
    workers = [int(p) for p in re.findall(r"spawned uWSGI worker \d+ \(pid: (\d+),", text)]
    return (int(m.group(1)) if m else None), workers


def start(d, venv, drop=()):
    port = realprog.free_port()
    ini = test_ini(d, port, venv, write_config(d), drop)
    err_path = os.path.join(d, "uwsgi.err")
    with open(err_path, "w") as err:
        proc = subprocess.Popen([UWSGI, "--ini", ini], env=realprog.clean_env(),
                                stdout=err, stderr=subprocess.STDOUT)
    master, workers = realprog.poll(lambda: len(spawned(err_path)[1]) >= WORKERS
                                    and spawned(err_path), "uWSGI spawning %d workers" % WORKERS,
                                    60)
    with open(err_path, errors="replace") as f:
        bound = "bound to TCP address 127.0.0.1:%d " % port in f.read()
    return proc, port, err_path, master, workers, bound


def stop(proc):
    # SIGINT and SIGQUIT stop uWSGI; SIGTERM would reload it.
    return realprog.stop_process(proc, signal.SIGINT)


def leaking(c, tmp, venv):
    d = os.path.join(tmp, "leak")
    os.makedirs(d)
    proc, port, err_path, master, workers, bound = start(d, venv)
    try:
        c.check("uWSGI listens on the port asked, on 127.0.0.1", bound)
        load, logs, rc, growing, lp_err = realprog.leak_until_judged(d, port, workers, SNAPSHOTS)
    finally:
        code = stop(proc)
    with open(err_path, errors="replace") as f:
        stderr = f.read()
    c.check("one log per process (master and %d workers)" % WORKERS,
            set(logs) == set(workers) | {master}, sorted(logs))
    c.check("load served with no error (%d requests)" % load.ok,
            load.ok > 0 and not load.errors, load.errors[:3])
    by_pid = realprog.growing_by_pid(growing)
    c.check("leakplot --check exits 1", rc == 1, lp_err)
    c.check("leakyapp.Leak flagged in every worker",
            all("leakyapp.Leak" in by_pid.get(p, []) for p in workers), "\n".join(growing))
    c.check("nothing else but gauges flagged", not realprog.only_the_leak(growing),
            "\n".join(growing))
    c.check("the leak's chain names leakyapp.KEPT",
            "leakyapp.KEPT[<int>]" in realprog.held_by(growing, "leakyapp.Leak"),
            "\n".join(growing))
    c.check("uWSGI stops on SIGINT", code is not None, "had to be killed")
    ours = realprog.agent_lines(stderr)
    c.check("uWSGI's output is its own (no agent line, no traceback)", not ours, "\n".join(ours))


def without_osafterfork(c, tmp, venv):
    d = os.path.join(tmp, "silent")
    os.makedirs(d)
    proc, port, err_path, master, workers, bound = start(d, venv, drop=("py-call-osafterfork",))
    prefix = "leakagent[pid %d uwsgi]: uWSGI forks its workers without Python's at-fork hooks" \
        % master
    try:
        def warned():
            with open(err_path, errors="replace") as f:
                return [line for line in f.read().splitlines() if line.startswith("leakagent[")]
        lines = realprog.poll(warned, "the master's warning", 30)
        # The workers have served and sampled time by now, had they an agent.
        for i in range(20):
            realprog.http_get("http://127.0.0.1:%d/leak" % port)
        time.sleep(0.5)
        logs = realprog.logs_by_pid(d)
    finally:
        code = stop(proc)
    c.check("without py-call-osafterfork: the master warns, naming itself and the option",
            len(lines) == 1 and lines[0].startswith(prefix)
            and "set py-call-osafterfork = true" in lines[0], "\n".join(lines))
    c.check("... and indeed no worker writes a log", set(logs) == {master}, sorted(logs))
    c.check("... uWSGI stops on SIGINT", code is not None)


def main():
    c = Checks()
    if not c.need(UWSGI, "/usr/lib/uwsgi/plugins/python3_plugin.so", realprog.DEBIAN_PYTHON):
        return c.summary()
    with open(INI) as f:
        c.check("the shipped ini loads the python3 plugin",
                re.search(r"^plugins = python3$", f.read(), re.M) is not None)
    tmp = realprog.tmpdir("uwsgi")
    venv = os.path.dirname(os.path.dirname(realprog.debian_venv(tmp)))
    for part in (leaking, without_osafterfork):
        t0 = time.monotonic()
        try:
            part(c, tmp, venv)
        except AssertionError as e:
            c.check(part.__name__ + ": uWSGI serves and its logs are judged", False, e)
        print("  (%s: %.1f s)" % (part.__name__, time.monotonic() - t0))
    return c.summary()


if __name__ == "__main__":
    sys.exit(main())
