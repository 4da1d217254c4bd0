"""Where a voucher was spent or refunded, for the voucher's history (app/vouchers/history.py):
the till answers for its sales and voids by their ledger references."""

from __future__ import annotations

from sqlalchemy import select

from app.auth.models import Shop, User
from app.extensions import db
from app.pos.models import Sale, Void


def _ids(refs: set, kind: str) -> list[int]:
    return sorted({int(ref_id) for ref_type, ref_id in refs if ref_type == kind and str(ref_id).isdigit()})


def describe(refs: set) -> dict:
    """{(ref_type, ref_id): {"shop", "receipt_no", "staff", "day"}} for ("sale", id) and ("void", id);
    `day` is the business date the till booked it on."""
    out = {}
    staff = (User.display_name, User.username)
    sale_ids = _ids(refs, "sale")
    for start in range(0, len(sale_ids), 500):
        for sid, receipt_no, day, shop, display, username in db.session.execute(
                select(Sale.id, Sale.receipt_no, Sale.business_date, Shop.name, *staff)
                .join(Shop, Shop.id == Sale.shop_id).join(User, User.id == Sale.cashier_id)
                .where(Sale.id.in_(sale_ids[start:start + 500]))):
            out[("sale", str(sid))] = {"shop": shop, "receipt_no": receipt_no, "staff": display or username,
                                       "day": day}
    void_ids = _ids(refs, "void")
    for start in range(0, len(void_ids), 500):
        for vid, receipt_no, day, shop, display, username in db.session.execute(
                select(Void.id, Sale.receipt_no, Void.business_date, Shop.name, *staff)
                .join(Sale, Sale.id == Void.sale_id).join(Shop, Shop.id == Void.shop_id)
                .join(User, User.id == Void.manager_id)
                .where(Void.id.in_(void_ids[start:start + 500]))):
            out[("void", str(vid))] = {"shop": shop, "receipt_no": receipt_no, "staff": display or username,
                                       "day": day}
    return out
