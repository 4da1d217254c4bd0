"""A till's checkout killed (SIGKILL) at random moments during 200 sales (issue 13).

The sales run in a child process that the test kills at random moments and starts again for the
keys not yet sold, as a till whose worker died would send them again. Afterwards: `verify` agrees
(stock, vouchers, payments, shifts), every sale is whole or absent, every idempotency key replays
to the sale it made, and on SQLite the file passes `PRAGMA integrity_check`.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import time

import pytest
from sqlalchemy import func, select, text

from app.extensions import db

SALES = 200
KILLS = 8


def _plan(n: int) -> list[dict]:
    """Sale i: one or two products; every third with a voucher (it pays what it may)."""
    return [{"key": f"sigkill-{i:04d}", "voucher": i % 3 == 0, "two": i % 2 == 0} for i in range(n)]


def _lines(ids: dict, sale: dict) -> list[dict]:
    lines = [{"product_id": ids["oil"], "qty": 1}]
    if sale["two"]:
        lines.append({"product_id": ids["salt"], "qty": 2})
    return lines


def _sell(url: str, ids: dict, todo: list[dict], done) -> None:
    """Child process: sell each planned sale (each its own transaction, committed), like a till."""
    from app.auth.models import User
    from app.pos.checkout import checkout, quote
    from tests.conftest import make_app

    app = make_app(url)
    with app.app_context():
        for sale in todo:
            cashier = db.session.get(User, ids["cashier"])
            code = ids["codes"][int(sale["key"][-4:]) % len(ids["codes"])] if sale["voucher"] else None
            lines = _lines(ids, sale)
            due = quote(lines=lines, voucher_code=code).due_fen
            checkout(cashier=cashier, idempotency_key=sale["key"], lines=lines, voucher_code=code,
                     payments=[{"method": "cash", "amount_fen": due}] if due else [])
            db.session.commit()
            db.session.remove()
            with done.get_lock():
                done.value += 1


def _seed(app) -> dict:
    from app.pos import services as pos
    from tests import factories
    from tests.inventory import factories as inv
    from tests.vouchers import factories as vf

    with app.app_context():
        shop = factories.shop()
        cashier = factories.user("cashier", shop=shop)
        staples = inv.category("米面油", voucher_allowed=True)
        oil = inv.product("大豆油 5L", category=staples, market=6800, charity=990, unit="桶",
                          voucher_eligible=True)
        salt = inv.product("加碘精制盐 400g", category=staples, market=250, charity=180, unit="包",
                           voucher_eligible=True)
        inv.stock(shop, oil, 1000)
        inv.stock(shop, salt, 1000)
        from app.core.timeutil import Period, business_today

        month = str(Period.of(business_today()))  # the sales are made today
        codes = []
        for i in range(40):
            _, code = vf.voucher(vf.recipient(f"测试{i}"), period=month)
            codes.append(code)
        pos.open_shift(cashier=cashier, float_fen=10000)
        db.session.commit()
        return {"cashier": cashier.id, "shop": shop.id, "oil": oil.id, "salt": salt.id, "codes": codes}


def _sold_keys() -> set[str]:
    from app.pos.models import Sale

    return set(db.session.scalars(select(Sale.idempotency_key).where(Sale.idempotency_key.like("sigkill-%"))))


@pytest.mark.real_commits
def test_checkouts_killed_at_random_moments_leave_whole_sales_and_balanced_books(fresh_app):
    url = fresh_app.config["FRESH_DATABASE_URL"]
    ids = _seed(fresh_app)
    plan = _plan(SALES)
    rnd = random.Random(20261202)
    ctx = multiprocessing.get_context("spawn")
    kills = 0
    for _round in range(KILLS + 1):
        with fresh_app.app_context():
            sold = _sold_keys()
            db.session.remove()
        todo = [s for s in plan if s["key"] not in sold]
        if not todo:
            break
        done = ctx.Value("i", 0)
        child = ctx.Process(target=_sell, args=(url, ids, todo, done))
        child.start()
        if kills < KILLS:
            # once the child sells (its app has started), a random moment within the next few
            # sales: before, during or after a checkout's transaction
            deadline = time.monotonic() + 120
            while done.value == 0 and child.is_alive() and time.monotonic() < deadline:
                time.sleep(0.005)
            time.sleep(rnd.uniform(0.0, 0.25))
            if child.is_alive():
                os.kill(child.pid, signal.SIGKILL)
                kills += 1
        child.join(300)
        assert child.exitcode in (0, -signal.SIGKILL), child.exitcode
    assert kills >= 3, "the child should have been killed mid-way several times"

    from app.auth.models import User
    from app.pos.checkout import checkout
    from app.pos.models import Payment, Sale, SaleLine
    from app.reports import verify

    with fresh_app.app_context():
        assert _sold_keys() == {s["key"] for s in plan}  # the restarts sold the rest
        # whole or absent: every sale has its lines and payments, and they add up (verify too)
        per_sale = dict(db.session.execute(select(SaleLine.sale_id, func.count()).group_by(SaleLine.sale_id)).all())
        paid = dict(db.session.execute(select(Payment.sale_id, func.sum(Payment.amount_fen))
                                       .group_by(Payment.sale_id)).all())
        sales = {s.idempotency_key: s for s in db.session.scalars(select(Sale))}
        for s in plan:
            sale = sales[s["key"]]
            assert per_sale[sale.id] == (2 if s["two"] else 1)
            assert paid.get(sale.id, 0) - sale.change_fen == sale.total_fen
        report = verify.run()
        assert report["ok"], [c for c in report["checks"] if not c["ok"]]
        # every key replays to the sale it made: no second sale, the same answer
        cashier = db.session.get(User, ids["cashier"])
        for s in plan[::7]:
            code = ids["codes"][int(s["key"][-4:]) % len(ids["codes"])] if s["voucher"] else None
            sale = sales[s["key"]]
            payments = [p for p in sale.payments if p.method == "cash"]
            replay, replayed = checkout(cashier=cashier, idempotency_key=s["key"], lines=_lines(ids, s),
                                        voucher_code=code,
                                        payments=[{"method": "cash", "amount_fen": payments[0].amount_fen}]
                                        if payments else [])
            assert replayed and replay.id == sale.id
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(Sale)) == SALES
        if db.engine.dialect.name == "sqlite":
            assert db.session.execute(text("PRAGMA integrity_check")).scalar() == "ok"
