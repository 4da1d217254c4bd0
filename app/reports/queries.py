"""Read-only queries over the other domains' tables ("reports reads all", DESIGN.md).

Nothing here writes. Every query is set-based (GROUP BY in the database), so a month of a
city — 100,000 vouchers and a few hundred thousand sale lines — is summed where the rows are.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String, and_, case, cast, distinct, func, literal, select

from app.core.money import line_amount_sql
from app.core.timeutil import Period
from app.extensions import db
from app.pos.models import Payment, Sale, SaleLine, Void, VoidLine
from app.recipients.models import Recipient
from app.vouchers.models import Voucher, VoucherLedger


# SQLite plans without statistics (nobody runs ANALYZE): it takes `voucher_ledger.kind = ?` or
# `ref_type = ?` for a selective look-up through ix_voucher_ledger_kind_at / ix_voucher_ledger_ref
# and would drive a month's query from every `redeem` (or `sale`) row of every month; and it
# would look up the few voids from the million sales. `kind || ''` and `sale_id + 0` are the same
# values through no index (SQLite's documented way to keep a term from choosing the plan), so
# the month's vouchers drive. PostgreSQL, with its statistics, gets the plain column.
def _plain(column):
    return column + "" if db.session.get_bind().dialect.name == "sqlite" else column


def _kind(kind: str):
    return _plain(VoucherLedger.kind) == kind


def _ref_type(ref_type: str):
    return _plain(VoucherLedger.ref_type) == ref_type


def _first(q, key: int, limit: int) -> list:
    """The rows of a difference query, the first `limit` by their id (column `key`).

    Ordered and cut here, not with ORDER BY id LIMIT: differences are rare, so PostgreSQL,
    expecting the limit to be reached soon, would walk the whole table in id order and test
    each row, instead of the month's few hundred thousand; here only differing rows come back."""
    return sorted(db.session.execute(q), key=lambda row: row[key])[:limit]


def voucher_scope(period: str | None, programme_id: int, district_code: str | None = None,
                  *, up_to: str | None = None, with_district: bool = True):
    """The ids of the vouchers a reconciliation covers, as a subquery (with the district unless
    `with_district` is false: every voucher has its recipient, a foreign key, so the recipient
    is joined only to tell or filter the district)."""
    columns = [Voucher.id.label("voucher_id")]
    if with_district:
        columns.append(Recipient.district_code.label("district"))
    q = select(*columns).where(Voucher.programme_id == programme_id)
    if with_district or district_code:
        q = q.join(Recipient, Recipient.id == Voucher.recipient_id)
    if period is not None:
        q = q.where(Voucher.period == period)
    if up_to is not None:
        q = q.where(Voucher.period <= up_to)
    if district_code:
        q = q.where(Recipient.district_code == district_code)
    return q.subquery("scope")


def ledger_by_district(scope) -> list[tuple]:
    """(district, kind, is_reissue, rows, sum of amount) for the ledger rows of the scope."""
    is_reissue = case((VoucherLedger.ref_type == "reissue", 1), else_=0)
    q = (select(scope.c.district, VoucherLedger.kind, is_reissue, func.count(),
                func.coalesce(func.sum(VoucherLedger.amount_fen), 0))
         .join(scope, scope.c.voucher_id == VoucherLedger.voucher_id)
         .group_by(scope.c.district, VoucherLedger.kind, is_reissue))
    return [(d, k, int(r), int(n), int(s)) for d, k, r, n, s in db.session.execute(q)]


def _month_vouchers(q, programme_id: int, period: str, district_code: str | None, *, join_recipient: bool = False):
    """The scope's conditions on a query over Voucher itself (no self-join with the scope
    subquery, which PostgreSQL answers with a pass over every month's vouchers)."""
    q = q.where(Voucher.programme_id == programme_id, Voucher.period == period)
    if join_recipient or district_code:
        q = q.join(Recipient, Recipient.id == Voucher.recipient_id)
    return q.where(Recipient.district_code == district_code) if district_code else q


