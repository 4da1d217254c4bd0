"""Free pickups at the donation corner: limits per kind and period, FIFO lots, idempotent records.

A pickup is one unit of work: the per-recipient tallies are raised by conditional upserts (the
limit check, race-free across shops), each lot is drawn down by a conditional UPDATE (first in,
first out; never below zero), and the pickup with one line per lot drawn is written. Any refusal
raises before the caller commits, so nothing is written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from app.core import audit
from app.core.errors import Forbidden, InvalidInput
from app.core.timeutil import Period, business_today, utcnow
from app.donations.errors import IdempotencyConflict, LimitExceeded, OutOfStock
from app.donations.labels import KIND_LABELS
from app.donations.models import KINDS, LIMIT_PERIODS, DonationLot, Pickup, PickupLimit, PickupLine, PickupTally
from app.extensions import db
from app.recipients import services as recipient_services

PICKUP_ROLES = ("manager", "cashier")
MAX_PICKUP_QUANTITY = 1000
MAX_DRAW_ATTEMPTS = 10_000


# --- limits -------------------------------------------------------------------------------

def limits() -> dict[str, PickupLimit]:
    return {row.kind: row for row in db.session.scalars(select(PickupLimit))}


def set_limit(*, user, kind: str, quantity: int | None, period: str = "month") -> PickupLimit | None:
    """Set (or, with quantity None, remove) the limit of a kind. City-wide: admin or a federation
    user who is not limited to one district."""
    if user.role not in ("admin", "federation") or (user.role == "federation" and user.district_code):
        raise Forbidden(_("领取限额全市统一，只有管理员或市慈善总会可以修改"))
    if kind not in KINDS:
        raise InvalidInput(_("物品类别应为棉被、衣物、鞋或其他"))
    table = PickupLimit.__table__
    if quantity is None:
        # one statement decides: the same removal sent twice removes (and audits) once
        if db.session.execute(table.delete().where(table.c.kind == kind)).rowcount:
            audit.record("donation.limit", target_type="pickup_limit", target_id=kind,
                         details={"kind": kind, "quantity": None})
        return None
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not (1 <= quantity <= MAX_PICKUP_QUANTITY):
        raise InvalidInput(_("限额应为 1–%(max)s 之间的整数", max=MAX_PICKUP_QUANTITY))
    if period not in LIMIT_PERIODS:
        raise InvalidInput(_("限额周期应为每自然年或每月"))
    # one upsert that changes the row only when the limit differs: two settings at once cannot both
    # insert (no 500), and the same setting twice is changed and audited once
    stmt = _upsert()(table).values(kind=kind, quantity=quantity, period=period, updated_at=utcnow())
    stmt = stmt.on_conflict_do_update(
        index_elements=["kind"],
        set_={"quantity": stmt.excluded.quantity, "period": stmt.excluded.period,
              "updated_at": stmt.excluded.updated_at},
        where=(table.c.quantity != stmt.excluded.quantity) | (table.c.period != stmt.excluded.period))
    changed = db.session.execute(stmt.returning(table.c.id)).first() is not None
    row = db.session.scalar(select(PickupLimit).where(PickupLimit.kind == kind)
                            .execution_options(populate_existing=True))
    if changed:
        audit.record("donation.limit", target=row, details={"kind": kind, "quantity": quantity, "period": period})
    return row


def period_keys(day: dt.date) -> dict[str, str]:
    return {"year": f"Y{day.year}", "month": f"M{day.year:04d}-{day.month:02d}"}


def next_allowed(period: str, day: dt.date) -> dt.date:
    """The first business day of the next limit period."""
    if period == "year":
        return dt.date(day.year + 1, 1, 1)
    return Period.of(day).next().first_day


def _taken(recipient_id: int, kind: str, key: str) -> int:
    return db.session.scalar(select(PickupTally.quantity).where(
        PickupTally.recipient_id == recipient_id, PickupTally.kind == kind,
        PickupTally.period_key == key)) or 0


def _refusal(kind: str, limit: PickupLimit, taken: int, asked: int, day: dt.date) -> LimitExceeded:
    remaining = max(0, limit.quantity - taken)
    when = next_allowed(limit.period, day)
    label = KIND_LABELS[kind]
    if limit.period == "year":
        head = _("%(kind)s每人每自然年限领 %(limit)s 件，今年已领 %(taken)s 件", kind=label, limit=limit.quantity,
                 taken=taken)
    else:
        head = _("%(kind)s每人每月限领 %(limit)s 件，本月已领 %(taken)s 件", kind=label, limit=limit.quantity,
                 taken=taken)
    if remaining:
        tail = _("本期还可领 %(n)s 件；%(date)s 起可再领取", n=remaining, date=when.isoformat())
    else:
        tail = _("%(date)s 起可再领取", date=when.isoformat())
    return LimitExceeded(f"{head}，{tail}。", details={
        "kind": kind, "limit": limit.quantity, "period": limit.period, "taken": taken, "asked": asked,
        "remaining": remaining, "next_date": when.isoformat()})


# --- stock --------------------------------------------------------------------------------

def stock_items(shop_id: int) -> list[dict]:
    """What the shop's donation corner holds, grouped as the pickup screen offers it."""
    rows = db.session.execute(
        select(DonationLot.kind, DonationLot.description, DonationLot.size,
               func.sum(DonationLot.quantity_left).label("left"), func.min(DonationLot.received_at))
        .where(DonationLot.shop_id == shop_id, DonationLot.quantity_left > 0)
        .group_by(DonationLot.kind, DonationLot.description, DonationLot.size)
        .order_by(DonationLot.kind, func.min(DonationLot.received_at), DonationLot.description,
                  DonationLot.size)).all()
    order = {k: i for i, k in enumerate(KINDS)}
    items = [{"kind": r.kind, "description": r.description, "size": r.size, "quantity": int(r.left)}
             for r in rows]
    return sorted(items, key=lambda x: order[x["kind"]])


