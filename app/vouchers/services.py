"""Voucher services: codes, look-up, redemption, refunds, revocation, reissue, reprint.

The till and the other domains call only the functions of this module (and issuance.py for
runs). Every function flushes and leaves the commit to the caller. Every balance change is
one conditional UPDATE plus a ledger row in the same transaction: a read-then-write would let
two tills spend a voucher twice.

Refunds (decided here, the design is silent): a refund goes back onto the voucher, never above
its face value. When the voucher is already past its validity, or revoked, the amount cannot
become spendable again: the refund is written as a `refund` row followed at once by an `expire`
(or `revoke`) row of the same amount, so the balance stays as it was, the customer's money is
accounted for, and `issued = redeemed - refunded + expired + revoked + outstanding` still holds.
One exception: a card revoked because it was replaced (lost or damaged, `reissue`) forwards the
refund to its replacement while that is still valid — the recipient's money follows the new card
(`refund` on the old card, then the same amount moved as on a reissue: a `revoke` row and an
`issue` row both marked `reissue`; the new card's face grows by the amount).
"""

from __future__ import annotations

import datetime as dt

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import case, func, select, update

from app.core import audit, crypto
from app.core.db import utcnow
from app.core.errors import Conflict, InvalidInput, NotFound
from app.core.masking import mask_name
from app.core.money import format_fen
from app.extensions import db
from app.recipients.models import Recipient
from app.vouchers import codes
from app.vouchers.errors import (
    InsufficientBalance,
    VoucherExhausted,
    VoucherExpired,
    VoucherNotYetValid,
    VoucherRevoked,
    VoucherUnknown,
)
from app.vouchers.models import CODE_PURPOSE, Programme, Voucher, VoucherLedger

DEFAULT_PROGRAMME = "CSCS"


# --- codes --------------------------------------------------------------------------------

def normalise_code(text: str) -> str:
    """The canonical code for what was typed or scanned; `voucher_unknown` on a typo.

    Runs before any database access: a mistyped code never reaches a query.
    """
    try:
        return codes.canonical(text)
    except codes.BadCode as e:
        raise VoucherUnknown(_("券码有误（校验位不符或长度不对），请核对后重新输入。"),
                             details={"reason": str(e)}) from None


def code_hash(canonical: str) -> str:
    return crypto.blind_index(canonical, purpose=CODE_PURPOSE)


def code_fields(canonical: str) -> dict:
    """The stored form of a code: ciphertext, keyed hash and the last four symbols."""
    return {"code_enc": crypto.encrypt(canonical, purpose=CODE_PURPOSE),
            "code_hash": code_hash(canonical), "code_tail": canonical[-4:]}


def code_of(voucher: Voucher) -> str:
    """The canonical code (for sheets and audited reprints: callers audit)."""
    return crypto.decrypt(voucher.code_enc, purpose=CODE_PURPOSE)


def public_url(canonical: str, base_url: str) -> str:
    """The QR's PUBLIC_BASE_URL/v#CODE: the fragment is never sent, so no log ever sees it."""
    return f"{base_url.rstrip('/')}/v#{canonical}"


# --- look-up ------------------------------------------------------------------------------

def find_voucher(code: str) -> Voucher:
    canonical = normalise_code(code)
    voucher = db.session.scalar(select(Voucher).where(Voucher.code_hash == code_hash(canonical)))
    if voucher is None:
        raise VoucherUnknown()
    return voucher


def get_voucher(voucher_id: int) -> Voucher:
    voucher = db.session.get(Voucher, voucher_id)
    if voucher is None:
        raise NotFound(_("购物券不存在"))
    return voucher


def voucher_status(voucher: Voucher, *, today: dt.date) -> str:
    """The status as of `today`: an active voucher past its last day counts as expired even
    before the nightly expiry job has moved its balance."""
    if voucher.status == "active":
        if voucher.valid_until < today:
            return "expired"
        if voucher.valid_from > today:
            return "not_yet_valid"
    return voucher.status


def recipient_for_code(code: str) -> Recipient:
    """Identify a recipient by a scanned voucher. A revoked code (replaced card, leaver) fails."""
    voucher = find_voucher(code)
    if voucher.status == "revoked":
        raise VoucherRevoked()
    return voucher.recipient


def public_info(voucher: Voucher, *, today: dt.date) -> dict:
    """What the holder's public page shows: balance and validity, nothing personal."""
    status = voucher_status(voucher, today=today)
    return {"status": status, "balance_fen": voucher.balance_fen if status == "active" else 0,
            "face_fen": voucher.face_fen, "valid_from": voucher.valid_from.isoformat(),
            "valid_until": voucher.valid_until.isoformat(), "code_tail": voucher.code_tail}


