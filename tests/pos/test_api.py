"""The till API through the test client, as the till page uses it."""

from __future__ import annotations

import uuid

from app.extensions import db
from app.pos import services as pos
from tests import factories
from tests.inventory import factories as inv
from tests.vouchers import factories as vf


def setup_shop(app, login):
    with app.app_context():
        shop = factories.shop()
        factories.user("cashier", shop=shop)  # cashier_from() finds it
        p = inv.product("小米 2kg", market=2000, charity=1500, voucher_eligible=True)
        inv.stock(shop, p, 10)
        r = vf.recipient("赵大娘")
        _v, code = vf.voucher(r, period=_period())
        ids = {"shop": shop.code, "product": p.id, "barcode": p.barcode, "voucher": code}
        db.session.commit()
    client = login("cashier", user=cashier_from(app, ids["shop"]))
    return client, ids


def _period():
    from app.core.timeutil import Period

    return str(Period.current())


def cashier_from(app, shop_code):
    from sqlalchemy import select

    from app.auth.models import Shop, User

    with app.app_context():
        shop = db.session.scalar(select(Shop).where(Shop.code == shop_code))
        return db.session.scalar(select(User).where(User.shop_id == shop.id, User.role == "cashier"))


def test_sale_needs_an_open_shift(app, login):
    c, ids = setup_shop(app, login)
    body = {"idempotency_key": str(uuid.uuid4()), "lines": [{"product_id": ids["product"], "qty": 1}],
            "payments": [{"method": "cash", "amount_fen": 2000}]}
    resp = c.post("/api/v1/sales", json=body)
    assert resp.status_code == 409 and resp.get_json()["error"]["code"] == "no_open_shift"


def test_full_flow_open_sell_replay_void_close(app, login):
    c, ids = setup_shop(app, login)
    assert c.post("/api/v1/shifts", json={"idempotency_key": str(uuid.uuid4()), "float_fen": 5000}).status_code == 201
    body = {"idempotency_key": str(uuid.uuid4()), "voucher_code": ids["voucher"].lower(),
            "lines": [{"barcode": ids["barcode"], "qty": 2}], "payments": [{"method": "cash", "amount_fen": 500}]}
    resp = c.post("/api/v1/sales", json=body)
    assert resp.status_code == 201, resp.get_json()
    sale = resp.get_json()
    assert sale["total_fen"] == 3000 and sale["voucher_paid_fen"] == 2900 and sale["change_fen"] == 400
    again = c.post("/api/v1/sales", json=body)
    assert again.status_code == 201 and again.get_json() == sale
    clash = c.post("/api/v1/sales", json={**body, "payments": [{"method": "cash", "amount_fen": 900}]})
    assert clash.status_code == 409 and clash.get_json()["error"]["code"] == "idempotency_conflict"
    listed = c.get("/api/v1/sales").get_json()
    assert [s["id"] for s in listed] == [sale["id"]] and listed[0]["fully_voided"] is False
    refused = c.post(f"/api/v1/sales/{sale['id']}/void", json={"idempotency_key": str(uuid.uuid4()), "reason": "退货"})
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "void_not_allowed"
    z = c.post("/api/v1/shifts/current/close",
               json={"idempotency_key": str(uuid.uuid4()), "counted_fen": 5100}).get_json()
    assert z["expected_cash_fen"] == 5100 and z["difference_fen"] == 0 and z["totals"]["sales_count"] == 1


def test_bad_body_gives_invalid_input(app, login):
    c, _ids = setup_shop(app, login)
    c.post("/api/v1/shifts", json={"idempotency_key": str(uuid.uuid4()), "float_fen": 0})
    resp = c.post("/api/v1/sales", json={"lines": "x"})
    assert resp.status_code == 400 and resp.get_json()["error"]["code"] == "invalid_input"


def test_manager_of_another_shop_cannot_read_a_sale(app, login):
    c, ids = setup_shop(app, login)
    c.post("/api/v1/shifts", json={"idempotency_key": str(uuid.uuid4()), "float_fen": 0})
    sale = c.post("/api/v1/sales", json={"idempotency_key": str(uuid.uuid4()),
                                         "lines": [{"product_id": ids["product"], "qty": 1}],
                                         "payments": [{"method": "cash", "amount_fen": 2000}]}).get_json()
    other = login("manager")
    assert other.get(f"/api/v1/sales/{sale['id']}").status_code == 403
    _ = pos


def _sell_cash(c, ids, qty=3):
    resp = c.post("/api/v1/sales", json={"idempotency_key": str(uuid.uuid4()),
                                         "lines": [{"product_id": ids["product"], "qty": qty}],
                                         "payments": [{"method": "cash", "amount_fen": 2000 * qty}]})
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def _void_rows(app, sale_id):
    from sqlalchemy import func, select

    from app.pos.models import Void

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Void).where(Void.sale_id == sale_id))


