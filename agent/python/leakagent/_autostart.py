"""Start the agent at interpreter start-up from $LEAKAGENT_CONFIG.

Imported by the leakagent-autostart.pth file in site-packages only when
LEAKAGENT_CONFIG is set.  Never lets an error stop the host from starting:
a bad config or an unwritable log is reported on stderr and the program runs
without the agent.
"""

import os
import sys

import leakagent     # imported already: the package of this module


def _autostart():
    path = os.environ.get("LEAKAGENT_CONFIG")
    if not path:
        return
    try:
        if not leakagent.is_running():
            leakagent.start(path)
    except Exception as e:      # the host must start whatever happens here
        sys.stderr.write("%s: not started from LEAKAGENT_CONFIG=%s: %s\n"
                         % (leakagent._warning_prefix(), path, e))


_autostart()
