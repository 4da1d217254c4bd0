"""Login limits (app/auth/throttle.py): tight per address and account, per address across
accounts, a growing per-account back-off for devices the account does not know, and known
devices (device cookie, registered tills) that strangers' failures never lock out."""

from __future__ import annotations

import os
import uuid

import pytest
import sqlalchemy as sa

from app.core.models import AuditLog
from app.extensions import db
from app.pos import services as pos
from tests import factories
from tests.conftest import CSRFClient, make_app

WRONG = "wrong-password"


def _login(c, username, password, ip="10.0.0.1"):
    return c.post("/api/v1/session", json={"username": username, "password": password},
                  environ_base={"REMOTE_ADDR": ip})


def _stranger(app):
    app.test_client_class = CSRFClient
    return app.test_client()


def _user(app, role="cashier", **kwargs):
    with app.app_context():
        u = factories.user(role, **kwargs)
        name = u.username
        db.session.commit()
    return name


def _locks(app):
    with app.app_context():
        return [(r.details["scope"], r.details["username"]) for r in db.session.scalars(
            sa.select(AuditLog).where(AuditLog.action == "auth.login_locked").order_by(AuditLog.id))]


def test_one_client_guessing_one_account_is_stopped_after_five(app):
    name = _user(app)
    c = _stranger(app)
    statuses = [_login(c, name, WRONG).status_code for _ in range(6)]
    assert statuses == [401] * 5 + [429]
    refused = _login(c, name, factories.PASSWORD)  # not even the right password, from this address
    assert refused.status_code == 429 and refused.get_json()["error"]["code"] == "rate_limited"
    assert 0 < int(refused.headers["Retry-After"]) <= 300
    # the account itself is not locked: the cashier logs in from the till's own address
    assert _login(_stranger(app), name, factories.PASSWORD, ip="10.9.9.9").status_code == 200
    assert _locks(app) == [("pair", name)]


def test_one_address_trying_many_accounts_is_stopped(app):
    c = _stranger(app)
    statuses = [_login(c, f"nobody{i}", "x").status_code for i in range(31)]
    assert statuses[:30] == [401] * 30 and statuses[30] == 429
    assert ("address", "nobody29") in _locks(app)


def test_strangers_cannot_lock_the_right_password_out_of_a_known_device(app):
    name = _user(app)
    till = _stranger(app)
    assert _login(till, name, factories.PASSWORD, ip="10.1.1.1").status_code == 200  # the till, once
    assert till.get_cookie("cs_device") is not None
    # strangers from five addresses: 10 wrong passwords lock the account for unknown devices
    for i in range(10):
        assert _login(_stranger(app), name, WRONG, ip=f"192.0.2.{i // 2}").status_code == 401
    assert _login(_stranger(app), name, factories.PASSWORD, ip="192.0.2.77").status_code == 429
    assert ("account", name) in _locks(app)
    # ... but the till that knows the account logs in, even from an address the strangers used
    assert _login(till, name, factories.PASSWORD, ip="192.0.2.0").status_code == 200


def test_the_account_back_off_grows(app):
    """The per-account limit is tiers: 10 in 5 minutes, 20 in an hour, 50 in a day."""
    from limits import parse_many

    tiers = parse_many(app.config["LOGIN_LIMIT_PER_ACCOUNT"])
    seconds = [t.get_expiry() for t in tiers]
    amounts = [t.amount for t in tiers]
    assert seconds == sorted(seconds) and amounts == sorted(amounts) and len(tiers) >= 3


def test_a_known_device_has_its_own_limit(app):
    name = _user(app)
    till = _stranger(app)
    assert _login(till, name, factories.PASSWORD).status_code == 200
    statuses = [_login(till, name, WRONG).status_code for _ in range(11)]
    assert statuses == [401] * 10 + [429]
    assert ("device", name) in _locks(app)
    # those were the device's failures, not the account's: a stranger is not locked out by them
    assert _login(_stranger(app), name, factories.PASSWORD, ip="10.7.7.7").status_code == 200


