"""A void and the payment of the same shop's month at the same moment, as real processes
against PostgreSQL: either the void is first and the paid amount includes its refund, or the
payment is first and the void goes to the next month. Never a void counted in a month whose
paid amount does not include it (settlement takes the shop row FOR NO KEY UPDATE, the void
rule FOR SHARE)."""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import uuid

import pytest
import sqlalchemy as sa

from tests import dbutil

SHOPS = 6
pytestmark = [pytest.mark.real_commits, pytest.mark.postgres]


@pytest.fixture
def postgres_only():
    if not dbutil.is_postgres():
        pytest.skip("race tests need PostgreSQL (set TEST_DATABASE_URL): SQLite serialises every writer")


def _setup(app) -> list[dict]:
    from app.extensions import db
    from app.pos import services as pos
    from app.pos.checkout import checkout
    from app.reports import settlement
    from app.vouchers import services as vouchers
    from tests import factories
    from tests.inventory import factories as inv
    from tests.vouchers import factories as vf

    with app.app_context():
        rice = inv.product("大米", market=3500, charity=2500, voucher_eligible=True)
        out = []
        for i in range(SHOPS):
            shop = factories.shop()
            inv.stock(shop, rice, 5)
            cashier = factories.user("cashier", shop=shop)
            manager = factories.user("manager", shop=shop)
            pos.open_shift(cashier=cashier, float_fen=0)
            voucher, _code = vf.voucher(vf.recipient(f"并发{i}"), period="2026-11")
            sale, _ = checkout(cashier=cashier, idempotency_key=str(uuid.uuid4()),
                               lines=[{"product_id": rice.id, "qty": 1}], payments=[],
                               voucher_code=vouchers.code_of(voucher), today=dt.date(2026, 11, 10))
            s = settlement.prepare(shop, "2026-11", today=dt.date(2026, 12, 5))
            out.append({"sale": sale.id, "manager": manager.id, "settlement": s.id})
        db.session.commit()
        return out


def _worker(url, role, case, barrier, results):
    from app.core.db import commit_with_retry
    from app.extensions import db
    from app.pos import voids
    from app.pos.models import Sale
    from app.reports import settlement
    from tests.conftest import make_app

    app = make_app(url)
    with app.app_context():
        from app.auth.models import User

        barrier.wait()
        if role == "void":
            def work():
                v = voids.void_sale(sale=db.session.get(Sale, case["sale"]),
                                    actor=db.session.get(User, case["manager"]), reason="并发作废",
                                    today=dt.date(2026, 12, 10))
                return v.settlement_period
        else:
            def work():
                return settlement.mark_paid(case["settlement"], reference="BANK-RACE").amount_fen
        try:
            results.put((role, case["settlement"], commit_with_retry(db.session, work)))
        except Exception as e:  # noqa: BLE001 - reported to the test
            results.put((role, case["settlement"], f"error: {e!r}"))
        db.engine.dispose()


def test_void_and_payment_of_the_same_month_serialise(postgres_only, fresh_app):
    cases = _setup(fresh_app)
    url = fresh_app.config["FRESH_DATABASE_URL"]
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(2 * SHOPS)
    results = ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(url, role, case, barrier, results))
             for case in cases for role in ("void", "pay")]
    for p in procs:
        p.start()
    outcomes = [results.get(timeout=240) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    by_case = {}
    for role, sid, value in outcomes:
        assert not str(value).startswith("error"), outcomes
        by_case.setdefault(sid, {})[role] = value
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        for sid, r in by_case.items():
            paid = conn.scalar(sa.text("SELECT amount_fen FROM rpt_settlement WHERE id = :id"), {"id": sid})
            if r["void"] == "2026-11":  # the void came first: the payment includes its refund
                assert paid == r["pay"] == 0, (sid, r)
            else:  # the payment came first: the void moved to December, November paid in full
                assert r["void"] == "2026-12" and paid == r["pay"] == 2500, (sid, r)
    engine.dispose()
