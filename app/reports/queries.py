"""Read-only queries over the other domains' tables ("reports reads all", DESIGN.md).

Nothing here writes. Every query is set-based (GROUP BY in the database), so a month of a
city — 100,000 vouchers and a few hundred thousand sale lines — is summed where the rows are.
"""

from __future__ import annotations

from sqlalchemy import String, and_, case, cast, distinct, func, literal, select

from app.core.timeutil import Period
from app.extensions import db
from app.pos.models import Payment, Sale, SaleLine, Void, VoidLine
from app.recipients.models import Recipient
from app.vouchers.models import Voucher, VoucherLedger


def voucher_scope(period: str | None, programme_id: int, district_code: str | None = None,
                  *, up_to: str | None = None):
    """The ids of the vouchers a reconciliation covers, as a subquery (with the district)."""
    q = (select(Voucher.id.label("voucher_id"), Recipient.district_code.label("district"))
         .join(Recipient, Recipient.id == Voucher.recipient_id)
         .where(Voucher.programme_id == programme_id))
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


def vouchers_by_district(scope) -> list[tuple]:
    """(district, vouchers issued by issuance (reissue_no 0), sum of balances)."""
    q = (select(scope.c.district,
                func.coalesce(func.sum(case((Voucher.reissue_no == 0, 1), else_=0)), 0),
                func.coalesce(func.sum(Voucher.balance_fen), 0))
         .join(scope, scope.c.voucher_id == Voucher.id).group_by(scope.c.district))
    return [(d, int(n), int(b)) for d, n, b in db.session.execute(q)]


def balance_mismatches(scope, limit: int) -> list[dict]:
    """Vouchers whose balance differs from the sum of their ledger rows."""
    sums = (select(VoucherLedger.voucher_id, func.sum(VoucherLedger.amount_fen).label("total"))
            .join(scope, scope.c.voucher_id == VoucherLedger.voucher_id)
            .group_by(VoucherLedger.voucher_id).subquery())
    total = func.coalesce(sums.c.total, 0)
    q = (select(Voucher.id, Voucher.code_tail, Voucher.balance_fen, total)
         .join(scope, scope.c.voucher_id == Voucher.id)
         .outerjoin(sums, sums.c.voucher_id == Voucher.id)
         .where(total != Voucher.balance_fen).order_by(Voucher.id).limit(limit))
    return [{"voucher_id": vid, "code_tail": tail, "balance_fen": bal, "ledger_fen": int(led)}
            for vid, tail, bal, led in db.session.execute(q)]


def _sale_payments(scope):
    """Voucher payments per sale, for sales paid with a voucher of the scope."""
    return (select(Sale.id.label("sale_id"), func.sum(Payment.amount_fen).label("fen"))
            .join(Payment, and_(Payment.sale_id == Sale.id, Payment.method == "voucher"))
            .join(scope, scope.c.voucher_id == Sale.voucher_id)
            .group_by(Sale.id).subquery("pay"))


def _ledger_per_ref(scope, kind: str, ref_type: str):
    return (select(VoucherLedger.ref_id.label("ref_id"), func.sum(VoucherLedger.amount_fen).label("fen"))
            .join(scope, scope.c.voucher_id == VoucherLedger.voucher_id)
            .where(VoucherLedger.kind == kind, VoucherLedger.ref_type == ref_type)
            .group_by(VoucherLedger.ref_id).subquery(f"led_{kind}"))


def sales_by_shop(scope) -> dict[int, dict]:
    """Per shop: sales paid by voucher, distinct recipients, voucher payments (fen)."""
    pay = _sale_payments(scope)
    q = (select(Sale.shop_id, func.count(), func.count(distinct(Sale.recipient_id)), func.sum(pay.c.fen))
         .join(pay, pay.c.sale_id == Sale.id).group_by(Sale.shop_id))
    return {shop: {"sales": int(n), "recipients": int(r), "redeemed_fen": int(f or 0)}
            for shop, n, r, f in db.session.execute(q)}


def distinct_redeemers(scope) -> int:
    pay = _sale_payments(scope)
    return int(db.session.scalar(select(func.count(distinct(Sale.recipient_id)))
                                 .join(pay, pay.c.sale_id == Sale.id)) or 0)


def void_refunds_by_shop(scope) -> dict[int, int]:
    q = (select(Sale.shop_id, func.sum(Void.voucher_refund_fen))
         .join(Void, Void.sale_id == Sale.id).join(scope, scope.c.voucher_id == Sale.voucher_id)
         .group_by(Sale.shop_id))
    return {shop: int(f or 0) for shop, f in db.session.execute(q)}


