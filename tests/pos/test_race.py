"""Twenty tills in twenty shops spend the same 29-yuan voucher at once, as real processes
against PostgreSQL.

The checkout debits the voucher with one conditional UPDATE (`... WHERE balance_fen >= :x`):
exactly the balance is spent, never more. The checkout also locks the recipient's row (for the
monthly limits), which would serialise these tills by itself; both races switch that lock off so
that they show what the voucher debit alone guarantees (the product here has no limit).
The same race run with a read-then-write debit (read
the balance, compute, write it back) spends the voucher more than once: it is kept here as the
documented demonstration of why DESIGN.md forbids that pattern.
"""

from __future__ import annotations

import multiprocessing as mp
import time
import uuid

import pytest
import sqlalchemy as sa

from tests import dbutil

WORKERS = 20
pytestmark = [pytest.mark.real_commits, pytest.mark.postgres]


def _setup(app):
    from app.extensions import db
    from app.pos import services as pos
    from tests import factories
    from tests.inventory import factories as inv
    from tests.vouchers import factories as vf

    with app.app_context():
        # one till in each of 20 shops: nothing is shared between the checkouts but the voucher
        # (receipt counters and stock rows are per shop and would queue tills of one shop)
        product = inv.product("挂面 1kg", market=1200, charity=1000, voucher_eligible=True)
        cashiers = []
        for _ in range(WORKERS):
            shop = factories.shop()
            inv.stock(shop, product, 5)
            c = factories.user("cashier", shop=shop)
            pos.open_shift(cashier=c, float_fen=0)
            cashiers.append(c.id)
        voucher, code = vf.voucher(vf.recipient("并发测试"), period=_period())
        db.session.commit()
        return {"product": product.id, "cashiers": cashiers, "code": code, "voucher": voucher.id}


def _period():
    from app.core.timeutil import Period

    return str(Period.current())


def _worker(url, cashier_id, product_id, code, naive, barrier, results):
    from app.core.db import commit_with_retry
    from app.core.errors import DomainError
    from app.extensions import db
    from app.pos import checkout
    from app.recipients import services as recipients
    from app.vouchers import services as vouchers
    from tests.conftest import make_app

    app = make_app(url)
    recipients.lock_for_update = lambda recipient_id: None  # see the module docstring
    if naive:
        _install_read_then_write(vouchers)
    with app.app_context():
        from app.auth.models import User

        barrier.wait()
        for _attempt in range(50):
            def sell():
                sale, _replayed = checkout.checkout(
                    cashier=db.session.get(User, cashier_id), idempotency_key=str(uuid.uuid4()),
                    voucher_code=code, lines=[{"product_id": product_id, "qty": 1}],
                    payments=[{"method": "cash", "amount_fen": 1000}])
                return checkout.sale_result(sale)

            try:
                result = commit_with_retry(db.session, sell)
                results.put(("ok", result["voucher_paid_fen"]))
                return
            except DomainError as e:  # another till spent it first: the cashier scans the voucher again
                db.session.rollback()
                if e.code not in ("insufficient_balance", "voucher_exhausted"):
                    results.put(("error", e.code))
                    return
        results.put(("error", "gave_up"))
    db.engine.dispose()


def _install_read_then_write(vouchers):
    """Replace the conditional debit with the read-then-write bug, widened by a short pause."""
    from sqlalchemy import select, update

    from app.extensions import db
    from app.vouchers.models import Voucher

    def redeem(voucher_id, amount_fen, *, today, ref_type, ref_id):
        balance = db.session.scalar(select(Voucher.balance_fen).where(Voucher.id == voucher_id))
        time.sleep(0.2)
        if balance < amount_fen:
            from app.vouchers.errors import InsufficientBalance

            raise InsufficientBalance()
        db.session.execute(update(Voucher).where(Voucher.id == voucher_id).values(balance_fen=balance - amount_fen))
        vouchers._ledger(voucher_id, "redeem", -amount_fen, balance - amount_fen, ref_type=ref_type, ref_id=ref_id)
        return balance - amount_fen

    vouchers.redeem = redeem


def _race(fresh_app, naive: bool):
    ids = _setup(fresh_app)
    url = fresh_app.config["FRESH_DATABASE_URL"]
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(WORKERS)
    results = ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(url, cid, ids["product"], ids["code"], naive, barrier, results))
             for cid in ids["cashiers"]]
    for p in procs:
        p.start()
    outcomes = [results.get(timeout=240) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        balance = conn.scalar(sa.text("SELECT balance_fen FROM voucher WHERE id = :id"), {"id": ids["voucher"]})
        paid = conn.scalar(sa.text("SELECT coalesce(sum(voucher_paid_fen), 0) FROM pos_sale"))
        ledger = conn.scalar(sa.text("SELECT coalesce(sum(amount_fen), 0) FROM voucher_ledger WHERE voucher_id = :id"),
                             {"id": ids["voucher"]})
        receipts = conn.scalar(sa.text("SELECT count(DISTINCT receipt_no) FROM pos_sale"))
    engine.dispose()
    return outcomes, balance, paid, ledger, receipts


@pytest.fixture
def postgres_only():
    if not dbutil.is_postgres():
        pytest.skip("race tests need PostgreSQL (set TEST_DATABASE_URL); CI runs them")


def test_twenty_tills_spend_exactly_the_balance(postgres_only, fresh_app):
    outcomes, balance, paid, ledger, receipts = _race(fresh_app, naive=False)
    assert all(kind == "ok" for kind, _ in outcomes), outcomes
    assert sum(v for _, v in outcomes) == 2900 == paid
    assert balance == 0 and ledger == 0  # issue +2900, redemptions -2900
    assert receipts == WORKERS


def test_read_then_write_spends_the_voucher_twice(postgres_only, fresh_app):
    """The demonstration: with the read-then-write debit the tills together spend more than 29 yuan."""
    _outcomes, balance, paid, ledger, _ = _race(fresh_app, naive=True)
    assert paid > 2900, "the read-then-write debit should have lost updates under this race"
    assert ledger != balance  # the ledger no longer explains the balance