def vouchers_by_district(programme_id: int, period: str, district_code: str | None = None) -> list[tuple]:
    """(district, vouchers issued by issuance (reissue_no 0), sum of balances) of a month."""
    q = _month_vouchers(select(Recipient.district_code,
                               func.coalesce(func.sum(case((Voucher.reissue_no == 0, 1), else_=0)), 0),
                               func.coalesce(func.sum(Voucher.balance_fen), 0)).select_from(Voucher),
                        programme_id, period, district_code, join_recipient=True)
    return [(d, int(n), int(b)) for d, n, b in db.session.execute(q.group_by(Recipient.district_code))]


def balance_mismatches(programme_id: int, period: str, district_code: str | None, limit: int) -> list[dict]:
    """Vouchers of a month whose balance differs from the sum of their ledger rows."""
    total = (select(func.coalesce(func.sum(VoucherLedger.amount_fen), 0))
             .where(VoucherLedger.voucher_id == Voucher.id).scalar_subquery())
    q = _month_vouchers(select(Voucher.id, Voucher.code_tail, Voucher.balance_fen, total)
                        .where(total != Voucher.balance_fen), programme_id, period, district_code)
    return [{"voucher_id": vid, "code_tail": tail, "balance_fen": bal, "ledger_fen": int(led)}
            for vid, tail, bal, led in _first(q, 0, limit)]


def _voucher_paid():
    """A sale's voucher payments (fen), read from the (sale_id, method, amount_fen) index."""
    return (select(func.sum(Payment.amount_fen))
            .where(Payment.sale_id == Sale.id, Payment.method == "voucher").scalar_subquery())


def _has_voucher_payment():
    return select(Payment.id).where(Payment.sale_id == Sale.id, Payment.method == "voucher").exists()


def _ledger_per_ref(scope, kind: str, ref_type: str):
    return (select(VoucherLedger.ref_id.label("ref_id"), func.sum(VoucherLedger.amount_fen).label("fen"))
            .join(scope, scope.c.voucher_id == VoucherLedger.voucher_id)
            .where(_kind(kind), _ref_type(ref_type))
            .group_by(VoucherLedger.ref_id).subquery(f"led_{kind}"))


def sales_by_shop(scope) -> dict[int, dict]:
    """Per shop: sales paid by voucher (those with a voucher payment), distinct recipients,
    voucher payments (fen)."""
    q = (select(Sale.shop_id, func.count(), func.count(distinct(Sale.recipient_id)), func.sum(_voucher_paid()))
         .join(scope, scope.c.voucher_id == Sale.voucher_id)
         .where(_has_voucher_payment()).group_by(Sale.shop_id))
    return {shop: {"sales": int(n), "recipients": int(r), "redeemed_fen": int(f or 0)}
            for shop, n, r, f in db.session.execute(q)}


def distinct_redeemers(scope) -> int:
    return int(db.session.scalar(select(func.count(distinct(Sale.recipient_id)))
                                 .join(scope, scope.c.voucher_id == Sale.voucher_id)
                                 .where(_has_voucher_payment())) or 0)


def void_refunds_by_shop(scope) -> dict[int, int]:
    q = (select(Sale.shop_id, func.sum(Void.voucher_refund_fen))
         .join(Void, Void.sale_id == Sale.id).join(scope, scope.c.voucher_id == Sale.voucher_id)
         .group_by(Sale.shop_id))
    return {shop: int(f or 0) for shop, f in db.session.execute(q)}