def stock_by_kind(shop_id: int) -> dict[str, int]:
    out = dict.fromkeys(KINDS, 0)
    for kind, n in db.session.execute(
            select(DonationLot.kind, func.sum(DonationLot.quantity_left))
            .where(DonationLot.shop_id == shop_id).group_by(DonationLot.kind)).all():
        out[kind] = int(n or 0)
    return out


def _lot_filter(shop_id: int, kind: str, description: str | None, size: str | None):
    conds = [DonationLot.shop_id == shop_id, DonationLot.kind == kind, DonationLot.quantity_left > 0]
    if description is not None:
        conds.append(DonationLot.description == description)
    if size is not None:
        conds.append(DonationLot.size == size)
    return conds


# --- eligibility --------------------------------------------------------------------------

def _active_recipient(recipient_id):
    if isinstance(recipient_id, bool) or not isinstance(recipient_id, int):
        try:
            recipient_id = int(str(recipient_id))
        except ValueError:
            raise InvalidInput(_("请先选择领取人")) from None
    recipient = recipient_services.get_recipient(recipient_id)
    if recipient.status != "active":
        raise InvalidInput(_("该救助对象当前不在册（暂停或已退出），不能领取"))
    return recipient


def eligibility(*, recipient_id: int, shop_id: int, now: dt.datetime | None = None) -> dict:
    """What a recipient may still take at this shop: per kind the limit, what was taken this period
    (in every shop), what is left of the limit, the shop's stock, and when more is allowed."""
    recipient = _active_recipient(recipient_id)
    day = business_today(now)
    keys = period_keys(day)
    lims = limits()
    stock = stock_by_kind(shop_id)
    kinds = {}
    for kind in KINDS:
        lim = lims.get(kind)
        entry = {"kind": kind, "stock": stock[kind], "limit": None, "period": None, "taken": None,
                 "remaining": None, "next_date": None}
        if lim is not None:
            taken = _taken(recipient.id, kind, keys[lim.period])
            remaining = max(0, lim.quantity - taken)
            entry.update(limit=lim.quantity, period=lim.period, taken=taken, remaining=remaining,
                         next_date=next_allowed(lim.period, day).isoformat() if remaining == 0 else None)
        entry["may_take"] = stock[kind] if entry["remaining"] is None else min(stock[kind], entry["remaining"])
        kinds[kind] = entry
    return {"recipient": recipient, "kinds": kinds, "items": stock_items(shop_id), "date": day}


