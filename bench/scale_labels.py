"""Weighed goods: what reading a scale label and pricing weights cost, against their piece-goods
counterparts. Prints figures and ratios; asserts nothing.

    .venv/bin/python bench/scale_labels.py                 # a throw-away SQLite file
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/scale_labels.py
    options: --products 3000 --weighed 300 --n 400

A catalogue of `--products` products of which `--weighed` are sold by weight (PLUs 1..N), stock
at one shop; a cashier's test client. Measured, each `--n` times:
- GET /api/v1/scale-labels/<label> (a weight label of a random weighed product), against
  GET /api/v1/products?barcode=<EAN-13> of a random piece product (what a scan costs);
- checkout.quote() of 10 lines: 10 weighed lines by grams, against 10 piece lines.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.inventory_bench import app_for, make_url, pct  # noqa: E402


def timed(fn, n: int) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def line(label: str, ms: list[float]) -> float:
    med = statistics.median(ms)
    print(f"{label:<44} median {med:6.2f} ms   p99 {pct(ms, 0.99):6.2f} ms")
    return med


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--products", type=int, default=3000)
    ap.add_argument("--weighed", type=int, default=300)
    ap.add_argument("--n", type=int, default=400)
    args = ap.parse_args()
    url, drop = make_url()
    try:
        app = app_for(url)
        from flask_migrate import upgrade

        from app.auth import services as auth
        from app.extensions import db
        from app.inventory import movements, scale_labels
        from app.inventory import services as inventory
        from app.inventory.barcodes import make_ean13
        from app.pos.checkout import quote

        with app.app_context():
            upgrade()
            shop = auth.create_shop(code="SCALE", name="称重压测店", district_code="411002")
            auth.create_user(username="scalebench", role="cashier", password="bench-password-1", shop_code="SCALE")
            cat = inventory.create_category(name="副食")
            weighed, pieces = [], []
            for i in range(args.products):
                if i < args.weighed:
                    p = inventory.create_product(barcode=f"SZ-W{i:05d}", name=f"散装{i}", category_id=cat.id, unit="斤",
                                                 market_price_fen=500 + i, charity_price_fen=400 + i,
                                                 sale_unit="weight", unit_grams=500 if i % 2 else 1000, plu=i + 1)
                    weighed.append(p.id)
                else:
                    p = inventory.create_product(barcode=make_ean13(f"692{i:09d}"), name=f"商品{i}",
                                                 category_id=cat.id, unit="袋", market_price_fen=1000 + i,
                                                 charity_price_fen=900 + i)
                    pieces.append((p.id, p.barcode))
            stock = ([{"product_id": pid, "quantity": 500_000} for pid in weighed]
                     + [{"product_id": pid, "quantity": 1000} for pid, _c in pieces])
            for start in range(0, len(stock), 500):  # a delivery note holds at most 500 lines
                movements.receive(shop_id=shop.id, supplier="bench", received_by="bench",
                                  lines=stock[start:start + 500])
            db.session.commit()

        client = app.test_client()
        resp = client.post("/api/v1/session", json={"username": "scalebench", "password": "bench-password-1"})
        client.environ_base["HTTP_X_CSRFTOKEN"] = resp.get_json()["csrf_token"]
        rng = random.Random(11)
        labels = [scale_labels.make(rng.randrange(args.weighed) + 1, rng.randrange(50, 5000))
                  for _ in range(args.n)]
        codes = [rng.choice(pieces)[1] for _ in range(args.n)]
        it_l, it_c = iter(labels), iter(codes)

        def read_label():
            assert client.get(f"/api/v1/scale-labels/{next(it_l)}").status_code == 200

        def read_barcode():
            assert client.get(f"/api/v1/products?barcode={next(it_c)}").status_code == 200

        print(f"{args.products} products, {args.weighed} weighed, {url.split(':')[0]}")
        a = line("scan a scale label (API)", timed(read_label, args.n))
        b = line("scan an EAN-13 barcode (API)", timed(read_barcode, args.n))
        print(f"{'label / barcode':<44} {a / b:6.2f}x")
        with app.app_context():
            w_lines = [{"product_id": pid, "grams": rng.randrange(50, 5000)} for pid in rng.sample(weighed, 10)]
            p_lines = [{"product_id": pid, "qty": rng.randrange(1, 5)} for pid, _c in rng.sample(pieces, 10)]
            c = line("quote 10 weighed lines", timed(lambda: quote(lines=w_lines), args.n))
            d = line("quote 10 piece lines", timed(lambda: quote(lines=p_lines), args.n))
            print(f"{'weighed / piece':<44} {c / d:6.2f}x")
            db.session.remove()
            db.engine.dispose()
    finally:
        drop()


if __name__ == "__main__":
    main()
