"""The JSON API: log, receive, pick up, figures; refusals give a stable code and write nothing."""

from __future__ import annotations

from app.extensions import db
from tests import factories
from tests.donations import factories as f
from tests.donations.helpers import login_as, snapshot


def _world(app, *, quilts=1, clothing=10):
    """A shop with a manager, a received donation (quilts, L coats) and two recipients."""
    with app.app_context():
        shop = factories.shop()
        manager = factories.user("manager", shop=shop)
        cashier = factories.user("cashier", shop=shop)
        acme = f.donor("许昌暖冬纺织有限公司")
        donation = f.received(shop=shop, donor_obj=acme, manager=manager, lines=[
            {"kind": "quilt", "description": "棉被", "quantity": quilts},
            {"kind": "clothing", "description": "棉衣", "size": "L", "quantity": clothing},
            {"kind": "other", "description": "毛毯", "quantity": 3}])
        a, b = f.recipient("王小明"), f.recipient("赵大妈")
        db.session.commit()
        return {"shop": shop.code, "manager": manager.id, "cashier": cashier.id, "donor": acme.id,
                "donation": donation.id, "a": a.id, "b": b.id}


def test_donor_logs_and_manager_receives_through_the_api(app, login):
    with app.app_context():
        shop = factories.shop()
        manager = factories.user("manager", shop=shop)
        acme = f.donor()
        donor_user = f.donor_user(acme).id
        db.session.commit()
        shop_code, acme_id, manager_id = shop.code, acme.id, manager.id
    donor = login_as(app, login, donor_user)
    resp = donor.post("/api/v1/donations", json={"shop": shop_code, "expected_date": "2026-12-20", "lines": [
        {"kind": "quilt", "description": "棉被", "quantity": 4, "condition": "new", "estimated_value_fen": 60000},
        {"kind": "clothing", "description": "外套", "size": "M", "season": "winter", "quantity": 6}]})
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["status"] == "pledged" and body["donor"]["id"] == acme_id and body["shop"] == shop_code
    lines = body["lines"]
    staff = login_as(app, login, manager_id)
    resp = staff.post(f"/api/v1/donations/{body['id']}/receive", json={"lines": [
        {"line_id": lines[0]["id"], "quantity_received": 4},
        {"line_id": lines[1]["id"], "quantity_received": 5, "quantity_rejected": 1, "reject_reason": "拉链坏了"}]})
    assert resp.status_code == 200, resp.get_json()
    received = resp.get_json()
    assert received["status"] == "received" and received["certificate_no"].startswith("JZ")
    assert [x["left"] for x in received["lines"]] == [4, 5]
    # the donor sees it, with the figures
    mine = donor.get(f"/api/v1/donations/{body['id']}").get_json()
    assert mine["lines"][1]["quantity_rejected"] == 1 and mine["households"] == 0
    assert [d["id"] for d in donor.get("/api/v1/donations").get_json()] == [body["id"]]


def test_bad_input_gives_a_clear_error_and_writes_nothing(app, login):
    world = _world(app)
    with app.app_context():
        donor_user = f.donor_user().id
        db.session.commit()
    donor = login_as(app, login, donor_user)
    cashier = login_as(app, login, world["cashier"])
    before = snapshot(app)
    resp = donor.post("/api/v1/donations", json={"shop": world["shop"], "lines": [
        {"kind": "quilt", "description": "棉被", "quantity": 2},
        {"kind": "clothing", "description": "棉衣", "quantity": -3}]})
    assert resp.status_code == 400
    error = resp.get_json()["error"]
    assert error["code"] == "invalid_input" and "第 2 行的数量不能小于 1" in error["message"]
    resp = donor.post("/api/v1/donations", json={"shop": world["shop"], "lines": [{"kind": "car", "quantity": 1}]})
    assert resp.get_json()["error"]["code"] == "invalid_input"
    assert snapshot(app) == before

    resp = cashier.post("/api/v1/pickups", json={"idempotency_key": "k-too-many-01", "recipient_id": world["a"],
                                                 "lines": [{"kind": "other", "quantity": 4}]})
    assert resp.status_code == 409
    error = resp.get_json()["error"]
    assert error["code"] == "out_of_stock" and "要领 4 件，本店只有 3 件" in error["message"]
    resp = cashier.post("/api/v1/pickups", json={"idempotency_key": "k-negative-1", "recipient_id": world["a"],
                                                 "lines": [{"kind": "clothing", "quantity": -1}]})
    assert resp.status_code == 400 and resp.get_json()["error"]["code"] == "invalid_input"
    # more than in stock of one kind, while the other line was fine: the whole pickup is refused
    resp = cashier.post("/api/v1/pickups", json={"idempotency_key": "k-mixed-0001", "recipient_id": world["a"],
                                                 "lines": [{"kind": "clothing", "quantity": 2},
                                                           {"kind": "shoes", "quantity": 1}]})
    assert resp.get_json()["error"]["code"] == "out_of_stock"
    assert snapshot(app) == before


