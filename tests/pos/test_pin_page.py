"""The manager's own PIN page /pos/pin (issue 11, item 8): the login password typed again, 4–8
digits typed twice, audited, exactly once; refusals write nothing but their audit row."""

from __future__ import annotations

import re

import sqlalchemy as sa

from app.core.models import AuditLog
from app.extensions import db
from app.pos import pins
from app.pos.models import ManagerPin
from tests import factories


def _key(page: str) -> str:
    return re.search(r'name="idempotency_key" value="([^"]+)"', page).group(1)


def _audit(user_id: int) -> list[tuple[str, dict]]:
    rows = db.session.execute(sa.select(AuditLog.action, AuditLog.details)
                              .where(AuditLog.action.like("pos.manager_pin%"),
                                     AuditLog.target_id == str(user_id)).order_by(AuditLog.id)).all()
    return [(a, d) for a, d in rows]


def _authorises(manager_id: int, pin: str) -> bool:
    from app.auth.models import User

    manager = db.session.get(User, manager_id)
    cashier = factories.user("cashier", shop=manager.shop)
    try:
        return pins.authorising_manager(cashier, sale_shop_id=manager.shop_id, manager_username=manager.username,
                                        manager_pin=pin).id == manager_id
    except Exception:  # noqa: BLE001 - refused
        return False


def test_a_manager_sets_and_changes_their_pin_on_the_page(app, login):
    with app.app_context():
        manager = factories.user("manager")
        manager_id = manager.id
        db.session.commit()
    c = login("manager", user=manager)
    page = c.get("/pos/pin").get_data(as_text=True)
    assert "您还没有设置授权码" in page and "设置授权码" in page

    def post(page, **fields):
        return c.post("/pos/pin", data={"idempotency_key": _key(page), **fields})

    refused = [
        ({"password": "wrong-password", "pin": "2468", "pin_again": "2468"}, "登录密码不正确", "password"),
        ({"password": factories.PASSWORD, "pin": "246", "pin_again": "246"}, "授权码为 4–8 位数字", "pin"),
        ({"password": factories.PASSWORD, "pin": "123456789", "pin_again": "123456789"}, "授权码为 4–8 位数字", "pin"),
        ({"password": factories.PASSWORD, "pin": "24a8", "pin_again": "24a8"}, "授权码为 4–8 位数字", "pin"),
        ({"password": factories.PASSWORD, "pin": "2468", "pin_again": "2486"}, "两次输入的授权码不一致", "pin_again"),
    ]
    for fields, message, field in refused:
        resp = post(page, **fields)
        page = resp.get_data(as_text=True)
        assert resp.status_code == 400 and message in page, fields
        assert re.search(rf'name="{field}"[^>]*aria-invalid="true" aria-describedby="pin-error"', page)
        assert page.count('aria-invalid="true"') == 1
        assert "2468" not in page and "wrong-password" not in page  # nothing typed comes back
    with app.app_context():
        assert db.session.get(ManagerPin, manager_id) is None
        assert [(a, d["field"]) for a, d in _audit(manager_id)] == [
            ("pos.manager_pin_refused", f) for _fields, _m, f in refused]

    # set, with full-width digits as a Chinese input method types them
    form = {"password": factories.PASSWORD, "pin": "２４６８", "pin_again": "2468"}
    resp = post(page, **form)
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/pos/pin")
    again = c.post("/pos/pin", data={"idempotency_key": _key(page), **form})  # the same form again
    assert again.status_code == 303
    page = c.get("/pos/pin").get_data(as_text=True)
    assert "授权码已设置" in page and "已设置授权码" in page and "修改授权码" in page
    with app.app_context():
        assert _authorises(manager_id, "2468")
        assert [(a, d) for a, d in _audit(manager_id) if a == "pos.manager_pin"] == [
            ("pos.manager_pin", {"by": "page", "changed": False})]
        db.session.commit()

    # change it: the old PIN no longer works
    resp = post(page, password=factories.PASSWORD, pin="97531", pin_again="97531")
    assert resp.status_code == 303
    assert "授权码已修改" in c.get("/pos/pin").get_data(as_text=True)
    with app.app_context():
        assert _authorises(manager_id, "97531") and not _authorises(manager_id, "2468")
        assert [d for a, d in _audit(manager_id) if a == "pos.manager_pin"][-1] == {"by": "page", "changed": True}


def test_a_locked_pin_says_so_and_a_new_pin_unlocks_it(app, login):
    with app.app_context():
        manager = factories.user("manager")
        pins.set_manager_pin(manager, "1357")
        db.session.commit()
        manager_id = manager.id
        for _ in range(5):
            _authorises(manager_id, "0000")
        assert pins.pin_state(manager)["locked"]
        db.session.commit()
    c = login("manager", user=manager)
    page = c.get("/pos/pin").get_data(as_text=True)
    assert "授权码因多次输错已锁定" in page
    resp = c.post("/pos/pin", data={"idempotency_key": _key(page), "password": factories.PASSWORD,
                                    "pin": "8642", "pin_again": "8642"})
    assert resp.status_code == 303
    with app.app_context():
        assert _authorises(manager_id, "8642")


def test_only_managers_have_a_pin_page(app, login):
    for role in ("cashier", "admin", "federation", "donor"):
        assert login(role).get("/pos/pin").status_code in (302, 403), role