def test_a_void_sent_twice_with_its_key_voids_once_and_answers_the_first_void(app, login):
    c, ids = setup_shop(app, login)
    c.post("/api/v1/shifts", json={"idempotency_key": str(uuid.uuid4()), "float_fen": 0})
    sale = _sell_cash(c, ids)
    manager = login("manager", user=_manager_of(app, ids["shop"]))
    line = sale["lines"][0]["id"]
    body = {"idempotency_key": str(uuid.uuid4()), "reason": "多扫了一件", "lines": [{"line_id": line, "qty": 1}]}
    first = manager.post(f"/api/v1/sales/{sale['id']}/void", json=body)
    assert first.status_code == 201, first.get_json()
    again = manager.post(f"/api/v1/sales/{sale['id']}/void", json=body)  # the answer was lost: sent again
    assert again.status_code == 201 and again.get_json() == first.get_json()
    assert _void_rows(app, sale["id"]) == 1
    clash = manager.post(f"/api/v1/sales/{sale['id']}/void", json={**body, "reason": "别的原因"})
    assert clash.status_code == 409 and clash.get_json()["error"]["code"] == "idempotency_conflict"
    # a new void (new key) of the rest is a new action; after it nothing is left to void
    rest = manager.post(f"/api/v1/sales/{sale['id']}/void", json=_new_void())
    assert rest.status_code == 201 and rest.get_json()["total_fen"] == 2 * 2000
    more = manager.post(f"/api/v1/sales/{sale['id']}/void", json=_new_void())
    assert more.status_code == 409 and more.get_json()["error"]["code"] == "already_voided"
    too_many = manager.post(f"/api/v1/sales/{sale['id']}/void", json={
        "idempotency_key": str(uuid.uuid4()), "reason": "退货", "lines": [{"line_id": line, "qty": 1}]})
    assert too_many.status_code == 409 and too_many.get_json()["error"]["code"] == "already_voided"
    assert _void_rows(app, sale["id"]) == 2


def test_a_void_without_a_key_is_refused_and_writes_nothing(app, login):
    c, ids = setup_shop(app, login)
    c.post("/api/v1/shifts", json={"idempotency_key": str(uuid.uuid4()), "float_fen": 0})
    sale = _sell_cash(c, ids, qty=1)
    manager = login("manager", user=_manager_of(app, ids["shop"]))
    for body in ({"reason": "退货"}, {"idempotency_key": "short", "reason": "退货"},
                 {"idempotency_key": "bad key with spaces", "reason": "退货"}):
        resp = manager.post(f"/api/v1/sales/{sale['id']}/void", json=body)
        assert resp.status_code == 400 and resp.get_json()["error"]["code"] == "invalid_input", body
    assert _void_rows(app, sale["id"]) == 0


def test_opening_and_closing_a_shift_twice_answer_the_first_result_or_409(app, login):
    c, ids = setup_shop(app, login)
    key = str(uuid.uuid4())
    first = c.post("/api/v1/shifts", json={"idempotency_key": key, "float_fen": 5000})
    again = c.post("/api/v1/shifts", json={"idempotency_key": key, "float_fen": 5000})
    assert first.status_code == again.status_code == 201 and again.get_json() == first.get_json()
    other = c.post("/api/v1/shifts", json={"idempotency_key": str(uuid.uuid4()), "float_fen": 5000})
    assert other.status_code == 409 and other.get_json()["error"]["code"] == "shift_already_open"
    _sell_cash(c, ids, qty=1)
    close_key = str(uuid.uuid4())
    z1 = c.post("/api/v1/shifts/current/close", json={"idempotency_key": close_key, "counted_fen": 7000})
    z2 = c.post("/api/v1/shifts/current/close", json={"idempotency_key": close_key, "counted_fen": 7000})
    assert z1.status_code == z2.status_code == 201 and z1.get_json() == z2.get_json()
    assert z1.get_json()["number"] == 1 and z1.get_json()["difference_fen"] == 0
    late = c.post("/api/v1/shifts/current/close", json={"idempotency_key": str(uuid.uuid4()), "counted_fen": 7000})
    assert late.status_code == 409 and late.get_json()["error"]["code"] == "no_open_shift"


def _manager_of(app, shop_code):
    from sqlalchemy import select

    from app.auth.models import Shop

    with app.app_context():
        shop = db.session.scalar(select(Shop).where(Shop.code == shop_code))
        manager = factories.user("manager", shop=shop)
        db.session.commit()
        return manager


def _new_void():
    return {"idempotency_key": str(uuid.uuid4()), "reason": "退货"}


def test_shifts_without_a_key_are_safe_by_their_state_and_a_void_takes_the_key_as_a_header(app, login):
    c, ids = setup_shop(app, login)
    assert c.post("/api/v1/shifts", json={"float_fen": 0}).status_code == 201
    again = c.post("/api/v1/shifts", json={"float_fen": 0})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "shift_already_open"
    sale = _sell_cash(c, ids, qty=1)
    manager = login("manager", user=_manager_of(app, ids["shop"]))
    key = str(uuid.uuid4())
    first = manager.post(f"/api/v1/sales/{sale['id']}/void", json={"reason": "退货"}, headers={"Idempotency-Key": key})
    second = manager.post(f"/api/v1/sales/{sale['id']}/void", json={"reason": "退货"}, headers={"Idempotency-Key": key})
    assert first.status_code == second.status_code == 201 and first.get_json() == second.get_json()
    assert _void_rows(app, sale["id"]) == 1
    assert c.post("/api/v1/shifts/current/close", json={"counted_fen": 0}).status_code == 201
    late = c.post("/api/v1/shifts/current/close", json={"counted_fen": 0})
    assert late.status_code == 409 and late.get_json()["error"]["code"] == "no_open_shift"
