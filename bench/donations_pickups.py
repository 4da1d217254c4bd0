"""Time donation-corner pickups, the pickup screen's look-up and the figures on SQLite and PostgreSQL.

    .venv/bin/python bench/donations_pickups.py [--pickups 2000] [--postgres postgresql://postgres@127.0.0.1/postgres]

Each run: a fresh migrated database, one shop with 50 received lots of clothing (100 pieces each),
N recipients; then N pickups of 2 pieces, each its own transaction as at the till (limit upserts,
FIFO draw across lots, append-only lines, audit row), timed one by one; then `eligibility()` and
`figures()`. Prints per-operation milliseconds (median, p95) and pickups per second.
PostgreSQL is used when --postgres or TEST_DATABASE_URL is given (a throw-away database is
created beside it and dropped afterwards).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import secrets
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


from app import create_app
from app.config import TestConfig, normalise_db_url
from bench.issuance import drop
from bench.issuance import fresh_url as _fresh_url


def fresh_url(pg_url: str | None) -> str:
    return _fresh_url("postgres" if pg_url else "sqlite", pg_url)


def ms(values: list[float]) -> str:
    values = sorted(values)
    p95 = values[min(len(values) - 1, int(len(values) * 0.95))]
    return f"median {statistics.median(values) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms"


def run(url: str, n: int) -> None:
    from flask_migrate import upgrade
    from stdnum.cn import uscc

    from app.auth import services as auth
    from app.core import crypto
    from app.core.ids import make_resident_id
    from app.core.masking import mask_id_number
    from app.donations import donors, pickups, services, stats
    from app.extensions import db
    from app.recipients.models import ID_PURPOSE, Recipient

    conf = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    conf["SQLALCHEMY_DATABASE_URI"] = url
    app = create_app(conf)
    with app.app_context():
        upgrade()
        shop = auth.create_shop(code="B01", name="基准门店", district_code="411002")
        admin = auth.create_user(username="benchadmin", role="admin", password=secrets.token_urlsafe(16))
        cashier = auth.create_user(username="benchcash", role="cashier", password=secrets.token_urlsafe(16),
                                   shop_code="B01")
        body = "91411000MA4BENCH0"
        donor = donors.create_donor(kind="enterprise", name="基准企业", credit_code=body + uscc.calc_check_digit(body))
        donation = services.log_donation(user=admin, shop_code=shop.code, donor_id=donor.id, lines=[
            {"kind": "clothing", "description": f"棉衣{i:02d}", "quantity": 100} for i in range(50)])
        services.receive_donation(user=admin, donation_id=donation.id, lines=[
            {"line_id": x.id, "quantity_received": x.quantity} for x in donation.lines])
        ids = []
        for i in range(n):
            number = make_resident_id("411002", dt.date(1940, 1, 1) + dt.timedelta(days=i), i % 999 + 1)
            r = Recipient(name=f"对象{i}", id_number_enc=crypto.encrypt(number, purpose=ID_PURPOSE),
                          id_number_hash=crypto.blind_index(number, purpose=ID_PURPOSE),
                          id_masked=mask_id_number(number), id_last4=number[-4:], category="dibao",
                          district_code="411002")
            db.session.add(r)
            ids.append(r)
        db.session.commit()
        ids = [r.id for r in ids]
        cashier_id = cashier.id
        timings = []
        start = time.perf_counter()
        for i, rid in enumerate(ids):
            t0 = time.perf_counter()
            user = auth.get_user(cashier_id)
            pickups.record_pickup(user=user, recipient_id=rid, idempotency_key=f"bench-{i:08d}",
                                  lines=[{"kind": "clothing", "quantity": 2}])
            db.session.commit()
            timings.append(time.perf_counter() - t0)
        total = time.perf_counter() - start
        print(f"  {n} pickups: {total:.2f} s, {n / total:.0f} pickups/s; per pickup {ms(timings)}")
        look = []
        for rid in ids[:200]:
            t0 = time.perf_counter()
            pickups.eligibility(recipient_id=rid, shop_id=shop.id)
            look.append(time.perf_counter() - t0)
        print(f"  pickup screen look-up (eligibility): {ms(look)}")
        t0 = time.perf_counter()
        data = stats.figures()
        print(f"  figures over {n} pickups: {(time.perf_counter() - t0) * 1000:.1f} ms "
              f"(clothing picked up {data['cumulative']['picked_up']['clothing']}, "
              f"households {data['cumulative']['households']})")
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pickups", type=int, default=2000)
    parser.add_argument("--postgres", default=None)
    args = parser.parse_args()
    pg = args.postgres or os.environ.get("TEST_DATABASE_URL")
    pg = normalise_db_url(pg) if pg else None
    url = fresh_url(pg)
    print(f"{'PostgreSQL' if pg else 'SQLite'}:")
    try:
        run(url, args.pickups)
    finally:
        drop(url)


if __name__ == "__main__":
    main()
