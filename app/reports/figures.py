"""Month-by-month figures: the public page (no login) and the staff dashboard share them.

Public figures carry no personal data and no cell small enough to point at a person: a count
from 1 to 4 is shown as "<5", and the money and rates of a month are withheld when fewer than 5
people stand behind them (a month with 3 vouchers would show each one's 29 yuan).
"""

from __future__ import annotations

from sqlalchemy import select

from app.auth import services as auth_services
from app.core.timeutil import Period
from app.donations import stats as donation_stats
from app.extensions import db
from app.reports import queries
from app.reports.reconciliation import add_ledger_row, blank_figures
from app.vouchers import services as vouchers
from app.vouchers.models import Voucher

MIN_CELL = 5


def months_with_vouchers(programme_id: int, *, limit: int | None = 24, up_to: Period | None = None) -> list[str]:
    """The last `limit` months (all with None) in which the programme has vouchers, oldest first."""
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
    rows = {p: blank_figures() | {"redeemers": 0} for p in periods}
    for period, sums in queries.ledger_by_period(programme.id, periods=periods, district_code=district_code).items():
        for kind, reissue, fen in sums:
            add_ledger_row(rows[period], kind, reissue, fen)
    for period, (n, bal) in queries.vouchers_by_period(programme.id, periods=periods,
                                                        district_code=district_code).items():
        rows[period]["issued_count"] = n
        rows[period]["outstanding_fen"] = bal
    for period, n in queries.redeemers_by_period(programme.id, periods=periods, district_code=district_code).items():
        rows[period]["redeemers"] = n
    picked = {m["period"]: m["picked_up"] for m in donation_stats.figures(
        shop_ids=shop_ids, period_from=periods[0], period_to=periods[-1])["by_month"]}
    first, last = Period.parse(periods[0]).first_day, Period.parse(periods[-1]).last_day
    values = queries.charity_value_by_month(first, last, shop_ids)
    out = []
    for period in periods:
        r = rows[period]
        value = values.get(period, {})
        p = Period.parse(period)
        net = r["redeemed_fen"] - r["refunded_fen"]
        out.append({
            "period": period, **r, "redeemed_net_fen": net,
            "redemption_rate_pct": round(100 * net / r["issued_fen"], 1) if r["issued_fen"] else None,
            "market_fen": sum(v["market_fen"] for v in value.values()),
            "saving_fen": sum(v["saving_fen"] for v in value.values()),
            "charity_buyers": queries.charity_buyers(p.first_day, p.last_day, shop_ids),
            "quilts": int(picked.get(period, {}).get("quilt", 0)),
            "garments": int(picked.get(period, {}).get("clothing", 0)),
            "shops": len([s for s in value.values() if s["voucher_sales"] or s["charity_fen"]]),
        })
    return out


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
    total_count = queries.issued_count(programme.id)
    totals = blank_figures()
    for kind, reissue, fen in queries.ledger_totals(programme.id, kinds=(("issue", 0), ("redeem", 0), ("refund", 0))):
        add_ledger_row(totals, kind, reissue, fen)
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
