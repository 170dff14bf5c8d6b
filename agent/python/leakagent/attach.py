"""python -m leakagent attach PID [-c leakagent.yaml] [-o KEY=VALUE] [--stop]

Start (or with --stop, stop) the agent inside a running CPython 3.11+
process, with no restart, through Debian's gdb: gdb attaches, waits for a
thread to release the GIL (the entry of PyEval_SaveThread, a point where
Python code may safely run: see _gdb_inject.py), runs one line there that
starts the agent from the target's own installed leakagent package, and
detaches.  The target's output stays its own: what happened comes back
through a file in a private directory.  On 3.14+, where the interpreter
has sys.remote_exec, that is used instead of gdb.

Refused, with what to do: ptrace not permitted, gdb missing, gdb unable to
call a function in any process on this host (asked of a throwaway process
first, so that the target is never touched then), a target that runs
another Python version than this one, leakagent not importable there.
"""

import argparse
import json
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time

GDB_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_gdb_inject.py")

# Run in the target: start or stop the agent, report into RESULT, never
# raise (PyRun_SimpleString would print the traceback on the target's
# stderr) and leave no name behind in __main__.
TARGET_CODE = r'''
def _leakagent_attach(result, action, config, overrides, pkg_dir):
    import json, os, sys
    out = {"pid": os.getpid(), "executable": sys.executable}
    try:
        try:
            import leakagent
        except ImportError:
            if not pkg_dir:
                raise
            sys.path.append(pkg_dir)
            import leakagent
        out["package"] = os.path.dirname(leakagent.__file__)
        if action == "stop":
            leakagent.stop()
        elif leakagent.is_running():
            out["already"] = True
        else:
            leakagent.start(config, **overrides)
        out["running"] = leakagent.is_running()
        out["log"] = leakagent.stats()["log_path"]
        out["ok"] = True
    except BaseException as e:
        out["ok"] = False
        out["error"] = "%s: %s" % (type(e).__name__, e)
    with open(result + ".tmp", "w") as f:
        json.dump(out, f)
    os.rename(result + ".tmp", result)
'''


class AttachError(Exception):
    """Attaching was refused or failed; the text says why and what to do."""


def _target_exe(pid):
    try:
        os.readlink("/proc/%d/exe" % pid)
    except FileNotFoundError:
        raise AttachError("no process %d" % pid) from None
    except OSError as e:
        raise AttachError("cannot attach to process %d: ptrace not permitted (%s); %s"
                          % (pid, e, _ptrace_hint())) from None
    return os.path.realpath("/proc/%d/exe" % pid)


def _ptrace_hint():
    try:
        with open("/proc/sys/kernel/yama/ptrace_scope") as f:
            scope = int(f.read())
    except (OSError, ValueError):
        scope = None
    if scope == 3:
        return ("kernel.yama.ptrace_scope is 3: no process may be traced until reboot; "
                "restart the service with LEAKAGENT_CONFIG instead")
    if scope in (1, 2):
        return ("kernel.yama.ptrace_scope is %d: only %s may attach; run this as root "
                "(CAP_SYS_PTRACE), or set `sysctl kernel.yama.ptrace_scope=0`"
                % (scope, "a parent process or root" if scope == 1 else "root"))
    return ("run this as the process's user or as root (CAP_SYS_PTRACE); where the Yama "
            "module is on, kernel.yama.ptrace_scope must be 0 (any process of the same user) "
            "or 1 with this run as root")


def _version_of(pid):
    """(major, minor) of the CPython library mapped into pid, if it tells."""
    try:
        with open("/proc/%d/maps" % pid) as f:
            maps = f.read()
    except OSError:
        return None
    m = re.search(r"/libpython(\d+)\.(\d+)", maps) or \
        re.search(r"/python(\d+)\.(\d+)\S*$", maps, re.M)
    return (int(m.group(1)), int(m.group(2))) if m else None


