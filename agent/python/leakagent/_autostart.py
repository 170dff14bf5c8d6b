"""Start the agent at interpreter start-up from $LEAKAGENT_CONFIG.

Imported by the leakagent-autostart.pth file in site-packages only when
LEAKAGENT_CONFIG is set, and not under ``python -E`` or ``-I``, which ignore
the environment (as Python ignores its own PYTHON* variables there).  A
config whose ``autostart.programs`` does not list this program (its %n: the
script's name, else the executable's) starts nothing, so that ``pip`` or a
``python -c`` helper a service spawns, which inherit the variable, do not
start an agent of their own.  Never lets an error stop the host from
starting: a bad config or an unwritable log is reported on stderr and the
program runs without the agent.
"""

import os
import sys

import leakagent     # imported already: the package of this module


def _autostart():
    path = os.environ.get("LEAKAGENT_CONFIG")
    if not path or sys.flags.ignore_environment:
        return
    try:
        if not leakagent.is_running():
            leakagent.start(path, _autostart=True)
    except Exception as e:      # the host must start whatever happens here
        sys.stderr.write("%s: not started from LEAKAGENT_CONFIG=%s: %s\n"
                         % (leakagent._warning_prefix(), path, e))


_autostart()
