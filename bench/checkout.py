"""Sales per second and latency of POST /api/v1/sales under gunicorn (2 sync workers) with 8
tills selling at once, on SQLite and on PostgreSQL.

    .venv/bin/python bench/checkout.py [--sales 60] [--tills 8] [--workers 2] [--only sqlite|postgres]
                                       [--postgres postgresql://postgres@127.0.0.1/postgres]

Each run: a fresh migrated database; one shop with a cashier per till (each on an open shift),
a small catalogue with plenty of stock, and a voucher per sale for half the sales; gunicorn
serves `wsgi:app` on 127.0.0.1; every till logs in through the API and then sells in a loop
(two products per sale, alternately with a voucher plus cash and cash only), each sale a fresh
idempotency key. Prints sales/s, p50/p90/p99/max latency and any non-201 answers.
Traffic goes to 127.0.0.1 only; the loops are bounded by --sales.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.issuance import drop, fresh_url  # noqa: E402

PASSWORD = "bench-password-1"


def prepare(url: str, tills: int, voucher_count: int) -> dict:
    """Migrate and load the bench data in-process, with the app's own services."""
    from flask_migrate import upgrade

    from app import create_app
    from app.auth import services as auth
    from app.config import TestConfig
    from app.core.timeutil import Period
    from app.extensions import db
    from app.inventory import movements
    from app.inventory import services as inventory
    from app.pos import services as pos
    from app.recipients import services as recipients
    from app.vouchers import codes
    from app.vouchers import services as vouchers
    from app.vouchers.models import Voucher
    from tests.vouchers.factories import id_number

    conf = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    conf.update(SQLALCHEMY_DATABASE_URI=url, SECRET_KEY="bench-secret")
    app = create_app(conf)
    with app.app_context():
        upgrade()
        shop = auth.create_shop(code="BENCH", name="压测门店", district_code="411002")
        cat = inventory.create_category(name="米面油")
        products = [inventory.create_product(barcode=f"B-{i:03d}", name=f"商品{i}", category_id=cat.id,
                                             unit="袋", market_price_fen=1500 + 100 * i,
                                             charity_price_fen=1000 + 100 * i, voucher_eligible=True)
                    for i in range(6)]
        movements.receive(shop_id=shop.id, supplier="bench", received_by="bench",
                          lines=[{"product_id": p.id, "quantity": 100000} for p in products])
        users = []
        for n in range(tills):
            u = auth.create_user(username=f"till{n}", role="cashier", password=PASSWORD, shop_code="BENCH")
            pos.open_shift(cashier=u, float_fen=0)
            users.append(u.username)
        programme = vouchers.get_programme()
        period = str(Period.current())
        p = Period.parse(period)
        codes_out = []
        for n in range(voucher_count):
            r = recipients.create_recipient(name=f"测试{n}", id_number=id_number(), category="dibao",
                                            district_code="411002")
            code = codes.new_code()
            v = Voucher(programme_id=programme.id, recipient_id=r.id, period=period, reissue_no=0,
                        face_fen=2900, balance_fen=2900, status="active", valid_from=p.first_day,
                        valid_until=p.last_day, **vouchers.code_fields(code))
            db.session.add(v)
            db.session.flush()
            vouchers._ledger(v.id, "issue", 2900, 2900, ref_type="bench", ref_id=None)
            codes_out.append(code)
        db.session.commit()
        out = {"users": users, "products": [p.id for p in products], "codes": codes_out}
        db.engine.dispose()
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(url: str, workers: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = dict(os.environ, DATABASE_URL=url, SECRET_KEY="bench-secret", SESSION_COOKIE_SECURE="0",
               APP_ENV="production", PUBLIC_BASE_URL="https://cishan.example.cn")
    proc = subprocess.Popen([str(ROOT / ".venv" / "bin" / "gunicorn"), "-w", str(workers), "-b",
                             f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"],
                            cwd=ROOT, env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1).read()
            return proc, base
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("gunicorn did not start")


class Till(threading.Thread):
    def __init__(self, base, username, products, codes, sales, barrier):
        super().__init__()
        self.base, self.username, self.products, self.codes = base, username, products, codes
        self.sales, self.barrier = sales, barrier
        self.latencies: list[float] = []
        self.failures: list[str] = []
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.csrf = None

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json", "Accept": "application/json",
                                              **({"X-CSRFToken": self.csrf} if self.csrf else {})})
        try:
            with self.opener.open(req, timeout=60) as resp:
                return resp.status, json.loads(resp.read() or b"{}")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"{}")

    def run(self):
        status, body = self.call("POST", "/api/v1/session", {"username": self.username, "password": PASSWORD})
        if status != 200:
            self.failures.append(f"login {status} {body}")
            return
        self.csrf = body["csrf_token"]
        self.barrier.wait()
        for n in range(self.sales):
            a, b = self.products[n % len(self.products)], self.products[(n + 1) % len(self.products)]
            sale = {"idempotency_key": str(uuid.uuid4()),
                    "lines": [{"product_id": a, "qty": 1}, {"product_id": b, "qty": 2}],
                    "payments": [{"method": "cash", "amount_fen": 20000}]}
            if n % 2 == 0 and self.codes:
                sale["voucher_code"] = self.codes.pop()
            t0 = time.perf_counter()
            status, body = self.call("POST", "/api/v1/sales", sale)
            self.latencies.append(time.perf_counter() - t0)
            if status != 201:
                self.failures.append(f"{status} {body.get('error', body)}")


def run(kind: str, url: str, args) -> None:
    vouchers_needed = args.tills * ((args.sales + 1) // 2)
    t0 = time.perf_counter()
    data = prepare(url, args.tills, vouchers_needed)
    print(f"[{kind}] prepared in {time.perf_counter() - t0:.1f}s: {args.tills} tills, "
          f"{vouchers_needed} vouchers", flush=True)
    proc, base = start_gunicorn(url, args.workers)
    try:
        barrier = threading.Barrier(args.tills + 1)
        per_till = [data["codes"][i::args.tills] for i in range(args.tills)]
        tills = [Till(base, data["users"][i], data["products"], per_till[i], args.sales, barrier)
                 for i in range(args.tills)]
        for t in tills:
            t.start()
        barrier.wait()
        start = time.perf_counter()
        for t in tills:
            t.join()
        elapsed = time.perf_counter() - start
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    lat = sorted(x for t in tills for x in t.latencies)
    failures = [f for t in tills for f in t.failures]
    ok = len(lat) - len(failures)
    q = statistics.quantiles(lat, n=100) if len(lat) > 1 else [lat[0]] * 99
    print(f"[{kind}] gunicorn {args.workers} sync workers, {args.tills} tills x {args.sales} sales: "
          f"{ok} sales in {elapsed:.1f}s = {ok / elapsed:.1f} sales/s; latency p50 {q[49] * 1000:.0f} ms, "
          f"p90 {q[89] * 1000:.0f} ms, p99 {q[98] * 1000:.0f} ms, max {lat[-1] * 1000:.0f} ms; "
          f"failures {len(failures)}", flush=True)
    for f in failures[:5]:
        print(f"    {f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sales", type=int, default=60, help="sales per till")
    parser.add_argument("--tills", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument("--postgres", default=os.environ.get("TEST_DATABASE_URL")
                        or "postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    from app.config import normalise_db_url

    for kind in ("sqlite", "postgres"):
        if args.only and kind != args.only:
            continue
        url = fresh_url(kind, normalise_db_url(args.postgres) if kind == "postgres" else None)
        try:
            run(kind, url, args)
        finally:
            drop(url)


if __name__ == "__main__":
    main()
