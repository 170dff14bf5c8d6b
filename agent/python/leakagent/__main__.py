"""python -m leakagent -c leakagent.yaml script.py [args...]
python -m leakagent attach PID [-c leakagent.yaml] [--stop]   (leakagent/attach.py)

Run a script (or, with -m, a module) with the agent on, like
``python -m cProfile``: sys.argv becomes [script, args...], sys.path[0] the
script's directory, and the script runs as __main__.  Overrides:
-o key=value (repeatable), e.g. -o interval=10s -o log.path=/tmp/%p.log.
"""

import argparse
import os
import runpy
import sys

import leakagent


def _parse(argv):
    parser = argparse.ArgumentParser(
        prog="python -m leakagent",
        description="Run a Python script with the leakagent sampler on.")
    parser.add_argument("-c", "--config", metavar="FILE",
                        help="leakagent.yaml (default: $LEAKAGENT_CONFIG, else built-in defaults)")
    parser.add_argument("-o", "--set", metavar="KEY=VALUE", action="append", default=[],
                        help="override one config key (repeatable)")
    parser.add_argument("-m", dest="module", action="store_true",
                        help="run the target as a module (python -m MODULE)")
    parser.add_argument("target", help="script path (or module name with -m)")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="arguments for the target")
    return parser, parser.parse_args(argv)


def overrides_of(parser, items):
    """{key: value} of the -o KEY=VALUE options (argparse's error if one
    has no "=")."""
    overrides = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            parser.error("-o expects KEY=VALUE, got %r" % item)
        overrides[key.strip()] = value.strip()
    return overrides


# The target's globals, kept until the interpreter exits as `python script.py`
# keeps its __main__'s: runpy hands back a copy of them and drops the module,
# so without this the script's objects would be freed before its atexit
# handlers run and the agent's last snapshots would no longer count them.
_target_globals = {}


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["attach"]:
        from . import attach
        return attach.main(argv[1:])
    parser, opts = _parse(argv)
    overrides = overrides_of(parser, opts.set)
    config = opts.config or os.environ.get("LEAKAGENT_CONFIG") or None

    sys.argv = [opts.target] + opts.args
    if not opts.module:
        sys.path[0] = os.path.dirname(os.path.abspath(opts.target))

    # An agent started by the .pth autostart gives way to the explicit one.
    if leakagent.is_running():
        leakagent.stop()
    try:
        program = os.path.splitext(os.path.basename(opts.target))[0]
        if opts.module:
            program = opts.target.rpartition(".")[2]
        leakagent.start(config, program=program, **overrides)
    except (leakagent.ConfigError, OSError, RuntimeError) as e:
        sys.stderr.write("leakagent: %s\n" % e)
        return 2

    try:
        if opts.module:
            ran = runpy.run_module(opts.target, run_name="__main__", alter_sys=True)
        else:
            ran = runpy.run_path(opts.target, run_name="__main__")
    except BaseException as e:      # sys.exit() or an error: kept all the same
        _target_globals.update(_globals_left(e.__traceback__) or {})
        raise
    _target_globals.update(ran)
    return 0


def _globals_left(tb):
    """The globals the target ran in, from the traceback of what ended it:
    those of the frame runpy's _run_code ran it in, or None."""
    while tb is not None and tb.tb_next is not None:
        frame = tb.tb_frame
        if frame.f_code.co_name == "_run_code" and frame.f_globals is vars(runpy):
            return tb.tb_next.tb_frame.f_globals
        tb = tb.tb_next
    return None


if __name__ == "__main__":
    sys.exit(main())
