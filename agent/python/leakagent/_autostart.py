"""Start the agent at interpreter start-up from $LEAKAGENT_CONFIG.

Imported by the leakagent-autostart.pth file in site-packages only when
LEAKAGENT_CONFIG is set.  Never lets an error stop the host from starting:
a bad config or an unwritable log is reported on stderr and the program runs
without the agent.
"""

import os
import sys


def _autostart():
    path = os.environ.get("LEAKAGENT_CONFIG")
    if not path:
        return
    try:
        import leakagent
        if not leakagent.is_running():
            leakagent.start(path)
    except Exception as e:      # the host must start whatever happens here
        sys.stderr.write("leakagent: not started from LEAKAGENT_CONFIG=%s: %s\n" % (path, e))


_autostart()
