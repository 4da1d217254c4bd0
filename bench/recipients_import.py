"""Import a 100,000-row roster (CSV, GB18030) and print time and peak memory.

    .venv/bin/python bench/recipients_import.py [--rows 100000] [--xlsx] [--postgres URL]

A fresh migrated database each time: first the preview (validate + diff), then the apply
(one transaction), then a re-import of the same file (all unchanged). Peak RSS is the whole
process's maximum, so it includes the file bytes, the decoded text and the app.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app
from app.config import TestConfig, normalise_db_url
from bench.issuance import drop, fresh_url


def roster_bytes(n: int, *, xlsx: bool) -> bytes:
    from app.core.ids import make_resident_id

    districts = ["411002", "411003", "411024", "411081", "411082"]
    rows = []
    for i in range(n):
        number = make_resident_id(districts[i % 5], dt.date(1930 + (i // 25000), 1 + i % 12, 1 + (i // 12) % 28),
                                  (i // 336) % 1000)
        rows.append([f"测试{i}", number, "低保" if i % 4 else "特困", districts[i % 5], f"街道{i % 40}",
                     f"社区{i % 400}", f"138{i:08d}", str(1 + i % 5)])
    header = ["姓名", "身份证号", "类别", "区县", "乡镇街道", "村社区", "电话", "家庭人口"]
    if xlsx:
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet()
        ws.append(header)
        for r in rows:
            ws.append(r)
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue()
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode("gb18030")


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--xlsx", action="store_true")
    parser.add_argument("--postgres", default=None)
    args = parser.parse_args()
    data = roster_bytes(args.rows, xlsx=args.xlsx)
    name = "roster.xlsx" if args.xlsx else "roster.csv"
    kind = "postgresql" if args.postgres else "sqlite"
    print(f"{kind}: {args.rows} rows, {name}, {len(data) / 2**20:.1f} MB; peak RSS before import {rss_mb():,.0f} MB")
    url = fresh_url(kind, normalise_db_url(args.postgres) if args.postgres else None)
    conf = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    conf.update(SQLALCHEMY_DATABASE_URI=url, ROSTER_MAX_BYTES=64 * 2**20)
    app = create_app(conf)
    try:
        from flask_migrate import upgrade

        from app.extensions import db
        from app.recipients import roster

        with app.app_context():
            upgrade()
            for label, kwargs in (("preview", {}), ("apply", {"apply": True}), ("re-import", {"apply": True})):
                t0 = time.perf_counter()
                report = roster.import_roster(data, name, **kwargs)
                db.session.commit()
                print(f"  {label:<10} {time.perf_counter() - t0:6.1f}s  new {report.new} changed {report.changed} "
                      f"unchanged {report.unchanged} bad {len(report.bad)} | peak RSS {rss_mb():,.0f} MB", flush=True)
            db.session.remove()
            db.engine.dispose()
    finally:
        drop(url)



if __name__ == "__main__":
    main()
