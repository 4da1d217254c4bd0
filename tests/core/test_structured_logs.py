"""One structured line per request (`cishan.access`) and per command run (`cishan.job`)."""

from __future__ import annotations

import json
import logging
import re

import pytest

from app.config import Config
from app.core import logs
from app.extensions import db
from app.vouchers import codes
from tests.conftest import make_app
from tests.vouchers import factories as vf


class Capture(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)

    def fields(self, event: str) -> list[dict]:
        return [r.fields for r in self.records if getattr(r, "fields", {}).get("event") == event]

    def lines(self, fmt: str) -> str:
        formatter = logs._Formatter(fmt)
        return "\n".join(formatter.format(r) for r in self.records)


@pytest.fixture
def captured():
    handler = Capture()
    for name in ("cishan.access", "cishan.job"):
        logging.getLogger(name).addHandler(handler)
    yield handler
    for name in ("cishan.access", "cishan.job"):
        logging.getLogger(name).removeHandler(handler)


def _person():
    """A recipient with an ID number and a phone, and a voucher: none of them may reach a log."""
    id_number = vf.id_number()
    _voucher, code = vf.voucher(vf.recipient("日志甲", phone="13912345678", id_number=id_number))
    db.session.commit()
    return code, id_number


def test_a_request_line_has_its_fields_and_nothing_personal(app, login, captured):
    cashier = login("cashier")
    with app.app_context():
        code, id_number = _person()
    captured.records.clear()
    looked_up = cashier.get(f"/api/v1/vouchers/{code}?code={code}")
    assert looked_up.status_code == 200
    searched = cashier.get("/api/v1/recipients?q=13912345678", headers={"X-Request-ID": "till-7f3a9c2e"})
    assert searched.status_code == 200
    missing = cashier.get("/no/such/page?phone=13912345678")
    assert missing.status_code == 404

    lookup, search, not_found = captured.fields("request")
    assert re.fullmatch(r"[0-9a-f]{32}", lookup["request_id"])
    assert looked_up.headers["X-Request-ID"] == lookup["request_id"]
    user_id = lookup["user_id"]
    assert isinstance(user_id, int)
    assert lookup == {"event": "request", "request_id": lookup["request_id"], "user_id": user_id,
                      "role": "cashier", "route": "/api/v1/vouchers/<code>",
                      "endpoint": "api_vouchers.get_voucher", "method": "GET", "status": 200,
                      "duration_ms": lookup["duration_ms"]}
    assert lookup["duration_ms"] >= 0
    assert search["request_id"] == "till-7f3a9c2e" == searched.headers["X-Request-ID"]
    assert (search["route"], search["status"], search["role"]) == ("/api/v1/recipients", 200, "cashier")
    assert (not_found["route"], not_found["endpoint"], not_found["status"]) == (None, None, 404)

    for fmt in ("json", "text"):
        text = captured.lines(fmt)
        for secret in (code, codes.group(code), code.lower(), "13912345678", id_number):
            assert secret not in text
        assert "?" not in text and "q=" not in text
    parsed = [json.loads(line) for line in captured.lines("json").splitlines()]
    assert [p["status"] for p in parsed] == [200, 200, 404]
    assert {p["logger"] for p in parsed} == {"cishan.access"}
    assert "role=cashier route=/api/v1/vouchers/<code>" in captured.lines("text")


@pytest.mark.parametrize("given", ["short", "has space in it", "a" * 200, "<script>alert(1)</script>",
                                   "ABCDE-FGHJK-MNPQR-STVWX-Y"])
def test_an_unusable_request_id_is_replaced(client, captured, given):
    answer = client.get("/healthz", headers={"X-Request-ID": given})
    rid = answer.headers["X-Request-ID"]
    assert rid != given and re.fullmatch(r"[0-9a-f]{32}", rid)
    (line,) = captured.fields("request")
    assert line["request_id"] == rid and line["user_id"] is None and line["role"] is None


def test_an_anonymous_request_and_a_refused_one_are_logged(client, captured):
    refused = client.post("/login", data={"username": "x", "password": "y"})  # no CSRF token
    assert refused.status_code == 400
    (line,) = captured.fields("request")
    assert (line["route"], line["method"], line["status"]) == ("/login", "POST", 400)
    assert line["request_id"] == refused.headers["X-Request-ID"]


def test_each_command_run_writes_one_job_line(app, captured):
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["shops", "list"])
    assert ok.exit_code == 0, ok.output
    bad = runner.invoke(args=["vouchers", "issue", "--period", "2033-13"])
    assert bad.exit_code == 2
    assert "cishan.job" not in ok.output  # the line goes to the process's standard error, not the command's
    first, second = captured.fields("job")
    assert first["job"] == "shops list" and first["outcome"] == "ok" and first["duration_ms"] >= 0
    assert "exit_code" not in first
    assert (second["job"], second["outcome"], second["exit_code"]) == ("vouchers issue", "failed", 2)
    line = json.loads(captured.lines("json").splitlines()[-1])
    assert line["logger"] == "cishan.job" and line["level"] == "warning"


def test_log_format_defaults_to_json_outside_development():
    assert Config.from_env({"APP_ENV": "production"})["LOG_FORMAT"] == "json"
    assert Config.from_env({"APP_ENV": "development"})["LOG_FORMAT"] == "text"
    assert Config.from_env({"APP_ENV": "development", "LOG_FORMAT": "json"})["LOG_FORMAT"] == "json"


def test_an_unknown_log_format_is_refused(database_url):
    with pytest.raises(RuntimeError, match="LOG_FORMAT"):
        make_app(database_url, LOG_FORMAT="xml")


def test_the_handler_writes_the_chosen_format(database_url, capfd):
    try:
        make_app(database_url, LOG_FORMAT="text")
        logs.job_log.info("job", extra={"fields": {"event": "job", "job": "demo", "outcome": "ok"}})
        assert "logger=cishan.job event=job job=demo outcome=ok" in capfd.readouterr().err
        make_app(database_url, LOG_FORMAT="json")
        logs.job_log.info("job", extra={"fields": {"event": "job", "job": "demo", "outcome": "ok"}})
        line = json.loads(capfd.readouterr().err.strip().splitlines()[-1])
        assert line["job"] == "demo" and line["level"] == "info"
    finally:
        logs.configure("json")
