"""A voucher's ledger told as what happened to it: issued, spent where and when, refunded,
expired, revoked.

Staff (the recipient's page) see each row with its shop, receipt number and who did it; the
holder (the public balance page, POST /api/v1/vouchers/balance) sees the day, the shop's name,
the amount and what happened in plain Chinese — no staff names, no cashier, nothing personal.

Where a sale or a void happened is the till's knowledge: the till registers
`voucher_ref_provider` (app/pos/voucher_refs.py), a function from the ledger's (ref_type,
ref_id) pairs to {"shop", "receipt_no", "staff"}; vouchers does not depend on the till.
"""

from __future__ import annotations

import datetime as dt

from flask import current_app
from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core.timeutil import to_business
from app.extensions import db
from app.vouchers.models import Voucher, VoucherLedger

PUBLIC_LIMIT = 100  # rows of one voucher on the public page (a month's card has a handful)

# (kind, ref_type) -> what happened, in the words of a passbook; (kind, None) for any other ref
WHAT = {
    ("issue", "reissue"): _l("补发新券，旧券余额转入"),
    ("issue", None): _l("发放购物券"),
    ("redeem", None): _l("购物使用"),
    ("refund", None): _l("退货，钱退回本券"),
    ("expire", None): _l("过期，剩余金额失效"),
    ("revoke", "reissue"): _l("挂失补发，余额转到新券"),
    ("revoke", "roster_exit"): _l("不再享受救助，本券停用"),
    ("revoke", None): _l("本券注销"),
}


def what(kind: str, ref_type: str | None) -> str:
    return str(WHAT.get((kind, ref_type)) or WHAT[(kind, None)])


def _refs(rows: list[VoucherLedger]) -> dict:
    provider = current_app.extensions.get("voucher_ref_provider")
    wanted = {(r.ref_type, r.ref_id) for r in rows if r.ref_type in ("sale", "void") and r.ref_id}
    return provider(wanted) if provider and wanted else {}


def _expiry_day(row: VoucherLedger) -> dt.date | None:
    """The business day an expiry run was for (its ref_id), e.g. a run late at night."""
    if row.ref_type != "expiry" or not row.ref_id:
        return None
    try:
        return dt.date.fromisoformat(row.ref_id)
    except ValueError:
        return None


def histories(voucher_ids: list[int], *, public: bool = False, limit: int | None = None) -> dict[int, list[dict]]:
    """Each voucher's rows, oldest first: {voucher_id: [{day, day_text, kind, what, shop,
    amount_fen, balance_after_fen} + (staff only) at, receipt_no, staff]}. The day is the one the
    till booked a sale or void on, an expiry run's day, else the row's own (business time)."""
    out: dict[int, list[dict]] = {vid: [] for vid in voucher_ids}
    if not voucher_ids:
        return out
    rows = list(db.session.scalars(select(VoucherLedger).where(VoucherLedger.voucher_id.in_(voucher_ids))
                                   .order_by(VoucherLedger.voucher_id, VoucherLedger.id)))
    refs = _refs(rows)
    for r in rows:
        if limit is not None and len(out[r.voucher_id]) >= limit:
            continue
        ref = refs.get((r.ref_type, r.ref_id), {})
        day = ref.get("day") or _expiry_day(r) or to_business(r.created_at).date()
        entry = {"day": day.isoformat(), "day_text": format_date(day, "long"), "kind": r.kind,
                 "what": what(r.kind, r.ref_type), "shop": ref.get("shop", ""),
                 "amount_fen": r.amount_fen, "balance_after_fen": r.balance_after_fen}
        if not public:
            entry.update(at=r.created_at, receipt_no=ref.get("receipt_no", ""),
                         staff=ref.get("staff") or r.actor)
        out[r.voucher_id].append(entry)
    return out


def public_history(voucher: Voucher) -> list[dict]:
    """What the holder's page lists: day, shop, amount, what happened; nothing about staff."""
    return histories([voucher.id], public=True, limit=PUBLIC_LIMIT)[voucher.id]
