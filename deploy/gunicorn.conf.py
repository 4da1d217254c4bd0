"""gunicorn settings for 慈善超市 (sync workers behind the proxy of deploy/nginx/cishan.conf):

    .venv/bin/gunicorn -c deploy/gunicorn.conf.py wsgi:app

Environment (all optional): GUNICORN_BIND (127.0.0.1:8000), GUNICORN_WORKERS (2 per core),
GUNICORN_ACCESS_LOG and GUNICORN_ERROR_LOG (a file, or "-" for standard output/error, for
journald). Command-line options override these settings.

The app writes one JSON line per request itself (app/core/logs.py: request id, user id, role,
route, status, duration; LOG_FORMAT=json, the default outside development) into the error log,
so gunicorn's own access log is off unless GUNICORN_ACCESS_LOG names one (with LOG_FORMAT=text
it stays on standard output, as before). PROMETHEUS_MULTIPROC_DIR (a folder only this service
writes, e.g. /run/cishan/metrics): every worker writes its metrics there and /metrics adds them
up; it is emptied when gunicorn starts, and a worker that exits is marked dead
(app/core/metrics.py).

No log line holds a spendable voucher code: the access and error logs go through
app.core.logredact (old /v/CODE links, GET /api/v1/vouchers/CODE, `code=` parameters and
anything shaped like a code, in the request line, the Referer or any other field), and the
app's own output is captured into the error log, where the app's logging redacts it too.
"""

import multiprocessing
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from gunicorn.glogging import Logger  # noqa: E402

from app.core.logredact import RedactingFilter  # noqa: E402

chdir = str(ROOT)
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", str(2 * multiprocessing.cpu_count())))
worker_class = "sync"  # threaded workers on SQLite showed p99 of 0.3-0.6 s (DESIGN.md)
timeout = 60
graceful_timeout = 30
forwarded_allow_ips = "127.0.0.1"  # the proxy on this machine (the app trusts it with PROXY_FIX=1)

_json_logs = os.environ.get("LOG_FORMAT", "json" if os.environ.get("APP_ENV") != "development" else "text") == "json"
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", None if _json_logs else "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
capture_output = True  # the app's own stdout/stderr go to the (redacted) error log
# the "combined" format plus the time taken; every field is redacted as one line
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'


class RedactingLogger(Logger):
    """gunicorn's logger with app.core.logredact on its access and error logs (the filters sit
    on the loggers, so they stay when a reload or USR1 reopens the files)."""

    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            if not any(isinstance(f, RedactingFilter) for f in log.filters):
                log.addFilter(RedactingFilter())


logger_class = RedactingLogger


def on_starting(server):
    """Metrics of an earlier run are not this run's: empty PROMETHEUS_MULTIPROC_DIR."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        for name in os.listdir(folder):
            if name.endswith(".db"):
                os.remove(os.path.join(folder, name))


def child_exit(server, worker):
    """A worker that exited no longer counts in the gauges of live workers (the DB pool)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
