"""Registered till terminals: a manager, logged in at a till, registers that browser as one of
the shop's terminals (`/pos/terminal`). The browser then carries a signed, HttpOnly cookie
`cs_terminal` naming the terminal; every login there by a cashier or manager of that shop comes
from a known device (app/auth/devices.py), so strangers' failed logins never lock the till out.

The cookie is valid while its signature is (SECRET_KEY, its own salt), the terminal exists, is
active and belongs to the shop the cookie was issued for; deactivating the terminal revokes it.
"""

from __future__ import annotations

import secrets

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from app.core import audit
from app.core.errors import NotFound
from app.extensions import db
from app.pos.models import Terminal

COOKIE = "cs_terminal"
_SALT = "cs-till-terminal"
MAX_AGE = 5 * 365 * 86400  # the browser keeps it; the server decides whether it still counts


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=_SALT)


def shop_terminals(shop_id: int) -> list[Terminal]:
    return list(db.session.scalars(select(Terminal).where(Terminal.shop_id == shop_id, Terminal.active)
                                   .order_by(Terminal.code)))


def registered(value: str | None) -> tuple[Terminal, str] | None:
    """The terminal a cookie value names and the cookie's own id, or None."""
    if not value:
        return None
    try:
        data = _serializer().loads(value)
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("t"), int) or not isinstance(data.get("n"), str):
        return None
    terminal = db.session.get(Terminal, data["t"])
    if terminal is None or not terminal.active or terminal.shop_id != data.get("s"):
        return None
    return terminal, data["n"]


def register(*, manager, terminal_code: str) -> tuple[Terminal, str]:
    """Register the manager's browser as a terminal of their shop: (terminal, cookie value)."""
    code = str(terminal_code or "").strip().upper()[:20]
    terminal = next((t for t in shop_terminals(manager.shop_id) if t.code == code), None)
    if terminal is None:
        raise NotFound(_("本店没有这台收银机：%(code)s", code=code))
    nonce = secrets.token_urlsafe(12)
    audit.record("pos.terminal_register", target=terminal, details={"code": terminal.code, "device": nonce})
    return terminal, _serializer().dumps({"t": terminal.id, "s": terminal.shop_id, "n": nonce})


def forget(*, terminal: Terminal | None) -> None:
    if terminal is not None:
        audit.record("pos.terminal_forget", target=terminal, details={"code": terminal.code})


def known_terminal(user, cookies) -> str | None:
    """Known-device check for logins (registered with app.auth.devices in app/pos/setup.py)."""
    if getattr(user, "role", None) not in ("cashier", "manager"):
        return None
    found = registered(cookies.get(COOKIE))
    if found is None or found[0].shop_id != user.shop_id:
        return None
    return f"t:{found[0].id}:{found[1]}"


def set_cookie(response, value: str | None) -> None:
    if value is None:
        response.delete_cookie(COOKIE, path="/")
        return
    response.set_cookie(COOKIE, value, max_age=MAX_AGE, httponly=True, samesite="Lax", path="/",
                        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")))