def voucher_info(voucher: Voucher, *, today: dt.date) -> dict:
    """What the till shows (POST /api/v1/vouchers/lookup), with the recipient's remaining limits."""
    recipient = voucher.recipient
    programme = voucher.programme
    return {
        "code": codes.group(code_of(voucher)),
        "code_tail": voucher.code_tail,
        "status": voucher_status(voucher, today=today),
        "face_fen": voucher.face_fen,
        "balance_fen": voucher.balance_fen,
        "period": voucher.period,
        "valid_from": voucher.valid_from.isoformat(),
        "valid_until": voucher.valid_until.isoformat(),
        "programme": programme.code,
        "recipient": {"id": recipient.id, "name_masked": mask_name(recipient.name)},
        "category_allowed": (recipient.status == "active"
                             and recipient.category in programme.category_list),
        "limits": _limits(recipient.id, today),
    }


def _limits(recipient_id: int, today: dt.date) -> list[dict]:
    """Remaining monthly charity-price limits, from the till when it is set up (the till
    registers `voucher_limits_provider`; vouchers does not depend on the till)."""
    provider = current_app.extensions.get("voucher_limits_provider")
    return provider(recipient_id, today) if provider else []


def get_programme(code: str | None = None) -> Programme:
    programme = db.session.scalar(select(Programme).where(Programme.code == (code or DEFAULT_PROGRAMME)))
    if programme is None:
        raise NotFound(_("购物券项目不存在：%(code)s", code=code or DEFAULT_PROGRAMME))
    return programme


def list_programmes() -> list[Programme]:
    return list(db.session.scalars(select(Programme).order_by(Programme.id)))


# --- balance changes ----------------------------------------------------------------------

def _check_amount(amount_fen) -> int:
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or amount_fen <= 0:
        raise InvalidInput(_("金额必须是正整数（分）"))
    return amount_fen


def _forget(voucher_id: int) -> None:
    """A Core UPDATE bypassed the identity map: make a loaded Voucher reload its columns."""
    obj = db.session.identity_map.get(db.session.identity_key(Voucher, voucher_id))
    if obj is not None:
        db.session.expire(obj)


def _ledger(voucher_id: int, kind: str, amount_fen: int, balance_after_fen: int, *,
            ref_type: str | None, ref_id) -> VoucherLedger:
    row = VoucherLedger(voucher_id=voucher_id, kind=kind, amount_fen=amount_fen,
                        balance_after_fen=balance_after_fen, ref_type=ref_type,
                        ref_id=None if ref_id is None else str(ref_id),
                        actor=audit.current_actor().username[:80], created_at=utcnow())
    db.session.add(row)
    db.session.flush()
    return row


def _reload(voucher_id: int) -> Voucher:
    voucher = db.session.get(Voucher, voucher_id, populate_existing=True)
    if voucher is None:
        raise VoucherUnknown()
    return voucher


def redeem(voucher_id: int, amount_fen: int, *, today: dt.date, ref_type: str, ref_id) -> int:
    """Spend `amount_fen` from the voucher in one conditional UPDATE; returns the new balance."""
    amount = _check_amount(amount_fen)
    stmt = (update(Voucher)
            .where(Voucher.id == voucher_id, Voucher.status == "active",
                   Voucher.balance_fen >= amount, Voucher.valid_until >= today,
                   Voucher.valid_from <= today)
            .values(balance_fen=Voucher.balance_fen - amount,
                    status=case((Voucher.balance_fen == amount, "exhausted"), else_=Voucher.status))
            .returning(Voucher.balance_fen)
            .execution_options(synchronize_session=False))
    balance = db.session.execute(stmt).scalar_one_or_none()
    _forget(voucher_id)
    if balance is None:
        raise _why_not_spendable(_reload(voucher_id), amount, today)
    _ledger(voucher_id, "redeem", -amount, balance, ref_type=ref_type, ref_id=ref_id)
    return balance


def _why_not_spendable(voucher: Voucher, amount: int, today: dt.date) -> Exception:
    if voucher.status == "revoked":
        return VoucherRevoked()
    if voucher.status == "expired" or voucher.valid_until < today:
        return VoucherExpired(_("该购物券已于 %(day)s 过期", day=voucher.valid_until.isoformat()))
    if voucher.valid_from > today:
        return VoucherNotYetValid(_("该购物券自 %(day)s 起可用", day=voucher.valid_from.isoformat()))
    if voucher.status == "exhausted" or voucher.balance_fen == 0:
        return VoucherExhausted()
    if voucher.balance_fen < amount:
        return InsufficientBalance(
            _("购物券余额不足：余额 %(balance)s，本次需 %(amount)s",
              balance=format_fen(voucher.balance_fen), amount=format_fen(amount)),
            details={"balance_fen": voucher.balance_fen})
    return Conflict(_("购物券状态刚刚发生变化，请重试"))


