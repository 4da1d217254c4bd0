"""Inventory figures: catalogue import, product search, sales through take_stock (one commit each,
like the till), stock verification. Prints numbers; asserts nothing.

    .venv/bin/python bench/inventory_bench.py                 # a throw-away SQLite file
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/inventory_bench.py
      (creates and drops its own database beside the one named)
    options: --products 3000 --sales 2000 --procs 2
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def make_url() -> tuple[str, callable]:
    import sqlalchemy as sa

    base = os.environ.get("BENCH_DATABASE_URL")
    if not base:
        path = Path(tempfile.mkdtemp(prefix="inv-bench-")) / "bench.db"
        return f"sqlite:///{path}", lambda: None
    from app.config import normalise_db_url

    base = normalise_db_url(base)
    name = f"inv_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.engine.make_url(base).set(database=name).render_as_string(hide_password=False)

    def drop():
        with admin.connect() as c:
            c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()

    return url, drop


def app_for(url: str):
    from tests.conftest import make_app

    return make_app(url)


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


def seller(url, shop_id, product_ids, n, out):
    from app.extensions import db
    from app.inventory import services
    from app.inventory.errors import OutOfStock

    app = app_for(url)
    times, refused = [], 0
    with app.app_context():
        for i in range(n):
            t = time.perf_counter()
            try:
                services.take_stock(shop_id=shop_id, product_id=product_ids[i % len(product_ids)], quantity=1,
                                    kind="sale", ref_type="sale", ref_id=i, user_id=None)
                db.session.commit()
            except OutOfStock:
                db.session.rollback()
                refused += 1
            times.append(time.perf_counter() - t)
        db.engine.dispose()
    out.put((times, refused))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--products", type=int, default=3000)
    ap.add_argument("--sales", type=int, default=2000)
    ap.add_argument("--procs", type=int, default=2)
    args = ap.parse_args()
    os.environ.setdefault("APP_ENV", "testing")
    url, drop = make_url()
    try:
        run(url, args)
    finally:
        drop()


def run(url, args) -> None:
    from flask_migrate import upgrade

    from app.auth import services as auth_services
    from app.core.money import format_fen_plain
    from app.extensions import db
    from app.inventory import catalogue_io, movements, services
    from app.inventory.barcodes import make_ean13

    app = app_for(url)
    with app.app_context():
        upgrade()
        dialect = db.engine.dialect.name
        shop = auth_services.create_shop(code="BENCH", name="基准测试店", district_code="411002")
        services.create_category(name="基准分类")
        db.session.commit()
        shop_id = shop.id
        rows = ["条码,名称,分类,单位,市场价,慈善价,可用购物券"]
        for i in range(args.products):
            market = 500 + (i * 37) % 6000
            rows.append(f"{make_ean13(f'693{i:09d}')},基准商品{i} 大米面粉食用油,基准分类,袋,"
                        f"{format_fen_plain(market)},{format_fen_plain(market * 3 // 4)},是")
        data = "\n".join(rows).encode()
        t = time.perf_counter()
        result = catalogue_io.import_catalogue(data, "bench.csv")
        db.session.commit()
        t_import = time.perf_counter() - t
        print(f"database: {dialect}")
        print(f"import: {result.created} products in {t_import:.2f} s ({result.created / t_import:.0f} rows/s)")

        product_ids = [p.id for p in services.search_products(limit=500)][:200]
        movements.receive(shop_id=shop_id, supplier="基准", received_by="基准",
                          lines=[{"product_id": pid, "quantity": 100_000} for pid in product_ids])
        db.session.commit()

        lat = []
        for i in range(300):
            t = time.perf_counter()
            services.search_products(f"基准商品{i * 7 % args.products}", shop_id=shop_id)
            lat.append(time.perf_counter() - t)
        print(f"search by name (+stock): median {statistics.median(lat) * 1000:.2f} ms, "
              f"p99 {pct(lat, 0.99) * 1000:.2f} ms")
        codes = [p.barcode for p in services.search_products(limit=300)]
        lat = []
        for code in codes:
            t = time.perf_counter()
            services.search_products(barcode=code, shop_id=shop_id)
            lat.append(time.perf_counter() - t)
        print(f"barcode look-up (+stock): median {statistics.median(lat) * 1000:.2f} ms, "
              f"p99 {pct(lat, 0.99) * 1000:.2f} ms")
        db.session.remove()
        db.engine.dispose()

    ctx = multiprocessing.get_context("spawn")
    for procs in sorted({1, args.procs}):
        out = ctx.Queue()
        each = args.sales // procs
        ps = [ctx.Process(target=seller, args=(url, shop_id, product_ids[:20], each, out)) for _ in range(procs)]
        t = time.perf_counter()
        for p in ps:
            p.start()
        results = [out.get(timeout=600) for _ in ps]
        for p in ps:
            p.join()
        wall = time.perf_counter() - t
        times = [x for r, _ in results for x in r]
        print(f"sales, {procs} process(es) on 20 products: {len(times)} in {wall:.2f} s wall "
              f"(incl. start-up), per sale median {statistics.median(times) * 1000:.2f} ms, "
              f"p99 {pct(times, 0.99) * 1000:.2f} ms, {len(times) / sum(times) * procs:.0f} sales/s")

    with app.app_context():
        t = time.perf_counter()
        diffs = movements.verify()
        print(f"verify: {len(diffs)} differences, {time.perf_counter() - t:.2f} s")
        db.session.remove()
        db.engine.dispose()


if __name__ == "__main__":
    main()
