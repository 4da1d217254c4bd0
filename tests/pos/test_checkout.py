"""Pricing, limits, vouchers, payments and the error codes of a checkout."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.inventory import services as inventory
from app.pos import services as pos
from app.pos.checkout import checkout, sale_result
from app.pos.models import Payment, Sale, SaleLine
from app.vouchers import services as vouchers
from app.vouchers.models import VoucherLedger
from tests import factories
from tests.pos.conftest import TODAY
from tests.vouchers import factories as vf


def key() -> str:
    return str(uuid.uuid4())


def sell(t, lines, payments=None, **kw):
    kw.setdefault("today", TODAY)
    sale, _replayed = checkout(cashier=t.cashier, idempotency_key=kw.pop("idempotency_key", key()),
                              lines=lines, payments=payments or [], **kw)
    return sale_result(sale)


def error_code(excinfo) -> str:
    return excinfo.value.code


def counts():
    return tuple(db.session.scalar(sa.select(sa.func.count()).select_from(m))
                 for m in (Sale, SaleLine, Payment, VoucherLedger))


def test_no_recipient_pays_market_price(till):
    r = sell(till, [{"product_id": till.rice.id, "qty": 1}], [{"method": "cash", "amount_fen": 5000}])
    assert r["total_fen"] == 3500 and r["market_total_fen"] == 3500 and r["savings_fen"] == 0
    assert r["voucher_paid_fen"] == 0 and r["change_fen"] == 1500
    assert r["lines"][0]["charity_price"] is False
    assert r["receipt_no"].startswith(f"{till.shop.code}-20261210-")


def test_voucher_identifies_recipient_and_pays_eligible_part_only(till):
    lines = [{"product_id": till.rice.id, "qty": 1}, {"barcode": till.liquor.barcode, "qty": 1}]
    # rice 2500 (charity) + liquor 1500 (not eligible) = 4000; voucher pays 2500; cash 1500
    r = sell(till, lines, [{"method": "cash", "amount_fen": 2000}], voucher_code=till.code)
    assert r["market_total_fen"] == 5000 and r["total_fen"] == 4000 and r["savings_fen"] == 1000
    assert r["voucher_paid_fen"] == 2500 and r["change_fen"] == 500
    assert r["voucher_balance_fen"] == 400
    assert {p["method"]: p["amount_fen"] for p in r["payments"]} == {"voucher": 2500, "cash": 1500}
    assert vouchers.get_voucher(till.voucher.id).balance_fen == 400


def test_a_quote_prices_the_basket_as_checkout_does_and_writes_nothing(till):
    from app.pos.checkout import quote

    lines = [{"product_id": till.rice.id, "qty": 1}, {"barcode": till.liquor.barcode, "qty": 1}]
    before = counts()
    q = quote(lines=lines, voucher_code=till.code, today=TODAY)
    assert (q.market_total_fen, q.total_fen, q.voucher_pays_fen, q.due_fen) == (5000, 4000, 2500, 1500)
    assert counts() == before and vouchers.get_voucher(till.voucher.id).balance_fen == 2900
    r = sell(till, lines, [{"method": "cash", "amount_fen": q.due_fen}], voucher_code=till.code)
    assert r["change_fen"] == 0 and r["voucher_paid_fen"] == q.voucher_pays_fen


def test_voucher_pays_at_most_its_balance(till):
    r = sell(till, [{"product_id": till.oil.id, "qty": 1}], [{"method": "wechat", "amount_fen": 2900}],
             voucher_code=till.code)
    assert r["total_fen"] == 5800 and r["voucher_paid_fen"] == 2900 and r["voucher_balance_fen"] == 0
    assert vouchers.get_voucher(till.voucher.id).status == "exhausted"


def test_recipient_found_by_look_up_gets_charity_price_without_voucher(till):
    r = sell(till, [{"product_id": till.oil.id, "qty": 2}], [{"method": "cash", "amount_fen": 11600}],
             recipient_id=till.recipient.id)
    assert r["total_fen"] == 11600 and r["savings_fen"] == 2000 and r["voucher_paid_fen"] == 0


def test_monthly_limit_refuses_by_default(till):
    with pytest.raises(Exception) as exc:
        sell(till, [{"product_id": till.rice.id, "qty": 2}], voucher_code=till.code)
    assert error_code(exc) == "limit_exceeded"
    assert exc.value.details["remaining"] == 1


def test_over_the_limit_at_market_price_when_the_cashier_chooses_it(till):
    r = sell(till, [{"product_id": till.rice.id, "qty": 2}], [{"method": "cash", "amount_fen": 3500}],
             voucher_code=till.code, over_limit="market")
    prices = sorted((line["price_fen"], line["charity_price"], line["qty"]) for line in r["lines"])
    assert prices == [(2500, True, 1), (3500, False, 1)]
    assert r["total_fen"] == 6000 and r["voucher_paid_fen"] == 2900


def test_limit_is_city_wide_across_shops(till):
    sell(till, [{"product_id": till.rice.id, "qty": 1}], recipient_id=till.recipient.id,
         payments=[{"method": "cash", "amount_fen": 2500}])
    other_shop = factories.shop()
    other = factories.user("cashier", shop=other_shop)
    from tests.inventory import factories as inv

    inv.stock(other_shop, till.rice, 5)
    pos.open_shift(cashier=other, float_fen=0)
    with pytest.raises(Exception) as exc:
        checkout(cashier=other, idempotency_key=key(), lines=[{"product_id": till.rice.id, "qty": 1}],
                 recipient_id=till.recipient.id, payments=[{"method": "cash", "amount_fen": 2500}], today=TODAY)
    assert error_code(exc) == "limit_exceeded"


def test_limit_resets_next_month(till):
    import datetime as dt

    sell(till, [{"product_id": till.rice.id, "qty": 1}], recipient_id=till.recipient.id,
         payments=[{"method": "cash", "amount_fen": 2500}])
    r = sell(till, [{"product_id": till.rice.id, "qty": 1}], recipient_id=till.recipient.id,
             payments=[{"method": "cash", "amount_fen": 2500}], today=dt.date(2027, 1, 3))
    assert r["lines"][0]["charity_price"] is True


def test_stock_moves_with_the_sale(till):
    before = inventory.stock_on_hand(till.shop.id, till.oil.id)
    sell(till, [{"product_id": till.oil.id, "qty": 3}], [{"method": "cash", "amount_fen": 30000}])
    assert inventory.stock_on_hand(till.shop.id, till.oil.id) == before - 3


@pytest.mark.parametrize("case,code", [
    ("unknown_voucher", "voucher_unknown"),
    ("typo_voucher", "voucher_unknown"),
    ("expired_voucher", "voucher_expired"),
    ("revoked_voucher", "voucher_revoked"),
    ("out_of_stock", "out_of_stock"),
    ("underpaid", "payment_insufficient"),
    ("empty_cart", "invalid_input"),
    ("bad_qty", "invalid_input"),
    ("unknown_product", "not_found"),
    ("card_over_due", "invalid_input"),
    ("voucher_as_tender", "invalid_input"),
])
def test_every_error_writes_nothing(till, case, code):
    lines = [{"product_id": till.oil.id, "qty": 1}]
    pay = [{"method": "cash", "amount_fen": 10000}]
    kw = {}
    if case == "unknown_voucher":
        from app.vouchers import codes

        kw["voucher_code"] = codes.new_code()
    elif case == "typo_voucher":
        kw["voucher_code"] = till.code[:-1] + ("A" if till.code[-1] != "A" else "B")
    elif case == "expired_voucher":
        import datetime as dt

        _v, c = vf.voucher(vf.recipient(), period="2026-11", valid_until=dt.date(2026, 11, 30))
        kw["voucher_code"] = c
    elif case == "revoked_voucher":
        vouchers.revoke(till.voucher.id, reason="测试")
        kw["voucher_code"] = till.code
    elif case == "out_of_stock":
        lines = [{"product_id": till.oil.id, "qty": 21}]
        pay = [{"method": "cash", "amount_fen": 21 * 6800}]  # exact: no change past the cap
    elif case == "underpaid":
        pay = [{"method": "cash", "amount_fen": 100}]
    elif case == "empty_cart":
        lines = []
    elif case == "bad_qty":
        lines = [{"product_id": till.oil.id, "qty": 0}]
    elif case == "unknown_product":
        lines = [{"product_id": 987654, "qty": 1}]
    elif case == "card_over_due":
        pay = [{"method": "card", "amount_fen": 10000}]
    elif case == "voucher_as_tender":
        pay = [{"method": "voucher", "amount_fen": 100}]
    before = counts()
    stock = inventory.stock_on_hand(till.shop.id, till.oil.id)
    with pytest.raises(Exception) as exc:
        with db.session.begin_nested():
            sell(till, lines, pay, **kw)
    assert error_code(exc) == code
    assert counts() == before
    assert inventory.stock_on_hand(till.shop.id, till.oil.id) == stock


def test_no_open_shift(till, app_ctx):
    cashier = factories.user("cashier", shop=till.shop)
    with pytest.raises(Exception) as exc:
        checkout(cashier=cashier, idempotency_key=key(), lines=[{"product_id": till.oil.id, "qty": 1}],
                 payments=[{"method": "cash", "amount_fen": 6800}], today=TODAY)
    assert error_code(exc) == "no_open_shift"


def test_same_key_replays_the_first_result_and_writes_nothing(till):
    k = key()
    lines = [{"product_id": till.oil.id, "qty": 1}]
    first = sell(till, lines, [{"method": "cash", "amount_fen": 10000}], voucher_code=till.code, idempotency_key=k)
    before = counts()
    stock = inventory.stock_on_hand(till.shop.id, till.oil.id)
    again = sell(till, lines, [{"method": "cash", "amount_fen": 10000}], voucher_code=till.code, idempotency_key=k)
    assert again == first
    assert counts() == before and inventory.stock_on_hand(till.shop.id, till.oil.id) == stock


def test_same_key_with_another_body_is_a_conflict(till):
    k = key()
    sell(till, [{"product_id": till.oil.id, "qty": 1}], [{"method": "cash", "amount_fen": 10000}], idempotency_key=k)
    with pytest.raises(Exception) as exc:
        sell(till, [{"product_id": till.oil.id, "qty": 2}], [{"method": "cash", "amount_fen": 20000}],
             idempotency_key=k)
    assert error_code(exc) == "idempotency_conflict"


def test_receipt_numbers_count_per_shop_and_day(till):
    a = sell(till, [{"product_id": till.oil.id, "qty": 1}], [{"method": "cash", "amount_fen": 6800}])
    b = sell(till, [{"product_id": till.oil.id, "qty": 1}], [{"method": "cash", "amount_fen": 6800}])
    assert int(b["receipt_no"].rsplit("-", 1)[1]) == int(a["receipt_no"].rsplit("-", 1)[1]) + 1


def test_a_voucher_spent_elsewhere_before_the_lock_is_priced_on_what_is_left(till, monkeypatch):
    """The till's request read 29 yuan, but another till spent most of it before this sale took
    the recipient's lock: the sale prices the voucher on what is left (¥1.00), cash pays the rest,
    and nothing is refused (two tills, one voucher: issue 13's two-server race)."""
    original = vouchers.find_voucher

    def find_then_spent_elsewhere(code):
        voucher = original(code)
        db.session.execute(sa.text("UPDATE voucher SET balance_fen = 100 WHERE id = :id"), {"id": voucher.id})
        return voucher

    monkeypatch.setattr(vouchers, "find_voucher", find_then_spent_elsewhere)
    sale = sell(till, [{"product_id": till.oil.id, "qty": 1}], [{"method": "cash", "amount_fen": 10000}],
                voucher_code=till.code)
    assert sale["voucher_paid_fen"] == 100 and sale["voucher_balance_fen"] == 0


def test_a_voucher_spent_between_pricing_and_debit_is_insufficient_balance(till, monkeypatch):
    """Should anything spend from the voucher after the sale priced it, the conditional UPDATE
    finds too little and the whole sale is refused: the debit itself never overspends."""
    original = vouchers.redeem

    def spent_elsewhere_then_redeem(voucher_id, *args, **kwargs):
        db.session.execute(sa.text("UPDATE voucher SET balance_fen = 100 WHERE id = :id"), {"id": voucher_id})
        return original(voucher_id, *args, **kwargs)

    monkeypatch.setattr(vouchers, "redeem", spent_elsewhere_then_redeem)
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Sale))
    with pytest.raises(Exception) as exc:
        with db.session.begin_nested():
            sell(till, [{"product_id": till.oil.id, "qty": 1}], [{"method": "cash", "amount_fen": 10000}],
                 voucher_code=till.code)
    assert error_code(exc) == "insufficient_balance"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Sale)) == before


def test_an_empty_voucher_still_identifies_its_recipient(till):
    sell(till, [{"product_id": till.oil.id, "qty": 1}], [{"method": "cash", "amount_fen": 2900}],
         voucher_code=till.code)
    assert vouchers.get_voucher(till.voucher.id).status == "exhausted"
    r = sell(till, [{"product_id": till.oil.id, "qty": 1}], [{"method": "cash", "amount_fen": 5800}],
             voucher_code=till.code)
    assert r["total_fen"] == 5800 and r["voucher_paid_fen"] == 0 and r["voucher_balance_fen"] == 0