def refund(voucher_id: int, amount_fen: int, *, today: dt.date, ref_type: str, ref_id) -> int:
    """Put `amount_fen` back on the voucher (a void); returns the balance afterwards.

    Never above face value. Past validity or revoked: `refund` + `expire`/`revoke` rows of the
    same amount, the balance is unchanged (see the module docstring).
    """
    amount = _check_amount(amount_fen)
    stmt = (update(Voucher)
            .where(Voucher.id == voucher_id, Voucher.status.in_(("active", "exhausted")),
                   Voucher.balance_fen + amount <= Voucher.face_fen, Voucher.valid_until >= today)
            .values(balance_fen=Voucher.balance_fen + amount, status="active")
            .returning(Voucher.balance_fen)
            .execution_options(synchronize_session=False))
    balance = db.session.execute(stmt).scalar_one_or_none()
    _forget(voucher_id)
    if balance is not None:
        _ledger(voucher_id, "refund", amount, balance, ref_type=ref_type, ref_id=ref_id)
        return balance
    voucher = _reload(voucher_id)
    if voucher.balance_fen + amount > voucher.face_fen:
        raise InvalidInput(_("退回金额超过购物券面额：余额 %(balance)s，面额 %(face)s",
                             balance=format_fen(voucher.balance_fen), face=format_fen(voucher.face_fen)))
    _ledger(voucher_id, "refund", amount, voucher.balance_fen + amount, ref_type=ref_type, ref_id=ref_id)
    replacement = _live_replacement(voucher, today) if voucher.status == "revoked" else None
    if replacement is not None:
        _forward(voucher, replacement, amount)
        return voucher.balance_fen
    closing = "revoke" if voucher.status == "revoked" else "expire"
    _ledger(voucher_id, closing, -amount, voucher.balance_fen, ref_type=ref_type, ref_id=ref_id)
    return voucher.balance_fen


def _live_replacement(voucher: Voucher, today: dt.date) -> Voucher | None:
    """The card that replaced `voucher` (following replacements of replacements), if it is
    still active or exhausted and valid today; None for a card revoked for any other reason."""
    current = voucher
    for _hop in range(20):
        nxt = db.session.scalar(select(Voucher).where(Voucher.reissue_of_id == current.id)
                                .order_by(Voucher.reissue_no.desc()).limit(1))
        if nxt is None:
            break
        current = nxt
    if current is voucher or current.status not in ("active", "exhausted") or current.valid_until < today:
        return None
    return current


def _forward(old: Voucher, new: Voucher, amount: int) -> None:
    """Move a refund that landed on a replaced card to its replacement, as a reissue moves a
    balance: `revoke` (reissue) on the old card, `issue` (reissue) on the new one."""
    balance = db.session.execute(
        update(Voucher).where(Voucher.id == new.id)
        .values(balance_fen=Voucher.balance_fen + amount, face_fen=Voucher.face_fen + amount, status="active")
        .returning(Voucher.balance_fen).execution_options(synchronize_session=False)).scalar_one()
    _forget(new.id)
    _ledger(old.id, "revoke", -amount, old.balance_fen, ref_type="reissue", ref_id=new.id)
    _ledger(new.id, "issue", amount, balance, ref_type="reissue", ref_id=old.id)
    audit.record("voucher.refund_forwarded", target_type="voucher", target_id=new.id,
                 details={"from_voucher_id": old.id, "amount_fen": amount})


def revoke(voucher_id: int, *, reason: str, ref_type: str = "revoke", ref_id=None) -> int:
    """Close an active voucher: its remaining balance leaves through a `revoke` row.

    Returns the amount revoked. Exhausted, expired or revoked vouchers are refused.
    """
    voucher = db.session.scalar(select(Voucher).where(Voucher.id == voucher_id)
                                .with_for_update().execution_options(populate_existing=True))
    if voucher is None:
        raise NotFound(_("购物券不存在"))
    if voucher.status != "active":
        raise Conflict(_("只有可用状态的购物券可以注销（当前：%(status)s）", status=voucher.status))
    amount = voucher.balance_fen
    result = db.session.execute(
        update(Voucher)
        .where(Voucher.id == voucher_id, Voucher.status == "active", Voucher.balance_fen == amount)
        .values(status="revoked", balance_fen=0, closed_at=utcnow())
        .execution_options(synchronize_session=False))
    _forget(voucher_id)
    if result.rowcount != 1:
        raise Conflict(_("购物券状态刚刚发生变化，请重试"))
    _ledger(voucher_id, "revoke", -amount, 0, ref_type=ref_type, ref_id=ref_id)
    audit.record("voucher.revoke", target_type="voucher", target_id=voucher_id,
                 details={"reason": reason, "amount_fen": amount})
    return amount


