"""Races with real processes against PostgreSQL: two cashiers hand out the last quilt at once, one
recipient asks for a quilt at two shops at once, two managers take the same pickup back at once.
Exactly one succeeds each time."""

from __future__ import annotations

import multiprocessing

import pytest
from sqlalchemy import func, select

from app.donations.models import DonationLot, Pickup, PickupLine, PickupTally
from app.extensions import db
from tests import dbutil, factories
from tests.donations import factories as f

ROUNDS = 3
pytestmark = [
    pytest.mark.real_commits,
    pytest.mark.skipif(not dbutil.is_postgres(),
                       reason="race tests need real concurrent transactions: run with TEST_DATABASE_URL (PostgreSQL)"),
]


def _act(action: str, user, target_id: int, key: str) -> None:
    """One step of a racing process: a quilt pickup for a recipient, or taking a pickup back."""
    from app.donations import pickups, returns

    if action == "pickup":
        pickups.record_pickup(user=user, recipient_id=target_id, idempotency_key=key,
                              lines=[{"kind": "quilt", "quantity": 1}])
    else:
        returns.return_pickup(user=user, pickup_id=target_id, reason="尺码不合适")


def _worker(url: str, action: str, jobs: list[tuple[int, int, str]], barrier, results) -> None:
    """One till (or manager) process: for each round, wait for the other one, then act."""
    from app.auth import services as auth_services
    from app.core.errors import DomainError
    from app.extensions import db as _db
    from tests.conftest import make_app

    app = make_app(url)
    with app.app_context():
        for user_id, target_id, key in jobs:
            user = auth_services.get_user(user_id)
            barrier.wait(timeout=60)
            try:
                _act(action, user, target_id, key)
                _db.session.commit()
                results.put((key, "ok"))
            except DomainError as e:
                _db.session.rollback()
                results.put((key, e.code))
        _db.engine.dispose()


def _race(url: str, jobs_a: list, jobs_b: list, action: str = "pickup") -> dict[str, str]:
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(2)
    results = ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(url, action, jobs, barrier, results)) for jobs in (jobs_a, jobs_b)]
    for p in procs:
        p.start()
    out = dict(results.get(timeout=120) for _ in range(len(jobs_a) + len(jobs_b)))
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    return out


def test_two_cashiers_hand_out_the_last_quilt_at_once(fresh_app):
    url = fresh_app.config["FRESH_DATABASE_URL"]
    jobs_a, jobs_b, shops = [], [], []
    with fresh_app.app_context():
        admin = factories.user("admin")
        for n in range(ROUNDS):
            shop = factories.shop()
            f.received(shop=shop, manager=admin, lines=[{"kind": "quilt", "description": "棉被", "quantity": 1}])
            one, two = factories.user("cashier", shop=shop), factories.user("cashier", shop=shop)
            jobs_a.append((one.id, f.recipient(f"甲{n}").id, f"race-last-a-{n}"))
            jobs_b.append((two.id, f.recipient(f"乙{n}").id, f"race-last-b-{n}"))
            shops.append(shop.id)
        db.session.commit()
    outcome = _race(url, jobs_a, jobs_b)
    for n in range(ROUNDS):
        assert sorted([outcome[f"race-last-a-{n}"], outcome[f"race-last-b-{n}"]]) == ["ok", "out_of_stock"]
    with fresh_app.app_context():
        for shop_id in shops:
            assert db.session.scalar(select(DonationLot.quantity_left).where(DonationLot.shop_id == shop_id)) == 0
            lines = db.session.scalar(select(func.sum(PickupLine.quantity)).join(Pickup)
                                      .where(Pickup.shop_id == shop_id))
            assert lines == 1
        # the loser wrote nothing: no pickup, no tally
        assert db.session.scalar(select(func.count(Pickup.id))) == ROUNDS
        assert db.session.scalar(select(func.count(PickupTally.id))) == 2 * ROUNDS  # year + month per winner


def test_one_recipient_cannot_take_two_quilts_at_two_shops_at_once(fresh_app):
    url = fresh_app.config["FRESH_DATABASE_URL"]
    jobs_a, jobs_b, people = [], [], []
    with fresh_app.app_context():
        admin = factories.user("admin")
        shop_a, shop_b = factories.shop(), factories.shop(district_code="411003")
        for shop in (shop_a, shop_b):
            f.received(shop=shop, manager=admin, lines=[{"kind": "quilt", "description": "棉被", "quantity": 10}])
        at_a, at_b = factories.user("cashier", shop=shop_a), factories.user("cashier", shop=shop_b)
        for n in range(ROUNDS):
            person = f.recipient(f"丙{n}")
            people.append(person.id)
            jobs_a.append((at_a.id, person.id, f"race-limit-a-{n}"))
            jobs_b.append((at_b.id, person.id, f"race-limit-b-{n}"))
        db.session.commit()
    outcome = _race(url, jobs_a, jobs_b)
    for n in range(ROUNDS):
        assert sorted([outcome[f"race-limit-a-{n}"], outcome[f"race-limit-b-{n}"]]) == ["limit_exceeded", "ok"]
    with fresh_app.app_context():
        for person in people:
            taken = db.session.scalar(select(func.sum(PickupLine.quantity)).join(Pickup)
                                      .where(Pickup.recipient_id == person))
            assert taken == 1
        assert db.session.scalar(select(func.sum(DonationLot.quantity_left))) == 20 - ROUNDS


def test_two_managers_take_the_same_pickup_back_at_once(fresh_app):
    from app.donations import pickups
    from app.donations.models import PickupReturnLine

    url = fresh_app.config["FRESH_DATABASE_URL"]
    jobs_a, jobs_b = [], []
    with fresh_app.app_context():
        admin = factories.user("admin")
        shop = factories.shop()
        f.received(shop=shop, manager=admin, lines=[{"kind": "clothing", "description": "棉衣", "quantity": 20}])
        cashier = factories.user("cashier", shop=shop)
        one, two = factories.user("manager", shop=shop), factories.user("manager", shop=shop)
        for n in range(ROUNDS):
            pickup = pickups.record_pickup(user=cashier, recipient_id=f.recipient(f"丁{n}").id,
                                           idempotency_key=f"race-return-pickup-{n}",
                                           lines=[{"kind": "clothing", "quantity": 2}])
            jobs_a.append((one.id, pickup.id, f"race-return-a-{n}"))
            jobs_b.append((two.id, pickup.id, f"race-return-b-{n}"))
        db.session.commit()
    outcome = _race(url, jobs_a, jobs_b, action="return")
    for n in range(ROUNDS):
        assert sorted([outcome[f"race-return-a-{n}"], outcome[f"race-return-b-{n}"]]) == ["conflict", "ok"]
    with fresh_app.app_context():
        assert db.session.scalar(select(func.sum(PickupReturnLine.quantity))) == 2 * ROUNDS
        assert db.session.scalar(select(DonationLot.quantity_left)) == 20  # every piece back, once
        assert db.session.scalar(select(func.sum(PickupTally.quantity))) == 0
