"""Which shops a user may see and change in inventory.

A manager sees and changes only the own shop; federation users see the shops of their district
(or all) and change nothing; admins see and change all. Cashiers see the products and the stock
of their own shop through the API (the till).
"""

from __future__ import annotations

from flask_babel import gettext as _

from app.auth import services as auth_services
from app.auth.models import SHOP_ROLES
from app.auth.permissions import ensure_shop
from app.core.errors import Forbidden, InvalidInput

CHANGE_ROLES = ("admin", "manager")


def visible_shops(user) -> list:
    return auth_services.list_shops(user)


def shop_for(user, code: str | None = None, *, required: bool = False):
    """The shop a request is about: a shop user's own shop (another code is refused), or the
    shop `code` names for admin and federation (checked against their scope)."""
    code = (code or "").strip().upper()
    if user.role in SHOP_ROLES:
        if code and code != user.shop.code:
            raise Forbidden(_("您无权访问其他门店的数据"))
        return user.shop
    if not code:
        if required:
            raise InvalidInput(_("请选择门店"))
        return None
    shop = auth_services.get_shop_by_code(code)
    ensure_shop(user, shop)
    return shop


def ensure_can_change(user, shop) -> None:
    """Stock of `shop` may be changed by its manager and by admins only."""
    ensure_shop(user, shop)
    if user.role not in CHANGE_ROLES:
        raise Forbidden(_("只有店长和系统管理员可以变动库存"))


def shop_ids(shops) -> list[int]:
    return [s.id for s in shops]
