"""Monthly reconciliation of a programme's vouchers: issued against redeemed, refunded,
expired, revoked and outstanding — from the voucher ledger, and against the sales' voucher
payments — by shop, by district and per funder share, with every difference listed.

The identity (DESIGN.md): issued = redeemed − refunded + expired + revoked + outstanding.
All amounts are positive fen. A reissued card moves its balance to a new voucher (a `revoke`
row on the old one, an `issue` row on the new one, both marked `reissue`): such transfers are
shown apart (`reissued_fen`) and left out of issued and revoked, so a replaced card is neither
issued twice nor counted as revoked money.
"""

from __future__ import annotations

from flask_babel import gettext as _

from app.auth import services as auth_services
from app.core import regions
from app.core.timeutil import Period
from app.reports import queries
from app.vouchers import services as vouchers

DIFFERENCE_LIMIT = 1000  # rows of differences listed per kind (the counts say if there are more)
KINDS = ("issued", "redeemed", "refunded", "expired", "revoked")


def blank_figures() -> dict:
    return {"issued_count": 0, "issued_fen": 0, "redeemed_fen": 0, "refunded_fen": 0, "expired_fen": 0,
            "revoked_fen": 0, "reissued_fen": 0, "outstanding_fen": 0}


def add_ledger_row(acc: dict, kind: str, is_reissue: int, fen: int) -> None:
    if kind == "issue":
        acc["reissued_fen" if is_reissue else "issued_fen"] += fen
    elif kind == "revoke":
        if not is_reissue:
            acc["revoked_fen"] += -fen
    elif kind == "redeem":
        acc["redeemed_fen"] += -fen
    elif kind == "refund":
        acc["refunded_fen"] += fen
    elif kind == "expire":
        acc["expired_fen"] += -fen


def identity_gap(f: dict, *, redeemed: int | None = None, refunded: int | None = None) -> int:
    """issued − (redeemed − refunded + expired + revoked + outstanding); 0 when it holds."""
    redeemed = f["redeemed_fen"] if redeemed is None else redeemed
    refunded = f["refunded_fen"] if refunded is None else refunded
    return f["issued_fen"] - (redeemed - refunded + f["expired_fen"] + f["revoked_fen"] + f["outstanding_fen"])


