"""`/api/v1/session` (log in / out) and `/api/v1/shops`."""

from __future__ import annotations

from flask import session
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from flask_smorest import Blueprint
from flask_wtf.csrf import generate_csrf

from app.auth import services
from app.auth.permissions import public, require_role
from app.auth.schemas import LoginSchema, SessionSchema, ShopSchema
from app.auth.views import begin_login, checked_login
from app.core.errors import Unauthenticated
from app.extensions import csrf, db

blp = Blueprint("api_auth", __name__, description="登录会话与门店 Session and shops")
ALL_ROLES = ("admin", "federation", "manager", "cashier", "donor")


@blp.route("/session", methods=["POST"])
@public
@csrf.exempt  # no session exists yet; JSON-only, so a cross-site form cannot post it
@blp.arguments(LoginSchema, location="json")
@blp.response(200, SessionSchema)
@blp.alt_response(429, description="a login limit has run out (Retry-After)")
def create_session(body):
    """Log in. Failed logins are limited per address and account, per address, per account
    (from devices the account does not know) and per known device: see app/auth/throttle.py."""
    user = checked_login(body["username"], body["password"])
    if user is None:
        raise Unauthenticated(_("用户名或密码错误，或账号已停用"))
    begin_login(user)
    db.session.commit()
    return {"user": user, "csrf_token": generate_csrf()}


@blp.route("/session", methods=["DELETE"])
@require_role(*ALL_ROLES)
@blp.response(204)
def delete_session():
    services.end_session(current_user.session_token)
    db.session.commit()
    logout_user()
    session.clear()


@blp.route("/session", methods=["GET"])
@require_role(*ALL_ROLES)
@blp.response(200, SessionSchema)
def get_session():
    return {"user": current_user, "csrf_token": generate_csrf()}


@blp.route("/shops", methods=["GET"])
@require_role(*ALL_ROLES)
@blp.response(200, ShopSchema(many=True))
def shops():
    return services.list_shops(current_user)
