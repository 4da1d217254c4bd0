"""The donation corner's books: lots, tallies, returns, one pickup per key.

Read-only service functions for `flask verify`, set-based: each is one statement that returns
only the rows that disagree.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, literal, or_, select, union_all

from app.core.books import Check, Window, difference
from app.donations.models import (
    DonationLine,
    DonationLot,
    Pickup,
    PickupLine,
    PickupReturn,
    PickupReturnLine,
    PickupTally,
)
from app.extensions import db


def lots(window: Window) -> list[dict]:
    """Per lot: quantity left = received into it − picked up from it + returned to it; what was
    received is the donation line's accepted quantity."""
    taken = (select(PickupLine.lot_id.label("lot_id"), func.sum(PickupLine.quantity).label("qty"))
             .group_by(PickupLine.lot_id).subquery())
    back = (select(PickupReturnLine.lot_id.label("lot_id"), func.sum(PickupReturnLine.quantity).label("qty"))
            .group_by(PickupReturnLine.lot_id).subquery())
    out_qty, back_qty = func.coalesce(taken.c.qty, 0), func.coalesce(back.c.qty, 0)
    expected = DonationLot.quantity_in - out_qty + back_qty
    q = (select(DonationLot.id, DonationLot.shop_id, DonationLot.kind, DonationLot.donation_id,
                DonationLot.quantity_left, expected, DonationLot.quantity_in, DonationLine.quantity_received)
         .join(DonationLine, DonationLine.id == DonationLot.line_id)
         .outerjoin(taken, taken.c.lot_id == DonationLot.id).outerjoin(back, back.c.lot_id == DonationLot.id)
         .where(or_(DonationLot.quantity_left != expected,
                    DonationLot.quantity_in != func.coalesce(DonationLine.quantity_received, 0))))
    out = []
    for lot, shop, kind, donation, left, exp, qty_in, received in db.session.execute(q):
        obj = {"shop_id": shop, "lot_id": lot, "kind": kind, "ref": f"donation:{donation}"}
        if left != exp:
            out.append(difference("donations.lots", obj, ("quantity_left", left), ("in_minus_out_plus_returned", exp)))
        if qty_in != (received or 0):
            out.append(difference("donations.lots", obj, ("quantity_in", qty_in), ("line_received", received or 0)))
    return out


def _pickup_rows(sign: int, key_of):
    """(recipient, kind, period key, pieces) of every pickup line (sign 1) or return line (−1)."""
    if sign > 0:
        return (select(Pickup.recipient_id, PickupLine.kind, key_of(Pickup.period), PickupLine.quantity, literal(0))
                .join(Pickup, Pickup.id == PickupLine.pickup_id))
    return (select(Pickup.recipient_id, PickupReturnLine.kind, key_of(Pickup.period), -PickupReturnLine.quantity,
                   literal(0))
            .join(PickupLine, PickupLine.id == PickupReturnLine.pickup_line_id)
            .join(Pickup, Pickup.id == PickupLine.pickup_id))


def tallies(window: Window) -> list[dict]:
    """Per recipient, kind and period (the month `M2026-03` and the year `Y2026` of the pickup's
    business day): the tally the limits are checked against = pieces picked up − pieces returned."""
    def month(period):
        return literal("M") + period

    def year(period):
        return literal("Y") + func.substr(period, 1, 4)

    parts = [_pickup_rows(sign, key_of) for sign in (1, -1) for key_of in (month, year)]
    parts.append(select(PickupTally.recipient_id, PickupTally.kind, PickupTally.period_key, literal(0),
                        PickupTally.quantity))
    u = union_all(*parts).subquery()
    recipient, kind, key, expected, tally = u.c
    q = (select(recipient, kind, key, func.sum(tally), func.sum(expected)).group_by(recipient, kind, key)
         .having(func.sum(tally) != func.sum(expected)))
    return [difference("donations.tallies", {"recipient_id": r, "kind": k, "period_key": pk},
                       ("tally", t), ("picked_up_minus_returned", e))
            for r, k, pk, t, e in db.session.execute(q)]


def returns(window: Window) -> list[dict]:
    """Per pickup line: pieces returned ≤ pieces handed out; a return line goes back to the lot
    its pickup line came from, and belongs to a return of that line's pickup."""
    back = (select(PickupReturnLine.pickup_line_id.label("line_id"),
                   func.sum(PickupReturnLine.quantity).label("qty"))
            .group_by(PickupReturnLine.pickup_line_id).subquery())
    q = (select(PickupLine.id, PickupLine.pickup_id, PickupLine.lot_id, Pickup.shop_id, back.c.qty,
                PickupLine.quantity)
         .join(back, back.c.line_id == PickupLine.id).join(Pickup, Pickup.id == PickupLine.pickup_id)
         .where(back.c.qty > PickupLine.quantity))
    out = [difference("donations.returns", {"shop_id": shop, "pickup_id": pid, "pickup_line_id": lid, "lot_id": lot},
                      ("returned", qty), ("picked_up", handed), "≤")
           for lid, pid, lot, shop, qty, handed in db.session.execute(q)]
    misplaced = (select(PickupReturnLine.id, PickupLine.id, PickupLine.pickup_id, PickupReturn.pickup_id,
                        Pickup.shop_id, PickupReturnLine.lot_id, PickupLine.lot_id)
                 .join(PickupLine, PickupLine.id == PickupReturnLine.pickup_line_id)
                 .join(PickupReturn, PickupReturn.id == PickupReturnLine.return_id)
                 .join(Pickup, Pickup.id == PickupLine.pickup_id)
                 .where(or_(PickupReturnLine.lot_id != PickupLine.lot_id,
                            PickupReturn.pickup_id != PickupLine.pickup_id)))
    for rlid, lid, pid, return_pid, shop, rlot, lot in db.session.execute(misplaced):
        obj = {"shop_id": shop, "pickup_id": pid, "pickup_line_id": lid, "ref": f"return_line:{rlid}"}
        if rlot != lot:
            out.append(difference("donations.returns", obj, ("return_lot_id", rlot), ("pickup_lot_id", lot)))
        if return_pid != pid:
            out.append(difference("donations.returns", obj, ("return_of_pickup", return_pid), ("line_of_pickup", pid)))
    return out


def idempotency(window: Window) -> list[dict]:
    """One pickup per idempotency key."""
    q = (select(Pickup.idempotency_key, func.count(), func.min(Pickup.id)).group_by(Pickup.idempotency_key)
         .having(func.count() > 1))
    return [difference("donations.idempotency", {"pickup_id": first, "key": key}, ("pickups", n), ("allowed", 1), "≤")
            for key, n, first in db.session.execute(q)]


CHECKS = (
    Check(lots, {"donations.lots": _l("捐赠批次剩余 = 入库 − 领取 + 退回，入库 = 捐赠明细的接收数量")}, dated=False),
    Check(tallies, {"donations.tallies": _l("每人每类每期的领取计数 = 领取件数 − 退回件数")}, dated=False),
    Check(returns, {"donations.returns": _l("退回件数不超过领取件数，退回到原批次")}, dated=False),
    Check(idempotency, {"donations.idempotency": _l("每个请求编号只有一次领取")}, dated=False),
)
