"""Small factory functions for the models. Each flushes; the test's transaction is rolled back."""

from __future__ import annotations

import itertools

from app.auth import services as auth
from app.auth.models import SHOP_ROLES, Shop

PASSWORD = "test-password-1"
_seq = itertools.count(1)


def shop(code: str | None = None, *, district_code: str = "411002", name: str | None = None) -> Shop:
    n = next(_seq)
    code = code or f"T{n:03d}"
    return auth.create_shop(code=code, name=name or f"测试门店{n}", district_code=district_code,
                            hotline="0374-12345")


def user(role: str = "cashier", *, username: str | None = None, shop: Shop | None = None,
         district_code: str | None = None, password: str = PASSWORD):
    n = next(_seq)
    if role in SHOP_ROLES and shop is None:
        shop = globals()["shop"]()
    return auth.create_user(username=username or f"{role}{n}", role=role, password=password,
                            shop_code=shop.code if shop else None, district_code=district_code,
                            display_name=f"测试{role}{n}")
