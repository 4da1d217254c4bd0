"""The till's books, per shift and per shop: Z reports against their rows, Z and receipt
numbering against the counters, one sale per idempotency key.

Read-only, set-based (see books.py); the only Python loop is over the Z reports (a few per
shop and day), comparing each one's frozen totals with the sums of its rows.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, and_, case, cast, func, or_, select

from app.auth.models import Shop
from app.core.books import Check, Window, all_digits, difference, yyyymmdd
from app.extensions import db
from app.pos.books import TENDERS, refunded
from app.pos.models import PAYMENT_METHODS, Counter, Payment, Sale, Shift, Void, ZReport

SALE_SUMS = (("sales_count", None), ("sales_fen", Sale.total_fen), ("market_value_fen", Sale.market_total_fen),
             ("savings_fen", Sale.savings_fen), ("voucher_redeemed_fen", Sale.voucher_paid_fen))


def _z_of_window(window: Window):
    q = select(ZReport.shift_id).join(Shift, Shift.id == ZReport.shift_id)
    return q.where(*window.instants(Shift.opened_at))


def z_reports(window: Window) -> list[dict]:
    """A closed shift's Z report equals what its rows say now: sales, voids, money by method,
    refunds by method, the float; expected cash = float + cash taken − cash refunded;
    difference = counted − expected; the report's shop is the shift's."""
    name = "pos.z_report"
    shifts = _z_of_window(window)
    sales = (select(Sale.shift_id.label("shift_id"), func.count().label("sales_count"),
                    *(func.sum(col).label(key) for key, col in SALE_SUMS if col is not None))
             .where(Sale.shift_id.in_(shifts)).group_by(Sale.shift_id).subquery())
    pays = (select(Sale.shift_id.label("shift_id"),
                   *(func.sum(case((Payment.method == m, Payment.amount_fen), else_=0)).label(m)
                     for m in PAYMENT_METHODS))
            .join(Payment, Payment.sale_id == Sale.id)
            .where(Sale.shift_id.in_(shifts)).group_by(Sale.shift_id).subquery())
    voids = (select(Void.shift_id.label("shift_id"), func.count().label("voids_count"),
                    func.sum(Void.total_fen).label("voids_fen"),
                    func.sum(Void.voucher_refund_fen).label("voucher_refunded_fen"),
                    *(func.sum(refunded(m)).label(m) for m in TENDERS))
             .where(Void.shift_id.in_(shifts)).group_by(Void.shift_id).subquery())
    # every column under its own plain label ("s_", "p_", "v_" for the rows' sums), read by name
    parts = [(prefix, sub, [c for c in sub.c if c.key != "shift_id"]) for prefix, sub in
             (("s_", sales), ("p_", pays), ("v_", voids))]
    q = (select(ZReport.number.label("number"), ZReport.shop_id.label("z_shop"), ZReport.totals.label("totals"),
                ZReport.counted_fen.label("counted"), ZReport.expected_cash_fen.label("expected"),
                ZReport.difference_fen.label("difference"), Shift.id.label("shift_id"),
                Shift.shop_id.label("shift_shop"), Shift.float_fen.label("float_fen"),
                *(c.label(prefix + c.key) for prefix, _sub, cols in parts for c in cols))
         .join(Shift, Shift.id == ZReport.shift_id)
         .outerjoin(sales, sales.c.shift_id == Shift.id).outerjoin(pays, pays.c.shift_id == Shift.id)
         .outerjoin(voids, voids.c.shift_id == Shift.id)
         .where(ZReport.shift_id.in_(shifts)))
    out = []
    for row in db.session.execute(q).mappings():
        z_shop = row["z_shop"]
        obj = {"shop_id": z_shop, "shift_id": row["shift_id"], "z_number": row["number"]}
        totals = row["totals"] or {}
        by_method, refunds = totals.get("by_method") or {}, totals.get("refunds_by_method") or {}

        def now(key, prefix, r=row):
            return int(r[prefix + key] or 0)

        rows_say = {key: now(key, "s_") for key, _col in SALE_SUMS}
        rows_say.update({key: now(key, "v_") for key in ("voids_count", "voids_fen", "voucher_refunded_fen")})
        pairs = [(f"z.{k}", totals.get(k), f"rows.{k}", v) for k, v in rows_say.items()]
        pairs += [(f"z.by_method.{m}", by_method.get(m), f"rows.by_method.{m}", now(m, "p_")) for m in PAYMENT_METHODS]
        pairs += [(f"z.refunds_by_method.{m}", refunds.get(m), f"rows.refunds_by_method.{m}", now(m, "v_"))
                  for m in TENDERS]
        float_fen = row["float_fen"]
        pairs.append(("z.float_fen", totals.get("float_fen"), "shift.float_fen", float_fen))
        expected = float_fen + now("cash", "p_") - now("cash", "v_")
        pairs.append(("z.expected_cash_fen", row["expected"], "float_plus_cash_minus_refunds_fen", expected))
        pairs.append(("z.difference_fen", row["difference"], "counted_minus_expected_fen",
                      row["counted"] - row["expected"]))
        pairs.append(("z.shop_id", z_shop, "shift.shop_id", row["shift_shop"]))
        out += [difference(name, obj, (a, av), (b, bv)) for a, av, b, bv in pairs if av != bv]
    return out


def z_per_shift(window: Window) -> list[dict]:
    """Every closed shift has exactly one Z report; an open shift has none."""
    n = func.count(ZReport.id)
    closed = Shift.closed_at.is_not(None)
    q = (select(Shift.id, Shift.shop_id, closed, n).outerjoin(ZReport, ZReport.shift_id == Shift.id)
         .where(*window.instants(Shift.opened_at))
         .group_by(Shift.id, Shift.shop_id, Shift.closed_at)
         .having(case((closed, n != 1), else_=n > 0)))
    return [difference("pos.z_per_shift", {"shop_id": shop, "shift_id": sid},
                       ("z_reports", count), ("closed_shift", int(is_closed)))
            for sid, shop, is_closed, count in db.session.execute(q)]


def z_numbers(window: Window) -> list[dict]:
    """Per shop, Z numbers run 1, 2, 3, … without gap or repeat, and the shop's `z` counter is
    the highest. (All of them: Z reports are few.)"""
    prev = func.lag(ZReport.number).over(partition_by=ZReport.shop_id, order_by=(ZReport.number, ZReport.id))
    seq = select(ZReport.shop_id, ZReport.number, ZReport.shift_id, prev.label("prev")).subquery()
    q = select(seq).where(seq.c.number != func.coalesce(seq.c.prev, 0) + 1)
    out = [difference("pos.z_numbers", {"shop_id": shop, "z_number": number, "shift_id": shift},
                      ("number", number), ("previous_plus_one", (p or 0) + 1))
           for shop, number, shift, p in db.session.execute(q)]
    highest = dict(db.session.execute(select(ZReport.shop_id, func.max(ZReport.number))
                                      .group_by(ZReport.shop_id)).all())
    counters = dict(db.session.execute(select(Counter.shop_id, Counter.value).where(Counter.name == "z")).all())
    out += [difference("pos.z_numbers", {"shop_id": shop, "counter": "z"},
                       ("counter", counters.get(shop, 0)), ("highest_number", highest.get(shop, 0)))
            for shop in sorted(set(highest) | set(counters)) if counters.get(shop, 0) != highest.get(shop, 0)]
    return out


def receipt_numbers(window: Window) -> list[dict]:
    """Receipt numbers are `<SHOP>-YYYYMMDD-NNNN` of the sale's shop and business day, run 1, 2,
    3, … per shop and day without gap or repeat, and the shop's counter for that day is the
    highest number used.

    One grouped pass tells each shop-day's count, well-formed count, lowest, highest and
    distinct numbers; only a day that is not exactly 1..n is read again, receipt by receipt."""
    name = "pos.receipt_numbers"
    prefix = Shop.code + "-" + yyyymmdd(Sale.business_date) + "-"
    rest = func.substr(Sale.receipt_no, func.length(prefix) + 1)
    well_formed = ((func.substr(Sale.receipt_no, 1, func.length(prefix)) == prefix)
                   & func.length(rest).between(4, 9) & all_digits(rest))
    number = case((well_formed, cast(rest, Integer)), else_=None)
    # each receipt's number worked out once (MATERIALIZED: SQLite would otherwise repeat the
    # string work for every aggregate below, 4 s instead of 0.9 s for 100,000 sales)
    numbers = (select(Sale.shop_id.label("shop_id"), Sale.business_date.label("day"), number.label("n"))
               .join(Shop, Shop.id == Sale.shop_id).where(*window.days(Sale.business_date))
               .cte("receipt_numbers").prefix_with("MATERIALIZED"))
    n = numbers.c.n
    per_day = (select(numbers.c.shop_id, numbers.c.day, func.count(), func.count(n), func.min(n), func.max(n),
                      func.count(func.distinct(n)))
               .group_by(numbers.c.shop_id, numbers.c.day))
    days = {(shop, day): rest_ for shop, day, *rest_ in db.session.execute(per_day)}
    bad = sorted(key for key, (n, formed, lo, hi, distinct) in days.items()
                 if not (formed == n and lo == 1 and hi == n and distinct == n))
    out = []
    for start in range(0, len(bad), 100):
        out += _receipts_of_days(name, bad[start:start + 100], prefix, number)
    counters = select(Counter.shop_id, Counter.name, Counter.value).where(Counter.name.like("receipt:%"))
    if window.first is not None:
        counters = counters.where(Counter.name >= f"receipt:{window.first:%Y%m%d}")
    if window.last is not None:
        counters = counters.where(Counter.name <= f"receipt:{window.last:%Y%m%d}")
    counted = {(shop, counter): value for shop, counter, value in db.session.execute(counters)}
    highest = {(shop, f"receipt:{day:%Y%m%d}"): int(hi or 0) for (shop, day), (_n, _f, _lo, hi, _d) in days.items()}
    for key in sorted(set(counted) | set(highest)):
        if counted.get(key, 0) != highest.get(key, 0):
            out.append(difference(name, {"shop_id": key[0], "counter": key[1]},
                                  ("counter", counted.get(key, 0)), ("highest_number", highest.get(key, 0))))
    return out


def _receipts_of_days(name: str, days: list[tuple], prefix, number) -> list[dict]:
    """The receipts of some shop-days that break the numbering: not well formed, or not the
    previous number + 1."""
    numbered = (select(Sale.id.label("sale_id"), Sale.shop_id.label("shop_id"), Sale.business_date.label("day"),
                       Sale.receipt_no.label("receipt_no"), prefix.label("prefix"), number.label("number"))
                .join(Shop, Shop.id == Sale.shop_id)
                .where(or_(*(and_(Sale.shop_id == shop, Sale.business_date == day) for shop, day in days)))
                .subquery())
    prev = func.lag(numbered.c.number).over(partition_by=(numbered.c.shop_id, numbered.c.day),
                                            order_by=(numbered.c.number, numbered.c.sale_id))
    out = []
    for sid, shop, day, rno, pre, n, p in db.session.execute(select(numbered, prev)):
        obj = {"shop_id": shop, "day": day, "sale_id": sid, "receipt_no": rno}
        if n is None:
            out.append(difference(name, obj, ("receipt_no", rno), ("expected_form", f"{pre}NNNN")))
        elif n != (p or 0) + 1:
            out.append(difference(name, obj, ("number", n), ("previous_plus_one", (p or 0) + 1)))
    return out


def idempotency(window: Window) -> list[dict]:
    """One sale per idempotency key (the unique index makes this a walk along it)."""
    q = (select(Sale.idempotency_key, func.count(), func.min(Sale.id))
         .where(*window.days(Sale.business_date))
         .group_by(Sale.idempotency_key).having(func.count() > 1))
    return [difference("pos.idempotency", {"sale_id": first, "key": key}, ("sales", n), ("allowed", 1), "≤")
            for key, n, first in db.session.execute(q)]


CHECKS = (
    Check(z_reports, {"pos.z_report": _l(
        "Z 报表等于其班次的记录：各项合计、应有现金 = 备用金 + 现金收入 − 现金退款、差额 = 清点 − 应有")}),
    Check(z_per_shift, {"pos.z_per_shift": _l("每个已结班次恰有一张 Z 报表，未结班次没有")}),
    Check(z_numbers, {"pos.z_numbers": _l("每店 Z 报表编号连续不重复，计数器等于最大编号")}, dated=False),
    Check(receipt_numbers, {"pos.receipt_numbers": _l("小票号格式正确，每店每天连续不重复，计数器等于最大编号")}),
    Check(idempotency, {"pos.idempotency": _l("每个请求编号只有一笔交易")}),
)