def ledger_by_shop(scope) -> dict[int, dict]:
    """Ledger redeem / refund rows that name a sale / a void, summed per shop of the sale.

    Read from the scope's sales and voids, each with a look-up of its voucher's rows that name
    it (the covering (voucher_id, kind, ref_type, ref_id, amount_fen) index): the same rows as
    joining the ledger to the sales, without a pass over every month's ledger and sales."""
    out: dict[int, dict] = {}
    redeem = (select(func.sum(VoucherLedger.amount_fen))
              .where(VoucherLedger.voucher_id == Sale.voucher_id, VoucherLedger.kind == "redeem",
                     VoucherLedger.ref_type == "sale", VoucherLedger.ref_id == cast(Sale.id, String))
              .scalar_subquery())
    per_sale = (select(Sale.shop_id.label("shop_id"), redeem.label("fen"))
                .join(scope, scope.c.voucher_id == Sale.voucher_id).subquery())
    for shop, fen in db.session.execute(select(per_sale.c.shop_id, func.sum(per_sale.c.fen))
                                        .where(per_sale.c.fen.is_not(None)).group_by(per_sale.c.shop_id)):
        out.setdefault(shop, {"redeem": 0, "refund": 0})["redeem"] = -int(fen or 0)
    refund = (select(func.sum(VoucherLedger.amount_fen))
              .where(VoucherLedger.voucher_id == Sale.voucher_id, VoucherLedger.kind == "refund",
                     VoucherLedger.ref_type == "void", VoucherLedger.ref_id == cast(Void.id, String))
              .scalar_subquery())
    per_void = (select(Sale.shop_id.label("shop_id"), refund.label("fen"))
                .select_from(Void).join(Sale, Sale.id == Void.sale_id)
                .join(scope, scope.c.voucher_id == Sale.voucher_id).subquery())
    for shop, fen in db.session.execute(select(per_void.c.shop_id, func.sum(per_void.c.fen))
                                        .where(per_void.c.fen.is_not(None)).group_by(per_void.c.shop_id)):
        out.setdefault(shop, {"redeem": 0, "refund": 0})["refund"] = int(fen or 0)
    return out


def sale_differences(scope, limit: int) -> list[dict]:
    """Sales whose voucher payment is not matched by the voucher's `redeem` rows, and `redeem`
    rows that no sale's voucher payment accounts for (no sale, or another amount).

    Written as correlated look-ups through the indexed voucher_id (and sale_id) so that SQLite,
    which has no hash join, stays linear: a join of two grouped subqueries on a computed key
    was quadratic there (25 s for 30,000 sales).
    """
    paid = (select(func.coalesce(func.sum(Payment.amount_fen), 0))
            .where(Payment.sale_id == Sale.id, Payment.method == "voucher").scalar_subquery())
    # correlated through the scope's voucher id (the sale's, by the join): so the comparison
    # cannot be made on every sale before the scope has chosen the month's (PostgreSQL would)
    ledger = (select(func.coalesce(-func.sum(VoucherLedger.amount_fen), 0))
              .where(VoucherLedger.voucher_id == scope.c.voucher_id, VoucherLedger.kind == "redeem",
                     VoucherLedger.ref_type == "sale", VoucherLedger.ref_id == cast(Sale.id, String))
              .scalar_subquery())
    q1 = (select(Sale.id, Sale.receipt_no, Sale.shop_id, Sale.business_date, Sale.voucher_id, paid, ledger)
          .join(scope, scope.c.voucher_id == Sale.voucher_id)
          .where(paid != ledger))
    out = [{"kind": "sale_payment_vs_ledger", "sale_id": sid, "receipt_no": rno, "shop_id": shop,
            "business_date": day.isoformat(), "voucher_id": vid, "sales_fen": int(p), "ledger_fen": int(lf)}
           for sid, rno, shop, day, vid, p, lf in _first(q1, 0, limit)]
    # redemption rows naming a sale that is not a sale of this voucher
    same_voucher_sale = (select(Sale.id).where(Sale.voucher_id == VoucherLedger.voucher_id,
                                               cast(Sale.id, String) == VoucherLedger.ref_id).exists())
    q2 = (select(VoucherLedger.voucher_id, VoucherLedger.ref_id, -func.sum(VoucherLedger.amount_fen))
          .join(scope, scope.c.voucher_id == VoucherLedger.voucher_id)
          .where(_kind("redeem"), _ref_type("sale"), ~same_voucher_sale)
          .group_by(VoucherLedger.voucher_id, VoucherLedger.ref_id))
    rows = sorted(db.session.execute(q2), key=lambda r: (r[0], r[1] or ""))[:limit]
    out += [{"kind": "ledger_without_sale_payment", "sale_id": _int_or_none(ref), "receipt_no": None,
             "shop_id": None, "business_date": None, "voucher_id": vid, "sales_fen": 0, "ledger_fen": int(f)}
            for vid, ref, f in rows]
    # redemptions that name no sale at all (made outside the till)
    q3 = (select(VoucherLedger.id, VoucherLedger.voucher_id, VoucherLedger.ref_type, VoucherLedger.ref_id,
                 -VoucherLedger.amount_fen)
          .join(scope, scope.c.voucher_id == VoucherLedger.voucher_id)
          .where(_kind("redeem"), func.coalesce(VoucherLedger.ref_type, literal("")) != "sale"))
    out += [{"kind": "redeem_without_sale", "sale_id": None, "receipt_no": None, "shop_id": None,
             "business_date": None, "voucher_id": vid, "ref": f"{rt}:{rid}", "sales_fen": 0, "ledger_fen": int(f)}
            for _id, vid, rt, rid, f in _first(q3, 0, limit)]
    return out