def split_shares(amount_fen: int, funders: list[dict]) -> list[dict]:
    """Split `amount_fen` by basis-point shares; the remainders go by largest fraction, so the
    parts always add up to the amount exactly."""
    if not funders:
        return []
    raw = [(amount_fen * int(f["share_bp"]), i) for i, f in enumerate(funders)]
    parts = [r // 10000 for r, _i in raw]
    left = amount_fen - sum(parts)
    for _r, i in sorted(raw, key=lambda ri: (-(ri[0] % 10000), ri[1]))[:max(0, left)]:
        parts[i] += 1
    return [{"funder": f["name"], "share_bp": int(f["share_bp"]), "fen": p}
            for f, p in zip(funders, parts, strict=True)]


def month_books(period: str | Period, *, programme_code: str | None = None, district_code: str | None = None,
                difference_limit: int = DIFFERENCE_LIMIT, with_balances: bool = True) -> dict:
    """The month's identity, from the ledger and from the sales, and every difference behind it:
    what `reconcile()` reports and `flask verify` checks (app/reports/books.py). Without
    `with_balances` the per-voucher balance check is left to verify's own (it covers every
    voucher at once)."""
    period = Period.parse(str(period))
    programme = vouchers.get_programme(programme_code)
    scope = queries.voucher_scope(str(period), programme.id, district_code)
    ids = queries.voucher_scope(str(period), programme.id, district_code, with_district=False)

    totals = blank_figures()
    districts: dict[str, dict] = {}
    for district, kind, is_reissue, _n, fen in queries.ledger_by_district(scope):
        add_ledger_row(totals, kind, is_reissue, fen)
        add_ledger_row(districts.setdefault(district, blank_figures()), kind, is_reissue, fen)
    for district, count, balance in queries.vouchers_by_district(programme.id, str(period), district_code):
        d = districts.setdefault(district, blank_figures())
        d["issued_count"] += count
        d["outstanding_fen"] += balance
        totals["issued_count"] += count
        totals["outstanding_fen"] += balance

    shops = {s.id: s for s in auth_services.list_shops()}
    by_shop_sales = queries.sales_by_shop(ids)
    by_shop_refunds = queries.void_refunds_by_shop(ids)
    # the sales' side of the identity: every voucher payment and every void's voucher refund of
    # the scope's sales, which the per-shop figures hold exactly once each
    sales_paid = sum(s["redeemed_fen"] for s in by_shop_sales.values())
    sales_refunded = sum(by_shop_refunds.values())
    differences = (
        ([{"kind": "balance_vs_ledger", **m}
          for m in queries.balance_mismatches(programme.id, str(period), district_code, difference_limit)]
         if with_balances else [])
        + queries.sale_differences(ids, difference_limit)
        + queries.void_differences(ids, difference_limit))
    for d in differences:
        shop = shops.get(d.get("shop_id"))
        d["shop"] = shop.code if shop else None
        d["explanation"] = explain(d["kind"])
    return {"period": str(period), "programme": programme, "district": district_code, "ids": ids,
            "shops": shops, "totals": totals, "districts": districts, "by_shop_sales": by_shop_sales,
            "by_shop_refunds": by_shop_refunds, "sales_redeemed_fen": sales_paid,
            "sales_refunded_fen": sales_refunded, "ledger_gap_fen": identity_gap(totals),
            "sales_gap_fen": identity_gap(totals, redeemed=sales_paid, refunded=sales_refunded),
            "differences": differences}


def reconcile(period: str | Period, *, programme_code: str | None = None,
              district_code: str | None = None, difference_limit: int = DIFFERENCE_LIMIT) -> dict:
    """The reconciliation of `period` (YYYY-MM) for a programme; a district-limited user
    passes its district and sees only that district's recipients' vouchers."""
    books = month_books(period, programme_code=programme_code, district_code=district_code,
                        difference_limit=difference_limit)
    period, programme, ids, shops = Period.parse(books["period"]), books["programme"], books["ids"], books["shops"]
    totals, districts, differences = books["totals"], books["districts"], books["differences"]
    by_shop_sales, by_shop_refunds = books["by_shop_sales"], books["by_shop_refunds"]
    by_shop_ledger = queries.ledger_by_shop(ids)
    by_shop = []
    for shop_id in sorted(set(by_shop_sales) | set(by_shop_refunds) | set(by_shop_ledger),
                          key=lambda s: shops[s].code):
        s = by_shop_sales.get(shop_id, {"sales": 0, "recipients": 0, "redeemed_fen": 0})
        led = by_shop_ledger.get(shop_id, {"redeem": 0, "refund": 0})
        refunded = by_shop_refunds.get(shop_id, 0)
        by_shop.append({
            "shop": shops[shop_id].code, "name": shops[shop_id].name,
            "district": shops[shop_id].district_code, "sales": s["sales"], "recipients": s["recipients"],
            "redeemed_fen": s["redeemed_fen"], "refunded_fen": refunded,
            "net_fen": s["redeemed_fen"] - refunded,
            "ledger_redeemed_fen": led["redeem"], "ledger_refunded_fen": led["refund"],
            "balanced": led["redeem"] == s["redeemed_fen"] and led["refund"] == refunded,
        })

    by_district = []
    for code in sorted(districts):
        d = districts[code]
        by_district.append({"district": code, "name": regions.region_name(code) or code, **d,
                            "balanced": identity_gap(d) == 0})

    net_redeemed = totals["redeemed_fen"] - totals["refunded_fen"]
    shares = {key: split_shares(value, programme.funders or []) for key, value in (
        ("issued_fen", totals["issued_fen"]), ("redeemed_net_fen", net_redeemed),
        ("expired_fen", totals["expired_fen"]), ("revoked_fen", totals["revoked_fen"]),
        ("outstanding_fen", totals["outstanding_fen"]))}
    by_funder = [{"funder": f["name"], "share_bp": int(f["share_bp"]),
                  **{key: shares[key][i]["fen"] for key in shares}}
                 for i, f in enumerate(programme.funders or [])]

    return {
        "period": str(period),
        "programme": programme.code,
        "programme_name": programme.name,
        "district": district_code,
        **{k: totals[k] for k in ("issued_count", "issued_fen", "redeemed_fen", "refunded_fen",
                                  "expired_fen", "revoked_fen", "outstanding_fen", "reissued_fen")},
        "redemptions": sum(s["sales"] for s in by_shop),
        "recipients_redeemed": queries.distinct_redeemers(ids),
        "sales_redeemed_fen": books["sales_redeemed_fen"],
        "sales_refunded_fen": books["sales_refunded_fen"],
        "ledger_gap_fen": books["ledger_gap_fen"],
        "sales_gap_fen": books["sales_gap_fen"],
        "balanced": books["ledger_gap_fen"] == 0 and books["sales_gap_fen"] == 0 and not differences,
        "differences": differences,
        "by_shop": by_shop,
        "by_district": by_district,
        "by_funder": by_funder,
        "cumulative": cumulative(period, programme_id=programme.id, district_code=district_code),
    }


def cumulative(period: Period, *, programme_id: int, district_code: str | None = None) -> dict:
    """Since the programme began, up to and including `period`: person-times and yuan."""
    acc = blank_figures()
    for kind, is_reissue, fen in queries.ledger_totals(programme_id, up_to=str(period), district_code=district_code,
                                                       kinds=(("issue", 0), ("redeem", 0), ("refund", 0))):
        add_ledger_row(acc, kind, is_reissue, fen)
    return {"issued_count": queries.issued_count(programme_id, up_to=str(period), district_code=district_code),
            "issued_fen": acc["issued_fen"],
            "redeemed_net_fen": acc["redeemed_fen"] - acc["refunded_fen"],
            "redemptions": queries.voucher_sales_count(programme_id, up_to=str(period), district_code=district_code)}


def explain(kind: str) -> str:
    return {
        "balance_vs_ledger": _("购物券余额与其流水合计不一致"),
        "sale_payment_vs_ledger": _("交易的购物券付款与购物券核销流水不一致"),
        "ledger_without_sale_payment": _("核销流水指向的交易没有对应的购物券付款"),
        "redeem_without_sale": _("核销流水不属于任何收银交易（非收银台核销）"),
        "void_refund_vs_ledger": _("作废的购物券退回金额与退回流水不一致"),
        "refund_without_void": _("退回流水不属于任何作废记录"),
    }.get(kind, kind)


API_KEYS = ("period", "issued_count", "issued_fen", "redeemed_fen", "refunded_fen", "expired_fen",
            "revoked_fen", "outstanding_fen", "balanced", "by_shop", "by_district")


def api_view(result: dict) -> dict:
    """The body of GET /api/v1/reconciliation/<period>: exactly the keys DESIGN.md lists."""
    return {k: result[k] for k in API_KEYS}