def ledger_by_shop(scope) -> dict[int, dict]:
    """Ledger redeem / refund rows that name a sale / a void, summed per shop of the sale."""
    out: dict[int, dict] = {}
    redeem = (select(Sale.shop_id, func.sum(VoucherLedger.amount_fen))
              .join(scope, scope.c.voucher_id == VoucherLedger.voucher_id)
              .join(Sale, and_(Sale.voucher_id == VoucherLedger.voucher_id,
                               cast(Sale.id, String) == VoucherLedger.ref_id))
              .where(VoucherLedger.kind == "redeem", VoucherLedger.ref_type == "sale")
              .group_by(Sale.shop_id))
    for shop, fen in db.session.execute(redeem):
        out.setdefault(shop, {"redeem": 0, "refund": 0})["redeem"] = -int(fen or 0)
    refund = (select(Sale.shop_id, func.sum(VoucherLedger.amount_fen))
              .join(scope, scope.c.voucher_id == VoucherLedger.voucher_id)
              .join(Sale, Sale.voucher_id == VoucherLedger.voucher_id)
              .join(Void, and_(Void.sale_id == Sale.id, cast(Void.id, String) == VoucherLedger.ref_id))
              .where(VoucherLedger.kind == "refund", VoucherLedger.ref_type == "void")
              .group_by(Sale.shop_id))
    for shop, fen in db.session.execute(refund):
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
    ledger = (select(func.coalesce(-func.sum(VoucherLedger.amount_fen), 0))
              .where(VoucherLedger.voucher_id == Sale.voucher_id, VoucherLedger.kind == "redeem",
                     VoucherLedger.ref_type == "sale", VoucherLedger.ref_id == cast(Sale.id, String))
              .scalar_subquery())
    q1 = (select(Sale.id, Sale.receipt_no, Sale.shop_id, Sale.business_date, Sale.voucher_id, paid, ledger)
          .join(scope, scope.c.voucher_id == Sale.voucher_id)
          .where(paid != ledger).order_by(Sale.id).limit(limit))
    out = [{"kind": "sale_payment_vs_ledger", "sale_id": sid, "receipt_no": rno, "shop_id": shop,
            "business_date": day.isoformat(), "voucher_id": vid, "sales_fen": int(p), "ledger_fen": int(lf)}
           for sid, rno, shop, day, vid, p, lf in db.session.execute(q1)]
    # redemption rows naming a sale that is not a sale of this voucher
    same_voucher_sale = (select(Sale.id).where(Sale.voucher_id == VoucherLedger.voucher_id,
                                               cast(Sale.id, String) == VoucherLedger.ref_id).exists())
    q2 = (select(VoucherLedger.voucher_id, VoucherLedger.ref_id, -func.sum(VoucherLedger.amount_fen))
          .join(scope, scope.c.voucher_id == VoucherLedger.voucher_id)
          .where(VoucherLedger.kind == "redeem", VoucherLedger.ref_type == "sale", ~same_voucher_sale)
          .group_by(VoucherLedger.voucher_id, VoucherLedger.ref_id).limit(limit))
    out += [{"kind": "ledger_without_sale_payment", "sale_id": _int_or_none(ref), "receipt_no": None,
             "shop_id": None, "business_date": None, "voucher_id": vid, "sales_fen": 0, "ledger_fen": int(f)}
            for vid, ref, f in db.session.execute(q2)]
    # redemptions that name no sale at all (made outside the till)
    q3 = (select(VoucherLedger.voucher_id, VoucherLedger.ref_type, VoucherLedger.ref_id, -VoucherLedger.amount_fen)
          .join(scope, scope.c.voucher_id == VoucherLedger.voucher_id)
          .where(VoucherLedger.kind == "redeem",
                 func.coalesce(VoucherLedger.ref_type, literal("")) != "sale")
          .order_by(VoucherLedger.id).limit(limit))
    out += [{"kind": "redeem_without_sale", "sale_id": None, "receipt_no": None, "shop_id": None,
             "business_date": None, "voucher_id": vid, "ref": f"{rt}:{rid}", "sales_fen": 0, "ledger_fen": int(f)}
            for vid, rt, rid, f in db.session.execute(q3)]
    return out


