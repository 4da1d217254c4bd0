"""Demo shops in Xuchang districts and one user per role (fixed, printed demo passwords)."""

from __future__ import annotations

from sqlalchemy import select

from app.auth import services
from app.auth.models import Shop, User
from app.extensions import db

DEMO_PASSWORD = "cishan2026"  # noqa: S105 - demo data only, printed on purpose

DEMO_SHOPS = [
    ("WD01", "魏都区慈善超市（七里店）", "411002", "许昌市魏都区七里店街道文峰路 18 号"),
    ("JA01", "建安区慈善超市（将官池）", "411003", "许昌市建安区将官池镇许由路 66 号"),
    ("YZ01", "禹州市慈善超市（钧台）", "411081", "禹州市钧台街道药城路 9 号"),
    ("CG01", "长葛市慈善超市（建设路）", "411082", "长葛市建设路街道建设路 120 号"),
    ("YL01", "鄢陵县慈善超市（安陵）", "411024", "鄢陵县安陵镇花都大道 35 号"),
]

DEMO_USERS = [
    ("admin", "admin", None, None, "系统管理员"),
    ("federation", "federation", None, None, "市慈善总会 王会计"),
    ("manager", "manager", "WD01", None, "魏都店 李店长"),
    ("cashier", "cashier", "WD01", None, "魏都店 收银员小张"),
    ("cashier2", "cashier", "JA01", None, "建安店 收银员小刘"),
    ("donor", "donor", None, None, "爱心企业 联络人"),
]


def seed(echo) -> None:
    for code, name, district, address in DEMO_SHOPS:
        if db.session.scalar(select(Shop.id).where(Shop.code == code)) is None:
            services.create_shop(code=code, name=name, district_code=district, address=address,
                                 hotline="0374-12345")
    for username, role, shop, district, label in DEMO_USERS:
        if db.session.scalar(select(User.id).where(User.username == username)) is None:
            services.create_user(username=username, role=role, password=DEMO_PASSWORD,
                                 shop_code=shop, district_code=district, display_name=label)
    echo(f"demo: {len(DEMO_SHOPS)} shops, {len(DEMO_USERS)} users")


def print_logins(echo) -> None:
    echo("")
    echo(f"演示账号 Demo logins (password 密码: {DEMO_PASSWORD})")
    for username, role, shop, _district, label in DEMO_USERS:
        echo(f"  {username:<11} {role:<10} {shop or '':<5} {label}")
