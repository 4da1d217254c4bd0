"""The voucher books: each voucher against its ledger, and reissues moved whole.

Read-only service functions for `flask verify` and `flask vouchers verify`. One grouped pass
over the ledger gives, per voucher, the sum of its rows, what was issued onto it, how many rows
of each closing kind it has and its last row; the vouchers that disagree come back.
(Sales' voucher payments against the ledger and the monthly identity are reconciliation's:
app/reports/reconciliation.py.)
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, literal, or_, select, union_all
from sqlalchemy.orm import aliased

from app.core.books import Check, Window, as_text, difference
from app.extensions import db
from app.vouchers.models import Voucher, VoucherLedger

# what a status requires: (balance must be > 0, closed_at set, the row kind it must have)
STATUS_RULES = {"active": (True, False, None), "exhausted": (False, False, "redeem"),
                "expired": (False, True, "expire"), "revoked": (False, True, "revoke")}


def _count(kind: str):
    return func.sum(case((VoucherLedger.kind == kind, 1), else_=0))


def disagreeing_vouchers(window: Window | None = None) -> list[dict]:
    """Every voucher (of the window's months, or of every month) that disagrees with its ledger or its status,
    with the figures to tell how: balance, face, the ledger's sum, its `issue` rows' sum, the last
    row's balance_after, and its redeem / expire / revoke row counts."""
    led = select(VoucherLedger.voucher_id.label("voucher_id"),
                 func.sum(VoucherLedger.amount_fen).label("total"),
                 func.sum(case((VoucherLedger.kind == "issue", VoucherLedger.amount_fen), else_=0)).label("issued"),
                 _count("redeem").label("redeem"), _count("expire").label("expire"),
                 _count("revoke").label("revoke"), func.max(VoucherLedger.id).label("last_id"))
    months = (window or Window()).months(Voucher.period)
    if months:
        led = led.where(VoucherLedger.voucher_id.in_(select(Voucher.id).where(*months)))
    led = led.group_by(VoucherLedger.voucher_id).subquery()
    last = aliased(VoucherLedger)
    total, issued = func.coalesce(led.c.total, 0), func.coalesce(led.c.issued, 0)
    rows = {k: func.coalesce(led.c[k], 0) for k in ("redeem", "expire", "revoke")}
    closed = Voucher.closed_at.is_not(None)
    status_wrong = or_(*(
        (Voucher.status == status) & or_(Voucher.balance_fen <= 0 if positive else Voucher.balance_fen != 0,
                                         Voucher.closed_at.is_(None) if is_closed else closed,
                                         *((rows[kind] == 0,) if kind else ()))
        for status, (positive, is_closed, kind) in STATUS_RULES.items()))
    q = (select(Voucher.id, Voucher.period, Voucher.status, Voucher.balance_fen, Voucher.face_fen, closed, total,
                issued, rows["redeem"], rows["expire"], rows["revoke"], last.balance_after_fen)
         .outerjoin(led, led.c.voucher_id == Voucher.id).outerjoin(last, last.id == led.c.last_id)
         .where(or_(total != Voucher.balance_fen, Voucher.balance_fen < 0, Voucher.balance_fen > Voucher.face_fen,
                    issued != Voucher.face_fen, last.balance_after_fen != Voucher.balance_fen,
                    Voucher.status.not_in(tuple(STATUS_RULES)), status_wrong)))
    q = q.where(*months)
    keys = ("voucher_id", "period", "status", "balance_fen", "face_fen", "closed", "ledger_fen", "issued_fen",
            "redeem_rows", "expire_rows", "revoke_rows", "last_balance_after_fen")
    return [dict(zip(keys, r, strict=True)) for r in db.session.execute(q.order_by(Voucher.id))]


def balances(window: Window) -> list[dict]:
    """vouchers.balance: balance = the sum of its ledger rows = the last row's balance_after,
    0 ≤ balance ≤ face, face = the sum of its `issue` rows; vouchers.status: an active voucher
    has a balance, an exhausted / expired / revoked one none, and the row that closed it (a
    redemption, the expiry, the revocation); expired and revoked ones are closed (closed_at)."""
    out = []
    for v in disagreeing_vouchers(window):
        obj = {"voucher_id": v["voucher_id"], "period": v["period"], "status": v["status"]}
        bal = v["balance_fen"]
        for ok, left, right, rel in (
                (bal == v["ledger_fen"], ("balance_fen", bal), ("ledger_fen", v["ledger_fen"]), "="),
                (bal >= 0, ("balance_fen", bal), ("zero", 0), "≥"),
                (bal <= v["face_fen"], ("balance_fen", bal), ("face_fen", v["face_fen"]), "≤"),
                (v["issued_fen"] == v["face_fen"], ("face_fen", v["face_fen"]), ("issued_fen", v["issued_fen"]), "="),
                (v["last_balance_after_fen"] in (None, bal), ("balance_fen", bal),
                 ("last_balance_after_fen", v["last_balance_after_fen"]), "=")):
            if not ok:
                out.append(difference("vouchers.balance", obj, left, right, rel))
        rule = STATUS_RULES.get(v["status"])
        if rule is None:
            out.append(difference("vouchers.status", obj, ("status", v["status"]), ("known", "|".join(STATUS_RULES))))
            continue
        positive, is_closed, kind = rule
        if (bal > 0) != positive:
            out.append(difference("vouchers.status", obj, ("balance_fen", bal), ("zero", 0), ">" if positive else "="))
        if bool(v["closed"]) != is_closed:
            out.append(difference("vouchers.status", obj, ("closed", int(bool(v["closed"]))),
                                  ("closed_for_status", int(is_closed))))
        if kind and not v[f"{kind}_rows"]:
            out.append(difference("vouchers.status", obj, (f"{kind}_rows", 0), ("at_least", 1), "≥"))
    return out


def reissues(window: Window) -> list[dict]:
    """A replaced card's balance moves whole: the `revoke` rows marked reissue on the old card
    equal the `issue` rows marked reissue on the new one, pair by pair."""
    out_rows = (select(as_text(VoucherLedger.voucher_id).label("old_id"), VoucherLedger.ref_id.label("new_id"),
                       (-VoucherLedger.amount_fen).label("moved_out"), literal(0).label("moved_in"))
                .where(VoucherLedger.kind == "revoke", VoucherLedger.ref_type == "reissue"))
    in_rows = (select(VoucherLedger.ref_id, as_text(VoucherLedger.voucher_id),
                      literal(0), VoucherLedger.amount_fen)
               .where(VoucherLedger.kind == "issue", VoucherLedger.ref_type == "reissue"))
    u = union_all(out_rows, in_rows).subquery()
    q = (select(u.c.old_id, u.c.new_id, func.sum(u.c.moved_out), func.sum(u.c.moved_in))
         .group_by(u.c.old_id, u.c.new_id).having(func.sum(u.c.moved_out) != func.sum(u.c.moved_in)))
    return [difference("vouchers.reissue", {"voucher_id": int(old) if str(old).isdigit() else old,
                                            "ref": f"reissue:{new}"},
                       ("moved_out_fen", o), ("moved_in_fen", i))
            for old, new, o, i in db.session.execute(q)]


CHECKS = (
    Check(balances, {"vouchers.balance":
                     _l("购物券余额 = 流水合计 = 最后一条流水的余额，0 ≤ 余额 ≤ 面额 = 发放流水合计"),
                     "vouchers.status": _l("购物券状态与余额、流水一致（用完、过期、注销都有对应流水）")}),
    Check(reissues, {"vouchers.reissue": _l("补发时旧券转出的余额等于新券转入的余额")}, dated=False),
)
