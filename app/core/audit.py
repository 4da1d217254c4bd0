"""The audit log service: `record(...)` adds a row in the caller's transaction.

Who acts comes from the actor context: the request hook sets it from the logged-in user and the
client address; CLI commands set it to `cli:<login>`. Services never read `request`.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass

from flask import g
from sqlalchemy import select

from app.core.models import AuditLog
from app.extensions import db


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    username: str
    role: str | None = None
    ip: str | None = None


def set_actor(actor: Actor) -> None:
    g.audit_actor = actor


def cli_actor() -> Actor:
    try:
        login = getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in some containers
        login = "unknown"
    return Actor(user_id=None, username=f"cli:{login}")


def current_actor() -> Actor:
    actor = g.get("audit_actor")
    return actor if actor is not None else Actor(user_id=None, username="system")


def record(action: str, *, target=None, target_type: str | None = None,
           target_id=None, details: dict | None = None, actor: Actor | None = None) -> AuditLog:
    """Append an audit row; the caller's commit makes it permanent together with the change."""
    actor = actor or current_actor()
    if target is not None:
        target_type = target_type or getattr(target, "__tablename__", type(target).__name__)
        target_id = target_id if target_id is not None else getattr(target, "id", None)
    row = AuditLog(user_id=actor.user_id, username=actor.username, role=actor.role, ip=actor.ip,
                   action=action, target_type=target_type,
                   target_id=None if target_id is None else str(target_id),
                   details=details or {})
    db.session.add(row)
    db.session.flush()
    return row


def search(*, action: str | None = None, username: str | None = None,
           target_type: str | None = None, limit: int = 200, before_id: int | None = None):
    q = select(AuditLog).order_by(AuditLog.id.desc()).limit(limit)
    if action:
        q = q.where(AuditLog.action == action)
    if username:
        q = q.where(AuditLog.username == username)
    if target_type:
        q = q.where(AuditLog.target_type == target_type)
    if before_id:
        q = q.where(AuditLog.id < before_id)
    return list(db.session.scalars(q))
