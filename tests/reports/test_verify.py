"""`flask --app wsgi verify`: a clean month passes (exit 0), the double void of issue 10 is
reported, the output (text and JSON), the window options, bad input (exit 2), the domains' own
`verify` commands, and the reconciliation page and API showing the month's differences."""

from __future__ import annotations

import html
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select, update

from app.auth.models import Shop
from app.core.books import Window, describe
from app.extensions import db
from app.inventory.models import StockLevel
from app.pos.checkout import checkout
from app.pos.models import Sale, Shift
from app.reports import verify
from app.vouchers.models import Voucher
from tests.reports.books_helpers import cli, failing, lines_of, void_directly
from tests.reports.busy_month import DECEMBER, build_busy_month
from tests.reports.factories import D

ROOT = Path(__file__).resolve().parents[2]


def flask(url, *args):
    env = dict(os.environ, APP_ENV="development", DATABASE_URL=url)
    return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def test_a_month_of_mixed_activity_agrees(app, app_ctx):
    build_busy_month()
    report = verify.run()
    assert report["ok"] is True, [describe(d) for c in report["checks"] for d in c["differences"]]
    assert [c["name"] for c in report["checks"]] == list(verify.identities())
    assert len(report["checks"]) >= 24 and all(c["count"] == 0 for c in report["checks"])
    text = cli(app)
    assert text.exit_code == 0, text.output
    assert f"verify: all {len(report['checks'])} identities agree" in text.output
    assert "ok    pos.void_quantity  每行作废数量不超过售出数量" in text.output
    body = cli(app, "--format", "json")
    assert body.exit_code == 0
    parsed = json.loads(body.output)
    assert parsed["ok"] is True and {"name", "ok", "differences"} <= set(parsed["checks"][0])
    for args in (["--period", "2026-11"], ["--period", DECEMBER, "--since", "2026-12-01"]):
        assert cli(app, *args).exit_code == 0, args
    runner = app.test_cli_runner()
    assert runner.invoke(args=["vouchers", "verify"]).exit_code == 0
    assert runner.invoke(args=["inventory", "verify"]).exit_code == 0


def test_a_cash_sale_voided_twice_is_reported(app, app_ctx):
    """Issue 10's defect: two whole voids of one cash sale of ¥35.00 (as two racing taps wrote
    them before voids were locked), built with the models: ¥70.00 handed back, 2 of 1 voided."""
    busy = build_busy_month()
    a = busy.m.a
    sale, _ = checkout(cashier=a.cashier, idempotency_key=str(uuid.uuid4()), today=D(2026, 12, 3),
                       lines=[{"product_id": busy.m.rice.id, "qty": 1}],
                       payments=[{"method": "cash", "amount_fen": 3500}])
    line = sale.lines[0]
    for _tap in range(2):
        void_directly(sale, {line.id: 1}, {"cash": 3500}, manager=a.manager, shift_id=busy.open_shift.id)
    found = failing()
    assert set(found) == {"pos.void_quantity", "pos.void_refunds"}
    [qty], [cash] = found["pos.void_quantity"], found["pos.void_refunds"]
    assert qty["objects"]["receipt_no"] == cash["objects"]["receipt_no"] == sale.receipt_no
    assert qty["figures"] == {"voided": 2, "sold": 1}
    assert cash["figures"] == {"refunded_cash_fen": 7000, "paid_cash_fen": 3500}
    result = cli(app)
    assert result.exit_code == 1
    assert (f"pos.void_quantity shop={a.shop.code} sale={sale.id} receipt={sale.receipt_no} line={line.id} "
            f"product={busy.m.rice.id}: voided=2 > sold=1") in lines_of(result)
    assert (f"pos.void_refunds shop={a.shop.code} sale={sale.id} receipt={sale.receipt_no} field=cash: "
            "refunded_cash_fen=7000 > paid_cash_fen=3500") in lines_of(result)
    assert "FAIL  pos.void_quantity" in result.output and "verify: 2 of " in result.output
    body = json.loads(cli(app, "--format", "json").output)
    assert body["ok"] is False
    assert {c["name"]: c["ok"] for c in body["checks"]}["pos.void_quantity"] is False


def test_windows_narrow_the_dated_checks(app, app_ctx):
    busy = build_busy_month()
    november, december = busy.m.sales["r2_oil"], busy.december_sale
    for sale in (november, december):
        db.session.execute(update(Sale).where(Sale.id == sale.id).values(change_fen=Sale.change_fen + 1))
    db.session.execute(update(Voucher).where(Voucher.id == busy.m.voucher_of[9].id).values(closed_at=None))

    def sales(window):
        return sorted(d["objects"]["sale_id"] for d in failing(window).get("pos.sale_arithmetic", []))

    assert sales(None) == sorted([november.id, december.id])
    assert sales(Window(first=D(2026, 12, 1))) == [december.id]
    assert sales(Window(first=D(2026, 11, 1), last=D(2026, 11, 30))) == [november.id]
    assert "vouchers.status" in failing(Window(period="2026-11"))
    assert "vouchers.status" not in failing(Window(period=DECEMBER))
    since = cli(app, "--since", "2026-12-01")
    assert since.exit_code == 1 and f"receipt={december.receipt_no}" in since.output
    assert f"receipt={november.receipt_no}" not in since.output


