"""Recipient look-ups shared by the till, pickups and staff pages. Services flush; callers commit."""

from __future__ import annotations

import datetime as dt
import re

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.core import audit, crypto, regions
from app.core.errors import Conflict, InvalidInput, NotFound
from app.core.ids import normalise as normalise_id
from app.core.ids import parse_resident_id
from app.core.masking import mask_id_number
from app.core.timeutil import business_today
from app.extensions import db
from app.recipients.categories import NAMES, parse_category
from app.recipients.models import ID_PURPOSE, STATUSES, Recipient

_DIGITS = re.compile(r"[0-9Xx]{4,6}")


def get_recipient(recipient_id: int) -> Recipient:
    recipient = db.session.get(Recipient, recipient_id)
    if recipient is None:
        raise NotFound(_("救助对象不存在"))
    return recipient


def id_number_of(recipient: Recipient) -> str:
    """The whole ID number. Only for audited reveals and imports: callers audit it."""
    return crypto.decrypt(recipient.id_number_enc, purpose=ID_PURPOSE)


def phone_of(recipient: Recipient) -> str:
    """The whole phone number ("" when none). Only for audited reveals and exports: callers audit."""
    return crypto.decrypt_phone(recipient.phone_enc)


def phone_fields(phone: str | None) -> dict:
    """The stored form of a phone number: ciphertext, keyed hash, mask."""
    return crypto.phone_columns(phone)


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


# --- registry -----------------------------------------------------------------------------

CATEGORY_LABELS = NAMES  # the one table of names: app/recipients/categories.py
STATUS_LABELS = {"active": _l("在册"), "suspended": _l("暂停"), "exited": _l("已退出")}
PAGE_SIZE = 50


def id_hash(number: str) -> str:
    return crypto.blind_index(number, purpose=ID_PURPOSE)


def id_fields(number: str) -> dict:
    """The stored form of a (validated, normalised) ID number."""
    return {"id_number_enc": crypto.encrypt(number, purpose=ID_PURPOSE), "id_number_hash": id_hash(number),
            "id_masked": mask_id_number(number), "id_last4": number[-4:]}


def create_recipient(*, name: str, id_number: str, category: str, district_code: str,
                     township: str = "", community: str = "", phone: str | None = None,
                     household_size: int | None = None, status: str = "active",
                     today: dt.date | None = None) -> Recipient:
    """One recipient (staff entry, demo data, tests). Rosters go through roster.import_roster."""
    rid = parse_resident_id(id_number)
    name = (name or "").strip()
    if not name or len(name) > 50:
        raise InvalidInput(_("姓名不能为空，且不超过50个字"))
    given, category = category, parse_category(category)
    if category is None:
        raise InvalidInput(_("类别不正确：%(value)s", value=given))
    if status not in STATUSES:
        raise InvalidInput(_("状态不正确：%(value)s", value=status))
    if not regions.is_known_region(district_code or ""):
        raise InvalidInput(_("区县代码不存在：%(code)s", code=district_code))
    if db.session.scalar(select(Recipient.id).where(Recipient.id_number_hash == id_hash(rid.number))):
        raise Conflict(_("该身份证号已登记"))
    recipient = Recipient(name=name, category=category, district_code=district_code,
                          township=township or "", community=community or "",
                          household_size=household_size, **phone_fields(phone), status=status,
                          status_since=today or business_today(), **id_fields(rid.number))
    db.session.add(recipient)
    db.session.flush()
    return recipient


def find_by_id_number(number: str) -> Recipient | None:
    return db.session.scalar(select(Recipient).where(Recipient.id_number_hash == id_hash(normalise_id(number))))


