"""Item 15 of issue 11: where and when a voucher was spent — for staff, and for its holder."""

from __future__ import annotations

import json

import pytest

from app.extensions import db
from app.vouchers import history, services
from tests.reports.factories import build_month


@pytest.fixture
def month(app_ctx):
    return build_month(expire=True)


def _rows(m, i, **kw):
    return history.histories([m.voucher_of[i].id], **kw)[m.voucher_of[i].id]


def test_the_staff_see_each_row_with_shop_receipt_and_who(month):
    m = month
    r1 = _rows(m, 1)
    assert [(h["kind"], h["day"], h["shop"], h["amount_fen"], h["balance_after_fen"]) for h in r1] == [
        ("issue", r1[0]["day"], "", 2900, 2900),
        ("redeem", "2026-11-03", m.a.shop.name, -2500, 400),
        ("redeem", "2026-11-04", m.b.shop.name, -250, 150),
        ("expire", "2026-12-01", "", -150, 0)]
    assert [h["what"] for h in r1] == ["发放购物券", "购物使用", "购物使用", "过期，剩余金额失效"]
    assert r1[1]["receipt_no"] == m.sales["r1_rice"].receipt_no and r1[1]["staff"] == m.a.cashier.display_name
    assert r1[2]["receipt_no"] == m.sales["r1_salt"].receipt_no and r1[2]["staff"] == m.b.cashier.display_name
    r4 = _rows(m, 4)  # rice and salt at A, the salt voided by A's manager the next day
    assert [(h["kind"], h["day"], h["amount_fen"]) for h in r4[1:3]] == [
        ("redeem", "2026-11-08", -2750), ("refund", "2026-11-09", 250)]
    assert r4[2]["what"] == "退货，钱退回本券" and r4[2]["shop"] == m.a.shop.name
    assert r4[2]["receipt_no"] == m.sales["r4"].receipt_no and r4[2]["staff"] == m.a.manager.display_name
    r8 = _rows(m, 8)  # voided after it expired: refund, then the same amount expires at once
    assert [(h["kind"], h["day"], h["amount_fen"]) for h in r8[-2:]] == [("refund", "2026-12-02", 2500),
                                                                         ("expire", "2026-12-02", -2500)]
    assert [h["what"] for h in _rows(m, 6)][-1] == "本券注销"


def test_the_holder_sees_day_shop_amount_and_what_happened_and_no_staff(app, month, client):
    m = month
    v = m.voucher_of[4]
    code = services.code_of(v)
    db.session.commit()  # a savepoint in this test's transaction: the request below sees it
    body = client.post("/api/v1/vouchers/balance", json={"code": code}).get_json()
    rows = body["history"]
    assert [(h["day"], h["kind"], h["what"], h["shop"], h["amount_fen"], h["balance_after_fen"]) for h in rows] == [
        (rows[0]["day"], "issue", "发放购物券", "", 2900, 2900),
        ("2026-11-08", "redeem", "购物使用", m.a.shop.name, -2750, 150),
        ("2026-11-09", "refund", "退货，钱退回本券", m.a.shop.name, 250, 400),
        ("2026-12-01", "expire", "过期，剩余金额失效", "", -400, 0)]
    assert rows[1]["day_text"] == "2026年11月8日"
    text = json.dumps(body, ensure_ascii=False)
    for secret in (m.a.cashier.display_name, m.a.cashier.username, m.a.manager.display_name,
                   m.a.manager.username, m.sales["r4"].receipt_no, m.recipients[3].name):
        assert secret not in text
    assert set(rows[0]) == {"day", "day_text", "kind", "what", "shop", "amount_fen", "balance_after_fen"}
    from tests.vouchers.test_api_and_pages import _csrf

    page = client.post("/v", data={"code": code, "csrf_token": _csrf(client)}).get_data(as_text=True)  # no JS
    assert "使用记录" in page and "2026年11月8日" in page and m.a.shop.name in page and "减少" in page
    assert "¥27.50" in page and m.a.cashier.display_name not in page


def test_the_recipients_page_shows_the_ledger(app, month, login):
    m = month
    rid = m.recipients[0].id
    db.session.commit()
    html = login("federation").get(f"/recipients/{rid}").get_data(as_text=True)
    ledger = html[html.index('id="voucher-ledgers"'):]
    for text in ("购物券使用记录", m.a.shop.name, m.b.shop.name, m.sales["r1_rice"].receipt_no,
                 m.sales["r1_salt"].receipt_no, m.a.cashier.display_name, "购物使用", "-¥25.00", "+¥29.00",
                 "过期，剩余金额失效"):
        assert text in ledger, text
