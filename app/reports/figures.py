"""Month-by-month figures: the public page (no login) and the staff dashboard share them.

Public figures carry no personal data and no cell small enough to point at a person: a count
from 1 to 4 is shown as "<5", and the money and rates of a month are withheld when fewer than 5
people stand behind them (a month with 3 vouchers would show each one's 29 yuan).
"""

from __future__ import annotations

from sqlalchemy import case, distinct, func, select

from app.auth import services as auth_services
from app.core.timeutil import Period
from app.donations import stats as donation_stats
from app.extensions import db
from app.pos.models import Sale
from app.recipients.models import Recipient
from app.reports import queries
from app.reports.reconciliation import add_ledger_row, blank_figures
from app.vouchers import services as vouchers
from app.vouchers.models import Voucher, VoucherLedger

MIN_CELL = 5


def months_with_vouchers(programme_id: int, *, limit: int = 24, up_to: Period | None = None) -> list[str]:
    q = select(Voucher.period).where(Voucher.programme_id == programme_id)
    if up_to is not None:
        q = q.where(Voucher.period <= str(up_to))
    periods = db.session.scalars(q.group_by(Voucher.period).order_by(Voucher.period.desc()).limit(limit))
    return sorted(periods)


def monthly(*, programme_code: str | None = None, district_code: str | None = None,
            shop_ids: list[int] | None = None, months: int = 12, up_to: Period | None = None) -> list[dict]:
    """Per voucher month: issued (count, fen), redeemed net of refunds, redemption rate,
    outstanding, redeemers; per business month: goods' market value, saving, pickups."""
    programme = vouchers.get_programme(programme_code)
    periods = months_with_vouchers(programme.id, limit=months, up_to=up_to)
    if not periods:
        return []
    base = (select(Voucher.period, Voucher.id).join(Recipient, Recipient.id == Voucher.recipient_id)
            .where(Voucher.programme_id == programme.id, Voucher.period.in_(periods)))
    if district_code:
        base = base.where(Recipient.district_code == district_code)
    scope = base.subquery()
    rows = {p: blank_figures() | {"redeemers": 0} for p in periods}
    is_reissue = case((VoucherLedger.ref_type == "reissue", 1), else_=0)
    for period, kind, reissue, fen in db.session.execute(
            select(scope.c.period, VoucherLedger.kind, is_reissue, func.sum(VoucherLedger.amount_fen))
            .join(scope, scope.c.id == VoucherLedger.voucher_id)
            .group_by(scope.c.period, VoucherLedger.kind, is_reissue)):
        add_ledger_row(rows[period], kind, int(reissue), int(fen or 0))
    for period, n, bal in db.session.execute(
            select(scope.c.period, func.sum(case((Voucher.reissue_no == 0, 1), else_=0)), func.sum(Voucher.balance_fen))
            .join(scope, scope.c.id == Voucher.id).group_by(scope.c.period)):
        rows[period]["issued_count"] = int(n or 0)
        rows[period]["outstanding_fen"] = int(bal or 0)
    for period, n in db.session.execute(
            select(scope.c.period, func.count(distinct(Sale.recipient_id)))
            .join(scope, scope.c.id == Sale.voucher_id).where(Sale.voucher_paid_fen > 0)
            .group_by(scope.c.period)):
        rows[period]["redeemers"] = int(n)
    picked = {m["period"]: m["picked_up"] for m in donation_stats.figures(
        shop_ids=shop_ids, period_from=periods[0], period_to=periods[-1])["by_month"]}
    out = []
    for period in periods:
        r = rows[period]
        p = Period.parse(period)
        value = queries.charity_value(p, shop_ids)
        buyers = _charity_buyers(p, shop_ids)
        net = r["redeemed_fen"] - r["refunded_fen"]
        out.append({
            "period": period, **r, "redeemed_net_fen": net,
            "redemption_rate_pct": round(100 * net / r["issued_fen"], 1) if r["issued_fen"] else None,
            "market_fen": sum(v["market_fen"] for v in value.values()),
            "saving_fen": sum(v["saving_fen"] for v in value.values()),
            "charity_buyers": buyers,
            "quilts": int(picked.get(period, {}).get("quilt", 0)),
            "garments": int(picked.get(period, {}).get("clothing", 0)),
            "shops": len([s for s in value.values() if s["voucher_sales"] or s["charity_fen"]]),
        })
    return out


def _charity_buyers(period: Period, shop_ids: list[int] | None) -> int:
    q = select(func.count(distinct(Sale.recipient_id))).where(
        Sale.recipient_id.is_not(None), Sale.business_date.between(period.first_day, period.last_day))
    if shop_ids is not None:
        q = q.where(Sale.shop_id.in_(shop_ids))
    return int(db.session.scalar(q) or 0)


def suppress_count(n: int) -> int | None:
    """None (shown as "<5") for 1–4; 0 and 5+ as they are."""
    return None if 0 < n < MIN_CELL else n


def public_rows(*, months: int = 12, up_to: Period | None = None) -> dict:
    """The public page's table (the latest `months` months with vouchers) and its cumulative
    line, with small cells suppressed."""
    rows = monthly(months=months, up_to=up_to)
    out = []
    for r in rows:
        few_issued = r["issued_count"] < MIN_CELL
        few_redeemers = r["redeemers"] < MIN_CELL
        few_buyers = r["charity_buyers"] < MIN_CELL
        out.append({
            "period": r["period"],
            "issued_count": suppress_count(r["issued_count"]),
            "issued_fen": None if few_issued else r["issued_fen"],
            "redeemers": suppress_count(r["redeemers"]),
            "redeemed_net_fen": None if few_redeemers else r["redeemed_net_fen"],
            "redemption_rate_pct": None if (few_issued or few_redeemers) else r["redemption_rate_pct"],
            "saving_fen": None if few_buyers else r["saving_fen"],
            "quilts": suppress_count(r["quilts"]),
            "garments": suppress_count(r["garments"]),
            "shops": r["shops"],
        })
    programme = vouchers.get_programme()
    total_count = db.session.scalar(select(func.count()).where(Voucher.programme_id == programme.id,
                                                               Voucher.reissue_no == 0)) or 0
    totals = blank_figures()
    is_reissue = case((VoucherLedger.ref_type == "reissue", 1), else_=0)  # one object: one set of binds
    for kind, reissue, fen in db.session.execute(
            select(VoucherLedger.kind, is_reissue, func.sum(VoucherLedger.amount_fen))
            .join(Voucher, Voucher.id == VoucherLedger.voucher_id).where(Voucher.programme_id == programme.id)
            .group_by(VoucherLedger.kind, is_reissue)):
        add_ledger_row(totals, kind, int(reissue), int(fen or 0))
    cumulative_pickups = donation_stats.figures()["cumulative"]["picked_up"]
    few = total_count < MIN_CELL
    return {
        "rows": out,
        "cumulative": {
            "issued_count": suppress_count(int(total_count)),
            "issued_fen": None if few else totals["issued_fen"],
            "redeemed_net_fen": None if few else totals["redeemed_fen"] - totals["refunded_fen"],
            "quilts": suppress_count(int(cumulative_pickups.get("quilt", 0))),
            "garments": suppress_count(int(cumulative_pickups.get("clothing", 0))),
            "shops": len([s for s in auth_services.list_shops() if s.active]),
        },
        "programme": programme.name,
        "face_fen": programme.face_fen,
    }