def void_differences(scope, limit: int) -> list[dict]:
    """Voids whose voucher refund is not matched by `refund` ledger rows, and the reverse."""
    led = _ledger_per_ref(scope, "refund", "void")
    ledger_fen = func.coalesce(led.c.fen, 0)
    q1 = (select(Void.id, Sale.id, Sale.receipt_no, Sale.shop_id, Void.voucher_refund_fen, ledger_fen)
          .join(Sale, Sale.id == Void.sale_id).join(scope, scope.c.voucher_id == Sale.voucher_id)
          .outerjoin(led, led.c.ref_id == cast(Void.id, String))
          .where(ledger_fen != Void.voucher_refund_fen).order_by(Void.id).limit(limit))
    out = [{"kind": "void_refund_vs_ledger", "void_id": vid, "sale_id": sid, "receipt_no": rno,
            "shop_id": shop, "sales_fen": int(v), "ledger_fen": int(lf)}
           for vid, sid, rno, shop, v, lf in db.session.execute(q1)]
    q2 = (select(VoucherLedger.voucher_id, VoucherLedger.ref_type, VoucherLedger.ref_id, VoucherLedger.amount_fen)
          .join(scope, scope.c.voucher_id == VoucherLedger.voucher_id)
          .outerjoin(Void, cast(Void.id, String) == VoucherLedger.ref_id)
          .where(VoucherLedger.kind == "refund",
                 (func.coalesce(VoucherLedger.ref_type, literal("")) != "void") | Void.id.is_(None))
          .order_by(VoucherLedger.id).limit(limit))
    out += [{"kind": "refund_without_void", "void_id": None, "sale_id": None, "receipt_no": None,
             "shop_id": None, "voucher_id": vid, "ref": f"{rt}:{rid}", "sales_fen": 0, "ledger_fen": int(f)}
            for vid, rt, rid, f in db.session.execute(q2)]
    return out


def sales_totals(scope) -> tuple[int, int]:
    """(voucher payments, voucher refunds of voids) of the sales paid with the scope's vouchers."""
    pay = _sale_payments(scope)
    paid = db.session.scalar(select(func.coalesce(func.sum(pay.c.fen), 0)))
    refunded = db.session.scalar(
        select(func.coalesce(func.sum(Void.voucher_refund_fen), 0))
        .join(Sale, Sale.id == Void.sale_id).join(scope, scope.c.voucher_id == Sale.voucher_id))
    return int(paid or 0), int(refunded or 0)


def charity_value(period: Period, shop_ids: list[int] | None) -> dict[int, dict]:
    """Per shop, for sales dated in `period`, net of voids: market value of the goods sold at
    charity price, what was paid for them, the saving; and the voucher payments."""
    first, last = period.first_day, period.last_day
    sold = (select(Sale.shop_id, func.sum(SaleLine.market_price_fen * SaleLine.quantity),
                   func.sum(SaleLine.line_total_fen))
            .join(Sale, Sale.id == SaleLine.sale_id)
            .where(SaleLine.charity_price.is_(True), Sale.business_date.between(first, last)))
    voided = (select(Sale.shop_id, func.sum(SaleLine.market_price_fen * VoidLine.quantity),
                     func.sum(VoidLine.amount_fen))
              .join(SaleLine, SaleLine.id == VoidLine.sale_line_id).join(Sale, Sale.id == SaleLine.sale_id)
              .where(SaleLine.charity_price.is_(True), Sale.business_date.between(first, last)))
    vouchers = (select(Sale.shop_id, func.count(), func.sum(Sale.voucher_paid_fen))
                .where(Sale.business_date.between(first, last), Sale.voucher_paid_fen > 0))
    refunds = (select(Sale.shop_id, func.sum(Void.voucher_refund_fen)).join(Void, Void.sale_id == Sale.id)
               .where(Sale.business_date.between(first, last)))
    if shop_ids is not None:
        sold, voided, vouchers, refunds = (q.where(Sale.shop_id.in_(shop_ids))
                                           for q in (sold, voided, vouchers, refunds))
    out: dict[int, dict] = {}

    def row(shop):
        return out.setdefault(shop, {"market_fen": 0, "charity_fen": 0, "voucher_sales": 0, "voucher_fen": 0})

    for shop, m, c in db.session.execute(sold.group_by(Sale.shop_id)):
        row(shop)["market_fen"] += int(m or 0)
        row(shop)["charity_fen"] += int(c or 0)
    for shop, m, c in db.session.execute(voided.group_by(Sale.shop_id)):
        row(shop)["market_fen"] -= int(m or 0)
        row(shop)["charity_fen"] -= int(c or 0)
    for shop, n, f in db.session.execute(vouchers.group_by(Sale.shop_id)):
        row(shop)["voucher_sales"] = int(n)
        row(shop)["voucher_fen"] += int(f or 0)
    for shop, f in db.session.execute(refunds.group_by(Sale.shop_id)):
        row(shop)["voucher_fen"] -= int(f or 0)
    for r in out.values():
        r["saving_fen"] = r["market_fen"] - r["charity_fen"]
    return out


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