def attach(pid, config=None, overrides=None, stop=False, timeout=10.0):
    """Start (stop=True: stop) the agent in process pid.  Returns the
    target's report {"running": bool, "log": path, "pid": ...}; raises
    AttachError saying why not and what to do."""
    exe = _target_exe(pid)
    ours = sys.version_info[:2]
    theirs = _version_of(pid)
    if theirs is not None and theirs != ours:
        raise AttachError(
            "process %d runs CPython %d.%d (%s), this is %d.%d: run `%s -m leakagent attach %d` "
            "with an interpreter of its version, the package installed for it "
            "(make install PYTHON=%s)" % (pid, theirs[0], theirs[1], exe, ours[0], ours[1],
                                          exe, pid, exe))
    if config is not None:
        config = os.path.abspath(config)
    with tempfile.TemporaryDirectory(prefix="leakagent-attach-") as tmp:
        try:
            st = os.stat("/proc/%d" % pid)
            if st.st_uid != os.getuid():
                os.chown(tmp, st.st_uid, st.st_gid)
        except OSError:
            pass
        result = os.path.join(tmp, "result.json")
        # The same interpreter as ours may use our package if it has none.
        pkg_dir = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) \
            if exe == os.path.realpath(sys.executable) else None
        script = os.path.join(tmp, "attach.py")
        with open(script, "w") as f:
            f.write(TARGET_CODE)
            f.write("_leakagent_attach(%r, %r, %r, %r, %r)\n"
                    % (result, "stop" if stop else "start", config, dict(overrides or {}),
                       pkg_dir))
        os.chmod(script, 0o644)
        os.chmod(tmp, 0o755)
        code = ("exec(compile(open(%r).read(), 'leakagent-attach', 'exec'), "
                "{'__name__': 'leakagent_attach'})" % script)
        if sys.version_info >= (3, 14) and hasattr(sys, "remote_exec"):
            sys.remote_exec(pid, script)
            report = _wait_for(result, timeout)
        else:
            report = _via_gdb(pid, code, result, timeout)
    if not report.get("ok"):
        error = report.get("error", "")
        if error.startswith(("ImportError", "ModuleNotFoundError")):
            raise AttachError("leakagent is not importable in process %d (%s): install it for "
                              "that interpreter, make install PYTHON=%s (%s)"
                              % (pid, exe, report.get("executable") or exe, error))
        raise AttachError("process %d: %s" % (pid, error))
    return report


def _wait_for(result, timeout):
    end = time.monotonic() + timeout
    while not os.path.exists(result):
        if time.monotonic() > end:
            raise AttachError("the target did not run the code in %g s" % timeout)
        time.sleep(0.05)
    with open(result) as f:
        return json.load(f)


# A throwaway process for _gdb_call_problem: a Python sleeping in a system
# call, as a target waiting for work is, that lets any tracer in where Yama's
# ptrace_scope is 1 (PR_SET_PTRACER, PR_SET_PTRACER_ANY).  Isolated, with no
# site (-I -S): no .pth, so no agent of its own started by LEAKAGENT_CONFIG.
PROBE_CODE = ("import ctypes, time; ctypes.CDLL(None).prctl(0x59616d61, ctypes.c_long(-1), "
              "0, 0, 0); print('up', flush=True); time.sleep(120)")
PROBE_START = 30.0


