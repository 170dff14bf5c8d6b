"""leakyapp: the WSGI application the gunicorn and uWSGI tests serve.

GET /leak keeps one leakyapp.Leak per request in a module list, the way a
cache that is never evicted does; every other path only churns (objects made
and dropped per request).  Each request takes a few milliseconds, so that a
handful of concurrent clients keeps every worker busy and every worker leaks.
"""

import os
import time


class Leak:
    __slots__ = ("n",)

    def __init__(self, n):
        self.n = n


KEPT = []


def application(environ, start_response):
    if environ.get("PATH_INFO") == "/leak":
        KEPT.append(Leak(len(KEPT)))
    churn = [{"i": i, "s": str(i)} for i in range(50)]
    time.sleep(0.003)
    body = ("pid %d kept %d churned %d\n" % (os.getpid(), len(KEPT), len(churn))).encode()
    start_response("200 OK", [("Content-Type", "text/plain"),
                              ("Content-Length", str(len(body)))])
    return [body]
