"""Weighed goods through checkout: grams, the one rounding rule, scale labels, whole pieces only,
monthly limits in grams with the market-price split, voids of weighed lines, receipts, books."""

from __future__ import annotations

import uuid

import pytest

from app.core.errors import InvalidInput
from app.core.money import line_amount_fen
from app.extensions import db
from app.inventory import scale_labels
from app.inventory import services as inventory
from app.pos import escpos_text as et
from app.pos import voids
from app.pos.checkout import checkout, quote, remaining_limits
from app.pos.errors import LimitExceeded, QuantityNotWhole, WeightRequired
from app.pos.receipt_data import receipt_for
from app.pos.receipt_escpos import layout
from app.pos.receipts import render_html
from app.reports import verify
from tests import factories
from tests.inventory import factories as inv
from tests.pos.conftest import TODAY
from tests.vouchers import factories as vf

EGG_LABEL = "2100011003750"  # weight5: PLU 11, 375 g


@pytest.fixture
def eggs(till):
    # ¥6.50 per 斤 at market, ¥5.20 at charity, the voucher may pay, 2 斤 a month at charity price
    p = inv.product("散装鸡蛋", barcode="SZ-EGG11", category=till.rice.category, market=650, charity=520,
                    sale_unit="weight", unit_grams=500, plu=11, monthly_limit=1000, voucher_eligible=True)
    inv.stock(till.shop, p, 10_000)
    return p


def _sell(till, lines, *, code=None, pay=None, over_limit="refuse"):
    due = quote(lines=lines, voucher_code=code, over_limit=over_limit, today=TODAY).due_fen
    sale, _ = checkout(cashier=till.cashier, idempotency_key=str(uuid.uuid4()), lines=lines,
                       payments=[{"method": "cash", "amount_fen": due if pay is None else pay}] if due else [],
                       voucher_code=code, over_limit=over_limit, today=TODAY)
    return sale


def test_a_scale_label_sells_its_weight_at_market_price_rounded_half_up(till, eggs):
    assert scale_labels.make(11, 375) == EGG_LABEL
    sale = _sell(till, [{"barcode": EGG_LABEL}])
    (line,) = sale.lines
    assert (line.quantity, line.unit_grams, line.price_fen, line.charity_price) == (375, 500, 650, False)
    assert line.line_total_fen == sale.total_fen == 488  # 6.50 × 0.75 = 4.875 -> 4.88
    assert inventory.stock_on_hand(till.shop.id, eggs.id) == 10_000 - 375


def test_the_voucher_pays_a_weighed_line_at_charity_price(till, eggs):
    sale = _sell(till, [{"product_id": eggs.id, "grams": 375}, {"product_id": till.oil.id, "qty": 1}], code=till.code)
    by_name = {line.name: line for line in sale.lines}
    assert by_name["散装鸡蛋"].line_total_fen == 390  # 5.20 × 0.75
    assert sale.total_fen == 390 + 5800 and sale.market_total_fen == 488 + 6800
    assert sale.voucher_paid_fen == 2900  # the split is unchanged: the voucher pays eligible lines first
    assert sale.savings_fen == sale.market_total_fen - sale.total_fen


@pytest.mark.parametrize(("price", "grams", "unit_grams", "fen"), [
    (999, 500, 1000, 500),    # ¥4.995 -> ¥5.00 (half up, not half to even)
    (1, 250, 500, 1),         # half a fen -> 1 fen
    (1, 249, 500, 0),         # less than half a fen -> a line of ¥0.00
    (1298, 1, 1000, 1),       # 1.298 fen -> 1 fen
    (650, 99_999, 500, 129_999),  # ¥1,299.987 -> ¥1,299.99
])
def test_rounding_edges_through_checkout(till, price, grams, unit_grams, fen):
    p = inv.product(barcode=f"SZ-EDGE{price}-{grams}", market=price, charity=price, sale_unit="weight",
                    unit_grams=unit_grams)
    inv.stock(till.shop, p, 100_000)
    sale = _sell(till, [{"product_id": p.id, "grams": grams}, {"product_id": till.oil.id, "qty": 1}])
    line = next(line for line in sale.lines if line.product_id == p.id)
    assert line.line_total_fen == fen == line_amount_fen(price, grams, unit_grams)
    assert sale.total_fen == fen + 6800


