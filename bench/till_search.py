"""The till's product search at 3,000 products: the one catalogue request (server side) and a
search over it in the page's own code (static/js/till-kit.js `searchProducts`, run by node),
each against a bare floor measured in the same run. Prints figures and ratios; asserts nothing.

    .venv/bin/python bench/till_search.py [--products 3000] [--n 20]

Server: GET /api/v1/products/catalogue through the test client (cold: the pinyin initials not yet
cached; warm: as every later load), against the floor of a bare SELECT of the same columns turned
into JSON. Client: queries by name, by pinyin initials, by barcode and one that finds nothing,
against the floor of a bare loop of `indexOf` over the names.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.issuance import drop, fresh_url  # noqa: E402

WORDS = ("大米 小米 面粉 挂面 花生油 大豆油 食盐 白糖 红糖 酱油 陈醋 料酒 鸡精 味精 香皂 肥皂 "
         "洗衣粉 洗洁精 卫生纸 牙膏 牙刷 毛巾 啤酒 白酒 饼干 方便面 火腿肠 榨菜 豆腐乳 "
         "鸡蛋 牛奶 豆奶 奶粉 茶叶 红枣 核桃 木耳 香菇 粉条").split()
BRANDS = "金龙鱼 福临门 五得利 鲁花 海天 老干妈 康师傅 统一 蓝月亮 立白 心相印 云南白药 伊利 蒙牛 双汇 白象".split()


def timed(fn, n: int) -> list[float]:
    out = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def line(name: str, samples: list[float], floor: list[float] | None = None) -> float:
    p50 = statistics.median(samples)
    ratio = f"  x{p50 / statistics.median(floor):.1f} of the floor" if floor else ""
    print(f"  {name:<44} p50 {p50:8.2f} ms   max {max(samples):8.2f} ms{ratio}")
    return p50


def seed(app, count: int) -> tuple[object, str]:
    from app.auth import services as auth
    from app.extensions import db
    from app.inventory import movements, services
    from app.inventory.barcodes import make_ean13

    rng = random.Random(11)
    with app.app_context():
        shop = auth.create_shop(code="BN01", name="基准门店", district_code="411002")
        auth.create_user(username="bench", role="cashier", password="bench-password-1", shop_code="BN01")
        cats = [services.create_category(name=f"分类{i}", voucher_allowed=True, sort_order=i) for i in range(12)]
        ids = []
        for i in range(count):
            name = f"{rng.choice(BRANDS)}{rng.choice(WORDS)} {rng.randint(1, 20)}{rng.choice(['kg', 'L', '包', '袋'])}"
            market = rng.randint(200, 9000)
            p = services.create_product(barcode=make_ean13(f"69{i:010d}"), name=name,
                                        category_id=rng.choice(cats).id, unit="件", market_price_fen=market,
                                        charity_price_fen=max(1, market * 8 // 10), voucher_eligible=True)
            ids.append(p.id)
        stocked = ids[::2]
        for start in range(0, len(stocked), 400):
            movements.receive(shop_id=shop.id, supplier="基准", received_by="基准",
                              lines=[{"product_id": pid, "quantity": 5} for pid in stocked[start:start + 400]])
        db.session.commit()
        return shop.id, make_ean13(f"69{count // 2:010d}")


NODE = r"""
const fs = require("fs");
global.window = {};
eval(fs.readFileSync(process.argv[1], "utf8"));
const cat = JSON.parse(fs.readFileSync(0, "utf8"));
const products = cat.rows.map(r => { const p = {}; cat.fields.forEach((f, i) => { p[f] = r[i]; });
                                     p.search = p.name.toLowerCase(); return p; });
const queries = JSON.parse(process.argv[2]), n = +process.argv[3], out = {};
function time(fn) { const s = []; for (let i = 0; i < n; i++) { const t = process.hrtime.bigint(); fn();
                    s.push(Number(process.hrtime.bigint() - t) / 1e6); } return s; }
// the floor: one bare indexOf over every name
out.floor = time(() => { let k = 0; for (const p of products) if (p.search.indexOf("zzz") >= 0) k++; return k; });
for (const [label, q] of Object.entries(queries))
  out[label] = time(() => window.TillKit.searchProducts(products, q, 121, null));
out.found = Object.fromEntries(Object.entries(queries).map(([l, q]) =>
  [l, window.TillKit.searchProducts(products, q, 121, null).length]));
console.log(JSON.stringify(out));
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=3000)
    parser.add_argument("--n", type=int, default=20)
    args = parser.parse_args()

    import sqlalchemy as sa
    from flask_migrate import upgrade

    from app import create_app
    from app.config import TestConfig
    from app.extensions import db
    from app.inventory.catalogue import initials
    from app.inventory.models import Product

    url = fresh_url("sqlite", None)
    conf = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    conf.update(SQLALCHEMY_DATABASE_URI=url)
    app = create_app(conf)
    try:
        with app.app_context():
            upgrade()
        _shop_id, some_barcode = seed(app, args.products)
        client = app.test_client()
        client.post("/api/v1/session", json={"username": "bench", "password": "bench-password-1"})

        def floor():
            with app.app_context():
                rows = db.session.execute(sa.select(Product.id, Product.barcode, Product.name, Product.unit,
                                                    Product.market_price_fen, Product.charity_price_fen,
                                                    Product.voucher_eligible, Product.monthly_limit)).all()
                return json.dumps([list(r) for r in rows], ensure_ascii=False)

        def catalogue():
            resp = client.get("/api/v1/products/catalogue")
            assert resp.status_code == 200, resp.status_code
            return resp.get_data()

        print(f"{args.products} products, SQLite; {args.n} runs each")
        print("server: the catalogue request")
        floor_ms = timed(floor, args.n)
        line("floor: bare SELECT + json.dumps", floor_ms)
        initials.cache_clear()
        line("GET /products/catalogue, cold initials", timed(catalogue, 1), floor_ms)
        line("GET /products/catalogue, warm", timed(catalogue, args.n), floor_ms)
        body = catalogue()
        print(f"  answer: {len(body) / 1024:.0f} KiB for {args.products} products")

        if not shutil.which("node"):
            print("client: node not found, skipped")
            return
        queries = {"name 大米": "大米", "initials dm": "dm", "brand + initials jly dm": "jly dm",
                   "barcode (full)": some_barcode, "nothing found": "xyzxyz"}
        run = subprocess.run(["node", "-e", NODE, str(ROOT / "static/js/till-kit.js"), json.dumps(queries),
                              str(args.n * 10)], input=body, capture_output=True, check=True)
        res = json.loads(run.stdout)
        print("client: searchProducts over the catalogue (node)")
        line("floor: bare indexOf over every name", res["floor"])
        for label in queries:
            line(f"{label} ({res['found'][label]} found)", res[label], res["floor"])
    finally:
        drop(url)


if __name__ == "__main__":
    main()
