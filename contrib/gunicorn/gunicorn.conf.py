# gunicorn.conf.py: run a WSGI app under gunicorn with the leakagent sampler
# on in every worker, one log per worker.
#
#     gunicorn -c contrib/gunicorn/gunicorn.conf.py myapp.wsgi:application
#
# One log per worker: give log.path a %p (the pid) in leakagent.yaml,
#     log:
#       path: /var/log/myapp/most_common.%p.log
# then check them all at once (each worker is its own series):
#     leakplot --check /var/log/myapp/most_common.*.log
#
# Two ways to start the agent; pick one.
#
# 1. The environment (no code at all): with LEAKAGENT_CONFIG set, the
#    leakagent-autostart.pth installed into site-packages starts the agent
#    when the gunicorn master's interpreter starts.  Workers are fork()ed from
#    the master, and the agent restarts its thread in each child after the
#    fork, writing to the child's own %p file.  The master samples too, into
#    a %p file of its own: as many snapshots, each listing every type, so
#    about as large as a worker's log, but flat (it serves no requests), and
#    leakplot --check passes over it.  Set it in the unit (contrib/systemd/) or:
#        LEAKAGENT_CONFIG=/etc/myapp/leakagent.yaml gunicorn -c gunicorn.conf.py app:app
#    Not through gunicorn's raw_env: that is applied after the interpreter
#    started, when the .pth has already looked for the variable.
#
# 2. The post_fork hook below: starts the agent in each worker only (not in
#    the master), from this file.  It does nothing when the agent already
#    runs (started through LEAKAGENT_CONFIG and inherited over the fork).

import os

bind = "127.0.0.1:8000"
workers = 4
# preload_app = True loads the app once in the master, so workers share its
# pages; the agent's read-only walk keeps them shared.  Either setting works.
preload_app = False

LEAKAGENT_YAML = os.environ.get("LEAKAGENT_CONFIG", "/etc/myapp/leakagent.yaml")


def post_fork(server, worker):
    """Start leakagent in this worker (a no-op if it runs already)."""
    try:
        import leakagent
    except ImportError:
        server.log.warning("leakagent is not installed for this interpreter")
        return
    if leakagent.is_running():
        return
    try:
        # Keyword overrides beat the file, e.g. log_path="/tmp/mc.%p.log".
        leakagent.start(LEAKAGENT_YAML)
    except (ValueError, OSError, RuntimeError) as e:  # ConfigError is a ValueError
        # Never let the agent stop a worker from serving.
        server.log.warning("leakagent not started in worker %s: %s", worker.pid, e)
