"""Who sees which shops and districts in reports (built on app.auth.permissions)."""

from __future__ import annotations

from flask_login import current_user

from app.auth import services as auth_services
from app.auth.permissions import district_filter, ensure_shop

STAFF = ("admin", "federation")
SHOP_STAFF = ("admin", "federation", "manager")


def user():
    return current_user._get_current_object()


def district() -> str | None:
    """The district the federation user is limited to (None: the whole city, or admin)."""
    return district_filter(user())


def shops() -> list:
    return auth_services.list_shops(user())


def shop_ids() -> list[int] | None:
    """None when the user sees every shop (admin, city-wide federation)."""
    u = user()
    if u.role == "admin" or (u.role == "federation" and not u.district_code):
        return None
    return [s.id for s in shops()]


def check_shop(shop) -> None:
    ensure_shop(user(), shop)
