"""Pickup limits per kind and period, across shops; configurable; the refusal says when."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.core.errors import Forbidden
from app.donations import pickups
from app.donations.errors import LimitExceeded
from app.donations.models import PickupLine, PickupTally
from app.extensions import db
from tests import factories
from tests.donations import factories as f
from tests.donations.conftest import at

_keys = iter(range(10**6))


def take(cashier, person, kind, n, when, *, hour=10, **extra):
    return pickups.record_pickup(user=cashier, recipient_id=person.id, now=at(when, hour),
                                 idempotency_key=f"limit-test-{next(_keys):08d}",
                                 lines=[{"kind": kind, "quantity": n, **extra}])


@pytest.fixture
def two_shops(app_ctx):
    a, b = factories.shop(), factories.shop(district_code="411003")
    for shop in (a, b):
        f.received(shop=shop, lines=[{"kind": "quilt", "description": "棉被", "quantity": 5},
                                     {"kind": "clothing", "description": "棉衣", "quantity": 30},
                                     {"kind": "shoes", "description": "棉鞋", "quantity": 10}])
    return factories.user("cashier", shop=a), factories.user("cashier", shop=b)


def test_default_limits_are_quilts_one_a_year_and_clothing_five_a_month(app_ctx):
    limits = pickups.limits()
    assert (limits["quilt"].quantity, limits["quilt"].period) == (1, "year")
    assert (limits["clothing"].quantity, limits["clothing"].period) == (5, "month")
    assert "shoes" not in limits and "other" not in limits


def test_one_quilt_a_calendar_year_across_shops(two_shops):
    at_a, at_b = two_shops
    person = f.recipient("孙奶奶")
    take(at_a, person, "quilt", 1, "2026-02-10")
    with pytest.raises(LimitExceeded) as refused:
        take(at_b, person, "quilt", 1, "2026-12-31", hour=23)
    assert "棉被每人每自然年限领 1 件，今年已领 1 件" in str(refused.value.message)
    assert "2027-01-01 起可再领取" in str(refused.value.message)
    assert refused.value.details["next_date"] == "2027-01-01"
    # 1 January in Shanghai is a new year even though it is still 31 December in UTC
    take(at_b, person, "quilt", 1, "2027-01-01", hour=0)


def test_five_pieces_of_clothing_a_month_across_shops(two_shops):
    at_a, at_b = two_shops
    person = f.recipient("钱大爷")
    take(at_a, person, "clothing", 3, "2026-03-01")
    with pytest.raises(LimitExceeded) as refused:
        take(at_b, person, "clothing", 3, "2026-03-31")
    message = str(refused.value.message)
    assert "本月已领 3 件" in message and "本期还可领 2 件" in message and "2026-04-01 起可再领取" in message
    take(at_b, person, "clothing", 2, "2026-03-31")
    with pytest.raises(LimitExceeded):
        take(at_a, person, "clothing", 1, "2026-03-31")
    with pytest.raises(LimitExceeded):
        take(at_a, person, "clothing", 6, "2026-04-01")  # more than a month's limit at once
    take(at_a, person, "clothing", 5, "2026-04-01")
    taken = db.session.scalar(select(func.sum(PickupLine.quantity)).where(PickupLine.kind == "clothing"))
    assert taken == 10
    info = pickups.eligibility(recipient_id=person.id, shop_id=at_a.shop_id, now=at("2026-04-15"))
    clothing = info["kinds"]["clothing"]
    assert (clothing["taken"], clothing["remaining"], clothing["may_take"]) == (5, 0, 0)
    assert clothing["next_date"] == "2026-05-01" and clothing["stock"] == 30 - 3 - 5  # shop A handed out 3 + 5


def test_limits_are_configurable(two_shops, app_ctx):
    at_a, _ = two_shops
    admin = factories.user("admin")
    pickups.set_limit(user=admin, kind="shoes", quantity=2, period="month")
    pickups.set_limit(user=admin, kind="clothing", quantity=None)
    person = f.recipient("周阿姨")
    take(at_a, person, "clothing", 12, "2026-05-02")  # no clothing limit any more
    take(at_a, person, "shoes", 2, "2026-05-02")
    with pytest.raises(LimitExceeded):
        take(at_a, person, "shoes", 1, "2026-05-20")
    # the year tallies were kept all along, so a switch to a yearly limit counts what was taken
    pickups.set_limit(user=admin, kind="clothing", quantity=15, period="year")
    with pytest.raises(LimitExceeded) as refused:
        take(at_a, person, "clothing", 4, "2026-06-01")
    assert refused.value.details["taken"] == 12
    with pytest.raises(Forbidden):
        pickups.set_limit(user=factories.user("federation", district_code="411002"), kind="quilt", quantity=3)


def test_tallies_equal_the_pickup_lines(two_shops):
    at_a, at_b = two_shops
    people = [f.recipient(f"对象{i}") for i in range(3)]
    plan = [(0, "clothing", 2, "2026-01-05"), (0, "clothing", 3, "2026-01-20"), (1, "quilt", 1, "2026-01-21"),
            (1, "clothing", 5, "2026-02-01"), (2, "shoes", 4, "2026-02-02"), (0, "clothing", 1, "2026-02-03")]
    for n, (who, kind, qty, day) in enumerate(plan):
        take(at_a if n % 2 else at_b, people[who], kind, qty, day)
    for tally in db.session.scalars(select(PickupTally)):
        expected = sum(q for who, kind, q, day in plan if people[who].id == tally.recipient_id
                       and kind == tally.kind and (f"Y{day[:4]}" == tally.period_key
                                                   or f"M{day[:7]}" == tally.period_key))
        assert tally.quantity == expected, tally.period_key
