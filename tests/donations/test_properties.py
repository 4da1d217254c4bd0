"""Property: after any sequence of pickups and returns, each outcome matches a simple model, every
lot's balance equals what came in minus the lines drawn from it plus the pieces returned to it,
and every tally equals its pickup lines less their returns."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.donations import pickups, returns
from app.donations.errors import LimitExceeded, OutOfStock
from app.donations.models import DonationLot, Pickup, PickupLine, PickupReturnLine, PickupTally
from app.extensions import db
from tests import factories
from tests.donations import factories as f
from tests.donations.conftest import at

STOCK = {"quilt": 3, "clothing": 8, "shoes": 2}
LIMITS = {"quilt": (1, "year"), "clothing": (5, "month")}
START = dt.date(2026, 11, 20)


@pytest.fixture
def tills(app_ctx):
    shops = [factories.shop(), factories.shop()]
    return ([factories.user("cashier", shop=s) for s in shops], factories.user("admin"),
            [factories.user("manager", shop=s) for s in shops])


# (who, kind, quantity, day offset, till, 0 = the manager takes the whole pickup back at once)
operation = st.tuples(st.integers(0, 2), st.sampled_from(sorted(STOCK)), st.integers(1, 4),
                      st.integers(0, 60), st.integers(0, 1), st.integers(0, 3))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(operation, min_size=1, max_size=10))
def test_pickups_follow_the_model_and_the_books_balance(tills, ops):
    tills, admin, managers = tills
    example = db.session.begin_nested()  # every example starts from the same state
    try:
        for till in tills:
            f.received(shop=till.shop, manager=admin,
                       lines=[{"kind": k, "description": k, "quantity": n} for k, n in STOCK.items()])
        people = [f.recipient(f"对象{i}") for i in range(3)]
        stock = {(t.shop_id, k): n for t in tills for k, n in STOCK.items()}
        taken: dict[tuple, int] = {}
        for n, (who, kind, qty, offset, till_no, back) in enumerate(sorted(ops, key=lambda o: o[3])):
            day = START + dt.timedelta(days=offset)
            till = tills[till_no]
            limit = LIMITS.get(kind)
            key = (who, kind, day.year if limit and limit[1] == "year" else (day.year, day.month))
            over_limit = limit is not None and taken.get(key, 0) + qty > limit[0]
            short = stock[(till.shop_id, kind)] < qty
            try:
                with db.session.begin_nested():
                    pickup = pickups.record_pickup(user=till, recipient_id=people[who].id, now=at(day.isoformat()),
                                          idempotency_key=f"prop-{n:04d}-{who}-{kind}",
                                          lines=[{"kind": kind, "quantity": qty}])
                outcome = "ok"
            except LimitExceeded:
                outcome = "limit"
            except OutOfStock:
                outcome = "stock"
            assert outcome == ("limit" if over_limit else "stock" if short else "ok")
            if outcome == "ok":
                stock[(till.shop_id, kind)] -= qty
                taken[key] = taken.get(key, 0) + qty
                if back == 0:
                    returns.return_pickup(user=managers[till_no], pickup_id=pickup.id, reason="尺码不合适")
                    stock[(till.shop_id, kind)] += qty
                    taken[key] -= qty

        lots = db.session.execute(select(DonationLot.id, DonationLot.shop_id, DonationLot.kind,
                                         DonationLot.quantity_in, DonationLot.quantity_left)
                                  .where(DonationLot.shop_id.in_([t.shop_id for t in tills]))).all()
        for lot in lots:
            drawn = db.session.scalar(select(func.coalesce(func.sum(PickupLine.quantity), 0))
                                      .where(PickupLine.lot_id == lot.id))
            back = db.session.scalar(select(func.coalesce(func.sum(PickupReturnLine.quantity), 0))
                                     .where(PickupReturnLine.lot_id == lot.id))
            assert 0 <= lot.quantity_left == lot.quantity_in - drawn + back
        for (shop_id, kind), left in stock.items():
            assert sum(x.quantity_left for x in lots if x.shop_id == shop_id and x.kind == kind) == left
        ids = [p.id for p in people]
        for tally in db.session.scalars(select(PickupTally).where(PickupTally.recipient_id.in_(ids))):
            returned = (select(PickupReturnLine.pickup_line_id, func.sum(PickupReturnLine.quantity).label("n"))
                        .group_by(PickupReturnLine.pickup_line_id).subquery())
            lines = db.session.execute(
                select(Pickup.business_date, PickupLine.quantity - func.coalesce(returned.c.n, 0))
                .join(Pickup, Pickup.id == PickupLine.pickup_id)
                .outerjoin(returned, returned.c.pickup_line_id == PickupLine.id)
                .where(Pickup.recipient_id == tally.recipient_id, PickupLine.kind == tally.kind)).all()
            assert tally.quantity == sum(q for day, q in lines if tally.period_key in (
                f"Y{day.year}", f"M{day.year:04d}-{day.month:02d}"))
    finally:
        example.rollback()