def test_a_fraction_of_a_piece_is_refused_never_truncated(till, eggs):
    with pytest.raises(QuantityNotWhole) as e:
        quote(lines=[{"product_id": till.oil.id, "qty": 1.5}], today=TODAY)
    assert e.value.code == "quantity_not_whole" and "大豆油 5L" in str(e.value.message)
    with pytest.raises(InvalidInput):
        quote(lines=[{"product_id": till.oil.id, "qty": 1.0}], today=TODAY)  # JSON integers only
    with pytest.raises(WeightRequired) as e:
        quote(lines=[{"product_id": eggs.id, "qty": 2}], today=TODAY)
    assert e.value.code == "weight_required"
    with pytest.raises(WeightRequired):
        quote(lines=[{"product_id": till.oil.id, "grams": 500}], today=TODAY)


def test_two_labels_of_one_product_make_one_line_of_their_grams(till, eggs):
    q = quote(lines=[{"barcode": EGG_LABEL}, {"barcode": scale_labels.make(11, 420)}], today=TODAY)
    (p,) = q.priced
    assert p.quantity == 795 and q.total_fen == line_amount_fen(650, 795, 500) == 1034


def test_monthly_limit_in_grams_with_the_rest_at_market_price(till, eggs):
    _sell(till, [{"product_id": eggs.id, "grams": 600}], code=till.code)  # 600 g of 1000 g used
    limits = {x["product_id"]: x for x in remaining_limits(till.recipient.id, today=TODAY)}
    assert limits[eggs.id]["remaining"] == 400 and limits[eggs.id]["remaining_text"] == "0.8 斤"
    with pytest.raises(LimitExceeded) as e:
        quote(lines=[{"product_id": eggs.id, "grams": 700}], voucher_code=till.code, today=TODAY)
    assert "2 斤" in str(e.value.message) and "0.8 斤" in str(e.value.message)
    assert e.value.details["remaining"] == 400
    sale = _sell(till, [{"product_id": eggs.id, "grams": 700}], code=till.code, over_limit="market")
    lines = sorted(((line.charity_price, line.quantity, line.line_total_fen) for line in sale.lines), reverse=True)
    assert lines == [(True, 400, 416), (False, 300, 390)]  # 0.8 斤 × 5.20, 0.6 斤 × 6.50
    assert sale.total_fen == 806 and sale.market_total_fen == 520 + 390


def test_voiding_a_weighed_line_in_parts_hands_back_exactly_its_total(till, eggs):
    manager = factories.user("manager", shop=till.shop)
    # 333 g at ¥6.50/斤 = ¥4.329 -> ¥4.33
    sale = _sell(till, [{"product_id": eggs.id, "grams": 333}, {"product_id": till.oil.id, "qty": 1}])
    egg_line = next(line for line in sale.lines if line.product_id == eggs.id)
    assert egg_line.line_total_fen == 433
    first = voids.void_sale(sale=sale, actor=manager, reason="多称了", lines=[{"line_id": egg_line.id, "qty": 111}],
                            today=TODAY)
    second = voids.void_sale(sale=sale, actor=manager, reason="退回", lines=[{"line_id": egg_line.id, "qty": 222}],
                             today=TODAY)
    assert first.total_fen == line_amount_fen(650, 111, 500) == 144
    assert first.total_fen + second.total_fen == 433  # 144 + 289, not 144 + 289 ± rounding
    assert inventory.stock_on_hand(till.shop.id, eggs.id) == 10_000
    with pytest.raises(Exception, match="最多还能作废 0 斤"):
        voids.void_sale(sale=sale, actor=manager, reason="再退", lines=[{"line_id": egg_line.id, "qty": 1}],
                        today=TODAY)
    db.session.flush()
    report = verify.run()
    assert report["ok"], [c for c in report["checks"] if not c["ok"]]


def test_books_catch_a_weighed_line_priced_by_hand(till, eggs):
    from sqlalchemy import update

    from app.pos.models import SaleLine

    sale = _sell(till, [{"product_id": eggs.id, "grams": 375}])
    assert verify.run()["ok"]
    db.session.execute(update(SaleLine).where(SaleLine.sale_id == sale.id).values(line_total_fen=487))
    bad = {c["name"] for c in verify.run()["checks"] if not c["ok"]}
    assert "pos.sale_arithmetic" in bad


