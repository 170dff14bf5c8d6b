"""Debian's gunicorn with contrib/gunicorn/gunicorn.conf.py (4 sync
workers), serving tests/programs/leakyapp.py under load over 127.0.0.1:
`leakplot --check` on the agent's logs flags leakyapp.Leak in every worker
and nothing else but gauges, for both ways the conf starts the agent:

- the environment: LEAKAGENT_CONFIG, with the package installed (`make
  install PYTHON=...`) into a venv of /usr/bin/python3, whose .pth starts
  the agent in the master; every worker samples after the fork;
- post_fork: /usr/bin/gunicorn itself, the package on PYTHONPATH (where no
  .pth is read), the conf's hook starting the agent in each worker only;
- and gunicorn started with no agent at all: `python -m leakagent attach`
  to each running worker (gdb) starts it there.

Run by /usr/bin/python3 from make check; ends with "N passed, N failed".
"""

import os
import subprocess
import sys
import time

import realprog
from realprog import ROOT, Checks

GUNICORN = "/usr/bin/gunicorn"
CONF = os.path.join(ROOT, "contrib", "gunicorn", "gunicorn.conf.py")
WORKERS = 4                 # the conf's
SNAPSHOTS = 80              # per worker, while leaking: leakplot judges from 30


def write_config(d, **extra):
    path = os.path.join(d, "leakagent.yaml")
    with open(path, "w") as f:
        f.write("interval: 100ms\nmax_overhead: %s\nlog:\n  path: %s/mc.%%p.log\n"
                % (realprog.MAX_OVERHEAD, d))
        for key, value in extra.items():
            f.write("%s: %s\n" % (key, value))
    return path


def booted_workers(err_path):
    with open(err_path) as f:
        return [int(line.rsplit(None, 1)[1]) for line in f if "Booting worker with pid:" in line]


def serve_and_check(c, way, python, env, d):
    """Run gunicorn under load until each worker has SNAPSHOTS leaking
    snapshots, judge the logs while it serves, stop it; the checks of one way."""
    sock = realprog.listener()
    port = sock.getsockname()[1]
    err_path = os.path.join(d, "gunicorn.err")
    cmd = ([python] if python else []) + [
        GUNICORN, "-c", CONF, "-b", "fd://%d" % sock.fileno(),
        "--chdir", os.path.join(ROOT, "tests", "programs"), "leakyapp:application"]
    with open(err_path, "w") as err:
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=err,
                                pass_fds=(sock.fileno(),))
    sock.close()
    try:
        workers = realprog.poll(lambda: len(booted_workers(err_path)) >= WORKERS
                                and booted_workers(err_path), "%d workers booting" % WORKERS, 60)
        load, logs, rc, growing, lp_err = realprog.leak_until_judged(d, port, workers, SNAPSHOTS)
    finally:
        code = realprog.stop_process(proc)
    with open(err_path) as f:
        stderr = f.read()

    c.check("%s: gunicorn boots %d workers" % (way, WORKERS), len(workers) == WORKERS, stderr)
    master = proc.pid
    expected = set(workers) | ({master} if way == "environment" else set())
    c.check("%s: one log per %s" % (way, "process (master and workers)"
                                    if way == "environment" else "worker, none for the master"),
            set(logs) == expected, "logs of %s, processes %s" % (sorted(logs), sorted(expected)))
    with open(os.path.join(d, "mc.%d.log" % workers[0])) as f:
        header = lagtest_header(f.read())
    c.check("%s: the logs name the program gunicorn" % way,
            header.get("program") == "gunicorn", header)
    c.check("%s: load served with no error (%d requests)" % (way, load.ok),
            load.ok > 0 and not load.errors, load.errors[:3])
    by_pid = realprog.growing_by_pid(growing)
    c.check("%s: leakplot --check exits 1" % way, rc == 1, lp_err)
    c.check("%s: leakyapp.Leak flagged in every worker" % way,
            all("leakyapp.Leak" in by_pid.get(p, []) for p in workers), "\n".join(growing))
    c.check("%s: nothing else but gauges flagged" % way, not realprog.only_the_leak(growing),
            "\n".join(growing))
    c.check("%s: the leak's chain names leakyapp.KEPT" % way,
            "leakyapp.KEPT[<int>]" in realprog.held_by(growing, "leakyapp.Leak"),
            "\n".join(growing))
    c.check("%s: the master is not flagged" % way, master not in by_pid
            or all(n.startswith("[") for n in by_pid[master]), "\n".join(growing))
    c.check("%s: gunicorn stops on SIGTERM (exit 0)" % way, code == 0, "exit %s" % code)
    ours = realprog.agent_lines(stderr)
    c.check("%s: gunicorn's stderr is its own (no agent line, no traceback)" % way,
            not ours, "\n".join(ours))