def test_a_device_cookie_counts_only_for_its_accounts_and_only_when_signed(app):
    alice, bob = _user(app), _user(app)
    till = _stranger(app)
    assert _login(till, alice, factories.PASSWORD).status_code == 200
    for _ in range(5):
        _login(till, bob, WRONG)
    assert _login(till, bob, factories.PASSWORD).status_code == 429  # bob never logged in here
    forged = _stranger(app)
    forged.set_cookie("cs_device", till.get_cookie("cs_device").value[:-2] + "xx")
    for _ in range(5):
        _login(forged, alice, WRONG, ip="10.3.3.3")
    assert _login(forged, alice, factories.PASSWORD, ip="10.3.3.3").status_code == 429


def test_a_registered_till_is_known_for_every_cashier_of_its_shop(app, login):
    with app.app_context():
        shop = factories.shop()
        pos.create_terminal(shop=shop, code="T1", name="一号收银机")
        other_shop = factories.shop()
        cashier = factories.user("cashier", shop=shop)
        foreign = factories.user("cashier", shop=other_shop)
        manager = factories.user("manager", shop=shop)
        names = (cashier.username, foreign.username)
        db.session.commit()
    m = login("manager", user=manager)
    page = m.get("/pos/terminal").get_data(as_text=True)
    assert "T1" in page and "本机尚未登记为收银机" in page
    resp = m.post("/pos/terminal", data={"code": "t1"})
    assert resp.status_code == 302 and "cs_terminal=" in resp.headers["Set-Cookie"]
    assert "本机已登记为收银机：T1" in m.get("/pos/terminal").get_data(as_text=True)
    terminal_cookie = m.get_cookie("cs_terminal").value
    # strangers lock both cashiers out of unknown devices
    for name in names:
        for i in range(10):
            _login(_stranger(app), name, WRONG, ip=f"198.51.100.{i}")
    till = _stranger(app)
    till.set_cookie("cs_terminal", terminal_cookie)
    assert _login(till, names[0], factories.PASSWORD).status_code == 200  # a cashier of the shop
    assert _login(till, names[1], factories.PASSWORD).status_code == 429  # not this shop's till
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog)
                                 .where(AuditLog.action == "pos.terminal_register")) == 1
    # deactivating the terminal revokes it (a browser with only the terminal cookie)
    with app.app_context():
        from app.pos.models import Terminal

        db.session.execute(sa.update(Terminal).where(Terminal.code == "T1").values(active=False))
        db.session.commit()
    revoked = _stranger(app)
    revoked.set_cookie("cs_terminal", terminal_cookie)
    assert _login(revoked, names[0], factories.PASSWORD).status_code == 429


def test_the_login_page_answers_429_with_a_message(app):
    name = _user(app)
    c = _stranger(app)
    import re

    for _ in range(6):
        page = c.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        resp = c.post("/login", data={"username": name, "password": WRONG, "csrf_token": token},
                      environ_base={"REMOTE_ADDR": "10.0.0.5"})
    assert resp.status_code == 429 and "Retry-After" in resp.headers
    assert "尝试次数过多" in resp.get_data(as_text=True)


def test_login_limits_are_shared_through_redis(app, database_url):
    """With RATELIMIT_STORAGE_URI pointing at Redis, several app servers share the counts:
    the account locks across two servers, and a known device still gets in."""
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("TEST_REDIS_URL not set (CI sets it)")
    prefix = f"test-{uuid.uuid4().hex[:8]}"
    servers = [make_app(database_url, RATELIMIT_STORAGE_URI=url, RATELIMIT_KEY_PREFIX=prefix)
               for _ in range(2)]
    name = _user(app)
    till = servers[0].test_client()
    assert _login(till, name, factories.PASSWORD).status_code == 200
    statuses = [_login(servers[i % 2].test_client(), name, WRONG, ip=f"203.0.113.{i}").status_code
                for i in range(11)]
    assert statuses == [401] * 10 + [429]
    assert _login(servers[1].test_client(), name, factories.PASSWORD, ip="203.0.113.99").status_code == 429
    known = servers[1].test_client()
    known.set_cookie("cs_device", till.get_cookie("cs_device").value)
    assert _login(known, name, factories.PASSWORD, ip="203.0.113.1").status_code == 200