# --- the pickup ---------------------------------------------------------------------------

def _clean_pickup_lines(lines) -> dict[tuple, int]:
    if not isinstance(lines, list) or not lines:
        raise InvalidInput(_("请选择要领取的物品和数量"))
    merged: dict[tuple, int] = {}
    for raw in lines:
        if not isinstance(raw, dict) or raw.get("kind") not in KINDS:
            raise InvalidInput(_("物品类别应为棉被、衣物、鞋或其他"))
        q = raw.get("quantity")
        if isinstance(q, bool) or not isinstance(q, int):
            raise InvalidInput(_("领取数量必须是整数"))
        if q < 1 or q > MAX_PICKUP_QUANTITY:
            raise InvalidInput(_("领取数量应为 1–%(max)s 件：%(value)s", max=MAX_PICKUP_QUANTITY, value=q))
        desc = raw.get("description")
        size = raw.get("size")
        key = (raw["kind"], None if desc is None else str(desc).strip(), None if size is None else str(size).strip())
        merged[key] = merged.get(key, 0) + q
    return merged


def _request_hash(recipient_id: int, shop_id: int, lines: dict[tuple, int]) -> str:
    body = {"recipient_id": recipient_id, "shop_id": shop_id,
            "lines": sorted([[k[0], k[1] or "", k[2] or "", k[1] is None, k[2] is None, n]
                             for k, n in lines.items()])}
    return hashlib.sha256(json.dumps(body, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def _replay(key: str, request_hash: str) -> Pickup | None:
    existing = db.session.scalar(select(Pickup).where(Pickup.idempotency_key == key))
    if existing is None:
        return None
    if existing.request_hash != request_hash:
        raise IdempotencyConflict(_("同一请求编号已用于不同的领取内容，请刷新页面后重试"))
    existing.replayed = True
    return existing


def _upsert():
    return pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert


def _raise_tallies(recipient_id: int, kind: str, quantity: int, day: dt.date, limit: PickupLimit | None) -> None:
    """Add `quantity` to the recipient's year and month tallies of `kind`; the tally of the limit's
    period only when it stays within the limit (one conditional upsert each)."""
    table = PickupTally.__table__
    insert = _upsert()
    for period, key in period_keys(day).items():
        guarded = limit is not None and limit.period == period
        if guarded and quantity > limit.quantity:
            raise _refusal(kind, limit, _taken(recipient_id, kind, key), quantity, day)
        stmt = insert(table).values(recipient_id=recipient_id, kind=kind, period_key=key, quantity=quantity)
        stmt = stmt.on_conflict_do_update(
            index_elements=["recipient_id", "kind", "period_key"],
            set_={"quantity": table.c.quantity + stmt.excluded.quantity},
            where=(table.c.quantity + stmt.excluded.quantity <= limit.quantity) if guarded else None,
        ).returning(table.c.quantity)
        if db.session.execute(stmt).first() is None:
            raise _refusal(kind, limit, _taken(recipient_id, kind, key), quantity, day)


def _draw(pickup: Pickup, shop_id: int, key: tuple, quantity: int) -> None:
    """Take `quantity` pieces from the oldest lots first; each step is a conditional UPDATE."""
    kind, description, size = key
    conds = _lot_filter(shop_id, kind, description, size)
    available = db.session.scalar(select(func.coalesce(func.sum(DonationLot.quantity_left), 0)).where(*conds))
    label = " ".join(x for x in (str(KIND_LABELS[kind]), description or "", size or "") if x)
    if available < quantity:
        raise OutOfStock(_("%(item)s库存不足：要领 %(asked)s 件，本店只有 %(left)s 件",
                           item=label, asked=quantity, left=available),
                         details={"kind": kind, "asked": quantity, "available": int(available)})
    lots = DonationLot.__table__
    remaining = quantity
    for _attempt in range(MAX_DRAW_ATTEMPTS):
        if remaining == 0:
            return
        row = db.session.execute(
            select(DonationLot.id, DonationLot.quantity_left).where(*conds)
            .order_by(DonationLot.received_at, DonationLot.id).limit(1)).first()
        if row is None:  # another till took the rest since we counted
            raise OutOfStock(_("%(item)s库存不足：刚被其他收银台领走", item=label),
                             details={"kind": kind, "asked": quantity, "available": quantity - remaining})
        take = min(remaining, row.quantity_left)
        changed = db.session.execute(
            update(lots).where(lots.c.id == row.id, lots.c.quantity_left >= take)
            .values(quantity_left=lots.c.quantity_left - take)).rowcount
        if changed == 1:
            pickup.lines.append(PickupLine(lot_id=row.id, kind=kind, quantity=take))
            remaining -= take
    raise OutOfStock(_("%(item)s库存变化太快，请重试", item=label))  # pragma: no cover


def record_pickup(*, user, recipient_id: int, lines, idempotency_key: str,
                  now: dt.datetime | None = None) -> Pickup:
    """Hand out donated items free to a recipient at the cashier's shop.

    The same idempotency key again returns the first pickup and changes nothing; with a different
    body it is refused (`idempotency_conflict`).
    """
    if user.role not in PICKUP_ROLES or user.shop_id is None:
        raise Forbidden(_("只有门店收银员或店长可以登记领取"))
    key = str(idempotency_key or "").strip()
    if not (8 <= len(key) <= 64):
        raise InvalidInput(_("缺少请求编号（idempotency_key，8–64 个字符）"))
    cleaned = _clean_pickup_lines(lines)
    recipient = _active_recipient(recipient_id)
    request_hash = _request_hash(recipient.id, user.shop_id, cleaned)
    replay = _replay(key, request_hash)
    if replay is not None:
        return replay
    now = now or utcnow()
    day = business_today(now)
    pickup = Pickup(idempotency_key=key, request_hash=request_hash, recipient_id=recipient.id,
                    shop_id=user.shop_id, cashier_id=user.id, created_at=now, business_date=day,
                    period=str(Period.of(day)))
    try:
        with db.session.begin_nested():  # a concurrent request with the same key waits here, then fails
            db.session.add(pickup)
            db.session.flush()
    except IntegrityError:
        replay = _replay(key, request_hash)
        if replay is None:
            raise
        return replay
    lims = limits()
    per_kind: dict[str, int] = {}
    for (kind, _d, _s), n in cleaned.items():
        per_kind[kind] = per_kind.get(kind, 0) + n
    for kind in sorted(per_kind):  # a fixed order: concurrent pickups lock tallies alike
        _raise_tallies(recipient.id, kind, per_kind[kind], day, lims.get(kind))
    for item_key in sorted(cleaned, key=lambda k: (k[0], k[1] or "", k[2] or "")):
        _draw(pickup, user.shop_id, item_key, cleaned[item_key])
    db.session.flush()
    pickup.replayed = False
    audit.record("donation.pickup", target=pickup,
                 details={"recipient": recipient.id, "lines": {k: n for k, n in sorted(per_kind.items())}})
    return pickup


def pickup_summary(pickup: Pickup) -> dict:
    """Pieces per kind of a pickup, and the lots (donations) they came from."""
    kinds = {k: sum(x.quantity for x in pickup.lines if x.kind == k) for k in KINDS}
    lines = [{"kind": x.kind, "quantity": x.quantity, "lot_id": x.lot_id, "donation_id": x.lot.donation_id}
             for x in pickup.lines]
    return {"kinds": {k: n for k, n in kinds.items() if n}, "lines": lines}
