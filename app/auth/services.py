"""Shops, users and login sessions. Services flush; the caller commits."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import secrets

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from app.auth.models import ROLES, SHOP_ROLES, AuthSession, Shop, User
from app.core import audit, regions
from app.core.db import unique_or, utcnow
from app.core.errors import Conflict, InvalidInput, NotFound
from app.extensions import db

SHOP_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{1,19}$")
USERNAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{2,39}$")
MIN_PASSWORD = 8
SESSION_HOURS = 12


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the username is unknown, so both paths take the same time. Made at
    the first such log-in, not at import: one scrypt is 0.16 s of every start (CLI, workers)."""
    return generate_password_hash("not-a-real-password", method="scrypt")


# --- shops --------------------------------------------------------------------------------

def create_shop(*, code: str, name: str, district_code: str, address: str = "",
                hotline: str = "") -> Shop:
    code = (code or "").strip().upper()
    name = (name or "").strip()
    if not SHOP_CODE.match(code):
        raise InvalidInput(_("门店编码只能包含大写字母、数字、- 和 _，长度 2–20：%(code)s", code=code))
    if not name:
        raise InvalidInput(_("门店名称不能为空"))
    if not regions.is_known_region((district_code or "").strip()):
        raise InvalidInput(_("区县代码不存在：%(code)s", code=district_code))
    if db.session.scalar(select(Shop.id).where(Shop.code == code)):
        raise Conflict(_("门店编码已存在：%(code)s", code=code))
    shop = Shop(code=code, name=name, district_code=district_code.strip(), address=address,
                hotline=hotline)
    with unique_or(db.session, Conflict(_("门店编码已存在：%(code)s", code=code))):
        db.session.add(shop)
    audit.record("shop.create", target=shop, details={"code": code, "name": name})
    return shop


def get_shop_by_code(code: str) -> Shop:
    shop = db.session.scalar(select(Shop).where(Shop.code == (code or "").strip().upper()))
    if shop is None:
        raise NotFound(_("门店不存在：%(code)s", code=code))
    return shop


def list_shops(user: User | None = None) -> list[Shop]:
    """Shops `user` may see (all when no user is given)."""
    q = select(Shop).order_by(Shop.district_code, Shop.code)
    if user is not None:
        if user.role in SHOP_ROLES:
            q = q.where(Shop.id == user.shop_id)
        elif user.role == "federation" and user.district_code:
            q = q.where(Shop.district_code == user.district_code)
    return list(db.session.scalars(q))


# --- users --------------------------------------------------------------------------------

def validate_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise InvalidInput(_("密码至少 %(n)s 位", n=MIN_PASSWORD))


def create_user(*, username: str, role: str, password: str, shop_code: str | None = None,
                district_code: str | None = None, display_name: str = "") -> User:
    username = (username or "").strip().lower()
    if not USERNAME.match(username):
        raise InvalidInput(_("用户名只能包含小写字母、数字、点、- 和 _，长度 3–40"))
    if role not in ROLES:
        raise InvalidInput(_("未知角色：%(role)s（可选：%(roles)s）", role=role, roles=", ".join(ROLES)))
    validate_password(password)
    shop = None
    if shop_code:
        shop = get_shop_by_code(shop_code)
    if role in SHOP_ROLES and shop is None:
        raise InvalidInput(_("店长和收银员必须指定门店（--shop）"))
    if role not in SHOP_ROLES and shop is not None:
        raise InvalidInput(_("只有店长和收银员属于门店"))
    if district_code:
        if role != "federation":
            raise InvalidInput(_("只有慈善总会用户可以限定区县"))
        if not regions.is_known_region(district_code):
            raise InvalidInput(_("区县代码不存在：%(code)s", code=district_code))
    if db.session.scalar(select(User.id).where(func.lower(User.username) == username)):
        raise Conflict(_("用户名已存在：%(name)s", name=username))
    user = User(username=username, role=role, display_name=display_name.strip(),
                password_hash=generate_password_hash(password, method="scrypt"),
                shop_id=shop.id if shop else None, district_code=district_code or None)
    with unique_or(db.session, Conflict(_("用户名已存在：%(name)s", name=username))):
        db.session.add(user)
    audit.record("user.create", target=user,
                 details={"username": username, "role": role,
                          "shop": shop.code if shop else None, "district": district_code})
    return user


