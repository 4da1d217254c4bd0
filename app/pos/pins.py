"""Manager PINs: the 4–8 digit number a cashier types at the till so a manager authorises a void.

A PIN is short, so it is guarded:
- after `PIN_MAX_FAILURES` (default 5) wrong PINs in a row the manager's PIN is locked
  (`pin_locked`, 423) until that manager logs in with their password (`unlock_on_login`, called
  from Flask-Login's `user_logged_in` signal, see app/pos/setup.py) or sets a new PIN; a right
  PIN resets the count;
- the count is one conditional `UPDATE … SET failed_attempts = failed_attempts + 1 … WHERE
  locked_at IS NULL RETURNING …`, so parallel guesses are all counted and the lock happens once;
- every refusal is audited (`pos.manager_pin_failed`), and the lock (`pos.manager_pin_locked`).

A refused PIN refuses the void, and the error handler rolls the void's transaction back; the
failure must outlive that rollback, so the refusal commits the count and its audit rows before
it raises. `authorising_manager` is therefore called before the unit of work writes anything
(void_sale calls it first): whatever the caller had written would be committed with it.
"""

from __future__ import annotations

import re

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import case, literal, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from werkzeug.security import check_password_hash, generate_password_hash

from app.auth.models import User
from app.core import audit
from app.core.db import UTCDateTime, utcnow
from app.core.errors import InvalidInput
from app.extensions import db
from app.pos.errors import PinLocked, VoidNotAllowed
from app.pos.models import ManagerPin

PIN = re.compile(r"^[0-9]{4,8}$")


def max_failures() -> int:
    return int(current_app.config.get("PIN_MAX_FAILURES", 5))


def set_manager_pin(user, pin: str, *, details: dict | None = None) -> None:
    """Set (or change) a manager's PIN; a new PIN starts unlocked with no failures."""
    if user.role != "manager":
        raise InvalidInput(_("只有店长可以设置授权码"))
    if not PIN.match(pin or ""):
        raise InvalidInput(_("授权码为 4–8 位数字"))
    # one upsert: the manager's one PIN row is created or replaced, also when two settings race
    table = ManagerPin.__table__
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = insert(table).values(user_id=user.id, pin_hash=generate_password_hash(pin, method="scrypt"),
                                updated_at=utcnow(), failed_attempts=0, locked_at=None)
    db.session.execute(stmt.on_conflict_do_update(
        index_elements=["user_id"], set_={"pin_hash": stmt.excluded.pin_hash, "updated_at": stmt.excluded.updated_at,
                                          "failed_attempts": 0, "locked_at": None}))
    row = db.session.get(ManagerPin, user.id)
    if row is not None:
        db.session.expire(row)
    audit.record("pos.manager_pin", target=user, details=details)


FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def change_own_pin(user, *, password: str, pin: str, pin_again: str) -> None:
    """A manager sets or changes their own PIN on the page: the login password typed again (a
    session left open on a till must not be enough), the PIN 4–8 digits (full-width digits
    from a Chinese input method are read as digits), typed twice. Flushes; the caller commits.
    A refusal raises InvalidInput with details {"field"}; the page then rolls back and records
    it with `record_pin_refusal` (so the form's key is released with the rest)."""
    from app.auth import services as auth_services

    if user.role != "manager":
        raise InvalidInput(_("只有店长可以设置授权码"))
    if auth_services.authenticate(user.username, password or "") is None:
        raise InvalidInput(_("登录密码不正确"), details={"field": "password"})
    pin = (pin or "").strip().translate(FULL_WIDTH_DIGITS)
    if not PIN.match(pin):
        raise InvalidInput(_("授权码为 4–8 位数字"), details={"field": "pin"})
    if pin != (pin_again or "").strip().translate(FULL_WIDTH_DIGITS):
        raise InvalidInput(_("两次输入的授权码不一致"), details={"field": "pin_again"})
    was_set = db.session.get(ManagerPin, user.id) is not None
    set_manager_pin(user, pin, details={"by": "page", "changed": was_set})


def record_pin_refusal(user, field: str | None) -> None:
    """Audit a refused PIN change (which field was wrong, never what was typed). Flushes."""
    audit.record("pos.manager_pin_refused", target=user, details={"field": field})


