"""Pages, the API, `flask reconcile`, and exports (masked, formula-safe, streamed)."""

from __future__ import annotations

import csv
import io
import json

from openpyxl import load_workbook

from app.core.spreadsheet import safe_text
from app.extensions import db
from app.reports import exports, spotchecks
from tests.reports.factories import PERIOD, build_month


def _month(app, **kw):
    with app.app_context():
        m = build_month(**kw)
        db.session.commit()
        return {"a_code": m.a.shop.code, "b_code": m.b.shop.code, "a_name": m.a.shop.name,
                "b_name": m.b.shop.name, "receipt": m.sales["r2_oil"].receipt_no}


def test_api_answers_with_exactly_the_design_keys(app, login):
    _month(app)
    resp = login("federation").get(f"/api/v1/reconciliation/{PERIOD}")
    assert resp.status_code == 200
    body = resp.get_json()
    # DESIGN.md's keys, plus `verify` (flask verify's report of the month, issue 10)
    assert set(body) == {"period", "issued_count", "issued_fen", "redeemed_fen", "refunded_fen", "expired_fen",
                         "revoked_fen", "outstanding_fen", "balanced", "by_shop", "by_district", "verify"}
    assert body["verify"]["ok"] is True
    assert body["balanced"] is True and body["issued_fen"] == 34800 and body["expired_fen"] == 18350
    bad = login("admin").get("/api/v1/reconciliation/2026-13")
    assert bad.status_code == 400 and bad.get_json()["error"]["code"] == "invalid_input"
    limited = login("federation", district_code="411024").get(f"/api/v1/reconciliation/{PERIOD}").get_json()
    assert limited["issued_count"] == 4 and [s["shop"] for s in limited["by_shop"]] == []


def test_pages_render_for_staff(app, login):
    shops = _month(app)
    fed = login("federation")
    for url in (f"/reports/reconciliation?period={PERIOD}", "/reports/dashboard",
                f"/reports/charity-value?period={PERIOD}", f"/reports/settlements?period={PERIOD}",
                "/reports/spot-checks", "/reports/feedback"):
        resp = fed.get(url)
        assert resp.status_code == 200, url
        html = resp.get_data(as_text=True)
        assert 'style="' not in html and "<script>" not in html, url
    html = fed.get("/reports/dashboard").get_data(as_text=True)
    assert html.count("<svg") == 6 and 'role="img"' in html
    html = fed.get(f"/reports/reconciliation?period={PERIOD}").get_data(as_text=True)
    assert 'data-balanced="yes"' in html and "¥348.00" in html
    # one word, one meaning (issue 11 item 16): 作废 is a voided sale only; money that a void puts back
    # on a voucher is 退券, a balance the federation takes back is 注销; the glossary says which is which
    summary = html.split('id="glossary"')[0].split("<h2>汇总</h2>")[1]
    assert "退券（小票作废退回）" in summary and "注销（券被收回）" in summary
    assert "作废（收回）" not in html and "退回（作废）" not in html
    glossary = html.split('id="glossary"')[1].split("</dl>")[0]
    assert [t.split("</dt>")[0] for t in glossary.split("<dt>")[1:]] == ["核销", "退券", "过期", "注销"]
    assert "发放 = 核销 − 退券 + 过期 + 注销 + 未使用余额" in html
    resp = fed.get("/reports/reconciliation?period=2026-1x")
    assert resp.status_code == 400 and "期间格式应为 YYYY-MM" in resp.get_data(as_text=True)
    # a manager sees the settlement of its own shop only
    manager = login("manager", shop=_reload_shop(app, shops["a_code"]))
    html = manager.get(f"/reports/settlements?period={PERIOD}").get_data(as_text=True)
    assert shops["a_name"] in html and "¥81.50" in html and shops["b_name"] not in html


def _reload_shop(app, code):
    with app.app_context():
        from app.auth.services import get_shop_by_code

        shop = get_shop_by_code(code)
        db.session.expunge(shop)
        return shop


def test_settlement_flow_through_the_pages(app, login):
    shops = _month(app)
    fed = login("federation")
    assert fed.get(f"/reports/settlements?period={PERIOD}").get_data(as_text=True).count(shops["b_name"]) == 1
    resp = fed.post("/reports/settlements/prepare", data={"shop": shops["a_code"], "period": PERIOD},
                    headers={"Referer": "/reports/settlements"})
    assert resp.status_code == 302
    detail_url = resp.headers["Location"]
    sid = int(detail_url.rsplit("/", 1)[1])
    assert "¥81.50" in fed.get(detail_url).get_data(as_text=True)
    assert fed.get(f"/reports/settlements/{sid}/statement.pdf").data.startswith(b"%PDF")
    resp = fed.post(f"/reports/settlements/{sid}/pay", data={"reference": "BANK-9", "expected_amount_fen": "8150"})
    assert resp.status_code == 302
    assert "已付款" in fed.get(detail_url).get_data(as_text=True)
    resp = fed.post(f"/reports/settlements/{sid}/pay", data={"reference": "BANK-9"}, headers={"Referer": detail_url})
    assert resp.status_code == 302  # refused with a flash message: period_closed
    assert "已付款，该月已关闭" in fed.get(detail_url).get_data(as_text=True)
    other = login("manager", shop=_reload_shop(app, shops["b_code"]))
    assert other.get(detail_url).status_code == 403


