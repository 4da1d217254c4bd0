"""`@require_role(...)` for every route, plus shop and district scope checks."""

from __future__ import annotations

from functools import wraps

from flask import redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.models import SHOP_ROLES, User
from app.core.errors import Forbidden, Unauthenticated

PUBLIC = "public"


def _is_api() -> bool:
    return request.path.startswith("/api/")


def require_role(*roles: str):
    """Allow only logged-in users whose role is in `roles` (list admin explicitly where wanted).

    Anonymous: 401 JSON under /api/, a redirect to the login page elsewhere. Wrong role: 403.
    The roles are kept on the view as `allowed_roles` for the role x route test.
    """

    def decorator(fn):
        @wraps(fn)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                if _is_api():
                    raise Unauthenticated()
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            if current_user.role not in roles:
                raise Forbidden()
            return fn(*args, **kwargs)

        wrapper.allowed_roles = frozenset(roles)
        return wrapper

    return decorator


def public(fn):
    """Mark a route as deliberately open to everyone (login page, public voucher page...)."""
    fn.allowed_roles = PUBLIC
    return fn


def can_see_shop(user: User, shop) -> bool:
    if user.role == "admin":
        return True
    if user.role in SHOP_ROLES:
        return user.shop_id == shop.id
    if user.role == "federation":
        return not user.district_code or user.district_code == shop.district_code
    return False


def ensure_shop(user: User, shop) -> None:
    if not can_see_shop(user, shop):
        raise Forbidden(_("您无权访问其他门店的数据"))


def can_see_district(user: User, district_code: str | None) -> bool:
    if user.role == "admin":
        return True
    if user.role == "federation":
        return not user.district_code or user.district_code == district_code
    return False


def ensure_district(user: User, district_code: str | None) -> None:
    if not can_see_district(user, district_code):
        raise Forbidden(_("您无权访问其他区县的数据"))


def district_filter(user: User) -> str | None:
    """The district a user is limited to, or None for all (admin, city-wide federation)."""
    return user.district_code if user.role == "federation" else None
