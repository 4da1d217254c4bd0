"""Voids restore stock, voucher balance and limits through new rows; shifts close into Z reports."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.inventory import services as inventory
from app.pos import services as pos
from app.pos import voids
from app.pos.models import Sale, ZReport
from app.vouchers import services as vouchers
from tests import factories
from tests.pos.conftest import TODAY
from tests.pos.test_checkout import key, sell


def _sale(till):
    r = sell(till, [{"product_id": till.rice.id, "qty": 1}, {"product_id": till.liquor.id, "qty": 2}],
             [{"method": "cash", "amount_fen": 3000}], voucher_code=till.code)
    # rice 2500 by voucher, liquor 3000 cash; voucher left 400
    return db.session.get(Sale, r["id"])


def test_manager_voids_a_whole_sale(till):
    sale = _sale(till)
    manager = factories.user("manager", shop=till.shop)
    rice_stock = inventory.stock_on_hand(till.shop.id, till.rice.id)
    v = voids.void_sale(sale=sale, actor=manager, reason="顾客退货", today=TODAY)
    assert v.total_fen == 5500 and v.voucher_refund_fen == 2500 and v.refunds == {"cash": 3000}
    assert inventory.stock_on_hand(till.shop.id, till.rice.id) == rice_stock + 1
    assert vouchers.get_voucher(till.voucher.id).balance_fen == 2900
    # the original sale is untouched; the limit is free again
    assert db.session.get(Sale, sale.id).total_fen == 5500
    again = sell(till, [{"product_id": till.rice.id, "qty": 1}], [], voucher_code=till.code)
    assert again["lines"][0]["charity_price"] is True


def test_partial_void_refunds_cash_before_the_voucher_for_ineligible_lines(till):
    sale = _sale(till)
    manager = factories.user("manager", shop=till.shop)
    liquor_line = next(line for line in sale.lines if line.product_id == till.liquor.id)
    v = voids.void_sale(sale=sale, actor=manager, reason="多扫了一瓶",
                        lines=[{"line_id": liquor_line.id, "qty": 1}], today=TODAY)
    assert v.total_fen == 1500 and v.voucher_refund_fen == 0 and v.refunds == {"cash": 1500}
    with pytest.raises(Exception) as exc:
        voids.void_sale(sale=sale, actor=manager, reason="再来", lines=[{"line_id": liquor_line.id, "qty": 2}],
                        today=TODAY)
    assert exc.value.code == "already_voided" and exc.value.details == {"line_id": liquor_line.id, "left": 1}
    with pytest.raises(Exception) as exc:  # more than was ever sold is bad input, not a conflict
        voids.void_sale(sale=sale, actor=manager, reason="再来", lines=[{"line_id": liquor_line.id, "qty": 3}],
                        today=TODAY)
    assert exc.value.code == "invalid_input"


def test_void_needs_a_reason_and_a_manager(till):
    sale = _sale(till)
    with pytest.raises(Exception) as exc:
        voids.void_sale(sale=sale, actor=till.cashier, reason="x", today=TODAY)
    assert exc.value.code == "void_not_allowed"
    manager = factories.user("manager", shop=till.shop)
    with pytest.raises(Exception) as exc:
        voids.void_sale(sale=sale, actor=manager, reason="  ", today=TODAY)
    assert exc.value.code == "invalid_input"


def test_cashier_with_the_managers_pin_may_void(till):
    sale = _sale(till)
    manager = factories.user("manager", shop=till.shop)
    voids.set_manager_pin(manager, "2468")
    with pytest.raises(Exception) as exc:
        voids.void_sale(sale=sale, actor=till.cashier, reason="退货", manager_username=manager.username,
                        manager_pin="1111", today=TODAY)
    assert exc.value.code == "void_not_allowed"
    v = voids.void_sale(sale=sale, actor=till.cashier, reason="退货", manager_username=manager.username,
                        manager_pin="2468", today=TODAY)
    assert v.manager_id == manager.id


def test_manager_of_another_shop_cannot_void(till):
    sale = _sale(till)
    stranger = factories.user("manager", shop=factories.shop())
    with pytest.raises(Exception) as exc:
        voids.void_sale(sale=sale, actor=stranger, reason="x", today=TODAY)
    assert exc.value.code == "forbidden"


def test_shift_close_gives_a_numbered_z_report(till):
    _sale(till)
    sell(till, [{"product_id": till.oil.id, "qty": 1}], [{"method": "wechat", "amount_fen": 6800}])
    report = pos.close_shift(cashier=till.cashier, counted_fen=13000)
    t = report.totals
    assert t["sales_count"] == 2 and t["sales_fen"] == 5500 + 6800
    assert t["by_method"] == {"voucher": 2500, "cash": 3000, "wechat": 6800, "alipay": 0, "card": 0}
    assert t["savings_fen"] == 1000 and t["voucher_redeemed_fen"] == 2500
    assert report.expected_cash_fen == 10000 + 3000 and report.difference_fen == 0
    assert report.number >= 1
    with pytest.raises(Exception) as exc:
        pos.close_shift(cashier=till.cashier, counted_fen=0)
    assert exc.value.code == "no_open_shift"
    # the next shift gets the next number
    pos.open_shift(cashier=till.cashier, float_fen=0)
    assert pos.close_shift(cashier=till.cashier, counted_fen=0).number == report.number + 1


def test_z_report_is_immutable(till):
    report = pos.close_shift(cashier=till.cashier, counted_fen=10000)
    with pytest.raises(sa.exc.DatabaseError):
        with db.session.begin_nested():
            db.session.execute(sa.update(ZReport).where(ZReport.id == report.id).values(counted_fen=1))


def test_only_one_open_shift_per_cashier(till):
    with pytest.raises(Exception) as exc:
        pos.open_shift(cashier=till.cashier, float_fen=0)
    assert exc.value.code == "shift_already_open"


def test_voided_cash_comes_out_of_the_open_shift(till):
    sale = _sale(till)
    manager = factories.user("manager", shop=till.shop)
    voids.void_sale(sale=sale, actor=manager, reason="退货", today=TODAY)
    report = pos.close_shift(cashier=till.cashier, counted_fen=10000)
    assert report.totals["refunds_by_method"]["cash"] == 3000
    assert report.expected_cash_fen == 10000 and report.totals["voids_count"] == 1
    _ = key
