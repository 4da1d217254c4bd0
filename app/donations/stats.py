"""Figures: items received and picked up per kind, shop and month, and cumulatively.

`figures()` is what the reports issue calls (public figures such as "quilts picked up"); the
API serves the same dictionary at GET /api/v1/donations/stats.
"""

from __future__ import annotations

from sqlalchemy import func, select

from app.auth import services as auth_services
from app.donations import returns
from app.donations.models import KINDS, DonationLot, Pickup, PickupLine
from app.extensions import db


def shop_ids_for(user) -> list[int] | None:
    """The shops a staff user's figures cover (None: all shops)."""
    if user.role == "admin" or (user.role == "federation" and not user.district_code):
        return None
    return [s.id for s in auth_services.list_shops(user)]


def _zero() -> dict[str, int]:
    return dict.fromkeys(KINDS, 0)


def figures(*, shop_ids: list[int] | None = None, period_from: str | None = None,
            period_to: str | None = None) -> dict:
    """Items received (accepted into a donation corner) and picked up, for the given shops
    (None: every shop) and months `period_from`..`period_to` (YYYY-MM, inclusive, optional).

    Returns {"kinds", "rows": [{period, shop, kind, received, picked_up}], "by_kind",
    "by_shop", "by_month" (with running totals), "cumulative"}; counts are pieces, households
    are distinct recipients (never named).
    """
    received_q = (select(DonationLot.period, DonationLot.shop_id, DonationLot.kind,
                         func.sum(DonationLot.quantity_in), func.sum(DonationLot.quantity_left))
                  .group_by(DonationLot.period, DonationLot.shop_id, DonationLot.kind))
    picked_q = (select(Pickup.period, Pickup.shop_id, PickupLine.kind, func.sum(PickupLine.quantity))
                .join(Pickup, Pickup.id == PickupLine.pickup_id)
                .group_by(Pickup.period, Pickup.shop_id, PickupLine.kind))
    households_q = select(Pickup.period, func.count(func.distinct(Pickup.recipient_id))).group_by(Pickup.period)
    total_households_q = select(func.count(func.distinct(Pickup.recipient_id)))
    stock_q = select(DonationLot.kind, func.sum(DonationLot.quantity_left)).group_by(DonationLot.kind)
    if shop_ids is not None:
        received_q = received_q.where(DonationLot.shop_id.in_(shop_ids))
        picked_q = picked_q.where(Pickup.shop_id.in_(shop_ids))
        households_q = households_q.where(Pickup.shop_id.in_(shop_ids))
        total_households_q = total_households_q.where(Pickup.shop_id.in_(shop_ids))
        stock_q = stock_q.where(DonationLot.shop_id.in_(shop_ids))
    if period_from:
        received_q = received_q.where(DonationLot.period >= period_from)
        picked_q = picked_q.where(Pickup.period >= period_from)
        households_q = households_q.where(Pickup.period >= period_from)
        total_households_q = total_households_q.where(Pickup.period >= period_from)
    if period_to:
        received_q = received_q.where(DonationLot.period <= period_to)
        picked_q = picked_q.where(Pickup.period <= period_to)
        households_q = households_q.where(Pickup.period <= period_to)
        total_households_q = total_households_q.where(Pickup.period <= period_to)

    shops = {s.id: s for s in auth_services.list_shops()}
    cells: dict[tuple, dict] = {}
    for period, shop_id, kind, q_in, _left in db.session.execute(received_q).all():
        cells.setdefault((period, shop_id, kind), {"received": 0, "picked_up": 0})["received"] += int(q_in or 0)
    for period, shop_id, kind, n in db.session.execute(picked_q).all():
        cells.setdefault((period, shop_id, kind), {"received": 0, "picked_up": 0})["picked_up"] += int(n or 0)
    returned_q = returns.returned_per_period_shop_kind(shop_ids)  # pieces brought back are not picked up
    if period_from:
        returned_q = returned_q.where(Pickup.period >= period_from)
    if period_to:
        returned_q = returned_q.where(Pickup.period <= period_to)
    for period, shop_id, kind, n in db.session.execute(returned_q).all():
        cells.setdefault((period, shop_id, kind), {"received": 0, "picked_up": 0})["picked_up"] -= int(n or 0)

    rows = [{"period": p, "shop": shops[s].code, "kind": k, **v}
            for (p, s, k), v in sorted(cells.items(), key=lambda i: (i[0][0], shops[i[0][1]].code,
                                                                     KINDS.index(i[0][2])))]
    by_kind = {k: {"received": 0, "picked_up": 0, "in_stock": 0} for k in KINDS}
    by_shop: dict[str, dict] = {}
    by_month: dict[str, dict] = {}
    for row in rows:
        by_kind[row["kind"]]["received"] += row["received"]
        by_kind[row["kind"]]["picked_up"] += row["picked_up"]
        shop = by_shop.setdefault(row["shop"], {"shop": row["shop"], "name": None,
                                                "received": _zero(), "picked_up": _zero()})
        shop["received"][row["kind"]] += row["received"]
        shop["picked_up"][row["kind"]] += row["picked_up"]
        month = by_month.setdefault(row["period"], {"period": row["period"], "received": _zero(),
                                                    "picked_up": _zero(), "households": 0})
        month["received"][row["kind"]] += row["received"]
        month["picked_up"][row["kind"]] += row["picked_up"]
    for kind, left in db.session.execute(stock_q).all():
        by_kind[kind]["in_stock"] = int(left or 0)
    for period, n in db.session.execute(households_q).all():
        if period in by_month:
            by_month[period]["households"] = int(n)
    names = {s.code: s.name for s in shops.values()}
    for entry in by_shop.values():
        entry["name"] = names[entry["shop"]]
    running_in, running_out = _zero(), _zero()
    months = []
    for period in sorted(by_month):
        m = by_month[period]
        for k in KINDS:
            running_in[k] += m["received"][k]
            running_out[k] += m["picked_up"][k]
        m["received_to_date"] = dict(running_in)
        m["picked_up_to_date"] = dict(running_out)
        months.append(m)
    return {
        "kinds": list(KINDS),
        "rows": rows,
        "by_kind": by_kind,
        "by_shop": sorted(by_shop.values(), key=lambda e: e["shop"]),
        "by_month": months,
        "cumulative": {
            "received": {k: by_kind[k]["received"] for k in KINDS},
            "picked_up": {k: by_kind[k]["picked_up"] for k in KINDS},
            "in_stock": {k: by_kind[k]["in_stock"] for k in KINDS},
            "households": int(db.session.scalar(total_households_q) or 0),
        },
    }
