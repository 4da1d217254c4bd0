"""No spendable voucher code in any log line: the redaction every log of ours goes through.

Codes never travel in URLs we make (the QR holds PUBLIC_BASE_URL/v#CODE, look-ups are POSTs),
but old printed links (/v/CODE), old clients (GET /api/v1/vouchers/CODE, /v?code=) and anyone
typing a code into a URL still send them. `redact(text)` takes them out:
- everything after `/v/` and `/api/v1/vouchers/` (except the `lookup` and `balance` calls) up
  to `?`, `#`, a quote or a space;
- the value of any `code=` query parameter;
- anything shaped like a code anywhere (21 Crockford symbols, grouped by hyphens or not, any
  case, percent-encoded separators too).

`install()` (create_app calls it) makes every log record of the process redacted when it is made
(message, arguments and traceback), whichever logger or handler it goes to: the app's own
logging, werkzeug's request log, gunicorn's access and error logs in a worker.
`RedactingFilter` does the same for loggers configured outside the app: deploy/gunicorn.conf.py
puts it on gunicorn's logs, and deploy/nginx/cishan.conf logs a redacted URI.
"""

from __future__ import annotations

import logging
import re

MASK = "[redacted]"
_SEP = r"(?:-|%2[Dd]|%20|\+)?"
_SYMBOL = r"[0-9A-Za-z]"
_CHECK = r"(?:[0-9A-Za-z*~$=]|%2[Aa]|%24|%3[Dd]|%7[Ee])"
# a URL rule's placeholder (`/v/<path:code>` in the request log's route) is no code; a code inside
# angle brackets is still caught by the last pattern
_RULE = r"(?!<[a-z_]+(?::[a-z_]+)?>(?:[\s?#\"']|$))"
_PATTERNS = (
    (re.compile(rf"(/v/){_RULE}[^\s?#\"']+"), r"\1" + MASK),
    (re.compile(rf"(/api/v1/vouchers/){_RULE}(?!(?:lookup|balance)(?:[\s?#\"']|$))[^\s?#\"'/]+"), r"\1" + MASK),
    (re.compile(r"([?&;]code=)[^&\s#\"']*", re.IGNORECASE), r"\1" + MASK),
    (re.compile(rf"(?<![0-9A-Za-z])(?:{_SYMBOL}{{5}}{_SEP}){{4}}{_CHECK}(?![0-9A-Za-z])"), MASK),
)


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


_formatter = logging.Formatter()


def redact_record(record: logging.LogRecord) -> logging.LogRecord:
    """Redact a record in place: its message (formatted with its arguments), its traceback."""
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - a bad format string: the handler reports it as usual
        return record
    record.msg, record.args = redact(message), None
    if record.exc_info and not record.exc_text:
        record.exc_text = _formatter.formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    return record


class RedactingFilter(logging.Filter):
    """For loggers and handlers configured outside the app (deploy/gunicorn.conf.py)."""

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)
        return True


def install(app=None) -> None:
    """Redact every log record this process creates, whichever logger or handler it goes to
    (the app's, werkzeug's, gunicorn's access and error logs in a worker): the record factory
    redacts each record as it is made. Idempotent."""
    current = logging.getLogRecordFactory()
    if getattr(current, "redacting", False):
        return

    def factory(*args, **kwargs):
        return redact_record(current(*args, **kwargs))

    factory.redacting = True
    logging.setLogRecordFactory(factory)
