"""Reports' own identities for `flask verify`: each voucher month's reconciliation (computed by
reconciliation.month_books, exactly as the reconciliation shows it) and paid settlements against
the rows they froze."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select

from app.core.books import Check, Window, difference, month_of
from app.core.errors import NotFound
from app.extensions import db
from app.pos.models import Payment, Sale, Void
from app.reports import reconciliation
from app.reports.figures import months_with_vouchers
from app.reports.models import Settlement
from app.vouchers import services as vouchers

# reconciliation's kinds of difference, by the identity verify reports them under
# (balance_vs_ledger is vouchers.balance's, which covers every voucher of the window at once)
KIND_CHECK = {"sale_payment_vs_ledger": "vouchers.sales_vs_ledger",
              "ledger_without_sale_payment": "vouchers.sales_vs_ledger",
              "redeem_without_sale": "vouchers.sales_vs_ledger",
              "void_refund_vs_ledger": "vouchers.voids_vs_ledger",
              "refund_without_void": "vouchers.voids_vs_ledger"}


def month_differences(result: dict, programme_code: str) -> list[dict]:
    """The differences of one month's reconciliation (a `reconcile()` or `month_books()` result)."""
    obj = {"programme": programme_code, "period": result["period"], "district": result.get("district")}
    issued = result["totals"]["issued_fen"] if "totals" in result else result["issued_fen"]
    out = []
    if result["ledger_gap_fen"]:
        out.append(difference("reconciliation.identity", {**obj, "kind": "ledger"}, ("issued_fen", issued),
                              ("redeemed_refunded_expired_revoked_outstanding_fen",
                               issued - result["ledger_gap_fen"])))
    if result["sales_gap_fen"]:
        out.append(difference("reconciliation.identity", {**obj, "kind": "sales"}, ("issued_fen", issued),
                              ("sales_refunds_expired_revoked_outstanding_fen", issued - result["sales_gap_fen"])))
    for d in result["differences"]:
        check = KIND_CHECK.get(d["kind"])
        if check is None:
            continue
        out.append(difference(check, {
            "shop_id": d.get("shop_id"), "period": result["period"], "sale_id": d.get("sale_id"),
            "receipt_no": d.get("receipt_no"), "void_id": d.get("void_id"), "voucher_id": d.get("voucher_id"),
            "ref": d.get("ref"), "kind": d["kind"]}, ("sales_fen", d.get("sales_fen", 0)),
            ("ledger_fen", d.get("ledger_fen", 0))))
    return out


def reconciliations(window: Window) -> list[dict]:
    """Per programme and voucher month (the window's; every month with vouchers, from the
    window's first day's month if it has one):
    issued = redeemed − refunded + expired + revoked + outstanding, by the ledger and by the
    sales, and every sale and void against the ledger rows that name it."""
    out = []
    for programme in vouchers.list_programmes():
        periods = [window.period] if window.period else months_with_vouchers(programme.id, limit=None)
        if window.first is not None and not window.period:
            periods = [p for p in periods if p >= f"{window.first:%Y-%m}"]
        for period in periods:
            result = reconciliation.month_books(period, programme_code=programme.code, with_balances=False)
            out += month_differences(result, programme.code)
    return out


def periods_with_vouchers() -> set[str]:
    return {p for programme in vouchers.list_programmes() for p in months_with_vouchers(programme.id, limit=None)}


def settlements(window: Window) -> list[dict]:
    """A paid settlement still equals what its rows say: the voucher payments of the shop's
    sales of the month, the voucher refunds of the voids that count in it, and amount =
    payments − refunds. Paying closed the month; nothing may have changed it since."""
    paid = {(s.shop_id, s.period): s for s in db.session.scalars(select(Settlement).where(Settlement.status == "paid"))}
    if not paid:
        return []
    month = month_of(Sale.business_date)
    shops = list({shop for shop, _p in paid})
    sold = {(shop, p): (int(n), int(fen or 0)) for shop, p, n, fen in db.session.execute(
        select(Sale.shop_id, month, func.count(func.distinct(Sale.id)), func.sum(Payment.amount_fen))
        .join(Payment, and_(Payment.sale_id == Sale.id, Payment.method == "voucher"))
        .where(Sale.shop_id.in_(shops)).group_by(Sale.shop_id, month))}
    counts_in = func.coalesce(Void.settlement_period, month)
    refunded = {(shop, p): int(fen or 0) for shop, p, fen in db.session.execute(
        select(Void.shop_id, counts_in, func.sum(Void.voucher_refund_fen)).join(Sale, Sale.id == Void.sale_id)
        .where(Void.shop_id.in_(shops)).group_by(Void.shop_id, counts_in))}
    out = []
    for key, s in sorted(paid.items()):
        n, voucher = sold.get(key, (0, 0))
        refund = refunded.get(key, 0)
        obj = {"shop_id": s.shop_id, "period": s.period, "settlement": s.number}
        pairs = [(f"statement.{field}", frozen, f"rows.{field}", now) for field, frozen, now in (
            ("sales_count", s.sales_count, n), ("voucher_fen", s.voucher_fen, voucher),
            ("refund_fen", s.refund_fen, refund), ("amount_fen", s.amount_fen, voucher - refund))]
        pairs.append(("statement.amount_fen", s.amount_fen, "statement.voucher_minus_refund_fen",
                      s.voucher_fen - s.refund_fen))
        out += [difference("reports.settlements", obj, (a, av), (b, bv)) for a, av, b, bv in pairs if av != bv]
    return out


def check_period(period: str) -> None:
    """`verify --period`: a month that has no vouchers is a mistake (NotFound)."""
    if period not in periods_with_vouchers():
        raise NotFound(_("%(period)s 没有发放购物券", period=period))


CHECKS = (
    Check(reconciliations, {"reconciliation.identity":
                            _l("每月：发放 = 核销 − 退券 + 过期 + 注销 + 未使用余额（按流水和按交易）"),
                            "vouchers.sales_vs_ledger": _l("交易的购物券付款等于购物券核销流水"),
                            "vouchers.voids_vs_ledger": _l("作废的购物券退回等于购物券退回流水")}),
    Check(settlements, {"reports.settlements": _l("已付款的结算单等于其月份的交易和作废")}, dated=False),
)