def attach_and_check(c, python, d):
    """gunicorn started with no agent at all (no conf, no environment), its
    workers leaking under load: `python -m leakagent attach` starts the agent
    in each running worker; leakplot then flags the leak in each."""
    sock = realprog.listener()
    port = sock.getsockname()[1]
    err_path = os.path.join(d, "gunicorn.err")
    with open(err_path, "w") as err:
        proc = subprocess.Popen(
            [python, GUNICORN, "-w", str(WORKERS), "-b", "fd://%d" % sock.fileno(),
             "--chdir", os.path.join(ROOT, "tests", "programs"), "leakyapp:application"],
            env=realprog.clean_env(), stdout=subprocess.DEVNULL, stderr=err,
            pass_fds=(sock.fileno(),))
    sock.close()
    attached = []
    try:
        workers = realprog.poll(lambda: len(booted_workers(err_path)) >= WORKERS
                                and booted_workers(err_path), "%d workers booting" % WORKERS, 60)
        load = realprog.Load(["http://127.0.0.1:%d/leak" % port])
        try:
            time.sleep(1)           # leaking before anyone looks
            for pid in workers:
                res = subprocess.run([python, "-m", "leakagent", "attach", str(pid),
                                      "-o", "interval=100ms", "-o", "max_overhead=" + realprog.MAX_OVERHEAD,
                                      "-o", "log.path=%s/mc.%%p.log" % d],
                                     capture_output=True, text=True, timeout=120,
                                     env=realprog.clean_env())
                attached.append((pid, res.returncode, res.stdout + res.stderr))
        finally:
            load.stop()
        load, logs, rc, growing, lp_err = realprog.leak_until_judged(d, port, workers, SNAPSHOTS)
    finally:
        code = realprog.stop_process(proc)
    with open(err_path) as f:
        stderr = f.read()
    c.check("attach: the agent started in each running worker",
            len(attached) == WORKERS and all(rc == 0 and "leakagent started" in out
                                             for _, rc, out in attached), attached)
    c.check("attach: one log per worker, none for the master",
            set(logs) == set(workers), sorted(logs))
    by_pid = realprog.growing_by_pid(growing)
    c.check("attach: leakplot --check flags leakyapp.Leak in every worker",
            rc == 1 and all("leakyapp.Leak" in by_pid.get(p, []) for p in workers),
            "\n".join(growing) + lp_err)
    c.check("attach: load served with no error (%d requests)" % load.ok, not load.errors,
            load.errors[:3])
    c.check("attach: gunicorn stops on SIGTERM (exit 0), its output its own",
            code == 0 and not realprog.agent_lines(stderr), stderr[-2000:])


def run_way(c, way, python, env, d):
    """serve_and_check, a timeout or a failed set-up counted as one failure."""
    t0 = time.monotonic()
    try:
        serve_and_check(c, way, python, env, d)
    except AssertionError as e:
        c.check("%s: gunicorn serves and its logs are judged" % way, False, e)
    print("  (%s: %.1f s)" % (way, time.monotonic() - t0))


def lagtest_header(text):
    heads = realprog.lagtest.headers(text)
    return heads[0] if heads else {}


def main():
    c = Checks()
    if not c.need(GUNICORN, realprog.DEBIAN_PYTHON):
        return c.summary()
    tmp = realprog.tmpdir("gunicorn")

    # 1. The environment: the package (and its .pth) in a venv of Debian's python.
    d = os.path.join(tmp, "env")
    os.makedirs(d)
    venv_python = realprog.debian_venv(tmp)
    run_way(c, "environment", venv_python,
            realprog.clean_env(LEAKAGENT_CONFIG=write_config(d)), d)

    # 2. Neither: attach to the running workers.
    d = os.path.join(tmp, "attach")
    os.makedirs(d)
    t0 = time.monotonic()
    problem = realprog.lagtest.gdb_call_problem()
    if problem:
        print("skip: attach: %s" % problem)
    else:
        try:
            attach_and_check(c, venv_python, d)
        except AssertionError as e:
            c.check("attach: gunicorn serves and its logs are judged", False, e)
    print("  (attach: %.1f s)" % (time.monotonic() - t0))

    # 3. post_fork: /usr/bin/gunicorn as installed, the package on PYTHONPATH.
    d = os.path.join(tmp, "post_fork")
    os.makedirs(d)
    site = realprog.install_package(tmp, realprog.DEBIAN_PYTHON,
                                    PYTHON_SITE=os.path.join(tmp, "pythonpath"))
    run_way(c, "post_fork", None,
            realprog.clean_env(PYTHONPATH=site, LEAKAGENT_CONFIG=write_config(d)), d)
    return c.summary()


if __name__ == "__main__":
    sys.exit(main())