def void_differences(scope, limit: int) -> list[dict]:
    """Voids whose voucher refund is not matched by `refund` ledger rows, and the reverse."""
    led = _ledger_per_ref(scope, "refund", "void")
    ledger_fen = func.coalesce(led.c.fen, 0)
    q1 = (select(Void.id, Sale.id, Sale.receipt_no, Sale.shop_id, Void.voucher_refund_fen, ledger_fen)
          .join(Sale, Sale.id == Void.sale_id).join(scope, scope.c.voucher_id == Sale.voucher_id)
          .outerjoin(led, led.c.ref_id == cast(Void.id, String))
          .where(ledger_fen != Void.voucher_refund_fen))
    out = [{"kind": "void_refund_vs_ledger", "void_id": vid, "sale_id": sid, "receipt_no": rno,
            "shop_id": shop, "sales_fen": int(v), "ledger_fen": int(lf)}
           for vid, sid, rno, shop, v, lf in _first(q1, 0, limit)]
    named_void = select(Void.id).where(cast(Void.id, String) == VoucherLedger.ref_id).exists()
    q2 = (select(VoucherLedger.id, VoucherLedger.voucher_id, VoucherLedger.ref_type, VoucherLedger.ref_id,
                 VoucherLedger.amount_fen)
          .join(scope, scope.c.voucher_id == VoucherLedger.voucher_id)
          .where(_kind("refund"),
                 (func.coalesce(VoucherLedger.ref_type, literal("")) != "void") | ~named_void))
    out += [{"kind": "refund_without_void", "void_id": None, "sale_id": None, "receipt_no": None,
             "shop_id": None, "voucher_id": vid, "ref": f"{rt}:{rid}", "sales_fen": 0, "ledger_fen": int(f)}
            for _id, vid, rt, rid, f in _first(q2, 0, limit)]
    return out


def _sale_day_window(q, first, last, shop_ids):
    q = q.where(Sale.business_date.between(first, last))
    return q if shop_ids is None else q.where(Sale.shop_id.in_(shop_ids))


