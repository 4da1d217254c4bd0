"""Stock operations for managers: receiving, adjustment, transfer, stocktake; low stock, history,
and `verify` (ledger against on-hand). Services flush; the caller commits once.

Each multi-line operation runs inside a SAVEPOINT: when any line fails, none of its rows stays
in the session, even if the caller went on to commit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import and_, func, select

from app.core import audit
from app.core.db import lock, unique_or
from app.core.errors import Conflict, InvalidInput, NotFound
from app.core.timeutil import business_today, utcnow
from app.extensions import db
from app.inventory import services
from app.inventory.errors import OutOfStock
from app.inventory.models import (
    ADJUST_REASONS,
    Product,
    ReceivingLine,
    ReceivingNote,
    StockLevel,
    StockMove,
    Stocktake,
    StocktakeLine,
    Transfer,
    TransferLine,
)
from app.inventory.services import apply_move, get_product, parse_product_quantity

MAX_LINES = 500


def _resolve_product(line: dict, n: int) -> Product:
    """A line names its product by `product_id` or by `barcode` (scanner or typed)."""
    try:
        if line.get("product_id") not in (None, ""):
            return get_product(int(line["product_id"]))
        return services.find_by_barcode(line.get("barcode"))
    except (NotFound, ValueError):
        raise InvalidInput(_("第 %(n)s 行：商品不存在（%(ref)s）", n=n,
                             ref=line.get("barcode") or line.get("product_id") or "—")) from None


def _clean_lines(lines, *, with_cost: bool = False) -> list[tuple[Product, int, int | None]]:
    """Skip blank lines; refuse bad ones with the line number; merge nothing (each line is kept)."""
    from app.core.money import parse_yuan

    out = []
    for n, line in enumerate(lines or [], start=1):
        if not any(str(line.get(k) or "").strip() for k in ("product_id", "barcode", "quantity")):
            continue
        product = _resolve_product(line, n)
        try:
            qty = parse_product_quantity(product, line.get("quantity"))
            cost = None
            if with_cost and str(line.get("unit_cost") or "").strip():
                cost = parse_yuan(line["unit_cost"])
        except InvalidInput as e:
            raise InvalidInput(_("第 %(n)s 行（%(name)s）：%(error)s", n=n, name=product.name,
                                 error=e.message)) from None
        out.append((product, qty, cost))
    if not out:
        raise InvalidInput(_("请至少填写一行商品和数量"))
    if len(out) > MAX_LINES:
        raise InvalidInput(_("一次最多 %(n)s 行", n=MAX_LINES))
    return out


# --- receiving ---------------------------------------------------------------------------------

def receive(*, shop_id: int, supplier: str, received_by: str, lines, delivery_no: str = "",
            received_on: dt.date | None = None, note: str = "", user_id: int | None = None) -> ReceivingNote:
    """Post a delivery note: one `receive` move per line."""
    supplier, received_by = (supplier or "").strip(), (received_by or "").strip()
    if not supplier:
        raise InvalidInput(_("请填写供货单位"))
    if not received_by:
        raise InvalidInput(_("请填写收货人"))
    if received_on is not None and received_on > business_today():
        raise InvalidInput(_("收货日期不能晚于今天"))
    clean = _clean_lines(lines, with_cost=True)
    with db.session.begin_nested():
        rn = ReceivingNote(shop_id=shop_id, supplier=supplier[:100], received_by=received_by[:50],
                           delivery_no=(delivery_no or "").strip()[:40],
                           received_on=received_on or business_today(), note=(note or "")[:200],
                           created_by=user_id)
        db.session.add(rn)
        db.session.flush()
        for product, qty, cost in clean:
            db.session.add(ReceivingLine(note_id=rn.id, product_id=product.id, quantity=qty, unit_cost_fen=cost))
            apply_move(shop_id=shop_id, product_id=product.id, delta=qty, kind="receive",
                       ref_type="receiving", ref_id=rn.id, user_id=user_id)
    audit.record("inventory.receive", target=rn,
                 details={"shop_id": shop_id, "lines": len(clean), "units": sum(q for _, q, _ in clean)})
    return rn


def get_receiving_note(note_id: int) -> ReceivingNote:
    rn = db.session.get(ReceivingNote, note_id)
    if rn is None:
        raise NotFound(_("收货单不存在"))
    return rn


def list_receiving_notes(shop_ids, *, limit: int = 50) -> list[ReceivingNote]:
    return list(db.session.scalars(select(ReceivingNote).where(ReceivingNote.shop_id.in_(list(shop_ids)))
                                   .order_by(ReceivingNote.id.desc()).limit(limit)))


# --- adjustment ---------------------------------------------------------------------------------

def adjust(*, shop_id: int, product_id: int, quantity, reason: str, note: str = "",
           user_id: int | None = None) -> StockMove:
    """Remove (damaged, expired, lost) or add (found) stock, or either with `other` and a note.

    `quantity` is signed: -2 removes two units.
    """
    direction = ADJUST_REASONS.get(reason)
    if direction is None:
        raise InvalidInput(_("请选择调整原因"))
    product = get_product(product_id)
    delta = parse_product_quantity(product, quantity, allow_negative=True)
    note = (note or "").strip()
    if direction < 0 and delta > 0:
        raise InvalidInput(_("破损、过期、丢失只能减少库存，请填写负数"))
    if direction > 0 and delta < 0:
        raise InvalidInput(_("找回只能增加库存"))
    if reason == "other" and not note:
        raise InvalidInput(_("原因为「其他」时必须填写说明"))
    apply_move(shop_id=shop_id, product_id=product.id, delta=delta, kind="adjust", reason=reason,
               note=note, ref_type="adjustment", user_id=user_id)
    move = db.session.scalars(select(StockMove).where(StockMove.shop_id == shop_id,
                                                      StockMove.product_id == product.id)
                              .order_by(StockMove.id.desc()).limit(1)).one()
    audit.record("inventory.adjust", target=move,
                 details={"shop_id": shop_id, "product_id": product.id, "quantity": delta, "reason": reason})
    return move


# --- transfer -----------------------------------------------------------------------------------

def transfer(*, from_shop_id: int, to_shop_id: int, lines, note: str = "",
             user_id: int | None = None) -> Transfer:
    """Move goods between shops: every line out of one and into the other, all or nothing."""
    if from_shop_id == to_shop_id:
        raise InvalidInput(_("调出和调入门店不能相同"))
    clean = _clean_lines(lines)
    with db.session.begin_nested():
        tr = Transfer(from_shop_id=from_shop_id, to_shop_id=to_shop_id, note=(note or "")[:200],
                      created_by=user_id)
        db.session.add(tr)
        db.session.flush()
        for product, qty, _cost in clean:
            db.session.add(TransferLine(transfer_id=tr.id, product_id=product.id, quantity=qty))
            apply_move(shop_id=from_shop_id, product_id=product.id, delta=-qty, kind="transfer_out",
                       ref_type="transfer", ref_id=tr.id, user_id=user_id)
            apply_move(shop_id=to_shop_id, product_id=product.id, delta=qty, kind="transfer_in",
                       ref_type="transfer", ref_id=tr.id, user_id=user_id)
    audit.record("inventory.transfer", target=tr,
                 details={"from": from_shop_id, "to": to_shop_id, "lines": len(clean)})
    return tr


def get_transfer(transfer_id: int) -> Transfer:
    tr = db.session.get(Transfer, transfer_id)
    if tr is None:
        raise NotFound(_("调拨单不存在"))
    return tr


def list_transfers(shop_ids, *, limit: int = 50) -> list[Transfer]:
    ids = list(shop_ids)
    return list(db.session.scalars(select(Transfer).where(Transfer.from_shop_id.in_(ids) | Transfer.to_shop_id.in_(ids))
                                   .order_by(Transfer.id.desc()).limit(limit)))


# --- stocktake ----------------------------------------------------------------------------------

def start_stocktake(*, shop_id: int, category_id: int | None = None, note: str = "",
                    user_id: int | None = None) -> Stocktake:
    """Open a count: one line per active product (of the category, if given), including products
    the shop has none of, with the on-hand of this moment as `expected`."""
    if category_id is not None:
        services.get_category(category_id)
    if db.session.scalar(select(Stocktake.id).where(Stocktake.open_shop_id == shop_id)) is not None:
        raise Conflict(_("本店已有未完成的盘点，请先完成或取消"))
    st = Stocktake(shop_id=shop_id, open_shop_id=shop_id, category_id=category_id, status="open",
                   note=(note or "")[:200], started_by=user_id)
    # the unique open_shop_id refuses a second open count that raced this one
    with unique_or(db.session, Conflict(_("本店已有未完成的盘点，请先完成或取消"))):
        db.session.add(st)
    q = (select(Product.id, func.coalesce(StockLevel.on_hand, 0))
         .outerjoin(StockLevel, and_(StockLevel.product_id == Product.id, StockLevel.shop_id == shop_id))
         .where(Product.active.is_(True)))
    if category_id is not None:
        q = q.where(Product.category_id == category_id)
    rows = [{"stocktake_id": st.id, "product_id": pid, "expected": on_hand} for pid, on_hand in db.session.execute(q)]
    if rows:
        db.session.execute(StocktakeLine.__table__.insert(), rows)
    db.session.flush()
    audit.record("inventory.stocktake.start", target=st, details={"shop_id": shop_id, "lines": len(rows)})
    return st


def get_stocktake(stocktake_id: int) -> Stocktake:
    st = db.session.get(Stocktake, stocktake_id)
    if st is None:
        raise NotFound(_("盘点单不存在"))
    return st


def list_stocktakes(shop_ids, *, limit: int = 30) -> list[Stocktake]:
    return list(db.session.scalars(select(Stocktake).where(Stocktake.shop_id.in_(list(shop_ids)))
                                   .order_by(Stocktake.id.desc()).limit(limit)))


def _ensure_open(st: Stocktake) -> None:
    """Lock the count's row, then check it is still open: a count posted, cancelled or changed
    by two requests at once is changed by the first only (the second waits, then finds it
    closed)."""
    lock(db.session, st)
    if st.status != "open":
        raise Conflict(_("该盘点已结束，不能再修改"))


def record_counts(st: Stocktake, counts: dict) -> int:
    """Enter counted quantities {product_id: count}; a blank count clears the entry. Returns how
    many lines changed. Every count is checked before any is stored."""
    _ensure_open(st)
    by_product = {line.product_id: line for line in st.lines}
    parsed = {}
    for pid, value in counts.items():
        line = by_product.get(int(pid))
        if line is None:
            raise InvalidInput(_("商品 %(id)s 不在本次盘点中", id=pid))
        if value is None or str(value).strip() == "":
            parsed[line.product_id] = None
            continue
        try:
            parsed[line.product_id] = parse_product_quantity(line.product, value, what=_("实盘数量"),
                                                              allow_zero=True)
        except InvalidInput as e:
            raise InvalidInput(_("%(name)s：%(error)s", name=line.product.name, error=e.message)) from None
    changed = 0
    for pid, counted in parsed.items():
        if by_product[pid].counted != counted:
            by_product[pid].counted = counted
            changed += 1
    db.session.flush()
    return changed


def moved_since_start(st: Stocktake) -> set[int]:
    """Products of the count whose stock moved after the count started (recount them)."""
    rows = db.session.scalars(select(StockMove.product_id).where(
        StockMove.shop_id == st.shop_id, StockMove.at >= st.started_at,
        ~((StockMove.ref_type == "stocktake") & (StockMove.ref_id == str(st.id)))).distinct())
    return set(rows)


def post_stocktake(st: Stocktake, *, user_id: int | None = None) -> int:
    """Post every difference (counted − expected) as a `stocktake` move, in one step.

    Lines not counted are left alone. Returns the number of moves written.
    """
    _ensure_open(st)
    moves = 0
    with db.session.begin_nested():
        for line in st.lines:
            diff = line.difference
            if not diff:
                continue
            try:
                apply_move(shop_id=st.shop_id, product_id=line.product_id, delta=diff, kind="stocktake",
                           ref_type="stocktake", ref_id=st.id, user_id=user_id,
                           note=_("盘点：账面 %(e)s，实盘 %(c)s", e=line.expected, c=line.counted))
            except OutOfStock:
                raise InvalidInput(_("%(name)s：盘点开始后已有出库，按差异调整会使库存为负，请重新清点",
                                     name=line.product.name)) from None
            moves += 1
        st.status, st.open_shop_id = "posted", None
        st.closed_by, st.closed_at = user_id, utcnow()
        db.session.flush()
    audit.record("inventory.stocktake.post", target=st, details={"shop_id": st.shop_id, "moves": moves})
    return moves


def cancel_stocktake(st: Stocktake, *, user_id: int | None = None) -> None:
    _ensure_open(st)
    st.status, st.open_shop_id = "cancelled", None
    st.closed_by, st.closed_at = user_id, utcnow()
    db.session.flush()
    audit.record("inventory.stocktake.cancel", target=st, details={"shop_id": st.shop_id})


# --- reports ------------------------------------------------------------------------------------

def low_stock(shop_ids) -> list[tuple[StockLevel, Product]]:
    """Stock at or below its reorder level (levels of 0 are 'not watched')."""
    q = (select(StockLevel, Product).join(Product, Product.id == StockLevel.product_id)
         .where(StockLevel.shop_id.in_(list(shop_ids)), StockLevel.reorder_level > 0,
                StockLevel.on_hand <= StockLevel.reorder_level, Product.active.is_(True))
         .order_by(StockLevel.shop_id, StockLevel.on_hand - StockLevel.reorder_level, Product.name))
    return [(level, product) for level, product in db.session.execute(q)]


def move_history(*, shop_ids, product_id: int | None = None, kind: str | None = None,
                 limit: int = 100, before_id: int | None = None) -> list[StockMove]:
    q = select(StockMove).where(StockMove.shop_id.in_(list(shop_ids)))
    if product_id is not None:
        q = q.where(StockMove.product_id == product_id)
    if kind:
        q = q.where(StockMove.kind == kind)
    if before_id:
        q = q.where(StockMove.id < before_id)
    return list(db.session.scalars(q.order_by(StockMove.id.desc()).limit(limit)))


@dataclass(frozen=True)
class Difference:
    shop_id: int
    product_id: int
    on_hand: int | None  # None: moves but no on-hand row
    ledger: int
    last_after: int | None


def verify() -> list[Difference]:
    """Every (shop, product) whose on-hand differs from the sum of its ledger rows, or from the
    running balance of its last row. An empty list means the books agree."""
    sums = {(s, p): (total, last_id) for s, p, total, last_id in db.session.execute(
        select(StockMove.shop_id, StockMove.product_id, func.sum(StockMove.quantity), func.max(StockMove.id))
        .group_by(StockMove.shop_id, StockMove.product_id))}
    last_ids = [last_id for _total, last_id in sums.values()]
    last_after: dict[int, int] = {}
    for start in range(0, len(last_ids), 500):
        rows = db.session.execute(select(StockMove.id, StockMove.on_hand_after)
                                  .where(StockMove.id.in_(last_ids[start:start + 500])))
        last_after.update({move_id: after for move_id, after in rows})
    levels = {(s, p): on_hand for s, p, on_hand in db.session.execute(
        select(StockLevel.shop_id, StockLevel.product_id, StockLevel.on_hand))}
    out = []
    for key in sorted(set(sums) | set(levels)):
        total, last_id = sums.get(key, (0, None))
        after = last_after.get(last_id) if last_id else None
        on_hand = levels.get(key)
        ok = on_hand is not None and on_hand == total and (after is None or after == on_hand)
        if key not in levels and total == 0:
            ok = True
        if not ok:
            out.append(Difference(key[0], key[1], on_hand, int(total or 0), after))
    return out
