"""The pages: log a donation, count it in, the pickup screen, the donor's view (households, never who)."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.core.timeutil import business_today
from app.donations.models import Donation, Pickup
from app.extensions import db
from tests import factories
from tests.donations import factories as f
from tests.donations.helpers import login_as


def test_log_receive_and_hand_out_through_the_pages(app, login):
    with app.app_context():
        shop = factories.shop()
        manager = factories.user("manager", shop=shop).id
        cashier = factories.user("cashier", shop=shop).id
        acme = f.donor("许昌市暖阳纺织有限公司")
        donor_user = f.donor_user(acme).id
        person = f.recipient("王秀英")
        ids = {"shop": shop.code, "acme": acme.id, "person": person.id, "last4": person.id_last4}
        db.session.commit()
    donor = login_as(app, login, donor_user)
    form = donor.get("/donations/new").get_data(as_text=True)
    assert 'name="line-0-kind"' in form and "donor_id" not in form  # a donor logs for itself only
    resp = donor.post("/donations/new", data={
        "shop": ids["shop"], "expected_date": "2026-12-24", "note": "冬季送温暖",
        "line-0-kind": "quilt", "line-0-description": "棉被", "line-0-condition": "new", "line-0-quantity": "2",
        "line-0-value": "300",
        "line-1-kind": "clothing", "line-1-description": "棉衣", "line-1-size": "L", "line-1-season": "winter",
        "line-1-condition": "good", "line-1-quantity": "4", "line-1-value": "",
        "line-2-kind": "quilt", "line-2-description": "", "line-2-quantity": ""})
    assert resp.status_code == 302
    with app.app_context():
        donation = db.session.scalar(select(Donation).where(Donation.donor_id == ids["acme"]))
        donation_id = donation.id
        line_ids = [x.id for x in donation.lines]
        assert [(x.kind, x.quantity, x.estimated_value_fen) for x in donation.lines] == [
            ("quilt", 2, 30000), ("clothing", 4, None)]

    staff = login_as(app, login, manager)
    page = staff.get(f"/donations/{donation_id}").get_data(as_text=True)
    assert "清点入库" in page and 'name="line-0-received"' in page
    resp = staff.post(f"/donations/{donation_id}/receive", data={
        "line-0-id": str(line_ids[0]), "line-0-received": "2", "line-0-rejected": "0",
        "line-1-id": str(line_ids[1]), "line-1-received": "3", "line-1-rejected": "1", "line-1-reason": "破损"})
    assert resp.status_code == 302
    page = staff.get(f"/donations/{donation_id}").get_data(as_text=True)
    assert "下载捐赠证明" in page and "已入库" in page

    till = login_as(app, login, cashier)
    found = till.get(f"/donations/pickup?q=王秀英 {ids['last4']}").get_data(as_text=True)
    results = found.split("查找结果")[1]
    assert "王*英" in results and "王秀英" not in results  # the typed query stays in the box, nowhere else
    assert f"/donations/pickup?recipient_id={ids['person']}" in found
    screen = till.get(f"/donations/pickup?recipient_id={ids['person']}").get_data(as_text=True)
    assert "领取人：王*英" in screen and "王秀英" not in screen
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', screen).group(1)
    items = dict(re.findall(r'name="(item-\d+-(?:kind|description|size))" value="([^"]*)"', screen))
    form = {"recipient_id": str(ids["person"]), "idempotency_key": key, **items}
    for name in items:
        if name.endswith("-kind"):
            n = name.split("-")[1]
            form[f"item-{n}-qty"] = "1"
    resp = till.post("/donations/pickup", data=form)
    assert resp.status_code == 302
    after = till.get(resp.headers["Location"]).get_data(as_text=True)
    assert "已登记领取：棉被 1 件、衣物 1 件" in after
    assert f"{business_today().year + 1}-01-01 起可再领" in after  # the quilt: next calendar year
    # posting the same screen again (a double tap) records nothing more
    till.post("/donations/pickup", data=form)
    with app.app_context():
        assert len(db.session.scalars(select(Pickup).where(Pickup.recipient_id == ids["person"])).all()) == 1

    mine = donor.get("/donations/").get_data(as_text=True)
    assert "已惠及 1 户困难家庭" in mine and "王" not in mine.split("您的捐赠去向")[1].split("</section>")[0]
    detail = donor.get(f"/donations/{donation_id}").get_data(as_text=True)
    assert "1 户" in detail and "破损" in detail


def test_a_refused_pickup_on_the_screen_explains_itself(app, login):
    with app.app_context():
        shop = factories.shop()
        cashier = factories.user("cashier", shop=shop).id
        f.received(shop=shop, lines=[{"kind": "clothing", "description": "外套", "quantity": 20}])
        person = f.recipient("赵敏").id
        db.session.commit()
    till = login_as(app, login, cashier)
    screen = till.get(f"/donations/pickup?recipient_id={person}").get_data(as_text=True)
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', screen).group(1)
    resp = till.post("/donations/pickup", headers={"Referer": f"http://localhost/donations/pickup?recipient_id={person}"},
                     data={"recipient_id": str(person), "idempotency_key": key, "item-0-kind": "clothing",
                           "item-0-description": "外套", "item-0-size": "", "item-0-qty": "6"})
    assert resp.status_code == 302
    page = till.get(resp.headers["Location"]).get_data(as_text=True)
    assert "衣物每人每月限领 5 件，本月已领 0 件" in page and "本期还可领 5 件" in page


def test_an_unlinked_donor_account_is_told_so(app, login):
    page = login("donor").get("/donations/").get_data(as_text=True)
    assert "尚未关联捐赠单位" in page


def test_staff_pages_render(app, login):
    with app.app_context():
        shop = factories.shop()
        f.received(shop=shop, lines=[{"kind": "shoes", "description": "棉鞋", "size": "40", "quantity": 3}])
        db.session.commit()
    admin = login("admin")
    assert "棉鞋" not in admin.get("/donations/stats").get_data(as_text=True)
    assert "鞋" in admin.get("/donations/stats").get_data(as_text=True)
    assert "每自然年" in admin.get("/donations/limits").get_data(as_text=True)
    assert "统一社会信用代码" in admin.get("/donations/donors").get_data(as_text=True)
    assert "棉鞋" in admin.get("/donations/").get_data(as_text=True)
    english = login("admin")
    english.get("/lang/en")
    assert "Pickup limits" in english.get("/donations/limits").get_data(as_text=True)
