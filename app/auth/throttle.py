"""Login limits that fit both attacks: guessing a password, and keeping a cashier off the till.

Only failed logins count, in the rate-limit storage (memory, or Redis when
RATELIMIT_STORAGE_URI points there, so that every app server shares the counts):

- per address and account (`LOGIN_LIMIT_PER_PAIR`, tight): one client guessing one account;
- per address across accounts (`LOGIN_LIMIT_PER_ADDRESS`): one client trying many accounts;
- per account from devices it does not know (`LOGIN_LIMIT_PER_ACCOUNT`): tiers that grow
  ("10 per 5 minutes;20 per hour;50 per day"), so a distributed guesser slows to a crawl;
- per known device and account (`LOGIN_LIMIT_PER_DEVICE`).

A *known device* (app/auth/devices.py) is a browser that has logged in as this user before and
carries the signed device cookie (the OWASP "device cookie" pattern), or a registered till
terminal of the user's shop. It is held to its own limit only: failures from strangers — from
anywhere, even from the shop's own address — never lock the right password out of it.

A limit that runs out is a lock-out: the caller audits it (`auth.login_locked`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from flask import current_app
from limits import parse_many
from werkzeug.exceptions import TooManyRequests

from app.core import audit
from app.extensions import limiter


class LoginThrottled(TooManyRequests):
    """429 `rate_limited` with Retry-After (the one error handler answers it like any 429)."""

    def __init__(self, retry_after: float):
        super().__init__(retry_after=max(1, int(retry_after + 0.999)))


@dataclass(frozen=True)
class Attempt:
    username: str
    address: str
    device: str | None = None  # the known device's id, or None

    def scopes(self) -> list[tuple[str, str, tuple[str, ...]]]:
        """(scope, config key, identifiers) of every limit this attempt counts against."""
        if self.device:
            return [("device", "LOGIN_LIMIT_PER_DEVICE", (self.device, self.username))]
        return [("pair", "LOGIN_LIMIT_PER_PAIR", (self.address, self.username)),
                ("address", "LOGIN_LIMIT_PER_ADDRESS", (self.address,)),
                ("account", "LOGIN_LIMIT_PER_ACCOUNT", (self.username,))]


def _items(config_key: str):
    return parse_many(current_app.config[config_key])


def _ids(scope: str, identifiers: tuple[str, ...]) -> tuple[str, ...]:
    return (current_app.config.get("RATELIMIT_KEY_PREFIX") or "", "login", scope, *identifiers)


def check(attempt: Attempt) -> None:
    """Raise LoginThrottled when any limit of this attempt has run out (the password is then
    not even checked)."""
    strategy = limiter.limiter
    wait = 0.0
    for scope, key, identifiers in attempt.scopes():
        for item in _items(key):
            ids = _ids(scope, identifiers)
            if not strategy.test(item, *ids):
                wait = max(wait, strategy.get_window_stats(item, *ids).reset_time - time.time())
    if wait > 0:
        raise LoginThrottled(wait)


def failed(attempt: Attempt, *, user_id: int | None = None) -> list[dict]:
    """Count a failed login; audit each limit this failure used up (a lock-out) and return
    them. Flushes: the caller commits (also when it then answers 401)."""
    strategy = limiter.limiter
    locked = []
    for scope, key, identifiers in attempt.scopes():
        for item in _items(key):
            ids = _ids(scope, identifiers)
            within = strategy.hit(item, *ids)
            stats = strategy.get_window_stats(item, *ids)
            if within and stats.remaining == 0:  # this very failure used the last try
                locked.append({"scope": scope, "limit": str(item),
                               "seconds": max(1, int(stats.reset_time - time.time()))})
    for lock in locked:
        audit.record("auth.login_locked", target_type="app_user", target_id=user_id,
                     details={"username": attempt.username[:80], "address": attempt.address,
                              "known_device": attempt.device is not None, **lock})
    return locked


def succeeded(attempt: Attempt) -> None:
    """The right password: this client's own counts for this account start again (the
    per-address and per-account counts stay: they are about other clients too)."""
    strategy = limiter.limiter
    for scope, key, identifiers in attempt.scopes():
        if scope in ("pair", "device"):
            for item in _items(key):
                strategy.clear(item, *_ids(scope, identifiers))
