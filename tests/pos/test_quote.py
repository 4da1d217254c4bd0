"""POST /api/v1/sales/quote: what a sale of this basket would charge, limits included, writing
nothing; the till shows this answer."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from app.extensions import db
from app.pos.checkout import checkout
from app.pos.models import Payment, Sale, SaleLine
from app.vouchers.models import Voucher, VoucherLedger
from tests.pos.conftest import TODAY


def counts():
    return tuple(db.session.scalar(sa.select(sa.func.count()).select_from(m))
                 for m in (Sale, SaleLine, Payment, VoucherLedger))


@pytest.fixture
def writes():
    """Every INSERT, UPDATE or DELETE (and every row lock) sent to the database while the test runs."""
    seen: list[str] = []

    def spy(conn, cursor, statement, *args):
        if (statement.lstrip().split(None, 1)[0].upper() in ("INSERT", "UPDATE", "DELETE")
                or "FOR UPDATE" in statement.upper()):  # nor a till's checkout kept waiting
            seen.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", spy)
    yield seen
    event.remove(engine, "before_cursor_execute", spy)


def quote(client, **body):
    resp = client.post("/api/v1/sales/quote", json=body)
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()


def test_a_quote_splits_each_line_and_writes_nothing(till, login, writes):
    db.session.commit()  # what the till fixture made stays through a refused request's rollback
    c = login("cashier", user=till.cashier)
    before = counts()
    balance = db.session.get(Voucher, till.voucher.id).balance_fen
    writes.clear()  # the login's own session row
    q = quote(c, voucher_code=till.code, lines=[{"product_id": till.oil.id, "qty": 2},
                                                {"barcode": till.liquor.barcode, "qty": 1}])
    lines = {x["product_id"]: x for x in q["lines"]}
    assert (lines[till.oil.id]["charity_qty"], lines[till.oil.id]["market_qty"]) == (2, 0)
    assert lines[till.oil.id]["line_total_fen"] == 11600 and lines[till.oil.id]["market_total_fen"] == 13600
    assert lines[till.liquor.id]["line_total_fen"] == 1500
    assert (q["market_total_fen"], q["total_fen"], q["savings_fen"]) == (15100, 13100, 2000)
    assert q["voucher_pays_fen"] == min(balance, 11600) and q["due_fen"] == 13100 - q["voucher_pays_fen"]
    assert q["voucher_balance_fen"] == balance and q["recipient_id"] == till.recipient.id
    assert q["limits"] == [] and q["sellable"] is True
    assert writes == [] and counts() == before
    assert db.session.get(Voucher, till.voucher.id).balance_fen == balance

    # no recipient: everything at market price
    q = quote(c, lines=[{"product_id": till.oil.id, "qty": 2}])
    assert (q["total_fen"], q["lines"][0]["market_qty"], q["voucher_pays_fen"]) == (13600, 2, 0)


def test_a_reached_limit_is_priced_at_market_and_flagged(till, login, writes):
    # the recipient's one bag of rice this month, bought at charity price
    checkout(cashier=till.cashier, idempotency_key=str(uuid.uuid4()), voucher_code=till.code, today=TODAY,
             lines=[{"product_id": till.rice.id, "qty": 1}], payments=[])
    db.session.commit()  # what the till fixture made stays through a refused request's rollback
    c = login("cashier", user=till.cashier)
    before = counts()
    writes.clear()
    body = {"recipient_id": till.recipient.id, "lines": [{"product_id": till.rice.id, "qty": 2},
                                                         {"product_id": till.oil.id, "qty": 1}]}
    q = quote(c, **body)
    rice = next(x for x in q["lines"] if x["product_id"] == till.rice.id)
    assert (rice["charity_qty"], rice["market_qty"], rice["line_total_fen"]) == (0, 2, 7000)
    assert q["limits"] == [{"product_id": till.rice.id, "name": "东北大米 5kg", "unit": "袋", "limit": 1,
                            "used": 1, "remaining": 0, "requested": 2, "over_qty": 2,
                            "message": "“东北大米 5kg”每月慈善价限购 1袋，本月还可买 0袋",
                            "unit_grams": None, "remaining_text": "0袋", "over_text": "2袋"}]
    assert q["limit_exceeded"] is True and q["sellable"] is False and q["total_fen"] == 7000 + 5800
    assert writes == [] and counts() == before

    # what the sale would answer: refused with refuse, sold at market with market
    resp = c.post("/api/v1/sales", json={**body, "idempotency_key": str(uuid.uuid4()),
                                         "payments": [{"method": "cash", "amount_fen": 20000}]})
    assert resp.status_code == 409 and resp.get_json()["error"]["code"] == "limit_exceeded"
    writes.clear()  # the refused sale's own lock of the recipient
    market = quote(c, **body, over_limit="market")
    assert market["sellable"] is True and market["total_fen"] == q["total_fen"]
    assert writes == [] and counts() == before


def test_a_quote_under_the_limit_reports_what_is_left(till, login):
    db.session.commit()  # what the till fixture made stays through a refused request's rollback
    c = login("cashier", user=till.cashier)
    q = quote(c, voucher_code=till.code, lines=[{"product_id": till.rice.id, "qty": 1}])
    assert q["limits"][0]["remaining"] == 1 and q["limits"][0]["over_qty"] == 0
    assert q["limit_exceeded"] is False and q["lines"][0]["charity_qty"] == 1 and q["total_fen"] == 2500


def test_a_quote_refuses_what_checkout_refuses(till, login):
    db.session.commit()  # what the till fixture made stays through a refused request's rollback
    c = login("cashier", user=till.cashier)
    for body in ({"lines": []}, {"lines": [{"product_id": till.rice.id, "qty": 1}], "over_limit": "maybe"},
                 {"lines": [{"product_id": till.rice.id, "qty": 1000}]}):
        resp = c.post("/api/v1/sales/quote", json=body)
        assert resp.status_code in (400, 422) and resp.get_json()["error"]["code"], body