def get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_("用户不存在"))
    return user


def get_user_by_username(username: str) -> User:
    user = db.session.scalar(select(User).where(User.username == (username or "").strip().lower()))
    if user is None:
        raise NotFound(_("用户不存在：%(name)s", name=username))
    return user


def list_users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.role, User.username)))


def set_active(user: User, active: bool) -> User:
    """Deactivating a user also ends every session the user has open. One conditional UPDATE
    decides: a second request to do the same (a double click, another admin) changes nothing and
    writes no second audit row."""
    changed = db.session.execute(
        update(User).where(User.id == user.id, User.active.is_not(active))
        .values(active=active, deactivated_at=None if active else utcnow())
        .execution_options(synchronize_session=False)).rowcount
    db.session.refresh(user)
    if not changed:
        return user
    if not active:
        revoke_sessions(user)
    db.session.flush()
    audit.record("user.activate" if active else "user.deactivate", target=user)
    return user


def set_password(user: User, password: str) -> None:
    validate_password(password)
    user.password_hash = generate_password_hash(password, method="scrypt")
    revoke_sessions(user)
    db.session.flush()
    audit.record("user.password", target=user)


# --- login sessions -----------------------------------------------------------------------

def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def find_user(username: str) -> User | None:
    """The account a login names, or None (no error: a login must not tell them apart)."""
    return db.session.scalar(select(User).where(User.username == (username or "").strip().lower()[:80]))


def authenticate(username: str, password: str) -> User | None:
    """The user when the password is right and the account active; None otherwise."""
    user = db.session.scalar(select(User).where(User.username == (username or "").strip().lower()))
    if user is None:
        check_password_hash(_dummy_hash(), password or "")
        return None
    if not check_password_hash(user.password_hash, password or "") or not user.active:
        return None
    return user


def start_session(user: User, *, ip: str | None = None, user_agent: str | None = None) -> str:
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(AuthSession(token_hash=_hash_token(token), user_id=user.id, created_at=now,
                               expires_at=now + dt.timedelta(hours=SESSION_HOURS), ip=ip,
                               user_agent=(user_agent or "")[:200]))
    db.session.flush()
    user.session_token = token
    audit.record("auth.login", target=user, actor=audit.Actor(user.id, user.username, user.role, ip))
    return token


def load_session(token: str | None) -> User | None:
    """The user behind a live session token, or None (revoked, expired, user deactivated)."""
    if not token:
        return None
    # one statement per request (it runs before every page and API call): the session row decides
    # in the WHERE clause, so a logout or a deactivation refuses the very next request
    user = db.session.scalar(
        select(User).join(AuthSession, AuthSession.user_id == User.id)
        .where(AuthSession.token_hash == _hash_token(token), AuthSession.revoked_at.is_(None),
               AuthSession.expires_at > utcnow(), User.active.is_(True)))
    if user is None:
        return None
    user.session_token = token
    return user


def end_session(token: str | None) -> None:
    if not token:
        return
    ended = db.session.execute(update(AuthSession)
                               .where(AuthSession.token_hash == _hash_token(token),
                                      AuthSession.revoked_at.is_(None))
                               .values(revoked_at=utcnow())).rowcount
    if ended:  # a second logout of the same session (a double click) is no second event
        audit.record("auth.logout")


def revoke_sessions(user: User) -> int:
    result = db.session.execute(update(AuthSession)
                                .where(AuthSession.user_id == user.id,
                                       AuthSession.revoked_at.is_(None))
                                .values(revoked_at=utcnow()))
    return result.rowcount or 0
