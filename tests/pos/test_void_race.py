"""The double-tapped void of issue 10, replayed with real processes on PostgreSQL.

Eight managers' requests void one ¥12.90 cash sale at the same moment, each with a key of its own
(eight different taps, not one tap sent twice: that is the idempotency key's case, raced in
tests/test_exactly_once.py). The sale's row is locked before its earlier voids are read, so one
void wins and the others answer 409 `already_voided`; a mix of whole and partial voids never voids
more than was sold. With the lock taken away (the worker replaces `lock_sale` by a plain read),
the same race voids the sale more than once — and `flask verify` reports it.
"""

from __future__ import annotations

import time
import uuid

import pytest
import sqlalchemy as sa

from tests import dbutil
from tests.race import Env, RacePool, Req

WORKERS = 8
pytestmark = [pytest.mark.real_commits, pytest.mark.postgres]


def take_the_lock_away() -> None:
    """Run in each worker: the void reads the sale without locking it (the bug of issue 10)."""
    from app.extensions import db
    from app.pos import services
    from app.pos.models import Sale

    def lock_sale(sale_id):
        sale = db.session.get(Sale, sale_id)
        time.sleep(0.2)  # the others read the same earlier voids meanwhile
        return sale

    services.lock_sale = lock_sale


@pytest.fixture
def racing(request):
    if not dbutil.is_postgres():
        pytest.skip("race tests need PostgreSQL (set TEST_DATABASE_URL); CI runs them")
    from flask_migrate import upgrade

    from app.extensions import db
    from tests.conftest import make_app

    url = dbutil.create_fresh_database()
    app = make_app(url)
    with app.app_context():
        upgrade()
        db.session.remove()
    pools = []

    def start(init=None) -> Env:
        pool = RacePool(url, workers=WORKERS, init=init)
        pools.append(pool)
        return Env(app, pool)

    yield start
    for pool in pools:
        pool.close()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    dbutil.drop_database(url)


def _sale(env, qty):
    from tests.pos.races import cash_sale

    with env.ctx():
        ids, manager = cash_sale(env, qty=qty)
        return ids, env.login(manager)


def _void(ids, who, lines=None) -> Req:
    body = {"idempotency_key": str(uuid.uuid4()), "reason": "顾客退货"}
    if lines is not None:
        body["lines"] = lines
    return Req("POST", f"/api/v1/sales/{ids.sale}/void", json=body, who=who)


def _books(env, sale_id):
    def read():
        from app.extensions import db

        voids = db.session.scalar(sa.text("SELECT count(*) FROM pos_void WHERE sale_id = :s"), {"s": sale_id})
        units = db.session.scalar(sa.text(
            "SELECT coalesce(sum(vl.quantity), 0) FROM pos_void_line vl JOIN pos_void v ON v.id = vl.void_id "
            "WHERE v.sale_id = :s"), {"s": sale_id})
        cash = db.session.execute(sa.text("SELECT refunds FROM pos_void WHERE sale_id = :s"), {"s": sale_id}).scalars()
        return voids, int(units), sum(int((r or {}).get("cash", 0)) for r in cash)

    return env.measure(read)


def _verify_differences(env) -> list[str]:
    """Every difference `flask verify` finds, as the line it prints."""
    from app.core.books import describe
    from app.reports import verify

    with env.ctx():
        report = verify.run()
    return [describe(d) for check in report["checks"] for d in check["differences"]]


def test_eight_voids_of_one_sale_at_once_void_it_once(racing):
    env = racing()
    ids, who = _sale(env, qty=1)
    answers = env.pool.race_each([_void(ids, who) for _ in range(WORKERS)])
    statuses = sorted(a.status for a in answers)
    assert statuses == [201] + [409] * (WORKERS - 1), [(a.status, a.body) for a in answers]
    assert {a.code for a in answers if a.status == 409} == {"already_voided"}
    assert _books(env, ids.sale) == (1, 1, 1290)  # ¥12.90 out of the drawer once, one unit back
    assert _verify_differences(env) == []


def test_whole_and_partial_voids_at_once_never_void_more_than_was_sold(racing):
    env = racing()
    ids, who = _sale(env, qty=3)
    from app.extensions import db

    with env.ctx():
        line_id = db.session.scalar(sa.text("SELECT id FROM pos_sale_line WHERE sale_id = :s"), {"s": ids.sale})
    reqs = [_void(ids, who) if i % 2 else _void(ids, who, [{"line_id": line_id, "qty": 1}]) for i in range(WORKERS)]
    answers = env.pool.race_each(reqs)
    assert all(a.status in (201, 409) for a in answers), [(a.status, a.body) for a in answers]
    voids, units, cash = _books(env, ids.sale)
    assert units == 3 and cash == 3 * 1290  # all of it voided, exactly once
    assert voids == sum(a.status == 201 for a in answers)
    assert _verify_differences(env) == []


def test_without_the_lock_the_void_pays_out_twice_and_verify_reports_it(racing):
    """The demonstration: take the lock away and the same race voids the sale again and again."""
    env = racing(init="tests.pos.test_void_race:take_the_lock_away")
    # a race shows itself only when the transactions overlap: on a loaded machine one round may
    # happen to run one after another, so up to five sales are raced until one is voided twice
    for _attempt in range(5):
        ids, who = _sale(env, qty=1)
        env.pool.race_each([_void(ids, who) for _ in range(WORKERS)])
        voids, units, cash = _books(env, ids.sale)
        if voids > 1:
            break
    assert voids > 1 and units > 1 and cash > 1290, "the unlocked void should have voided the sale more than once"
    differences = _verify_differences(env)
    assert any(str(ids.sale) in d and "void" in d.lower() for d in differences), differences
