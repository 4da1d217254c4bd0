"""Returns of donated items to the donation corner: a wrong size, a mistaken entry.

A shop manager takes back some or all pieces of a pickup of their shop, with a reason. In one
unit of work the pieces go back to the lots they came from (a conditional UPDATE, never above
what came in), the recipient's year and month tallies of the pickup's date go down by the same
number (so the limit frees up again), and the return is recorded line by line (append-only).
The pickup row itself never changes. Two returns of the same pickup serialise on the pickup row,
so together they can never return more than was handed out.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from app.auth.permissions import ensure_shop
from app.core import audit
from app.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.core.timeutil import business_today, utcnow
from app.donations.models import DonationLot, Pickup, PickupLine, PickupReturn, PickupReturnLine, PickupTally
from app.donations.pickups import period_keys
from app.extensions import db

RETURN_ROLES = ("manager",)
MAX_REASON = 200


def returned_by_line(pickup_id: int) -> dict[int, int]:
    """Pieces already returned, per pickup line of the pickup."""
    rows = db.session.execute(
        select(PickupReturnLine.pickup_line_id, func.sum(PickupReturnLine.quantity))
        .join(PickupReturn, PickupReturn.id == PickupReturnLine.return_id)
        .where(PickupReturn.pickup_id == pickup_id).group_by(PickupReturnLine.pickup_line_id)).all()
    return {line_id: int(n) for line_id, n in rows}


def may_return(user, pickup: Pickup) -> bool:
    """A manager of the pickup's shop (what return_pickup enforces, for the screen to offer it)."""
    return user.role in RETURN_ROLES and user.shop_id == pickup.shop_id


def recent_pickups(recipient_id: int, *, user, limit: int = 10) -> list[dict]:
    """The recipient's latest pickups with what is left to return per line, and whether `user`
    may take them back (for the pickup screen)."""
    pickups = list(db.session.scalars(select(Pickup).where(Pickup.recipient_id == recipient_id)
                                      .order_by(Pickup.id.desc()).limit(limit)))
    out = []
    for p in pickups:
        back = returned_by_line(p.id)
        lines = [{"line": line, "returned": back.get(line.id, 0), "left": line.quantity - back.get(line.id, 0)}
                 for line in p.lines]
        left = sum(x["left"] for x in lines)
        out.append({"pickup": p, "lines": lines, "returnable": left, "may_return": left > 0 and may_return(user, p)})
    return out


def _wanted(pickup: Pickup, lines, already: dict[int, int]) -> dict[int, int]:
    """{pickup_line_id: pieces} to return; None means every piece not yet returned."""
    own = {line.id: line for line in pickup.lines}
    if lines is None:
        wanted = {lid: line.quantity - already.get(lid, 0) for lid, line in own.items()}
        return {lid: n for lid, n in wanted.items() if n > 0}
    if not isinstance(lines, list) or not lines:
        raise InvalidInput(_("请选择要退回的物品和数量"))
    wanted: dict[int, int] = {}
    for raw in lines:
        lid, qty = (raw or {}).get("line_id"), (raw or {}).get("qty")
        if isinstance(lid, bool) or not isinstance(lid, int) or lid not in own:
            raise InvalidInput(_("退回的物品不属于这次领取"))
        if isinstance(qty, bool) or not isinstance(qty, int) or qty < 0:
            raise InvalidInput(_("退回数量必须是不小于 0 的整数"))
        if qty:
            wanted[lid] = wanted.get(lid, 0) + qty
    for lid, n in wanted.items():
        left = own[lid].quantity - already.get(lid, 0)
        if n > left:
            raise InvalidInput(_("这一项最多还能退回 %(n)s 件", n=left), details={"line_id": lid, "left": left})
    if not wanted:
        raise InvalidInput(_("请选择要退回的物品和数量"))
    return wanted


def return_pickup(*, user, pickup_id: int, reason: str, lines: list[dict] | None = None) -> PickupReturn:
    """Take back pieces of a pickup (all that are left when `lines` is None)."""
    if user.role not in RETURN_ROLES:
        raise Forbidden(_("只有店长可以登记退回"))
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("请填写退回原因"))
    if len(reason) > MAX_REASON:
        raise InvalidInput(_("退回原因最多 %(n)s 字", n=MAX_REASON))
    # lock the pickup row alone (its shop is joined eagerly, and an outer join cannot be locked)
    if db.session.scalar(select(Pickup.id).where(Pickup.id == pickup_id).with_for_update()) is None:
        raise NotFound(_("领取记录不存在"))
    pickup = db.session.get(Pickup, pickup_id, populate_existing=True)
    ensure_shop(user, pickup.shop)
    already = returned_by_line(pickup.id)
    if all(line.quantity <= already.get(line.id, 0) for line in pickup.lines):
        raise Conflict(_("这次领取的物品已经全部退回"))
    wanted = _wanted(pickup, lines, already)
    own = {line.id: line for line in pickup.lines}
    record = PickupReturn(pickup_id=pickup.id, shop_id=pickup.shop_id, user_id=user.id, reason=reason,
                          created_at=utcnow(), business_date=business_today())
    db.session.add(record)
    db.session.flush()
    per_kind: dict[str, int] = {}
    lots = DonationLot.__table__
    for lid in sorted(wanted):
        line, n = own[lid], wanted[lid]
        changed = db.session.execute(
            update(lots).where(lots.c.id == line.lot_id, lots.c.quantity_left + n <= lots.c.quantity_in)
            .values(quantity_left=lots.c.quantity_left + n)).rowcount
        if changed != 1:  # the lot would hold more than came in: the records disagree, touch nothing
            raise Conflict(_("捐赠批次库存与领取记录不一致，请联系管理员"))
        record.lines.append(PickupReturnLine(pickup_line_id=lid, lot_id=line.lot_id, kind=line.kind, quantity=n))
        per_kind[line.kind] = per_kind.get(line.kind, 0) + n
    tallies = PickupTally.__table__
    for kind in sorted(per_kind):
        for key in period_keys(pickup.business_date).values():
            db.session.execute(
                update(tallies).where(tallies.c.recipient_id == pickup.recipient_id, tallies.c.kind == kind,
                                      tallies.c.period_key == key, tallies.c.quantity >= per_kind[kind])
                .values(quantity=tallies.c.quantity - per_kind[kind]))
    db.session.flush()
    audit.record("donation.pickup_return", target=pickup,
                 details={"return_id": record.id, "reason": reason, "lines": {str(k): v for k, v in wanted.items()}})
    return record


def returned_per_period_shop_kind(shop_ids: list[int] | None = None):
    """Pieces returned, by the pickup's month, the pickup's shop and kind (for the figures)."""
    q = (select(Pickup.period, Pickup.shop_id, PickupReturnLine.kind, func.sum(PickupReturnLine.quantity))
         .select_from(PickupReturnLine)
         .join(PickupLine, PickupLine.id == PickupReturnLine.pickup_line_id)
         .join(Pickup, Pickup.id == PickupLine.pickup_id)
         .group_by(Pickup.period, Pickup.shop_id, PickupReturnLine.kind))
    if shop_ids is not None:
        q = q.where(Pickup.shop_id.in_(shop_ids))
    return q
