"""app.core.logredact: no spendable voucher code in a log line, in any form."""

from __future__ import annotations

import logging

import pytest

from app.core.logredact import MASK, RedactingFilter, redact
from app.vouchers import codes

CODE = "8M3KT9QWXR2ZC4HV6PJD9"  # a valid code: 20 symbols and the check symbol


def _forms(code: str) -> list[str]:
    grouped = codes.group(code)
    return [code, code.lower(), grouped, grouped.lower(), grouped.replace("-", "%2D"),
            grouped.replace("-", "%20"), grouped.replace("-", "+")]


def test_the_test_code_is_a_real_code():
    assert codes.canonical(CODE) == CODE


@pytest.mark.parametrize("form", _forms(CODE))
def test_every_form_of_a_code_is_redacted_wherever_it_is(form):
    lines = [
        f'127.0.0.1 - - [x] "GET /v/{form} HTTP/1.1" 303 0 "-" "Mozilla"',
        f'127.0.0.1 - - [x] "GET /api/v1/vouchers/{form} HTTP/1.1" 200 9 "-" "x"',
        f'127.0.0.1 - - [x] "GET /v?code={form} HTTP/1.1" 303 0 "-" "x"',
        f'127.0.0.1 - - [x] "GET /donations/pickup?x=1&code={form}&y=2 HTTP/1.1" 302 0 "-" "x"',
        f'127.0.0.1 - - [x] "GET /static/css/app.css HTTP/1.1" 200 9 "https://h.example/v/{form}" "x"',
        f'127.0.0.1 - - [x] "GET /anything/{form}/else HTTP/1.1" 404 9 "-" "x"',
        f"Exception on /v/{form} [GET]",
        f"scanned {form} at the till",
        f'"GET /v/<{form}> HTTP/1.1" 404',  # in angle brackets it is still no URL rule
    ]
    for line in lines:
        out = redact(line)
        assert MASK in out, line
        assert form not in out and form.lower() not in out.lower(), out
        assert CODE[:20] not in out.upper().replace("-", "").replace("%2D", "").replace("%20", "").replace("+", "")


def test_what_is_not_a_code_stays():
    for line in ('"POST /api/v1/vouchers/lookup HTTP/1.1" 200', '"POST /api/v1/vouchers/balance HTTP/1.1" 200',
                 '"GET /f/WD01-20261202-0007/k7xq2m4nd5pwr3ta HTTP/1.1" 200',
                 '"GET /api/v1/products?barcode=6920152400012 HTTP/1.1" 200',
                 '"GET /donations/pickup?recipient_id=12 HTTP/1.1" 200', '"GET /v HTTP/1.1" 200',
                 # the request log's route: a URL rule, its placeholders are no code
                 '"route":"/v/<path:code>",', "route=/api/v1/vouchers/<code> endpoint=api_vouchers.get_voucher"):
        assert redact(line) == line


def test_the_filter_redacts_message_arguments_and_tracebacks():
    record = logging.LogRecord("app", logging.ERROR, __file__, 1, "Exception on %s [%s]",
                               (f"/v/{CODE}", "GET"), None)
    try:
        raise ValueError(f"bad code {codes.group(CODE)}")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    assert RedactingFilter().filter(record) is True
    text = logging.Formatter().format(record)
    assert "Exception on /v/[redacted] [GET]" in text and "ValueError: bad code [redacted]" in text
    assert CODE not in text and codes.group(CODE) not in text


def test_the_apps_own_logger_redacts(app, caplog):
    with caplog.at_level(logging.INFO, logger="app"):
        app.logger.error("Exception on /api/v1/vouchers/%s [GET]", CODE.lower())
        logging.getLogger("app.pos.printing").warning("voucher %s", codes.group(CODE))
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "/api/v1/vouchers/[redacted]" in text and CODE.lower() not in text
    assert codes.group(CODE) not in text