def _gdb_call_problem(gdb):
    """Why gdb cannot call a function in a process on this host, or None
    (it can, or the probe could not tell).  On some kernel, CPU and gdb
    combinations every inferior call fails (Debian 12's gdb 13.1 on a host
    with AMX: "Couldn't write extended state status: Bad address") and the
    failed call also breaks the system call the process was in, so this is
    asked of a throwaway process before the target is touched."""
    try:
        child = subprocess.Popen([sys.executable, "-I", "-S", "-c", PROBE_CODE],
                                 stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL, text=True)
    except OSError:
        return None
    try:
        ready, _, _ = select.select([child.stdout], [], [], PROBE_START)
        if not ready or child.stdout.readline() != "up\n":
            return None     # no throwaway process to ask: the target's attach tells
        res = subprocess.run([gdb, "-q", "-nx", "-batch", "-p", str(child.pid),
                              "-ex", "call (int)getpid()"], capture_output=True, text=True,
                             timeout=60, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return "gdb did not finish a call into a throwaway process in 60 s"
    except OSError:
        return None
    finally:
        child.kill()
        child.wait()
        child.stdout.close()
    if re.search(r"^\$1 = %d$" % child.pid, res.stdout, re.M):
        return None
    said = [ln.strip() for ln in (res.stdout + "\n" + res.stderr).splitlines()
            if ln.strip() and not ln.startswith("[")]
    if any("ptrace: Operation not permitted" in ln for ln in said):
        return None     # not allowed to trace even that: the target's attach will say so
    return "gdb cannot call a function in a process on this host (gdb: %s)" % (
        said[-1] if said else "no output")


def _via_gdb(pid, code, result, timeout):
    gdb = shutil.which("gdb")
    if gdb is None:
        raise AttachError("gdb is not installed (Debian: apt-get install gdb); or restart the "
                          "service with LEAKAGENT_CONFIG set")
    problem = _gdb_call_problem(gdb)
    if problem:
        raise AttachError("%s; process %d was not touched: restart the service with "
                          "LEAKAGENT_CONFIG set instead" % (problem, pid))
    env = dict(os.environ, LEAKAGENT_ATTACH_PID=str(pid), LEAKAGENT_ATTACH_CODE=code,
               LEAKAGENT_ATTACH_TIMEOUT=str(timeout))
    env.pop("PYTHONPATH", None)      # gdb's own Python
    env.pop("PYTHONHOME", None)
    cmd = [gdb, "-nx", "-batch", "-x", GDB_SCRIPT]
    try:
        res = subprocess.run(cmd, capture_output=True, text=True, env=env,
                             timeout=timeout + 60, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise AttachError("gdb did not finish in %g s" % (timeout + 60)) from None
    stages = {}
    for line in res.stdout.splitlines():
        if line.startswith("leakagent-gdb: "):
            fields = json.loads(line[len("leakagent-gdb: "):])
            stages[fields.pop("stage")] = fields
    failed = [(k, v["error"]) for k, v in stages.items() if "error" in v]
    if failed:
        stage, error = failed[0]
        if stage == "attach" and "not permitted" in error:
            raise AttachError("cannot attach to process %d: ptrace not permitted (%s); %s"
                              % (pid, error.strip(), _ptrace_hint()))
        raise AttachError("process %d: %s%s" % (pid, error, "" if "detached" in stages
                                                else " (gdb: %s)" % res.stderr.strip()[-500:]))
    if "run" not in stages:
        raise AttachError("gdb failed on process %d: %s" % (pid, (res.stdout + res.stderr)[-1000:]))
    return _wait_for(result, 5.0)


def main(argv):
    parser = argparse.ArgumentParser(
        prog="python -m leakagent attach",
        description="Start (or stop) the leakagent sampler in a running CPython process.")
    parser.add_argument("pid", type=int)
    parser.add_argument("-c", "--config", metavar="FILE", help="leakagent.yaml for the target")
    parser.add_argument("-o", "--set", metavar="KEY=VALUE", action="append", default=[],
                        help="override one config key (repeatable)")
    parser.add_argument("--stop", action="store_true", help="stop the agent instead")
    parser.add_argument("--timeout", type=float, default=10.0,
                        help="seconds to wait for a safe point (default 10)")
    opts = parser.parse_args(argv)
    from .__main__ import overrides_of
    overrides = overrides_of(parser, opts.set)
    try:
        report = attach(opts.pid, opts.config, overrides, opts.stop, opts.timeout)
    except AttachError as e:
        sys.stderr.write("leakagent attach: %s\n" % e)
        return 2
    if opts.stop:
        print("leakagent stopped in process %d" % opts.pid)
    else:
        print("leakagent %s in process %d, logging to %s"
              % ("was already running" if report.get("already") else "started", opts.pid,
                 report.get("log")))
    return 0