def test_bad_input_exits_2(app, app_ctx):
    build_busy_month()
    for args, message in ((["--period", "2026-13"], "期间不存在"), (["--period", "11/2026"], "期间格式"),
                          (["--period", "2031-01"], "没有发放购物券"), (["--since", "2026-02-30"], "日期格式"),
                          (["--format", "xml"], "xml")):
        result = cli(app, *args)
        assert result.exit_code == 2 and message in result.output, (args, result.output)


def test_the_domains_own_verify_commands_are_parts_of_it(app, app_ctx):
    busy = build_busy_month()
    b, oil = busy.m.b, busy.m.oil
    db.session.execute(update(StockLevel).where(StockLevel.shop_id == b.shop.id, StockLevel.product_id == oil.id)
                       .values(on_hand=StockLevel.on_hand + 1))
    voucher = busy.m.voucher_of[9]
    db.session.execute(update(Voucher).where(Voucher.id == voucher.id).values(closed_at=None))
    db.session.flush()
    runner = app.test_cli_runner()
    stock = runner.invoke(args=["inventory", "verify"])
    assert stock.exit_code == 1 and f"DIFF inventory.on_hand shop_id={b.shop.id} product={oil.id}" in stock.output
    vouchers = runner.invoke(args=["vouchers", "verify"])
    assert vouchers.exit_code == 1 and f"DIFF vouchers.status period=2026-11 voucher={voucher.id}" in vouchers.output
    whole = lines_of(cli(app))
    assert any(line.startswith(f"inventory.on_hand shop={b.shop.code} product={oil.id}") for line in whole)
    assert any(line.startswith(f"vouchers.status period=2026-11 voucher={voucher.id}") for line in whole)


def _corrupt_month(app) -> dict:
    """A committed busy month (pages are separate requests) with one November sale's change
    wrong and a December shift reopened."""
    with app.app_context():
        busy = build_busy_month()
        sale = busy.m.sales["r2_oil"]
        db.session.execute(update(Sale).where(Sale.id == sale.id).values(change_fen=Sale.change_fen + 100))
        db.session.execute(update(Shift).where(Shift.id == busy.z_b.shift_id).values(closed_at=None))
        db.session.commit()
        report = verify.run()
        lines = [describe(d) for c in report["checks"] for d in c["differences"]]
        return {"sale_line": next(x for x in lines if x.startswith("pos.sale_arithmetic")),
                "shift_line": next(x for x in lines if x.startswith("pos.z_per_shift")),
                "a": busy.m.a.shop.code}


def test_the_reconciliation_page_shows_the_same_differences(app, login):
    month = _corrupt_month(app)
    fed = login("federation")
    page = html.unescape(fed.get("/reports/reconciliation?period=2026-11").get_data(as_text=True))
    assert 'data-books-ok="no"' in page and 'data-balanced="yes"' in page
    assert month["sale_line"] in page and "交易自身的金额" in page
    assert month["shift_line"] in page  # opened in November: a dated check
    december = html.unescape(fed.get(f"/reports/reconciliation?period={DECEMBER}").get_data(as_text=True))
    assert 'data-books-ok="yes"' in december and month["sale_line"] not in december
    assert "pos.z_numbers" in december  # the checks no month narrows are named, for `flask verify`
    # a district-limited user sees its district's shops only (the sale was at A, in 411002)
    other = html.unescape(login("federation", district_code="411024")
                          .get("/reports/reconciliation?period=2026-11").get_data(as_text=True))
    assert month["sale_line"] not in other and "仅市级用户可见" in other


def test_the_api_adds_the_month_verify_report(app, login):
    month = _corrupt_month(app)
    body = login("federation").get("/api/v1/reconciliation/2026-11").get_json()
    assert body["balanced"] is True and body["verify"]["ok"] is False
    failed = {c["name"]: c for c in body["verify"]["checks"] if not c["ok"]}
    assert set(failed) == {"pos.sale_arithmetic", "pos.z_per_shift"}
    assert describe(failed["pos.sale_arithmetic"]["differences"][0]) == month["sale_line"]


@pytest.mark.real_commits
def test_flask_verify_in_its_own_process_on_the_demo_data(fresh_app):
    """The command as cron runs it: its own process, one read-only snapshot (a deferred
    transaction on SQLite, REPEATABLE READ on PostgreSQL), on the demo data of every domain."""
    url = fresh_app.config["FRESH_DATABASE_URL"]
    assert flask(url, "seed-demo").returncode == 0
    ok = flask(url, "verify")
    assert ok.returncode == 0 and "identities agree" in ok.stdout, ok.stdout + ok.stderr
    body = json.loads(flask(url, "verify", "--format", "json").stdout)
    assert body["ok"] is True and len(body["checks"]) > 20
    with fresh_app.app_context():
        level = db.session.scalar(select(StockLevel).order_by(StockLevel.id).limit(1))
        level.on_hand += 1
        db.session.commit()
        code = db.session.get(Shop, level.shop_id).code
        product = level.product_id
    bad = flask(url, "verify")
    assert bad.returncode == 1 and f"DIFF inventory.on_hand shop={code} product={product}:" in bad.stdout
    assert flask(url, "inventory", "verify").returncode == 1
    assert flask(url, "verify", "--period", "1999-01").returncode == 2