def test_receipts_show_weight_times_unit_price(app, till, eggs):
    sale = _sell(till, [{"barcode": EGG_LABEL}, {"product_id": till.oil.id, "qty": 2}], code=till.code)
    receipt = receipt_for(sale)
    with app.test_request_context("/"):
        html = render_html(receipt, paper_mm=58)
    assert "0.75斤" in html and "¥5.20/斤" in html and "¥3.90" in html and "¥6.50/斤" in html
    assert receipt.item_count == 3  # two bottles and one bag of eggs
    for columns in (32, 48):
        ops = [op for op in layout(receipt, columns=columns) if op.kind == "text"]
        text = "\n".join(op.value for op in ops)
        assert "0.75斤" in text and "5.20/斤" in text and "3.90" in text
        assert all(et.width(op.value) * (2 if op.style == "big" else 1) <= columns for op in ops)


def test_the_api_sells_a_label_and_refuses_a_fraction_with_a_stable_code(app, login):
    with app.app_context():
        shop = factories.shop()
        cashier = factories.user("cashier", shop=shop)
        eggs = inv.product("散装鸡蛋", barcode="SZ-EGG12", market=650, charity=520, sale_unit="weight",
                           unit_grams=500, plu=12)
        oil = inv.product("大豆油", market=6800, charity=5800)
        for p in (eggs, oil):
            inv.stock(shop, p, 5000)
        r = vf.recipient("钱大爷")
        db.session.commit()
        ids = {"oil": oil.id, "eggs": eggs.id}
        assert r.id
    c = login("cashier", user=cashier)
    c.post("/api/v1/shifts", json={"idempotency_key": str(uuid.uuid4()), "float_fen": 0})
    label = scale_labels.make(12, 1234)
    resp = c.post("/api/v1/sales", json={"idempotency_key": str(uuid.uuid4()), "lines": [{"barcode": label}],
                                         "payments": [{"method": "cash", "amount_fen": 1700}]})
    assert resp.status_code == 201, resp.get_json()
    sale = resp.get_json()
    (line,) = sale["lines"]
    assert (line["qty"], line["unit_grams"], line["quantity_text"]) == (1234, 500, "2.468 斤")
    assert sale["total_fen"] == 1604 and sale["change_fen"] == 96  # 6.50 × 2.468 = 16.042
    frac = c.post("/api/v1/sales", json={"idempotency_key": str(uuid.uuid4()),
                                         "lines": [{"product_id": ids["oil"], "qty": 1.5}],
                                         "payments": [{"method": "cash", "amount_fen": 20000}]})
    assert frac.status_code == 400 and frac.get_json()["error"]["code"] == "quantity_not_whole"
    bad = c.post("/api/v1/sales", json={"idempotency_key": str(uuid.uuid4()),
                                        "lines": [{"barcode": label[:12] + str((int(label[12]) + 1) % 10)}],
                                        "payments": [{"method": "cash", "amount_fen": 2000}]})
    assert bad.status_code == 400 and bad.get_json()["error"]["code"] == "scale_label_invalid"
    grams = c.post("/api/v1/sales", json={"idempotency_key": str(uuid.uuid4()),
                                          "lines": [{"product_id": ids["eggs"], "grams": 500}],
                                          "payments": [{"method": "cash", "amount_fen": 650}]})
    assert grams.status_code == 201 and grams.get_json()["total_fen"] == 650


def test_the_quote_for_the_till_gives_weights_in_jin(till, eggs):
    from app.pos.quotes import quote_basket

    _sell(till, [{"product_id": eggs.id, "grams": 600}], code=till.code)
    q = quote_basket(lines=[{"product_id": eggs.id, "grams": 700}], voucher_code=till.code, today=TODAY)
    (line,) = q["lines"]
    assert (line["unit_grams"], line["qty_text"], line["charity_qty_text"], line["market_qty_text"]) == (
        500, "1.4 斤", "0.8 斤", "0.6 斤")
    assert line["line_total_fen"] == 416 + 390
    (lim,) = q["limits"]
    assert (lim["remaining_text"], lim["over_text"]) == ("0.8 斤", "0.6 斤")
    assert lim["message"] == "“散装鸡蛋”每月慈善价限购 2 斤，本月还可买 0.8 斤"
    assert q["limit_exceeded"] and not q["sellable"]
