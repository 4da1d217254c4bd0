"""What a basket will cost, as checkout will charge it: the till shows this answer instead of
pricing the basket itself (`POST /api/v1/sales/quote`). Reads only: nothing is written.

Checkout's own `quote()` prices the basket; here the answer is laid out for the page: one line
per product with its charity and market-price split, the totals, and the monthly limits of the
products in the basket. A basket over a limit is priced as if the rest were sold at market price
and flagged (`limit_exceeded`), so the cashier can choose in one tap: sell the rest at market
price (`over_limit: "market"` on the sale) or take it out.
"""

from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _

from app.core.errors import InvalidInput
from app.core.timeutil import Period, business_today
from app.core.weights import format_quantity
from app.pos import checkout


def quote_basket(*, lines, voucher_code: str | None = None, recipient_id: int | None = None,
                 over_limit: str = "refuse", today: dt.date | None = None) -> dict:
    if over_limit not in ("refuse", "market"):
        raise InvalidInput(_("over_limit 只能是 refuse 或 market"))
    today = today or business_today()
    q = checkout.quote(lines=lines, voucher_code=voucher_code, recipient_id=recipient_id, over_limit="market",
                       today=today)
    per_product: dict[int, dict] = {}
    for p in q.priced:  # one or two priced lines per product: at charity price, at market price
        line = per_product.setdefault(p.product.id, {
            "product_id": p.product.id, "name": p.product.name, "unit": p.product.unit, "qty": 0,
            "unit_grams": p.unit_grams,  # weighed: quantities are grams, prices per 斤/kg
            "charity_qty": 0, "market_qty": 0, "charity_price_fen": p.product.charity_price_fen,
            "market_price_fen": p.product.market_price_fen, "voucher_eligible": p.product.voucher_eligible,
            "line_total_fen": 0, "market_total_fen": 0})
        line["qty"] += p.quantity
        line["charity_qty" if p.charity else "market_qty"] += p.quantity
        line["line_total_fen"] += p.total_fen
        line["market_total_fen"] += p.market_total_fen
    for line in per_product.values():
        for key in ("qty", "charity_qty", "market_qty"):
            line[key + "_text"] = format_quantity(line[key], line["unit"], line["unit_grams"])
    limits = []
    if q.recipient is not None:
        period = Period.of(today)
        for p in q.priced:
            line = per_product[p.product.id]
            if not p.product.monthly_limit or any(x["product_id"] == p.product.id for x in limits):
                continue
            used = checkout.limit_used(q.recipient.id, p.product.id, period)
            remaining = max(0, p.product.monthly_limit - used)
            limits.append({
                "product_id": p.product.id, "name": p.product.name, "unit": p.product.unit,
                "unit_grams": p.unit_grams, "remaining_text": format_quantity(remaining, p.product.unit, p.unit_grams),
                "over_text": format_quantity(max(0, line["qty"] - remaining), p.product.unit, p.unit_grams),
                "limit": p.product.monthly_limit, "used": used, "remaining": remaining,
                "requested": line["qty"], "over_qty": max(0, line["qty"] - remaining),
                "message": _("“%(name)s”每月慈善价限购 %(limit)s，本月还可买 %(left)s",
                             name=p.product.name,
                             limit=format_quantity(p.product.monthly_limit, p.product.unit, p.unit_grams),
                             left=format_quantity(remaining, p.product.unit, p.unit_grams))})
    exceeded = [x for x in limits if x["over_qty"] > 0]
    return {
        "lines": list(per_product.values()),
        "market_total_fen": q.market_total_fen,
        "total_fen": q.total_fen,
        "savings_fen": q.market_total_fen - q.total_fen,
        "voucher_pays_fen": q.voucher_pays_fen,
        "due_fen": q.due_fen,
        "voucher_balance_fen": q.voucher.balance_fen if q.voucher is not None else None,
        "recipient_id": q.recipient.id if q.recipient is not None else None,
        "limits": limits,
        "limit_exceeded": bool(exceeded),
        "over_limit": over_limit,
        # what POST /sales with this basket and `over_limit` would do: sell, or refuse (limit_exceeded)
        "sellable": not exceeded or over_limit == "market",
    }