def list_recipients(*, district_code: str | None = None, category: str | None = None,
                    status: str | None = None, township: str | None = None, q: str | None = None,
                    page: int = 1, page_size: int = PAGE_SIZE) -> tuple[list[Recipient], int]:
    """A page of recipients with filters; returns (rows, total). `district_code` is the scope."""
    if q:
        rows = search(q, district_code=district_code, only_active=False, limit=page_size)
        if category:
            rows = [r for r in rows if r.category == category]
        if status:
            rows = [r for r in rows if r.status == status]
        return rows, len(rows)
    stmt = select(Recipient)
    if district_code:
        stmt = stmt.where(Recipient.district_code == district_code)
    if category:
        stmt = stmt.where(Recipient.category == category)
    if status:
        stmt = stmt.where(Recipient.status == status)
    if township:
        stmt = stmt.where(Recipient.township == township)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    page = max(1, page)
    rows = list(db.session.scalars(
        stmt.order_by(Recipient.district_code, Recipient.township, Recipient.community, Recipient.name,
                      Recipient.id).offset((page - 1) * page_size).limit(page_size)))
    return rows, total


def district_choices(scope: str | None = None) -> list[tuple[str, str]]:
    """The registry filter's districts, by name: those recipients live in, and the home city's
    current ones from the region table (HOME_REGION_PREFIX), as (code, name), in code order.
    A district-limited user (`scope`) has only their own."""
    if scope:
        codes = {scope}
    else:
        codes = set(db.session.scalars(select(Recipient.district_code).distinct()))
        codes |= set(regions.current_districts(current_app.config.get("HOME_REGION_PREFIX", "")))
    return [(code, regions.region_name(code) or code) for code in sorted(codes)]


def district_arg(value: str | None) -> str | None:
    """The `district` of a query string: a code (411002) or a name (魏都区); None when empty or
    unknown (an unknown district then matches nobody rather than everybody: see the caller)."""
    value = (value or "").strip()
    if not value:
        return None
    return regions.resolve_district(value, prefix=current_app.config.get("HOME_REGION_PREFIX", ""))


def reveal_id_number(recipient: Recipient, *, reason: str) -> str:
    """The whole ID number for a privileged user; always audited (the caller checks the role)."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("查看完整身份证号必须填写原因"))
    audit.record("recipient.reveal_id", target=recipient, details={"reason": reason[:200]})
    return id_number_of(recipient)


def record_view(recipient: Recipient) -> None:
    audit.record("recipient.view", target=recipient)


# Other domains react to recipients leaving the roster (vouchers revokes their unspent
# vouchers) by registering a hook here: recipients itself calls no other domain.
def on_exit(app, hook) -> None:
    app.extensions.setdefault("recipient_exit_hooks", []).append(hook)


def add_detail_panel(app, render) -> None:
    """`render(recipient) -> HTML` adds a section to the recipient's page (vouchers adds its list)."""
    app.extensions.setdefault("recipient_detail_panels", []).append(render)


def detail_panels(recipient: Recipient) -> list:
    return [render(recipient) for render in current_app.extensions.get("recipient_detail_panels", [])]


def notify_exit(recipient_ids: list[int], *, today: dt.date, reason: str) -> dict:
    out: dict = {}
    for hook in current_app.extensions.get("recipient_exit_hooks", []):
        out.update(hook(recipient_ids, today=today, reason=reason) or {})
    return out


def set_status(recipient: Recipient, status: str, *, reason: str, today: dt.date | None = None) -> dict:
    """Suspend, exit or reactivate one recipient (audited). Exiting revokes unspent vouchers."""
    if status not in STATUSES:
        raise InvalidInput(_("状态不正确：%(value)s", value=status))
    if recipient.status == status:
        return {}
    today = today or business_today()
    old = recipient.status
    recipient.status = status
    recipient.status_since = today
    db.session.flush()
    audit.record("recipient.status", target=recipient,
                 details={"from": old, "to": status, "reason": (reason or "")[:200]})
    if status == "exited":
        return notify_exit([recipient.id], today=today, reason=reason or "exited")
    return {}


def lock_for_update(recipient_id: int) -> None:
    """Hold the recipient's row until the transaction ends, so that checks across tills (monthly
    limits at charity price) see each other's writes. SQLite already serialises writers (BEGIN
    IMMEDIATE); on PostgreSQL this is SELECT ... FOR UPDATE."""
    db.session.execute(select(Recipient.id).where(Recipient.id == recipient_id).with_for_update())
