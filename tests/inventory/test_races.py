"""Real processes on a real database: concurrent sales of the last units (PostgreSQL), and a
transfer whose process dies half-way (both databases)."""

from __future__ import annotations

import multiprocessing
import os
import time

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.inventory import movements, services
from app.inventory.models import StockMove, Transfer
from tests import dbutil
from tests import factories as core_factories
from tests.inventory import factories


def _sell_one(url: str, shop_id: int, product_id: int, barrier, results) -> None:
    """Child process: wait for the others, take one unit, hold the row a moment, commit."""
    from app.inventory.errors import OutOfStock
    from tests.conftest import make_app

    app = make_app(url)
    with app.app_context():
        try:
            barrier.wait(timeout=60)
            services.take_stock(shop_id=shop_id, product_id=product_id, quantity=1, kind="sale",
                                ref_type="sale", ref_id=os.getpid(), user_id=None)
            time.sleep(0.3)  # keep the transaction open so the other sellers' UPDATEs overlap it
            db.session.commit()
            results.put("sold")
        except OutOfStock:
            db.session.rollback()
            results.put("out_of_stock")
        except Exception as e:  # noqa: BLE001 - reported to the parent, which fails the test
            results.put(f"error: {e!r}")
        finally:
            db.session.remove()
            db.engine.dispose()


@pytest.mark.real_commits
@pytest.mark.parametrize("units,sellers", [(1, 2), (2, 4)])
def test_concurrent_sales_of_the_last_units(fresh_app, units, sellers):
    if not dbutil.is_postgres():
        pytest.skip("race tests need several real connections: run with TEST_DATABASE_URL (PostgreSQL)")
    url = fresh_app.config["FRESH_DATABASE_URL"]
    with fresh_app.app_context():
        shop = core_factories.shop("RACE", name="竞争测试店")
        product = factories.product("最后一袋米")
        factories.stock(shop, product, units)
        db.session.commit()
        shop_id, product_id = shop.id, product.id
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(sellers), ctx.Queue()
    procs = [ctx.Process(target=_sell_one, args=(url, shop_id, product_id, barrier, results))
             for _ in range(sellers)]
    for p in procs:
        p.start()
    outcomes = sorted(results.get(timeout=120) for _ in procs)
    for p in procs:
        p.join(timeout=60)
    assert outcomes == ["out_of_stock"] * (sellers - units) + ["sold"] * units
    with fresh_app.app_context():
        assert services.stock_on_hand(shop_id, product_id) == 0
        sales = db.session.scalar(sa.select(sa.func.count()).select_from(StockMove)
                                  .where(StockMove.kind == "sale"))
        assert sales == units
        assert movements.verify() == []


def _transfer_and_die(url: str, from_id: int, to_id: int, lines: list) -> None:
    """Child process: start a two-line transfer and die (no commit, no rollback) after the first
    line has left one shop and reached the other."""
    from tests.conftest import make_app

    app = make_app(url)
    calls = {"n": 0}
    real = movements.apply_move

    def apply_then_die(**kwargs):
        calls["n"] += 1
        if calls["n"] == 3:  # line 1 out and in are flushed; line 2 is about to go out
            os._exit(3)
        return real(**kwargs)

    movements.apply_move = apply_then_die
    with app.app_context():
        movements.transfer(from_shop_id=from_id, to_shop_id=to_id, lines=lines)
        db.session.commit()
    os._exit(0)


@pytest.mark.real_commits
def test_a_transfer_whose_process_dies_half_way_leaves_both_shops_unchanged(fresh_app):
    url = fresh_app.config["FRESH_DATABASE_URL"]
    with fresh_app.app_context():
        a, b = core_factories.shop("CRA", name="崩溃甲"), core_factories.shop("CRB", name="崩溃乙")
        rice, oil = factories.product("崩溃测试米"), factories.product("崩溃测试油")
        factories.stock(a, rice, 5)
        factories.stock(a, oil, 5)
        db.session.commit()
        ids = (a.id, b.id, rice.id, oil.id)
        before = [services.stock_on_hand(s, p) for s in ids[:2] for p in ids[2:]]
        moves_before = db.session.scalar(sa.select(sa.func.count()).select_from(StockMove))
    ctx = multiprocessing.get_context("spawn")
    proc = ctx.Process(target=_transfer_and_die,
                       args=(url, ids[0], ids[1], [{"product_id": ids[2], "quantity": 2},
                                                   {"product_id": ids[3], "quantity": 2}]))
    proc.start()
    proc.join(timeout=120)
    assert proc.exitcode == 3  # it really died in the middle
    with fresh_app.app_context():
        db.session.remove()
        assert [services.stock_on_hand(s, p) for s in ids[:2] for p in ids[2:]] == before == [5, 5, 0, 0]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(StockMove)) == moves_before
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Transfer)) == 0
        assert movements.verify() == []
