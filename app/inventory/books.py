"""The stock books: on hand against the ledger, documents against their moves, move signs.

Read-only service functions for `flask verify` and `flask inventory verify`, set-based. The till
checks its own sales' and voids' moves (app/pos/books.py) through `moves_by_reference`.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, literal, or_, select, union_all

from app.core.books import Check, Window, as_text, difference
from app.extensions import db
from app.inventory import movements
from app.inventory.models import (
    MOVE_KINDS,
    ReceivingLine,
    ReceivingNote,
    StockMove,
    Stocktake,
    StocktakeLine,
    Transfer,
    TransferLine,
)


def moves_by_reference(ref_types, refs: dict | None = None):
    """The stock moves naming a document of `ref_types`, as rows (ref_type, ref_id, shop_id,
    product_id, expected 0, actual quantity) for a UNION with the document's own lines.
    `refs` ({ref_type: selectable of ref_id texts}) narrows each type to those documents."""
    q = select(StockMove.ref_type, StockMove.ref_id, StockMove.shop_id, StockMove.product_id,
               literal(0), StockMove.quantity)
    if refs is None:
        return q.where(StockMove.ref_type.in_(tuple(ref_types)))
    return q.where(or_(*((StockMove.ref_type == t) & StockMove.ref_id.in_(refs[t]) for t in ref_types)))


def on_hand(window: Window) -> list[dict]:
    """Per shop and product: on hand = the sum of its ledger rows = the last row's on_hand_after
    (movements.verify, which `flask inventory verify` has always run)."""
    out = []
    for d in movements.verify():
        obj = {"shop_id": d.shop_id, "product_id": d.product_id}
        if d.on_hand != d.ledger:
            out.append(difference("inventory.on_hand", obj, ("on_hand", d.on_hand), ("ledger_sum", d.ledger)))
        if d.last_after is not None and d.last_after != d.on_hand:
            out.append(difference("inventory.on_hand", obj, ("on_hand", d.on_hand),
                                  ("last_on_hand_after", d.last_after)))
    return out


def documents(window: Window) -> list[dict]:
    """Per receiving note, transfer and posted stocktake, and product: the moves naming it equal
    its lines (received in; sent out of one shop and into the other; counted − expected), and a
    stocktake not posted has none."""
    received = (select(literal("receiving").label("ref_type"), as_text(ReceivingNote.id).label("ref_id"),
                       ReceivingNote.shop_id.label("shop_id"), ReceivingLine.product_id.label("product_id"),
                       ReceivingLine.quantity.label("expected"), literal(0).label("actual"))
                .join(ReceivingNote, ReceivingNote.id == ReceivingLine.note_id))
    sent = (select(literal("transfer"), as_text(Transfer.id), Transfer.from_shop_id, TransferLine.product_id,
                   -TransferLine.quantity, literal(0))
            .join(Transfer, Transfer.id == TransferLine.transfer_id))
    arrived = (select(literal("transfer"), as_text(Transfer.id), Transfer.to_shop_id, TransferLine.product_id,
                      TransferLine.quantity, literal(0))
               .join(Transfer, Transfer.id == TransferLine.transfer_id))
    counted = (select(literal("stocktake"), as_text(Stocktake.id), Stocktake.shop_id, StocktakeLine.product_id,
                      StocktakeLine.counted - StocktakeLine.expected, literal(0))
               .join(Stocktake, Stocktake.id == StocktakeLine.stocktake_id)
               .where(Stocktake.status == "posted", StocktakeLine.counted.is_not(None)))
    moves = moves_by_reference(("receiving", "transfer", "stocktake"))
    u = union_all(received, sent, arrived, counted, moves).subquery()
    q = (select(u.c.ref_type, u.c.ref_id, u.c.shop_id, u.c.product_id, func.sum(u.c.actual), func.sum(u.c.expected))
         .group_by(u.c.ref_type, u.c.ref_id, u.c.shop_id, u.c.product_id)
         .having(func.sum(u.c.expected) != func.sum(u.c.actual)))
    return [difference("inventory.documents",
                       {"shop_id": shop, "document": f"{ref_type}:{ref_id}", "product_id": product},
                       ("moves_qty", actual), ("document_qty", expected))
            for ref_type, ref_id, shop, product, actual, expected in db.session.execute(q)]


def move_signs(window: Window) -> list[dict]:
    """Every move goes the way its kind says: receipts, voids and transfers in add stock; sales
    and transfers out take it."""
    ins = [k for k, s in MOVE_KINDS.items() if s > 0]
    outs = [k for k, s in MOVE_KINDS.items() if s < 0]
    q = (select(StockMove.id, StockMove.shop_id, StockMove.product_id, StockMove.kind, StockMove.quantity)
         .where(or_(StockMove.kind.in_(ins) & (StockMove.quantity < 0),
                    StockMove.kind.in_(outs) & (StockMove.quantity > 0))))
    out = []
    for move_id, shop, product, kind, qty in db.session.execute(q):
        sign = "+" if MOVE_KINDS[kind] > 0 else "-"
        out.append(difference("inventory.move_signs",
                              {"shop_id": shop, "product_id": product, "ref": f"move:{move_id}", "kind": kind},
                              ("quantity", qty), ("sign_of_kind", f"{sign}"), "="))
    return out


CHECKS = (
    Check(on_hand, {"inventory.on_hand": _l("每店每种商品的库存 = 其库存流水之和")}, dated=False),
    Check(documents, {"inventory.documents": _l("收货单、调拨单、已过账盘点的库存流水等于其明细")}, dated=False),
    Check(move_signs, {"inventory.move_signs": _l("每条库存流水的方向与其类型一致")}, dated=False),
)
