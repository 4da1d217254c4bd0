"""Log-in, log-out and administration routes and commands, raced (tests/test_exactly_once.py)."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from app.extensions import db
from tests import factories
from tests.race import Case, Prepared, Req


def _count(sql: str, **params) -> int:
    return db.session.scalar(sa.text(sql), params)


def _sessions(user_id: int):
    return lambda: _count("SELECT count(*) FROM auth_session WHERE user_id = :u", u=user_id)


def _audits(action: str, target: str):
    return lambda: _count("SELECT count(*) FROM audit_log WHERE action = :a AND target_id = :t", a=action, t=target)


def login_page(env) -> Prepared:
    """Each successful log-in is a session of its own (N at once: N sessions, none lost)."""
    user = factories.user("cashier")
    user_id, username = user.id, user.username
    db.session.commit()
    form = {"username": username, "password": factories.PASSWORD, "next": ""}
    return Prepared(Req("POST", "/login", form=form, who=env.anonymous()), _sessions(user_id), env.workers,
                    expect_after_retry=env.workers + 1)


def login_api(env) -> Prepared:
    user = factories.user("manager")
    user_id, username = user.id, user.username
    db.session.commit()
    body = {"username": username, "password": factories.PASSWORD}
    return Prepared(Req("POST", "/api/v1/session", json=body), _sessions(user_id), env.workers,
                    expect_after_retry=env.workers + 1)


def _logged_in(env):
    user = factories.user("cashier")
    user_id = user.id
    who = env.login(user)
    return user_id, who


def logout_page(env) -> Prepared:
    user_id, who = _logged_in(env)
    return Prepared(Req("POST", "/logout", form={}, who=who),
                    lambda: (_count("SELECT count(*) FROM auth_session WHERE user_id = :u AND revoked_at IS NULL",
                                    u=user_id),
                             _count("SELECT count(*) FROM audit_log WHERE action = 'auth.logout' AND user_id = :u",
                                    u=user_id)), (0, 1))


def logout_api(env) -> Prepared:
    user_id, who = _logged_in(env)
    return Prepared(Req("DELETE", "/api/v1/session", who=who),
                    lambda: _count("SELECT count(*) FROM audit_log WHERE action = 'auth.logout' AND user_id = :u",
                                   u=user_id), 1)


def _admin(env):
    return env.login(factories.user("admin"))


def create_user(env) -> Prepared:
    who = _admin(env)
    name = f"new{uuid.uuid4().hex[:8]}"
    form = {"username": name, "role": "federation", "password": "a-long-password", "shop_code": "",
            "district_code": "", "display_name": "新同事"}
    return Prepared(Req("POST", "/admin/users", form=form, who=who),
                    lambda: _count("SELECT count(*) FROM app_user WHERE username = :n", n=name), 1)


def set_user_active(env) -> Prepared:
    who = _admin(env)
    target = factories.user("cashier")
    target_id = target.id
    db.session.commit()
    return Prepared(Req("POST", f"/admin/users/{target_id}/active", form={"active": "0"}, who=who),
                    _audits("user.deactivate", str(target_id)), 1)


def create_shop(env) -> Prepared:
    who = _admin(env)
    code = f"S{uuid.uuid4().hex[:6].upper()}"
    form = {"code": code, "name": "新门店", "district_code": "411002", "address": "", "hotline": ""}
    return Prepared(Req("POST", "/admin/shops", form=form, who=who),
                    lambda: _count("SELECT count(*) FROM shop WHERE code = :c", c=code), 1)


def shops_create_command(env) -> Prepared:
    code = f"C{uuid.uuid4().hex[:6].upper()}"
    return Prepared(Req(cli=("shops", "create", code, "命令行门店", "--district", "411002")),
                    lambda: _count("SELECT count(*) FROM shop WHERE code = :c", c=code), 1)


def users_create_command(env) -> Prepared:
    name = f"cli{uuid.uuid4().hex[:8]}"
    return Prepared(Req(cli=("users", "create", name, "--role", "federation", "--password-stdin"),
                        cli_input="a-long-password\n"),
                    lambda: _count("SELECT count(*) FROM app_user WHERE username = :n", n=name), 1)


def _users_toggle(active: bool):
    def setup(env) -> Prepared:
        user = factories.user("cashier")
        user_id, name = user.id, user.username
        if active:
            from app.auth import services

            services.set_active(user, False)
        db.session.commit()
        verb = "activate" if active else "deactivate"
        return Prepared(Req(cli=("users", verb, name)), _audits(f"user.{verb}", str(user_id)), 1)

    return setup


def seed_demo_command(env) -> Prepared:
    """The demo data, loaded by N seed-demos at once: each demo shop and login once, and a later run
    adds nothing at all (the retry: shops, logins, sales, recipients, vouchers, donations unchanged)."""
    def effect():
        return (_count("SELECT count(*) FROM shop WHERE code IN ('WD01', 'JA01')"),
                _count("SELECT count(*) FROM app_user WHERE username IN ('admin', 'federation', 'manager', "
                       "'cashier', 'cashier2', 'donor')"),
                _count("SELECT count(*) FROM pos_sale s JOIN shop ON shop.id = s.shop_id "
                       "WHERE shop.code IN ('WD01', 'JA01')"),
                _count("SELECT count(*) FROM recipient"), _count("SELECT count(*) FROM voucher"),
                _count("SELECT count(*) FROM donation"))

    def once(seen) -> bool:
        shops, users, *_rest = seen
        return shops == 2 and users == 6

    return Prepared(Req(cli=("seed-demo",), stretch=False), effect, once)


ONCE_BY_STATE = "one conditional UPDATE of the user's `active`: the second changes nothing, audits nothing"

CASES = {
    ("POST", "auth.login"): Case(login_page, "each log-in is a session of its own"),
    ("POST", "api_auth.create_session"): Case(login_api, "each log-in is a session of its own"),
    ("POST", "auth.logout"): Case(logout_page, "conditional UPDATE of the session (revoked_at IS NULL)"),
    ("DELETE", "api_auth.delete_session"): Case(logout_api, "conditional UPDATE of the session (revoked_at IS NULL)"),
    ("POST", "admin.create_user"): Case(create_user, "unique username: the second is a 409"),
    ("POST", "admin.set_user_active"): Case(set_user_active, ONCE_BY_STATE),
    ("POST", "admin.create_shop"): Case(create_shop, "unique shop code: the second is a 409"),
}

COMMANDS = {
    "seed-demo": Case(seed_demo_command, "each domain's demo runs in a transaction that takes turns (advisory "
                                         "lock) and adds only what is missing"),
    "shops create": Case(shops_create_command, "unique shop code: the second exits 2 with a clear message"),
    "shops list": Case(None, "reads only"),
    "users create": Case(users_create_command, "unique username: the second exits 2 with a clear message"),
    "users deactivate": Case(_users_toggle(False), ONCE_BY_STATE),
    "users activate": Case(_users_toggle(True), ONCE_BY_STATE),
    "users list": Case(None, "reads only"),
}
