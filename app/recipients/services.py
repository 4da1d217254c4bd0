"""Recipient look-ups shared by the till, pickups and staff pages. Services flush; callers commit."""

from __future__ import annotations

import re

from flask_babel import gettext as _
from sqlalchemy import select

from app.core import crypto
from app.core.errors import NotFound
from app.extensions import db
from app.recipients.models import ID_PURPOSE, Recipient

_DIGITS = re.compile(r"[0-9Xx]{4,6}")


def get_recipient(recipient_id: int) -> Recipient:
    recipient = db.session.get(Recipient, recipient_id)
    if recipient is None:
        raise NotFound(_("救助对象不存在"))
    return recipient


def id_number_of(recipient: Recipient) -> str:
    """The whole ID number. Only for audited reveals and imports: callers audit it."""
    return crypto.decrypt(recipient.id_number_enc, purpose=ID_PURPOSE)


def search(q: str, *, district_code: str | None = None, only_active: bool = True,
           limit: int = 20) -> list[Recipient]:
    """Find recipients by name and/or the last 4–6 characters of the ID number.

    `q` is "张三", "1234", "张三 123456" or "张 1234". `district_code` limits the search to a
    district (a federation user's scope). Results are ordered by name.
    """
    q = (q or "").strip()
    if not q:
        return []
    digits = _DIGITS.findall(q)
    name = _DIGITS.sub("", q).strip()
    stmt = select(Recipient).order_by(Recipient.name, Recipient.id)
    if only_active:
        stmt = stmt.where(Recipient.status == "active")
    if district_code:
        stmt = stmt.where(Recipient.district_code == district_code)
    if name:
        stmt = stmt.where(Recipient.name.contains(name, autoescape=True))
    tail = digits[-1].upper() if digits else None
    if tail:
        stmt = stmt.where(Recipient.id_last4 == tail[-4:])
    if not name and not tail:
        return []
    rows = list(db.session.scalars(stmt.limit(limit * 5 if tail and len(tail) > 4 else limit)))
    if tail and len(tail) > 4:  # 5 or 6 digits: check the longer tail on the decrypted number
        rows = [r for r in rows if id_number_of(r).endswith(tail)]
    return rows[:limit]


def lock_for_update(recipient_id: int) -> None:
    """Hold the recipient's row until the transaction ends, so that checks across tills (monthly
    limits, pickups) see each other's writes. SQLite already serialises writers (BEGIN
    IMMEDIATE); on PostgreSQL this is SELECT ... FOR UPDATE."""
    db.session.execute(select(Recipient.id).where(Recipient.id == recipient_id).with_for_update())