def reissue(voucher_id: int, *, reason: str) -> tuple[Voucher, str]:
    """Replace a lost or damaged card: the old code is revoked and its balance moves to a new
    voucher (same recipient, programme, period and validity) with a new code.

    Returns the new voucher and its canonical code (to print at once).
    """
    old = db.session.scalar(select(Voucher).where(Voucher.id == voucher_id)
                            .with_for_update().execution_options(populate_existing=True))
    if old is None:
        raise NotFound(_("购物券不存在"))
    if old.status != "active":
        raise Conflict(_("只有可用状态的购物券可以补发（当前：%(status)s）", status=old.status))
    next_no = db.session.scalar(
        select(func.max(Voucher.reissue_no)).where(
            Voucher.programme_id == old.programme_id, Voucher.recipient_id == old.recipient_id,
            Voucher.period == old.period)) + 1
    canonical = codes.new_code()
    new = Voucher(programme_id=old.programme_id, recipient_id=old.recipient_id, period=old.period,
                  reissue_no=next_no, face_fen=old.balance_fen, balance_fen=old.balance_fen,
                  status="active", valid_from=old.valid_from, valid_until=old.valid_until,
                  reissue_of_id=old.id, created_at=utcnow(), **code_fields(canonical))
    db.session.add(new)
    db.session.flush()
    moved = revoke(old.id, reason=reason, ref_type="reissue", ref_id=new.id)
    if moved != new.face_fen:  # the balance changed between our read and the revoke
        raise Conflict(_("购物券状态刚刚发生变化，请重试"))
    _ledger(new.id, "issue", moved, moved, ref_type="reissue", ref_id=old.id)
    audit.record("voucher.reissue", target_type="voucher", target_id=new.id,
                 details={"old_voucher_id": old.id, "amount_fen": moved, "reason": reason})
    return new, canonical


def reprint_code(voucher_id: int, *, reason: str) -> tuple[Voucher, str]:
    """The code of a voucher for a reprint by authorised staff; audited."""
    voucher = get_voucher(voucher_id)
    if voucher.status == "revoked":
        raise VoucherRevoked()
    audit.record("voucher.reprint", target_type="voucher", target_id=voucher.id,
                 details={"reason": reason, "period": voucher.period})
    return voucher, code_of(voucher)


def revoke_for_recipients(recipient_ids: list[int], *, today: dt.date, reason: str) -> dict:
    """Revoke the still-valid active vouchers (this period and any later one) of recipients who
    left the roster. Returns {"revoked": n, "revoked_fen": total}."""
    if not recipient_ids:
        return {"revoked": 0, "revoked_fen": 0}
    count = total = 0
    for start in range(0, len(recipient_ids), 500):
        chunk = recipient_ids[start:start + 500]
        ids = list(db.session.scalars(
            select(Voucher.id).where(Voucher.recipient_id.in_(chunk), Voucher.status == "active",
                                     Voucher.valid_until >= today).order_by(Voucher.id)))
        for vid in ids:
            total += revoke(vid, reason=reason, ref_type="roster_exit")
            count += 1
    return {"revoked": count, "revoked_fen": total}


def ledger_of(voucher_id: int) -> list[VoucherLedger]:
    return list(db.session.scalars(select(VoucherLedger).where(VoucherLedger.voucher_id == voucher_id)
                                   .order_by(VoucherLedger.id)))


def vouchers_of_recipient(recipient_id: int) -> list[Voucher]:
    return list(db.session.scalars(select(Voucher).where(Voucher.recipient_id == recipient_id)
                                   .order_by(Voucher.period.desc(), Voucher.reissue_no.desc())))


def ensure_identifies(voucher: Voucher, *, today: dt.date) -> str:
    """A voucher scanned at the till: raise voucher_expired / voucher_revoked /
    voucher_not_yet_valid when it cannot be used today; return the status otherwise
    ("active", or "exhausted": an empty voucher still identifies its recipient)."""
    status = voucher_status(voucher, today=today)
    if status == "expired":
        raise VoucherExpired(_("该购物券已于 %(day)s 过期", day=voucher.valid_until.isoformat()))
    if status == "revoked":
        raise VoucherRevoked()
    if status == "not_yet_valid":
        raise VoucherNotYetValid(_("该购物券自 %(day)s 起可用", day=voucher.valid_from.isoformat()))
    return status
