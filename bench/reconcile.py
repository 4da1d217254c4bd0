"""Time the monthly reconciliation on a city-sized data set, on SQLite and PostgreSQL.

    .venv/bin/python bench/reconcile.py [--recipients 100000] [--months 12] [--lines 3000000]
        [--postgres postgresql://postgres@127.0.0.1/postgres] [--only sqlite|postgresql]
        [--keep] [--reuse URL] [--times N]

A full-size build takes minutes: `--keep` leaves the built database in place (its URL is
printed), and `--reuse URL` times the queries again on such a database without building (the
migrations are upgraded first, so new indexes are created on the existing data).

Data set (generated set-based: recipients by executemany in batches, everything else with
INSERT ... SELECT): N recipients, one voucher per recipient and month for M months with its
`issue` ledger row, and sales of 3 lines each (rice and salt at charity price, tissue at market
price; the voucher pays 27.50) on a pseudo-random part of the vouchers so that the sale lines
number L, each with its voucher payment, cash payment and `redeem` ledger row, across 20
shops. A few voids and expiry of the past months make the month a realistic mix.

Printed: seconds to build the data, then the reconciliation of the last and a middle month
(`reconcile()`: ledger and sales identities, by shop, district and funder, differences, and the
cumulative figures since the start), the 12-month dashboard series, a shop's settlement
figures and statement rows, the balance check, and `flask verify` (in full, per check, with
`--since` the last month's first day, and the reconciliation page's month), with the peak RSS.
The data set is consistent for verify: receipt numbers and their counters, the stock moves of
every sale line and the on-hand figures are written too.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa

from app import create_app
from app.config import TestConfig, normalise_db_url
from bench.issuance import drop, fresh_url, seed_recipients

SHOPS = 20
PASSWORD = "bench-password"


def _periods(months: int) -> list[str]:
    from app.core.timeutil import Period

    p = Period(2029, 1)
    out = []
    for _ in range(months):
        out.append(str(p))
        p = p.next()
    return out


def books(conn, *, sqlite: bool) -> None:
    """What the till would have written beside the sales, so that `flask verify` finds the data
    set consistent: receipt numbers SHOP-YYYYMMDD-NNNN per shop and day with their counters, and
    the stock moves (an opening receipt per shop and product, then one move per sale line with
    its running on-hand) and on-hand figures."""
    day = "strftime('%Y%m%d', s.business_date)" if sqlite else "to_char(s.business_date, 'YYYYMMDD')"
    n = "row_number() OVER (PARTITION BY s.shop_id, s.business_date ORDER BY s.id)"
    pad = f"printf('%04d', {n})" if sqlite else f"lpad(({n})::text, 4, '0')"
    conn.execute(sa.text(
        f"UPDATE pos_sale SET receipt_no = r.receipt_no FROM (SELECT s.id, sh.code || '-' || {day} || '-' || {pad} "
        f"AS receipt_no FROM pos_sale s JOIN shop sh ON sh.id = s.shop_id) r WHERE pos_sale.id = r.id"))
    conn.execute(sa.text(
        f"INSERT INTO pos_counter (shop_id, name, value) SELECT s.shop_id, 'receipt:' || {day}, count(*) "
        f"FROM pos_sale s GROUP BY s.shop_id, s.business_date"))
    spare = 1000  # left on the shelf after the last sale
    conn.execute(sa.text(
        "INSERT INTO inv_stock_move (at, shop_id, product_id, kind, quantity, on_hand_after, note, ref_type) "
        "SELECT min(s.created_at), s.shop_id, l.product_id, 'receive', sum(l.quantity) + :spare, "
        "sum(l.quantity) + :spare, '', 'bench' FROM pos_sale_line l JOIN pos_sale s ON s.id = l.sale_id "
        "GROUP BY s.shop_id, l.product_id"), {"spare": spare})
    conn.execute(sa.text(
        "INSERT INTO inv_stock_move (at, shop_id, product_id, kind, quantity, on_hand_after, note, ref_type, ref_id) "
        "SELECT s.created_at, s.shop_id, l.product_id, 'sale', -l.quantity, :spare + coalesce(sum(l.quantity) OVER "
        "(PARTITION BY s.shop_id, l.product_id ORDER BY s.id DESC ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), "
        "0), "
        "'', 'sale', CAST(s.id AS VARCHAR(40)) FROM pos_sale_line l JOIN pos_sale s ON s.id = l.sale_id "
        "ORDER BY s.id"), {"spare": spare})
    conn.execute(sa.text(
        "INSERT INTO inv_stock_level (shop_id, product_id, on_hand, reorder_level) "
        "SELECT DISTINCT s.shop_id, l.product_id, :spare, 0 FROM pos_sale_line l JOIN pos_sale s ON s.id = l.sale_id"),
        {"spare": spare})


def build(n: int, months: int, lines: int) -> dict:
    from app.auth import services as auth
    from app.core.timeutil import Period
    from app.extensions import db
    from app.inventory import services as inventory
    from app.inventory.barcodes import make_ean13
    from app.pos import services as pos
    from app.vouchers.services import get_programme

    t = {}
    t0 = time.perf_counter()
    seed_recipients(n)
    t["recipients"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    shops, cashiers = [], []
    for i in range(SHOPS):
        shop = auth.create_shop(code=f"B{i:03d}", name=f"基准门店{i}", district_code=["411002", "411003", "411024",
                                                                                   "411081", "411082"][i % 5])
        cashier = auth.create_user(username=f"bench-cashier-{i}", role="cashier", password=PASSWORD,
                                   shop_code=shop.code)
        shops.append(shop)
        cashiers.append(cashier)
    cat = inventory.create_category(name="米面油", voucher_allowed=True)
    other = inventory.create_category(name="日用品", voucher_allowed=False)
    rice = inventory.create_product(barcode=make_ean13("692000000001"), name="大米 5kg", category_id=cat.id, unit="袋",
                                    market_price_fen=3500, charity_price_fen=2500, voucher_eligible=True)
    salt = inventory.create_product(barcode=make_ean13("692000000002"), name="食盐", category_id=cat.id, unit="袋",
                                    market_price_fen=300, charity_price_fen=250, voucher_eligible=True)
    tissue = inventory.create_product(barcode=make_ean13("692000000003"), name="纸巾", category_id=other.id, unit="提",
                                      market_price_fen=1000, charity_price_fen=1000, voucher_eligible=False)
    shifts = [pos.open_shift(cashier=c, float_fen=0) for c in cashiers]
    db.session.commit()
    programme = get_programme()
    conn = db.session.connection()
    periods = _periods(months)
    for period in periods:
        p = Period.parse(period)
        start = p.utc_bounds()[0]
        conn.execute(sa.text(
            "INSERT INTO voucher (programme_id, recipient_id, period, reissue_no, face_fen, balance_fen, status, "
            "valid_from, valid_until, code_hash, code_enc, code_tail, created_at) "
            "SELECT :prog, r.id, :period, 0, 2900, 2900, 'active', :vf, :vu, :hashp || r.id, 'x', 'ABCD', "
            ":now FROM recipient r"),
            {"prog": programme.id, "period": period, "hashp": f"{period}-", "vf": p.first_day, "vu": p.last_day,
             "now": start if db.engine.dialect.name != "sqlite" else start.replace(tzinfo=None)})
    conn.execute(sa.text(
        "INSERT INTO voucher_ledger (voucher_id, kind, amount_fen, balance_after_fen, ref_type, ref_id, actor, "
        "created_at) SELECT id, 'issue', 2900, 2900, 'bench', NULL, 'bench', created_at FROM voucher"))
    t["vouchers"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    vouchers = n * months
    sales = lines // 3
    permille = min(1000, -(-sales * 1000 // vouchers))
    first_shift = shifts[0].id
    first_cashier = cashiers[0].id
    first_shop = shops[0].id
    conn.execute(sa.text(
        "INSERT INTO pos_sale (idempotency_key, request_hash, receipt_no, shop_id, shift_id, cashier_id, created_at, "
        "business_date, recipient_id, voucher_id, market_total_fen, total_fen, savings_fen, voucher_paid_fen, "
        "paid_fen, change_fen, voucher_balance_after_fen, voucher_tail) "
        "SELECT 'k-' || v.id, 'h', 'B-' || v.id, :shop0 + v.id % :shops, :shift0 + v.id % :shops, "
        ":cashier0 + 2 * 0, v.created_at, v.valid_from, v.recipient_id, v.id, 4800, 3750, 1050, 2750, 3750, 0, "
        "150, 'ABCD' FROM voucher v WHERE ((v.id % 1000) * 7919) % 1000 < :permille ORDER BY v.id LIMIT :sales"),
        {"shop0": first_shop, "shift0": first_shift, "cashier0": first_cashier, "shops": SHOPS,
         "permille": permille, "sales": sales})
    for product, price, charity, eligible in ((rice, 2500, True, True), (salt, 250, True, True),
                                              (tissue, 1000, False, False)):
        conn.execute(sa.text(
            "INSERT INTO pos_sale_line (sale_id, product_id, name, unit, quantity, market_price_fen, price_fen, "
            "charity_price, voucher_eligible, line_total_fen) SELECT id, :pid, :name, :unit, 1, :market, :price, "
            ":charity, :eligible, :price FROM pos_sale"),
            {"pid": product.id, "name": product.name, "unit": product.unit, "market": product.market_price_fen,
             "price": price, "charity": charity, "eligible": eligible})
    conn.execute(sa.text("INSERT INTO pos_payment (sale_id, method, amount_fen, tendered_fen) "
                         "SELECT id, 'voucher', 2750, 2750 FROM pos_sale"))
    conn.execute(sa.text("INSERT INTO pos_payment (sale_id, method, amount_fen, tendered_fen) "
                         "SELECT id, 'cash', 1000, 1000 FROM pos_sale"))
    conn.execute(sa.text(
        "INSERT INTO voucher_ledger (voucher_id, kind, amount_fen, balance_after_fen, ref_type, ref_id, actor, "
        "created_at) SELECT voucher_id, 'redeem', -2750, 150, 'sale', CAST(id AS VARCHAR(64)), 'bench', created_at "
        "FROM pos_sale"))
    conn.execute(sa.text("UPDATE voucher SET balance_fen = 150 WHERE id IN (SELECT voucher_id FROM pos_sale)"))
    books(conn, sqlite=db.engine.dialect.name == "sqlite")
    db.session.commit()
    t["sales"] = time.perf_counter() - t0
    counts = {name: db.session.scalar(sa.text(f"SELECT count(*) FROM {name}"))
              for name in ("recipient", "voucher", "voucher_ledger", "pos_sale", "pos_sale_line")}

    # a few real voids through the till's service, then expiry of every month but the last
    from app.core.timeutil import Period as P
    from app.pos import voids
    from app.pos.models import Sale

    manager = auth.create_user(username="bench-manager", role="admin", password=PASSWORD)
    last = P.parse(periods[-1])
    for sale in db.session.scalars(sa.select(Sale).where(Sale.business_date == last.first_day).limit(20)):
        voids.void_sale(sale=sale, actor=manager, reason="基准测试", today=last.first_day)
    from app.vouchers import issuance

    t0 = time.perf_counter()
    issuance.expire_vouchers(as_of=last.first_day)
    db.session.commit()
    t["expire"] = time.perf_counter() - t0
    return {"times": t, "counts": counts, "periods": periods, "shop": shops[0]}


def timed(fn):
    t0 = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - t0


def built_facts(months: int) -> dict:
    """What `build` returned, read back from a kept database (for --reuse)."""
    from app.auth.models import Shop
    from app.extensions import db
    from app.vouchers.models import Voucher

    periods = sorted(db.session.scalars(sa.select(Voucher.period).distinct()))[-months:]
    counts = {name: db.session.scalar(sa.text(f"SELECT count(*) FROM {name}"))
              for name in ("recipient", "voucher", "voucher_ledger", "pos_sale", "pos_sale_line")}
    shop = db.session.scalar(sa.select(Shop).where(Shop.code == "B000"))
    return {"times": {}, "counts": counts, "periods": periods, "shop": shop}


def time_verify(last) -> None:
    """`flask verify` in full (each identity's seconds), from the first day of the last month
    (--since), and what the reconciliation page runs for the last month."""
    from app.core.books import Window
    from app.reports import reconciliation, verify

    for label, window in (("verify (everything)", Window()),
                          (f"verify --since {last.first_day}", Window(first=last.first_day))):
        report, secs = timed(lambda w=window: verify.run(w))
        bad = [c for c in report["checks"] if not c["ok"]]
        print(f"  {label + ':':<34}{secs:6.2f}s  ok={report['ok']} "
              f"({len(bad)} identities disagree: {', '.join(c['name'] for c in bad) or '-'})", flush=True)
        if not window.dated:  # identities checked by one statement show its seconds each
            slow = sorted(report["checks"], key=lambda c: -c["seconds"])
            print("    by identity: " + "; ".join(f"{c['name']} {c['seconds']:.2f}" for c in slow), flush=True)
    result = reconciliation.reconcile(last)
    report, secs = timed(lambda: verify.for_month(last, [(result["programme"], result)]))
    print(f"  page's month verify ({last}):   {secs:6.2f}s  ok={report['ok']}", flush=True)


def bench(kind: str, n: int, months: int, lines: int, pg_url: str | None, *, keep: bool = False,
          reuse: str | None = None, times: int = 1) -> None:
    from flask_migrate import upgrade

    from app.extensions import db

    url = reuse or fresh_url(kind, pg_url)
    conf = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    conf["SQLALCHEMY_DATABASE_URI"] = url
    app = create_app(conf)
    try:
        with app.app_context():
            t0 = time.perf_counter()
            upgrade()
            migrated = time.perf_counter() - t0
            if reuse:
                built = built_facts(months)
            else:
                built = build(n, months, lines)
            if kind == "postgresql":
                # what autovacuum does to a table after a bulk load: statistics for the planner and
                # the visibility map, without which an index-only scan still reads every heap row
                db.session.commit()
                with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                    conn.exec_driver_sql("VACUUM ANALYZE")
            from app.core.timeutil import Period
            from app.reports import figures, reconciliation, settlement
            from app.vouchers import issuance

            c = built["counts"]
            t = built["times"]
            print(f"{kind}: {c['recipient']:,} recipients, {c['voucher']:,} vouchers, {c['voucher_ledger']:,} ledger "
                  f"rows, {c['pos_sale']:,} sales, {c['pos_sale_line']:,} sale lines", flush=True)
            if t:
                print(f"  build: recipients {t['recipients']:.1f}s, shops/users/vouchers {t['vouchers']:.1f}s, "
                      f"sales {t['sales']:.1f}s, expiry of {months - 1} months {t['expire']:.1f}s", flush=True)
            else:
                print(f"  reused {sa.engine.make_url(url).render_as_string()} (migrations upgraded in "
                      f"{migrated:.1f}s)", flush=True)
            last, middle = built["periods"][-1], built["periods"][len(built["periods"]) // 2]
            for _round in range(times):
                for label, period in (("last month", last), ("middle month", middle)):
                    r, secs = timed(lambda p=period: reconciliation.reconcile(p))
                    print(f"  reconcile {period} ({label}): {secs:6.2f}s  balanced={r['balanced']} "
                          f"issued={r['issued_count']:,} redeemed={r['redemptions']:,} sales "
                          f"differences={len(r['differences'])}", flush=True)
                _, secs = timed(lambda: figures.monthly(months=12))
                print(f"  dashboard series (12 months):      {secs:6.2f}s", flush=True)
            shop = built["shop"]
            _, secs = timed(lambda: settlement.figures(shop.id, Period.parse(middle)))
            print(f"  settlement figures (1 shop-month): {secs:6.2f}s", flush=True)
            s = settlement.prepare(shop, middle, today=Period.parse(last).last_day)
            rows, secs = timed(lambda: settlement.statement_rows(s))
            print(f"  statement rows ({len(rows):,} sales):    {secs:6.2f}s", flush=True)
            problems, secs = timed(issuance.verify)
            print(f"  vouchers verify (all):             {secs:6.2f}s ({len(problems)} problems)", flush=True)
            time_verify(Period.parse(last))
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"  peak RSS {rss:,.0f} MB", flush=True)
            db.session.rollback()
            db.session.remove()
            db.engine.dispose()
    finally:
        if keep or reuse:
            print(f"  kept: {sa.engine.make_url(url).render_as_string()}", flush=True)
        else:
            drop(url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recipients", type=int, default=100_000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--lines", type=int, default=3_000_000)
    parser.add_argument("--postgres", default=os.environ.get("TEST_DATABASE_URL"))
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    parser.add_argument("--keep", action="store_true", help="keep the built database (its URL is printed)")
    parser.add_argument("--reuse", metavar="URL", help="time the queries on a kept database, no build")
    parser.add_argument("--times", type=int, default=1, help="rounds of the reconcile/dashboard timings")
    args = parser.parse_args()
    if args.reuse:
        kind = sa.engine.make_url(normalise_db_url(args.reuse)).get_backend_name()
        bench(kind, args.recipients, args.months, args.lines, None, reuse=normalise_db_url(args.reuse),
              times=args.times)
        return
    kinds = ["sqlite"] + (["postgresql"] if args.postgres else [])
    if args.only:
        kinds = [args.only]
    pg = normalise_db_url(args.postgres) if args.postgres else None
    for kind in kinds:
        bench(kind, args.recipients, args.months, args.lines, pg, keep=args.keep, times=args.times)


if __name__ == "__main__":
    main()
