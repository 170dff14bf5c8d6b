"""Run by gdb's own Python (gdb -batch -x this file), attached to a CPython
process, for leakagent.attach: wait for a point where running Python code in
the target is safe, run one line there, detach.  Not imported by the package.

The safe point is the entry of PyEval_SaveThread(): a thread that holds the
GIL is about to release it so that other threads may run Python code, so the
interpreter is consistent there by contract, and the thread is not inside
malloc, a collection or the GIL's own code.  Busy and idle processes alike
pass there often (every sleep, lock wait, read or select releases the GIL);
one that does not within the timeout is left alone.  The hit is skipped if
an exception is pending in that thread, the interpreter is finalizing or the
thread belongs to a sub-interpreter.  The code runs with the other threads
resumed (scheduler-locking off), so a lock one of them holds is released,
and a signal inside it unwinds the call (unwindonsignal).

Input (environment): LEAKAGENT_ATTACH_PID, the process; LEAKAGENT_ATTACH_CODE,
the line to run (Python source that must not raise); LEAKAGENT_ATTACH_TIMEOUT,
seconds to wait for a safe point.  Output: lines "leakagent-gdb: {json}" on stdout.
"""

import json
import os
import threading

import gdb  # noqa: F401  (gdb's embedded module)


def say(**fields):
    print("leakagent-gdb: " + json.dumps(fields), flush=True)


def value(expr):
    return int(gdb.parse_and_eval(expr))


def c_string(text):
    """text as a C string literal."""
    return '"' + "".join(c if c.isalnum() or c in " ._-()=,:'/[]" else "\\%03o" % ord(c)
                         for c in text) + '"'


def inject(code, timeout):
    """Attached: wait for a safe point, run code there."""
    try:
        version = value("*(unsigned long *)&Py_Version")
    except gdb.error as e:
        say(stage="version", error="not a CPython 3.11+ process (%s)" % e)
        return
    say(stage="version", version="%d.%d.%d" % (version >> 24, (version >> 16) & 255,
                                               (version >> 8) & 255))
    finalizing = "Py_IsFinalizing" if version >= 0x030D0000 else "_Py_IsFinalizing"
    bp = gdb.Breakpoint("PyEval_SaveThread", internal=True)
    timed_out = threading.Event()

    def interrupt():
        timed_out.set()
        gdb.post_event(lambda: gdb.execute("interrupt"))
    timer = threading.Timer(timeout, interrupt)
    timer.start()
    try:
        while True:
            gdb.execute("continue")
            if timed_out.is_set() or bp.hit_count == 0:
                say(stage="wait", error="no safe point in %g s" % timeout)
                return
            if (value("(int)%s()" % finalizing) or value("(long)PyErr_Occurred()")
                    or value("(long)PyInterpreterState_Get()")
                    != value("(long)PyInterpreterState_Main()")):
                continue        # not here: the next time a thread releases the GIL
            timer.cancel()
            bp.enabled = False
            rc = value("(int)PyRun_SimpleString(%s)" % c_string(code))
            say(stage="run", rc=rc, thread=gdb.selected_thread().num)
            return
    finally:
        timer.cancel()
        bp.delete()


def main():
    code = os.environ["LEAKAGENT_ATTACH_CODE"]
    timeout = float(os.environ.get("LEAKAGENT_ATTACH_TIMEOUT", "10"))
    for setting in ("pagination off", "confirm off", "unwindonsignal on",
                    "print thread-events off"):
        gdb.execute("set " + setting)
    try:
        gdb.execute("attach %d" % int(os.environ["LEAKAGENT_ATTACH_PID"]), to_string=True)
    except gdb.error as e:
        say(stage="attach", error=str(e))
        return
    try:
        gdb.execute("set scheduler-locking off")
        inject(code, timeout)
    finally:
        gdb.execute("detach", to_string=True)
        say(stage="detached")


try:
    main()
except gdb.error as e:      # attach refused, the process died, a call failed
    say(stage="gdb", error=str(e))
