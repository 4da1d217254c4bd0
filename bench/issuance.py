"""Time monthly issuance for 10,000 and 100,000 recipients on SQLite and PostgreSQL.

    .venv/bin/python bench/issuance.py [--sizes 10000,100000] [--postgres postgresql://postgres@127.0.0.1/postgres]

Each run: a fresh migrated database, N active recipients bulk-inserted (ID numbers encrypted as
the import does), then `issue_vouchers` + commit (timed), then a second run that must create
nothing (timed), then `verify()`. Prints seconds, vouchers per second and the process's peak RSS.
PostgreSQL is used when --postgres or TEST_DATABASE_URL is given (a throw-away database is
created beside it and dropped afterwards).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa

from app import create_app
from app.config import TestConfig, normalise_db_url


def fresh_url(kind: str, pg_url: str | None) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tempfile.mkdtemp(prefix='bench-issuance-')}/bench.db"
    name = f"bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return sa.engine.make_url(pg_url).set(database=name).render_as_string(hide_password=False)


def drop(url: str) -> None:
    u = sa.engine.make_url(url)
    if u.get_backend_name() == "postgresql":
        admin = sa.create_engine(u.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{u.database}" WITH (FORCE)')
        admin.dispose()
    else:
        for f in Path(u.database).parent.glob("bench.db*"):
            f.unlink()


def seed_recipients(n: int) -> float:
    from app.core.db import utcnow
    from app.core.ids import make_resident_id
    from app.extensions import db
    from app.recipients.models import Recipient
    from app.recipients.services import id_fields

    start = time.perf_counter()
    now = utcnow()
    districts = ["411002", "411003", "411024", "411081", "411082"]
    for s in range(0, n, 5000):
        rows = []
        for i in range(s, min(n, s + 5000)):
            # unique per i: district (i % 5), month (i % 12), day ((i // 12) % 28), sequence, year
            number = make_resident_id(districts[i % 5], dt.date(1930 + (i // 25000), 1 + i % 12,
                                                                1 + (i // 12) % 28), (i // 336) % 1000)
            rows.append({"name": f"测试{i}", "category": "dibao" if i % 4 else "tekun",
                         "district_code": districts[i % 5], "township": f"街道{i % 40}",
                         "community": f"社区{i % 400}", "phone": None, "household_size": 1,
                         "status": "active", "status_since": now.date(), "created_at": now,
                         "updated_at": now, **id_fields(number)})
        db.session.execute(sa.insert(Recipient.__table__), rows)
    db.session.commit()
    return time.perf_counter() - start


def bench(kind: str, n: int, pg_url: str | None) -> None:
    from flask_migrate import upgrade

    from app.extensions import db

    url = fresh_url(kind, pg_url)
    conf = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    conf["SQLALCHEMY_DATABASE_URI"] = url
    app = create_app(conf)
    try:
        with app.app_context():
            upgrade()
            seeded = seed_recipients(n)
            from app.vouchers import issuance

            t0 = time.perf_counter()
            run = issuance.issue_vouchers(period="2030-01")
            db.session.commit()
            first = time.perf_counter() - t0
            t0 = time.perf_counter()
            again = issuance.issue_vouchers(period="2030-01")
            db.session.commit()
            second = time.perf_counter() - t0
            t0 = time.perf_counter()
            problems = issuance.verify()
            check = time.perf_counter() - t0
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"{kind:<10} {n:>7} recipients: seed {seeded:6.1f}s | issue {run.created:>7} in {first:6.2f}s "
                  f"({run.created / first:,.0f}/s) | rerun created {again.created} in {second:5.2f}s | "
                  f"verify {check:5.2f}s ({len(problems)} problems) | peak RSS {rss:,.0f} MB", flush=True)
            db.session.remove()
            db.engine.dispose()
    finally:
        drop(url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--postgres", default=os.environ.get("TEST_DATABASE_URL"))
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    kinds = ["sqlite"] + (["postgresql"] if args.postgres else [])
    if args.only:
        kinds = [args.only]
    pg = normalise_db_url(args.postgres) if args.postgres else None
    for kind in kinds:
        for n in sizes:
            bench(kind, n, pg)


if __name__ == "__main__":
    main()