def authorising_manager(actor, *, sale_shop_id: int, manager_username: str | None, manager_pin: str | None):
    """The manager who authorises a void: the actor if a manager (or admin), else the manager
    named with a correct PIN from the same shop. A refusal commits its audit rows (and the
    failure count) before raising: see the module docstring."""
    if actor.role in ("manager", "admin"):
        return actor
    if not manager_username or not manager_pin:
        raise VoidNotAllowed()
    name = str(manager_username).strip().lower()[:80]
    manager = db.session.scalar(select(User).where(User.username == name))
    row = db.session.get(ManagerPin, manager.id) if manager is not None else None
    if (manager is None or manager.role != "manager" or not manager.active
            or manager.shop_id != sale_shop_id or row is None):
        # nothing about any PIN was tested: audited, not counted (an unknown name answers like a wrong PIN)
        _refuse(actor, manager, name, reason="no_such_manager")
    if row.locked_at is not None:
        _refuse(actor, manager, name, reason="locked")
    if not check_password_hash(row.pin_hash, str(manager_pin)):
        counted = db.session.execute(
            update(ManagerPin)
            .where(ManagerPin.user_id == manager.id, ManagerPin.locked_at.is_(None))
            .values(failed_attempts=ManagerPin.failed_attempts + 1,
                    locked_at=case((ManagerPin.failed_attempts + 1 >= max_failures(),
                                     literal(utcnow(), UTCDateTime())), else_=None))
            .returning(ManagerPin.failed_attempts, ManagerPin.locked_at)
            .execution_options(synchronize_session=False)).first()
        if counted is None:  # locked by a parallel guess since we read the row
            _refuse(actor, manager, name, reason="locked")
        _refuse(actor, manager, name, reason="wrong_pin", failures=counted[0], locked=counted[1] is not None)
    # a right PIN resets the count, unless a parallel guess has just locked it
    reset = db.session.execute(
        update(ManagerPin).where(ManagerPin.user_id == manager.id, ManagerPin.locked_at.is_(None))
        .values(failed_attempts=0).returning(ManagerPin.user_id)
        .execution_options(synchronize_session=False)).first()
    if reset is None:
        _refuse(actor, manager, name, reason="locked")
    db.session.expire(row)
    return manager


def _refuse(actor, manager, name: str, *, reason: str, failures: int | None = None, locked: bool = False):
    details = {"manager": name, "reason": reason, "shop_id": getattr(actor, "shop_id", None)}
    if failures is not None:
        details["failures"] = failures
    audit.record("pos.manager_pin_failed", target=manager if reason != "no_such_manager" else None,
                 target_type="app_user", details=details)
    if locked:
        audit.record("pos.manager_pin_locked", target=manager,
                     details={"manager": name, "failures": failures, "shop_id": manager.shop_id})
    db.session.commit()  # the void is refused and rolled back; its refusal is kept (module docstring)
    if locked or reason == "locked":
        raise PinLocked()
    raise VoidNotAllowed(_("店长账号或授权码不正确"))


def unlock_on_login(user) -> None:
    """A manager who logs in with their password unlocks their PIN (and clears the count).
    Flushes in the login's unit of work."""
    if getattr(user, "role", None) != "manager":
        return
    row = db.session.get(ManagerPin, user.id)
    if row is None or (row.locked_at is None and not row.failed_attempts):
        return
    was_locked = row.locked_at is not None
    db.session.execute(update(ManagerPin).where(ManagerPin.user_id == user.id)
                       .values(failed_attempts=0, locked_at=None)
                       .execution_options(synchronize_session=False))
    db.session.expire(row)
    if was_locked:
        audit.record("pos.manager_pin_unlocked", target=user, details={"by": "password_login"})


def pin_state(user) -> dict:
    """{failed_attempts, locked} of a manager's PIN (for pages and tests)."""
    row = db.session.get(ManagerPin, user.id)
    if row is None:
        return {"set": False, "failed_attempts": 0, "locked": False}
    db.session.refresh(row)
    return {"set": True, "failed_attempts": row.failed_attempts, "locked": row.locked_at is not None}
