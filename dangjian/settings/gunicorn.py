"""gunicorn configuration of the production server (``dangjian serve``; README "Production").

``gunicorn -c python:dangjian.settings.gunicorn dangjian.wsgi:application`` reads it; every value
can be changed from the environment without editing this file:

* ``DANGJIAN_BIND`` (default ``127.0.0.1:8000``: behind a reverse proxy on the same host that
  terminates HTTPS; ``0.0.0.0:8000`` to listen on every address);
* ``DANGJIAN_WORKERS`` processes (default: one per CPU core plus one, at most 8) of
  ``DANGJIAN_THREADS`` threads each (default 4). Threaded workers (``gthread``) keep idle
  keep-alive connections out of the threads, so a few hundred browsers need no more threads
  than the requests served at the same moment; a page spends most of its time in Python, so
  processes, not threads, use the cores;
* ``DANGJIAN_KEEPALIVE`` seconds an idle connection is kept open (default 75): longer than the
  reverse proxy or client keeps an idle connection for reuse (nginx's upstream keep-alive, 60 s;
  browsers and load balancers, 60 s), so the server never closes a connection at the moment the
  client sends its next request on it (which the client sees as a reset);
* ``DANGJIAN_TIMEOUT`` seconds of silence after which a stuck worker is restarted (default 120);
* ``DANGJIAN_ACCESS_LOG`` (a path, or ``-`` for standard output; default none).
"""

from __future__ import annotations

import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


bind = [os.environ.get("DANGJIAN_BIND", "127.0.0.1:8000")]
worker_class = "gthread"
workers = _int("DANGJIAN_WORKERS", min((os.cpu_count() or 1) + 1, 8))
threads = _int("DANGJIAN_THREADS", 4)
keepalive = _int("DANGJIAN_KEEPALIVE", 75)
timeout = _int("DANGJIAN_TIMEOUT", 120)
graceful_timeout = 30
# a worker is replaced after this many requests (with jitter, so they do not all restart at once)
max_requests = 5000
max_requests_jitter = 500
# idle connections held per worker (gthread): comfortably above the browsers of a district
worker_connections = 1000
# heartbeat files in memory, not on a disk that may stall
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108
# X-Forwarded-Proto is believed from the proxy on this host only
forwarded_allow_ips = os.environ.get("DANGJIAN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
accesslog = os.environ.get("DANGJIAN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("DANGJIAN_LOG_LEVEL", "info")
proc_name = "dangjian"
