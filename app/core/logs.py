"""Structured logs: one line per request (`cishan.access`) and one per command run (`cishan.job`).

A request's line: `request_id` (a valid incoming X-Request-ID, else a new one; always answered
as `X-Request-ID`), `user_id`, `role`, `route` (the URL rule, e.g. `/v/<code>`: never the raw
path, never the query string), `endpoint`, `method`, `status`, `duration_ms`. Nothing else of
the request: no address, no name, no ID number, no phone, no voucher code.

A command's line (`flask --app wsgi vouchers issue`, `expire`, `verify`, `backup`, …): `job`,
`duration_ms`, `outcome` (`ok`, `failed` with its exit status, or `error` with the exception's
type: never its message).

LOG_FORMAT=json (the default outside development) writes each as one JSON object per line,
LOG_FORMAT=text as `key=value` pairs. Both go to standard error (under gunicorn: its error log;
under systemd: the journal). Every line also goes through app.core.logredact.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import re
import sys
import time
import uuid

import click
from flask import g, request

from app.core.logredact import redact

access_log = logging.getLogger("cishan.access")
job_log = logging.getLogger("cishan.job")
FORMATS = ("json", "text")
# what we accept as a caller's request id: letters, digits and . _ : - (a UUID, a proxy's hex id)
_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,127}")
_START = "cishan.started"
_ID = "cishan.request_id"


class _Formatter(logging.Formatter):
    """A record's `fields` as one JSON object or as key=value pairs, redacted like every log."""

    def __init__(self, fmt: str):
        super().__init__()
        self.fmt = fmt

    def format(self, record: logging.LogRecord) -> str:
        ts = dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds")
        fields = {"ts": ts, "level": record.levelname.lower(), "logger": record.name,
                  **getattr(record, "fields", {"message": record.getMessage()})}
        if self.fmt == "json":
            line = json.dumps(fields, ensure_ascii=False, separators=(",", ":"), default=str)
        else:
            line = " ".join(f"{k}={'-' if v is None else v}" for k, v in fields.items())
        return redact(line)


class _StderrHandler(logging.StreamHandler):
    """Writes to the process's standard error (file descriptor 2: gunicorn points it at its error
    log; systemd at the journal), not to a `sys.stderr` something swapped in: a command's output
    captured by a caller (click's test runner, `flask verify --format json 2>/dev/null | jq`)
    stays its own."""

    @property
    def stream(self):
        return sys.__stderr__ or sys.stderr

    @stream.setter
    def stream(self, _value):
        pass


def configure(fmt: str) -> None:
    """Give the `cishan` loggers one handler to standard error in `fmt` (unless logging was
    configured for them elsewhere). The last app created decides the format of the process."""
    root = logging.getLogger("cishan")
    root.setLevel(logging.INFO)
    ours = [h for h in root.handlers if isinstance(h, _StderrHandler)]
    if root.handlers and not ours:
        return  # an operator's logging configuration: leave it
    if not ours:
        ours = [_StderrHandler()]
        root.addHandler(ours[0])
        root.propagate = False
    ours[0].setFormatter(_Formatter(fmt))


def format_of(fmt: str | None) -> str:
    if fmt not in FORMATS:
        raise RuntimeError(f"LOG_FORMAT must be json or text, not {fmt!r}")
    return fmt


# --- requests ------------------------------------------------------------------------------

def request_id_of(value: str | None) -> str:
    """The caller's id when it is one we accept (and not shaped like a voucher code), else a new one."""
    if value and _REQUEST_ID.fullmatch(value) and redact(value) == value:
        return value
    return uuid.uuid4().hex


class _Timing:
    """WSGI middleware: the request's start and id, before any other hook can refuse it."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        environ[_START] = time.perf_counter()
        environ[_ID] = request_id_of(environ.get("HTTP_X_REQUEST_ID"))
        return self.wsgi_app(environ, start_response)


def current_request_id() -> str | None:
    return request.environ.get(_ID)


def request_fields(response) -> dict:
    started = request.environ.get(_START)
    user = g.get("_login_user")  # loaded by the request's own hooks; never loaded here
    authenticated = bool(user is not None and getattr(user, "is_authenticated", False))
    rule = request.url_rule
    return {
        "event": "request",
        "request_id": current_request_id(),
        "user_id": user.id if authenticated else None,
        "role": user.role if authenticated else None,
        "route": rule.rule if rule is not None else None,
        "endpoint": request.endpoint,
        "method": request.method,
        "status": response.status_code,
        "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
    }


def init_app(app) -> None:
    app.wsgi_app = _Timing(app.wsgi_app)
    configure(app.config["LOG_FORMAT"])
    _instrument_commands(app.cli)

    @app.after_request
    def _access_line(response):
        rid = current_request_id()
        if rid:
            response.headers["X-Request-ID"] = rid
        fields = request_fields(response)
        level = logging.ERROR if response.status_code >= 500 else logging.INFO
        access_log.log(level, "request", extra={"fields": fields})
        for observe in app.extensions.get("request_observers", ()):  # app/core/metrics.py
            observe(fields)
        return response


# --- commands ------------------------------------------------------------------------------

def _instrument_commands(group: click.Group, prefix: tuple[str, ...] = ()) -> None:
    """Wrap every command of the app's CLI so that each run writes one `cishan.job` line."""
    for name, cmd in group.commands.items():
        if isinstance(cmd, click.Group):
            _instrument_commands(cmd, (*prefix, name))
        elif cmd.callback is not None and not getattr(cmd.callback, "cishan_job", False):
            cmd.callback = _logged(" ".join((*prefix, name)), cmd.callback)


def _logged(job: str, callback):
    @functools.wraps(callback)
    def run(*args, **kwargs):
        started = time.perf_counter()
        outcome, level, extra = "ok", logging.INFO, {}
        try:
            return callback(*args, **kwargs)
        except (SystemExit, click.exceptions.Exit) as e:
            code = e.code if isinstance(e, SystemExit) else e.exit_code
            code = code if isinstance(code, int) else (0 if code is None else 1)
            if code:
                outcome, level, extra = "failed", logging.WARNING, {"exit_code": code}
            raise
        except click.exceptions.ClickException as e:
            outcome, level, extra = "failed", logging.WARNING, {"exit_code": e.exit_code}
            raise
        except BaseException as e:
            outcome, level, extra = "error", logging.ERROR, {"error": type(e).__name__}
            raise
        finally:
            fields = {"event": "job", "job": job, "outcome": outcome, **extra,
                      "duration_ms": round((time.perf_counter() - started) * 1000, 1)}
            job_log.log(level, "job", extra={"fields": fields})

    run.cishan_job = True
    return run
