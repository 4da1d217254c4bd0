"""Known devices for the login limits (app/auth/throttle.py): the OWASP "device cookie".

A browser that logs in successfully gets (or keeps) a signed, HttpOnly cookie `cs_device`
holding a random device id and keyed hashes of the accounts that have logged in on it (at
most `MAX_ACCOUNTS`, newest first; no user names in clear). On the next login as one of those
accounts the browser is a known device, held to its own limit only. The signature (the app's
SECRET_KEY, its own salt) and its age (`LOGIN_DEVICE_DAYS`) are checked; a forged, foreign or
stale cookie is simply not known.

Other domains may add their own kinds of known device: `register_check(app, fn)` with
`fn(user, cookies) -> device id or None` (the till registers its terminals, app/pos/terminals.py).
"""

from __future__ import annotations

import secrets

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app.core import crypto

COOKIE = "cs_device"
MAX_ACCOUNTS = 20
_SALT = "cs-known-device"
_PURPOSE = "known-device"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=_SALT)


def _max_age() -> int:
    return int(current_app.config.get("LOGIN_DEVICE_DAYS", 365)) * 86400


def _account_tag(username: str) -> str:
    return crypto.blind_index((username or "").strip().lower(), purpose=_PURPOSE)[:24]


def _load(value: str | None) -> dict | None:
    if not value:
        return None
    try:
        data = _serializer().loads(value, max_age=_max_age())
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("d"), str) or not isinstance(data.get("a"), list):
        return None
    return data


def register_check(app, fn) -> None:
    app.extensions.setdefault("known_device_checks", []).append(fn)


def known_device(username: str, user, cookies) -> str | None:
    """The id of the known device this login comes from, or None. `user` is the account named
    (None when there is no such account); `cookies` the request's cookies."""
    data = _load(cookies.get(COOKIE))
    if data is not None and _account_tag(username) in data["a"]:
        return "d:" + data["d"]
    if user is not None:
        for check in current_app.extensions.get("known_device_checks", []):
            device = check(user, cookies)
            if device:
                return device
    return None


def cookie_after_login(username: str, cookies) -> str:
    """The device cookie's new value after `username` logged in on this browser."""
    data = _load(cookies.get(COOKIE)) or {"d": secrets.token_urlsafe(16), "a": []}
    tag = _account_tag(username)
    accounts = [tag] + [a for a in data["a"] if a != tag]
    return _serializer().dumps({"d": data["d"], "a": accounts[:MAX_ACCOUNTS]})


def set_cookie(response, value: str) -> None:
    conf = current_app.config
    response.set_cookie(COOKIE, value, max_age=_max_age(), httponly=True, samesite="Lax",
                        secure=bool(conf.get("SESSION_COOKIE_SECURE")), path="/")
