"""leakagent: count live Python objects by type, every interval, into a log.

A thread written in C (the ``_leakagent`` extension) wakes up every
``interval``, takes the GIL just long enough to walk the objects the cyclic
GC tracks and copy their type names, and appends a ``#START`` snapshot to a
rotating, self-compressing log that ``leakplot`` reads.

    import leakagent
    leakagent.start("leakagent.yaml")          # or start(interval="10s", log_path=...)
    leakagent.snapshot()                       # {type name: count} now
    leakagent.sample_now()                     # one snapshot into the log now
    leakagent.stats()                          # {'snapshots': n, 'errors': n, ...}
    leakagent.expect_gone(job, within=1.0)     # counted in stats()["expect_gone"] if it stays
    leakagent.explain("myapp.Session")         # who holds them: referrer chains now
    leakagent.stop()                           # also runs by itself at exit

Three ways to turn it on: call ``start()``; run ``python -m leakagent -c
leakagent.yaml script.py args...``; or set ``LEAKAGENT_CONFIG`` with the
``.pth`` file ``make install`` puts into site-packages.

In a test suite: ``leakagent.testing.assert_no_growth(fn)``, or the pytest
marker ``@pytest.mark.no_leak`` (plugin ``leakagent.pytest``).
"""

import os
import sys

from . import _leakagent
from ._leakagent import (ConfigError, expect_gone, explain, is_running, sample_now, snapshot,
                         stats, stop)

__all__ = ["ConfigError", "expect_gone", "explain", "is_running", "sample_now", "snapshot",
           "start", "stats", "stop"]

# Keyword overrides -> config keys, and how a Python value is written.
_DURATIONS = {"interval"}
_SIZES = {"max_size", "log_max_size"}
_PERCENTS = {"max_overhead"}


def _as_text(key, value):
    """A Python override value as the config text cfg_set() parses.

    Numbers: interval in seconds (0.5 -> "500ms"), max_size in bytes,
    max_overhead in percent (as in YAML: 1 means 1%); booleans
    true/false; lists/tuples stay lists of str.
    """
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        if key in _DURATIONS:
            return "%gms" % (float(value) * 1000.0)
        if key in _SIZES:
            return "%dB" % int(value)
        if key in _PERCENTS:
            return "%g%%" % float(value)
        return str(value)
    if isinstance(value, (str, os.PathLike)):
        return os.fsdecode(value)
    raise TypeError("leakagent.start(%s=...): expected str, number, bool or list, got %s"
                    % (key, type(value).__name__))


def _program_name():
    """Name of the program for the log header and %n: the script run, else None
    (the C side then reads /proc/self/comm)."""
    argv0 = getattr(sys, "argv", None) and sys.argv[0]
    if not argv0 or argv0 in ("-c", "-m", "-"):
        return None
    name = os.path.basename(argv0.rstrip(os.sep))
    if name == "__main__.py":       # python -m package
        name = os.path.basename(os.path.dirname(argv0)) or name
    for ext in (".py", ".pyw"):
        if name.endswith(ext):
            name = name[: -len(ext)]
    return name or None


def _warning_prefix(program=None):
    """"leakagent[pid 1234 gunicorn]", the start of every warning the agent
    writes on the host's stderr (the C side writes the same)."""
    program = program or _program_name()
    if program is None:
        try:
            with open("/proc/self/comm") as f:
                program = f.read().strip()
        except OSError:
            program = "python"
    return "leakagent[pid %d %s]" % (os.getpid(), program)


def start(path=None, **overrides):
    """Start the agent thread; True if started, False if the config has
    ``enabled: false``.  (Started from LEAKAGENT_CONFIG, ``_autostart=True``:
    also False when the config's ``autostart.programs`` does not list this
    program.)

    path: a YAML config file (None: every key at its default).  The keys,
    their defaults and units: config/leakagent.yaml in the source tree (the
    example, every key commented) or `man 5 leakagent.yaml` once installed.
    overrides: config keys applied after the file, e.g. interval="10s" or
    interval=0.5 (seconds), log_path="/var/log/app/%p.log", max_size="10MB",
    keep=5, compress=False, collect=True, top=50, min_count=10,
    include=["myapp.*"], exclude=[...], max_overhead=1 (percent),
    gauges=["rss", "blocks"].  Dotted or underscored section names work too
    (log_path, log.path).

    Raises ConfigError (a ValueError: "FILE:LINE:COLUMN: message") for a bad
    config, OSError if the log cannot be opened, RuntimeError if the agent is
    already running.  Stops by itself at interpreter exit; a fork()ed child
    samples into its own file (%p) or under a new header.
    """
    autostart = bool(overrides.pop("_autostart", False))
    program = overrides.pop("program", None) or _program_name()
    texts = {key: _as_text(key, value) for key, value in overrides.items()}
    if path is not None:
        path = os.fspath(path)
    return _leakagent.start(path, texts or None, program, autostart)