def charity_value_by_month(first: dt.date, last: dt.date, shop_ids: list[int] | None) -> dict[str, dict[int, dict]]:
    """Per business month (YYYY-MM) and shop, for sales dated from `first` to `last`, net of
    voids: market value of the goods sold at charity price, what was paid for them, the
    saving; and the voucher payments. One pass over the days (grouped by day and shop, in the
    order of the (business_date, shop_id, ...) index), rolled up into months here."""
    day = Sale.business_date
    sold = (select(Sale.shop_id, day, func.sum(line_amount_sql(SaleLine.market_price_fen, SaleLine.quantity,
                                                               SaleLine.unit_grams)),
                   func.sum(SaleLine.line_total_fen))
            .join(SaleLine, SaleLine.sale_id == Sale.id).where(SaleLine.charity_price.is_(True)))
    # voided market value per sale line from its voided quantity as a whole: a weighed line voided
    # in parts counts exactly its market amount once fully voided (app.core.money.line_amount_fen)
    per_line = (select(VoidLine.sale_line_id.label("line_id"), func.sum(VoidLine.quantity).label("qty"),
                       func.sum(VoidLine.amount_fen).label("fen")).group_by(VoidLine.sale_line_id).subquery())
    voided = (select(Sale.shop_id, day, func.sum(line_amount_sql(SaleLine.market_price_fen, per_line.c.qty,
                                                                 SaleLine.unit_grams)),
                     func.sum(per_line.c.fen))
              .select_from(per_line)
              .join(SaleLine, SaleLine.id == per_line.c.line_id + 0).join(Sale, Sale.id == SaleLine.sale_id)
              .where(SaleLine.charity_price.is_(True)))
    vouchers = select(Sale.shop_id, day, func.count(), func.sum(Sale.voucher_paid_fen)).where(Sale.voucher_paid_fen > 0)
    refunds = (select(Sale.shop_id, day, func.sum(Void.voucher_refund_fen)).select_from(Void)
               .join(Sale, Sale.id == Void.sale_id + 0))
    sold, voided, vouchers, refunds = (_sale_day_window(q, first, last, shop_ids).group_by(day, Sale.shop_id)
                                       for q in (sold, voided, vouchers, refunds))
    out: dict[str, dict[int, dict]] = {}

    def row(shop, on):
        return out.setdefault(f"{on.year:04d}-{on.month:02d}", {}).setdefault(
            shop, {"market_fen": 0, "charity_fen": 0, "voucher_sales": 0, "voucher_fen": 0})

    for shop, on, m, c in db.session.execute(sold):
        row(shop, on)["market_fen"] += int(m or 0)
        row(shop, on)["charity_fen"] += int(c or 0)
    for shop, on, m, c in db.session.execute(voided):
        row(shop, on)["market_fen"] -= int(m or 0)
        row(shop, on)["charity_fen"] -= int(c or 0)
    for shop, on, n, f in db.session.execute(vouchers):
        row(shop, on)["voucher_sales"] += int(n)
        row(shop, on)["voucher_fen"] += int(f or 0)
    for shop, on, f in db.session.execute(refunds):
        row(shop, on)["voucher_fen"] -= int(f or 0)
    for shops in out.values():
        for r in shops.values():
            r["saving_fen"] = r["market_fen"] - r["charity_fen"]
    return out


def charity_value(period: Period, shop_ids: list[int] | None) -> dict[int, dict]:
    """Per shop, for sales dated in `period`, net of voids: market value of the goods sold at
    charity price, what was paid for them, the saving; and the voucher payments."""
    return charity_value_by_month(period.first_day, period.last_day, shop_ids).get(str(period), {})


def charity_buyers(first: dt.date, last: dt.date, shop_ids: list[int] | None) -> int:
    """Distinct recipients with a sale (identified, so at charity price) dated from `first` to
    `last`. Asked month by month: distinct people do not add up over days, and a month's range
    of the (business_date, shop_id, recipient_id, ...) index is read and de-duplicated far
    faster than a year's (month, recipient) pairs are sorted in one GROUP BY."""
    q = _sale_day_window(select(func.count(distinct(Sale.recipient_id))).where(Sale.recipient_id.is_not(None)),
                         first, last, shop_ids)
    return int(db.session.scalar(q) or 0)


# Ledger sums in one pass, told apart as reconciliation.add_ledger_row needs them: a GROUP BY
# kind would sort every row (SQLite has no hash aggregate), conditional sums stream.
LEDGER_SUMS = (("issue", 0), ("issue", 1), ("redeem", 0), ("refund", 0), ("expire", 0), ("revoke", 0))


def _ledger_sum(kind: str, is_reissue: int):
    cond = VoucherLedger.kind == kind
    if kind in ("issue", "revoke"):
        reissue = VoucherLedger.ref_type == "reissue"
        cond = and_(cond, reissue if is_reissue else VoucherLedger.ref_type.is_distinct_from("reissue"))
    return func.coalesce(func.sum(case((cond, VoucherLedger.amount_fen), else_=0)), 0)