def test_pickup_limit_is_refused_with_the_date_and_writes_nothing(app, login):
    world = _world(app, quilts=3)
    cashier = login_as(app, login, world["cashier"])
    ok = cashier.post("/api/v1/pickups", json={"idempotency_key": "quilt-first-1", "recipient_id": world["a"],
                                               "lines": [{"kind": "quilt", "quantity": 1}]})
    assert ok.status_code == 201 and ok.get_json()["kinds"] == {"quilt": 1}
    before = snapshot(app)
    resp = cashier.post("/api/v1/pickups", json={"idempotency_key": "quilt-again-1", "recipient_id": world["a"],
                                                 "lines": [{"kind": "quilt", "quantity": 1},
                                                           {"kind": "clothing", "quantity": 1}]})
    assert resp.status_code == 409
    error = resp.get_json()["error"]
    assert error["code"] == "limit_exceeded"
    year = int(error["details"]["next_date"][:4])
    assert error["details"]["next_date"] == f"{year}-01-01" and f"{year}-01-01 起可再领取" in error["message"]
    assert "棉被每人每自然年限领 1 件，今年已领 1 件" in error["message"]
    assert snapshot(app) == before
    eligibility = cashier.get(f"/api/v1/pickups/eligibility?recipient_id={world['a']}").get_json()
    assert eligibility["kinds"]["quilt"]["remaining"] == 0 and eligibility["kinds"]["quilt"]["stock"] == 2
    assert eligibility["kinds"]["clothing"]["may_take"] == 5
    assert "*" in eligibility["recipient"]["name_masked"]


def test_the_same_idempotency_key_returns_the_first_pickup(app, login):
    world = _world(app)
    cashier = login_as(app, login, world["cashier"])
    body = {"idempotency_key": "same-key-0001", "recipient_id": world["a"],
            "lines": [{"kind": "clothing", "quantity": 2, "size": "L"}]}
    first = cashier.post("/api/v1/pickups", json=body).get_json()
    before = snapshot(app)
    again = cashier.post("/api/v1/pickups", json=body)
    assert again.status_code == 201 and again.get_json()["id"] == first["id"] and again.get_json()["replayed"]
    assert snapshot(app) == before
    other = cashier.post("/api/v1/pickups", json={**body, "lines": [{"kind": "clothing", "quantity": 3}]})
    assert other.status_code == 409 and other.get_json()["error"]["code"] == "idempotency_conflict"
    assert snapshot(app) == before


def test_a_donor_cannot_read_another_donors_data(app, login, client):
    world = _world(app)
    with app.app_context():
        intruder = f.donor_user(f.donor("别家企业")).id
        db.session.commit()
    other = login_as(app, login, intruder)
    before = snapshot(app)
    for url in (f"/api/v1/donations/{world['donation']}",):
        resp = other.get(url)
        assert resp.status_code == 403
        assert resp.get_json()["error"] == {"code": "forbidden", "message": "您只能查看本单位的捐赠"}
    for url in (f"/donations/{world['donation']}", f"/donations/{world['donation']}/certificate.pdf"):
        resp = other.get(url)
        assert resp.status_code == 403 and "您只能查看本单位的捐赠" in resp.get_data(as_text=True)
    assert other.get("/api/v1/donations").get_json() == []
    resp = other.post(f"/donations/{world['donation']}/cancel", data={})
    assert resp.status_code == 403
    assert snapshot(app) == before  # not even an audit row
    # staff of another shop are refused too
    stranger = login("manager")
    assert stranger.get(f"/api/v1/donations/{world['donation']}").status_code == 403


def test_figures_per_kind_shop_and_month(app, login):
    world = _world(app, quilts=2)
    with app.app_context():
        elsewhere = factories.shop()
        f.received(shop=elsewhere, lines=[{"kind": "shoes", "description": "棉鞋", "quantity": 7}])
        db.session.commit()
    cashier = login_as(app, login, world["cashier"])
    for key, rid in (("fig-a-00001", world["a"]), ("fig-b-00001", world["b"])):
        assert cashier.post("/api/v1/pickups", json={"idempotency_key": key, "recipient_id": rid, "lines": [
            {"kind": "quilt", "quantity": 1}, {"kind": "clothing", "quantity": 2}]}).status_code == 201
    admin = login("admin")
    data = admin.get("/api/v1/donations/stats").get_json()
    assert data["by_kind"]["quilt"]["picked_up"] >= 2
    mine = [r for r in data["rows"] if r["shop"] == world["shop"]]
    assert {(r["kind"], r["received"], r["picked_up"]) for r in mine} == {("quilt", 2, 2), ("clothing", 10, 4),
                                                                            ("other", 3, 0)}
    assert len({r["period"] for r in mine}) == 1
    month = next(m for m in data["by_month"] if m["period"] == mine[0]["period"])
    assert month["households"] >= 2 and month["picked_up_to_date"]["quilt"] >= 2
    # a manager's figures cover only the manager's shop
    own = login_as(app, login, world["manager"]).get("/api/v1/donations/stats").get_json()
    assert {r["shop"] for r in own["rows"]} == {world["shop"]}
    assert own["cumulative"]["picked_up"] == {"quilt": 2, "clothing": 4, "shoes": 0, "other": 0}
    assert own["cumulative"]["in_stock"] == {"quilt": 0, "clothing": 6, "shoes": 0, "other": 3}
    assert own["cumulative"]["households"] == 2
    assert admin.get("/api/v1/donations/stats?from=2026-13").get_json()["error"]["code"] == "invalid_input"
