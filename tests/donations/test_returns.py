"""Returns to the donation corner: pieces go back to their lots, the recipient's limit frees up,
the donor's and the public figures count only what stayed picked up; bad returns write nothing."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.core.errors import DomainError
from app.donations import pickups, returns, stats
from app.donations.models import DonationLot, PickupReturn, PickupReturnLine, PickupTally
from app.extensions import db
from tests import factories
from tests.donations import factories as f
from tests.donations.conftest import at

_keys = iter(range(10**6))


def take(cashier, person, lines, when="2026-12-03"):
    return pickups.record_pickup(user=cashier, recipient_id=person.id, now=at(when),
                                 idempotency_key=f"return-test-{next(_keys):08d}", lines=lines)


@pytest.fixture
def corner(app_ctx):
    shop = factories.shop()
    donation = f.received(shop=shop, lines=[{"kind": "quilt", "description": "棉被", "quantity": 3},
                                            {"kind": "clothing", "description": "棉衣", "size": "L", "quantity": 10}])
    return shop, donation, factories.user("cashier", shop=shop), factories.user("manager", shop=shop)


def tally(person, kind, key):
    return db.session.scalar(select(PickupTally.quantity).where(
        PickupTally.recipient_id == person.id, PickupTally.kind == kind, PickupTally.period_key == key))


def left(shop, kind):
    return db.session.scalar(select(func.sum(DonationLot.quantity_left)).where(
        DonationLot.shop_id == shop.id, DonationLot.kind == kind))


def test_a_partial_then_full_return_restores_stock_limits_and_figures(corner):
    shop, _donation, cashier, manager = corner
    person = f.recipient("孙奶奶")
    pickup = take(cashier, person, [{"kind": "quilt", "quantity": 1},
                                    {"kind": "clothing", "description": "棉衣", "size": "L", "quantity": 4}])
    assert (left(shop, "quilt"), left(shop, "clothing")) == (2, 6)
    clothing = next(line for line in pickup.lines if line.kind == "clothing")

    first = returns.return_pickup(user=manager, pickup_id=pickup.id, reason="尺码不合适",
                                  lines=[{"line_id": clothing.id, "qty": 3}])
    assert [(x.kind, x.quantity) for x in first.lines] == [("clothing", 3)]
    assert left(shop, "clothing") == 9 and tally(person, "clothing", "M2026-12") == 1
    assert tally(person, "clothing", "Y2026") == 1
    # the freed limit can be used again at once: 5 a month, 1 still counted
    take(cashier, person, [{"kind": "clothing", "description": "棉衣", "size": "L", "quantity": 4}])

    rest = returns.return_pickup(user=manager, pickup_id=pickup.id, reason="登记错了人")
    assert sorted((x.kind, x.quantity) for x in rest.lines) == [("clothing", 1), ("quilt", 1)]
    assert left(shop, "quilt") == 3 and tally(person, "quilt", "Y2026") == 0
    with pytest.raises(DomainError) as e:
        returns.return_pickup(user=manager, pickup_id=pickup.id, reason="再退一次")
    assert e.value.code == "conflict"

    from app.donations import services

    assert services.households_benefited(donation_id=_donation.id) == 1  # the second pickup stayed
    figures = stats.figures(shop_ids=[shop.id])
    assert figures["by_kind"]["quilt"]["picked_up"] == 0
    assert figures["by_kind"]["clothing"]["picked_up"] == 4  # only the second pickup stayed
    assert figures["by_kind"]["clothing"]["in_stock"] == 6


def test_bad_returns_write_nothing(corner):
    shop, _donation, cashier, manager = corner
    person = f.recipient("钱大爷")
    pickup = take(cashier, person, [{"kind": "clothing", "description": "棉衣", "size": "L", "quantity": 2}])
    line = pickup.lines[0]
    other_shop_manager = factories.user("manager", shop=factories.shop(district_code="411003"))
    cases = [
        (cashier, {"reason": "x"}, "forbidden"),
        (other_shop_manager, {"reason": "x"}, "forbidden"),
        (manager, {"reason": "  "}, "invalid_input"),
        (manager, {"reason": "x", "lines": [{"line_id": line.id, "qty": 3}]}, "invalid_input"),
        (manager, {"reason": "x", "lines": [{"line_id": line.id, "qty": -1}]}, "invalid_input"),
        (manager, {"reason": "x", "lines": [{"line_id": 999999, "qty": 1}]}, "invalid_input"),
        (manager, {"reason": "x", "lines": [{"line_id": line.id, "qty": 0}]}, "invalid_input"),
        (manager, {"reason": "x" * 201}, "invalid_input"),
    ]
    for user, kw, code in cases:
        with pytest.raises(DomainError) as e:
            returns.return_pickup(user=user, pickup_id=pickup.id, **kw)
        assert e.value.code == code, kw
    with pytest.raises(DomainError) as e:
        returns.return_pickup(user=manager, pickup_id=999999, reason="x")
    assert e.value.code == "not_found"
    assert db.session.scalar(select(func.count()).select_from(PickupReturn)) == 0
    assert db.session.scalar(select(func.count()).select_from(PickupReturnLine)) == 0
    assert left(shop, "clothing") == 8 and tally(person, "clothing", "M2026-12") == 2


def test_returns_are_append_only(corner):
    _shop, _donation, cashier, manager = corner
    pickup = take(cashier, f.recipient("周阿姨"), [{"kind": "quilt", "quantity": 1}])
    returns.return_pickup(user=manager, pickup_id=pickup.id, reason="不需要了")
    db.session.flush()
    for stmt in ("UPDATE pickup_return_line SET quantity = 5", "DELETE FROM pickup_return"):
        with pytest.raises(Exception), db.session.begin_nested():  # noqa: B017 - the database refuses
            db.session.execute(db.text(stmt))


def _detached_shop(app, shop_id):
    from app.auth.models import Shop

    with app.app_context():
        shop = db.session.get(Shop, shop_id)
        db.session.expunge(shop)
        return shop


def test_the_manager_returns_from_the_pickup_screen(app, login):
    with app.app_context():
        shop = factories.shop()
        f.received(shop=shop, lines=[{"kind": "clothing", "description": "棉衣", "size": "XL", "quantity": 5}])
        cashier = factories.user("cashier", shop=shop)
        person = f.recipient("吴大姐")
        pickup = take(cashier, person, [{"kind": "clothing", "description": "棉衣", "size": "XL", "quantity": 2}])
        db.session.commit()
        ids = {"shop": shop.id, "person": person.id, "pickup": pickup.id, "line": pickup.lines[0].id}
    manager = login("manager", shop=_detached_shop(app, ids["shop"]))
    html = manager.get(f"/donations/pickup?recipient_id={ids['person']}").get_data(as_text=True)
    assert "登记退回" in html and f'name="line-{ids["line"]}"' in html
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    for odd in ("一", "²", "1.5"):  # "²" passes str.isdigit() and then breaks int(): a 400, not a 500
        bad = manager.post(f"/donations/pickups/{ids['pickup']}/return",
                           data={"csrf_token": token, f"line-{ids['line']}": odd, "reason": "尺码偏大"})
        assert bad.status_code == 400 and "退回数量必须是整数" in bad.get_data(as_text=True), odd
    api_style = manager.post(f"/donations/pickups/{ids['pickup']}/return",
                             data={"csrf_token": token, f"line-{ids['line']}": "3", "reason": "尺码偏大"})
    assert api_style.status_code == 400 and "最多还能退回 2 件" in api_style.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PickupReturn)) == 0
    resp = manager.post(f"/donations/pickups/{ids['pickup']}/return",
                        data={"csrf_token": token, f"line-{ids['line']}": "1", "reason": "尺码偏大"})
    assert resp.status_code == 302
    page = manager.get(resp.headers["Location"]).get_data(as_text=True)
    assert "已登记退回 1 件" in page and "已退回 1" in page
    # a cashier sees the history but no return form
    till = login("cashier", shop=_detached_shop(app, ids["shop"]))
    assert "登记退回" not in till.get(f"/donations/pickup?recipient_id={ids['person']}").get_data(as_text=True)