def _programme_vouchers(q, programme_id: int, *, periods=None, up_to: str | None = None,
                        district_code: str | None = None):
    q = q.where(Voucher.programme_id == programme_id)
    if periods is not None:
        q = q.where(Voucher.period.in_(periods))
    if up_to is not None:
        q = q.where(Voucher.period <= up_to)
    if district_code:
        q = q.join(Recipient, Recipient.id == Voucher.recipient_id).where(Recipient.district_code == district_code)
    return q


def ledger_by_period(programme_id: int, *, periods=None, up_to: str | None = None,
                     district_code: str | None = None, kinds=LEDGER_SUMS) -> dict[str, list[tuple]]:
    """Per voucher month: [(kind, is_reissue, fen)] of the ledger rows of its vouchers."""
    q = _programme_vouchers(select(Voucher.period, *(_ledger_sum(k, r) for k, r in kinds))
                            .select_from(Voucher).join(VoucherLedger, VoucherLedger.voucher_id == Voucher.id),
                            programme_id, periods=periods, up_to=up_to, district_code=district_code)
    return {period: [(k, r, int(fen)) for (k, r), fen in zip(kinds, sums, strict=True)]
            for period, *sums in db.session.execute(q.group_by(Voucher.period))}


def ledger_totals(programme_id: int, *, up_to: str | None = None, district_code: str | None = None,
                  kinds=LEDGER_SUMS) -> list[tuple]:
    """[(kind, is_reissue, fen)] of the ledger rows of the vouchers of every month up to `up_to`
    (of every month when None)."""
    q = _programme_vouchers(select(*(_ledger_sum(k, r) for k, r in kinds))
                            .select_from(Voucher).join(VoucherLedger, VoucherLedger.voucher_id == Voucher.id),
                            programme_id, up_to=up_to, district_code=district_code)
    sums = db.session.execute(q).one()
    return [(k, r, int(fen)) for (k, r), fen in zip(kinds, sums, strict=True)]


def vouchers_by_period(programme_id: int, *, periods=None, district_code: str | None = None) -> dict[str, tuple]:
    """Per voucher month: (vouchers issued by issuance (reissue_no 0), sum of balances)."""
    q = _programme_vouchers(select(Voucher.period, func.sum(case((Voucher.reissue_no == 0, 1), else_=0)),
                                   func.sum(Voucher.balance_fen)),
                            programme_id, periods=periods, district_code=district_code)
    return {period: (int(n or 0), int(b or 0)) for period, n, b in db.session.execute(q.group_by(Voucher.period))}


def issued_count(programme_id: int, *, up_to: str | None = None, district_code: str | None = None) -> int:
    """Vouchers from issuance (reissue_no 0) of every month up to `up_to` (of every month when None)."""
    q = _programme_vouchers(select(func.count()).select_from(Voucher).where(Voucher.reissue_no == 0),
                            programme_id, up_to=up_to, district_code=district_code)
    return int(db.session.scalar(q) or 0)


def voucher_sales_count(programme_id: int, *, up_to: str, district_code: str | None = None) -> int:
    """Sales with a voucher payment, paid with a voucher of a month up to `up_to`."""
    q = _programme_vouchers(select(func.count()).select_from(Sale).join(Voucher, Voucher.id == Sale.voucher_id)
                            .where(_has_voucher_payment()),
                            programme_id, up_to=up_to, district_code=district_code)
    return int(db.session.scalar(q) or 0)


def redeemers_by_period(programme_id: int, *, periods=None, district_code: str | None = None) -> dict[str, int]:
    """Per voucher month: distinct recipients of the sales its vouchers paid for."""
    q = _programme_vouchers(select(Voucher.period, func.count(distinct(Sale.recipient_id)))
                            .select_from(Sale).join(Voucher, Voucher.id == Sale.voucher_id)
                            .where(Sale.voucher_paid_fen > 0),
                            programme_id, periods=periods, district_code=district_code)
    return {period: int(n) for period, n in db.session.execute(q.group_by(Voucher.period))}


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