def test_exports_are_masked_and_formula_safe(app, login):
    _month(app, expire=False)
    with app.app_context():
        from sqlalchemy import select

        from app.recipients.models import Recipient

        victim = db.session.scalars(select(Recipient).order_by(Recipient.id)).first()
        victim.name = "=HYPERLINK(\"http://x\")"
        db.session.flush()
        check = spotchecks.draw(PERIOD, percent=100, seed="all")
        db.session.commit()
        check_id = check.id
    fed = login("federation")
    resp = fed.get(f"/reports/spot-checks/{check_id}/export?fmt=csv")
    assert resp.status_code == 200 and resp.is_streamed
    text = resp.get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][4:6] == ["姓名", "电话"]
    assert all("****" in r[5] for r in rows[1:])
    assert not any(cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r)
    assert any(r[4].startswith("'=") for r in rows[1:])  # the masked "=H****)" kept harmless
    assert fed.get(f"/reports/spot-checks/{check_id}/export?fmt=csv&unmasked=1").status_code == 403
    admin = login("admin")
    resp = admin.get(f"/reports/spot-checks/{check_id}/export?fmt=xlsx&unmasked=1")
    ws = load_workbook(io.BytesIO(resp.data)).active
    values = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    assert any(v[5].startswith("1380000") and "*" not in v[5] for v in values)
    assert any(v[4] == "'=HYPERLINK(\"http://x\")" for v in values)
    resp = fed.get(f"/reports/reconciliation/export?period={PERIOD}&fmt=xlsx")
    wb = load_workbook(io.BytesIO(resp.data))
    assert wb.sheetnames == ["汇总", "按门店", "按区县", "按出资方", "差异明细"]
    assert wb["汇总"]["B3"].value == 348 and wb["汇总"]["B3"].number_format == "0.00"
    assert fed.get(f"/reports/reconciliation/export?period={PERIOD}&fmt=pdf").status_code == 400


def test_csv_export_streams_row_by_row():
    produced = []

    def rows():
        for i in range(3):
            produced.append(i)
            yield [i, f"-{i}", 150 * i]

    chunks = exports.iter_csv(exports.Table("t", ["n", "text", "fen"], rows, money={2}))
    assert next(chunks).startswith("\ufeff".encode()) and produced == []
    assert next(chunks) == b"0,'-0,0.00\r\n" and produced == [0]
    assert b"".join(chunks) == b"1,'-1,1.50\r\n2,'-2,3.00\r\n"
    assert safe_text("@SUM(A1)") == "'@SUM(A1)" and safe_text("米") == "米"


def test_flask_reconcile_command(app, tmp_path):
    _month(app)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["reconcile", "--period", PERIOD, "--format", "json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["balanced"] is True and body["issued_fen"] == 34800
    out = tmp_path / "r.xlsx"
    result = runner.invoke(args=["reconcile", "--period", PERIOD, "--format", "xlsx", "--out", str(out)])
    assert result.exit_code == 0 and load_workbook(out).sheetnames[0] == "汇总"
    result = runner.invoke(args=["reconcile", "--period", PERIOD, "--format", "csv"])
    assert result.exit_code == 0 and "门店编码" in result.stdout
    result = runner.invoke(args=["reconcile", "--period", "11/2026"])
    assert result.exit_code == 2 and "期间格式" in result.output
    result = runner.invoke(args=["reconcile", "--period", PERIOD, "--format", "xlsx"])
    assert result.exit_code != 0


def test_spot_check_rates_page_and_export(app, login):
    _month(app)
    with app.app_context():
        check = spotchecks.draw(PERIOD, size=4, seed="rates")
        first, second, third, _fourth = check.items
        spotchecks.record_outcome(first, outcome="confirmed", satisfaction=5)
        spotchecks.record_outcome(second, outcome="complaint", satisfaction=2)
        spotchecks.record_outcome(third, outcome="unreachable")
        db.session.commit()
    fed = login("federation")
    html = fed.get(f"/reports/spot-checks?period={PERIOD}").get_data(as_text=True)
    assert "33.3%" in html  # each of the three outcomes is a third of the calls made
    body = fed.get(f"/reports/spot-checks/export?period={PERIOD}&fmt=csv").get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == ["回访结果", "条数", "比例（%）或平均分"]
    by_label = {r[0]: r[1:] for r in rows[1:]}
    assert by_label["确认本人消费"] == ["1", "33.3"] and by_label["有投诉"] == ["1", "33.3"]
    assert by_label["待回访"] == ["1", ""] and by_label["平均满意度"] == ["2", "3.5"]
    wb = load_workbook(io.BytesIO(fed.get(f"/reports/spot-checks/export?period={PERIOD}&fmt=xlsx").data))
    assert len(wb.sheetnames) == 2 and wb.worksheets[1].max_row == 2  # the header and the one sample
    # another district's federation user sees no rates of this sample (drawn city-wide)
    other = login("federation", district_code="411024")
    assert "33.3%" not in other.get(f"/reports/spot-checks?period={PERIOD}").get_data(as_text=True)
