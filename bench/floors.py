"""Hot paths against their floor, measured in the same run (issue 12).

    .venv/bin/python bench/floors.py issuance [--n 100000] [--rounds 3] [--postgres URL]

issuance: the project's `issue_vouchers` for N recipients (codes from `secrets`, AES-GCM and the
keyed hash of each code, the vouchers, their `issue` ledger rows, the run and its audit row,
commit) against the floor — the same N voucher rows, made beforehand, written by bare driver code
into the same table (PostgreSQL: COPY; SQLite: executemany of a plain INSERT) and committed.
A and B are interleaved round by round, each on a period of its own, so the table grows alike
under both; the medians and their ratio are printed. The floor does less than the project (no
codes, no encryption, no ledger): the ratio is what everything of ours costs on top of the
writes themselves.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app
from app.config import TestConfig, normalise_db_url
from bench.issuance import drop, fresh_url, seed_recipients


def _period(i: int) -> str:
    return f"{2030 + i // 12}-{1 + i % 12:02d}"


def issuance_pair(kind: str, n: int, rounds: int, pg_url: str | None) -> None:
    import datetime as dt

    from flask_migrate import upgrade
    from sqlalchemy import select

    from app.core.db import utcnow
    from app.extensions import db
    from app.recipients.models import Recipient
    from app.vouchers import codes, issuance
    from app.vouchers.services import code_fields, get_programme

    url = fresh_url(kind, pg_url)
    conf = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    conf["SQLALCHEMY_DATABASE_URI"] = url
    app = create_app(conf)
    project, floor = [], []
    try:
        with app.app_context():
            upgrade()
            seed_recipients(n)
            programme = get_programme(None)
            ids = list(db.session.scalars(select(Recipient.id).order_by(Recipient.id)))
            run_id = issuance.issue_vouchers(period="2029-12", district_code="000000").id  # an empty run
            db.session.commit()
            cols = ("programme_id", "recipient_id", "period", "reissue_no", "face_fen", "balance_fen",
                    "status", "valid_from", "valid_until", "issuance_run_id", "created_at", "code_enc",
                    "code_hash", "code_tail")
            for r in range(rounds):
                # B: the floor, rows made beforehand (not timed)
                period = _period(2 * r + 1)
                now = utcnow()
                dates = (dt.date(2040, 1, 1), dt.date(2040, 2, 1), now)
                if kind == "sqlite":  # what SQLAlchemy stores on SQLite: dates and times as text
                    dates = (dates[0].isoformat(), dates[1].isoformat(), now.strftime("%Y-%m-%d %H:%M:%S.%f"))
                rows = []
                for rid in ids:
                    f = code_fields(codes.new_code())
                    rows.append((programme.id, rid, period, 0, 2900, 2900, "active", dates[0], dates[1],
                                 run_id, dates[2], f["code_enc"], f["code_hash"], f["code_tail"]))
                connection = db.session.connection()
                t0 = time.perf_counter()
                if kind == "postgresql":
                    with connection.connection.driver_connection.cursor() as cur:
                        with cur.copy(f"COPY voucher ({', '.join(cols)}) FROM STDIN") as copy:
                            for row in rows:
                                copy.write_row(row)
                else:
                    connection.exec_driver_sql(
                        f"INSERT INTO voucher ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", rows)
                db.session.commit()
                floor.append(time.perf_counter() - t0)
                del rows
                # A: the project
                t0 = time.perf_counter()
                run = issuance.issue_vouchers(period=_period(2 * r))
                db.session.commit()
                project.append(time.perf_counter() - t0)
                assert run.created == n, run.created
                print(f"  round {r + 1}: project {project[-1]:6.2f}s  floor {floor[-1]:6.2f}s", flush=True)
            db.session.remove()
            db.engine.dispose()
    finally:
        drop(url)
    a, b = statistics.median(project), statistics.median(floor)
    print(f"issuance {kind:<10} n={n:>7}: project {a:6.2f}s | floor {b:6.2f}s | ratio {a / b:5.2f}x "
          f"(median of {rounds}, load {os.getloadavg()[0]:.1f})", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=("issuance",))
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--postgres", default=os.environ.get("TEST_DATABASE_URL"))
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    args = parser.parse_args()
    kinds = ["sqlite"] + (["postgresql"] if args.postgres else [])
    if args.only:
        kinds = [args.only]
    pg = normalise_db_url(args.postgres) if args.postgres else None
    for kind in kinds:
        issuance_pair(kind, args.n, args.rounds, pg)


if __name__ == "__main__":
    main()
