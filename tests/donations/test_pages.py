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


def _key(page: str) -> str:
    return re.search(r'name="idempotency_key" value="([^"]+)"', page).group(1)


def test_a_refused_donation_form_comes_back_as_typed_with_the_row_marked(app, login):
    """Issue 11, item 19: "5,000" is money; a bad value keeps every line, names and marks its row
    (aria-invalid, a message in the row), writes nothing; the corrected form is logged once."""
    from tests.donations.helpers import snapshot

    with app.app_context():
        shop = factories.shop()
        manager = factories.user("manager", shop=shop).id
        acme = f.donor("许昌市暖阳纺织有限公司")
        ids = {"shop": shop.code, "acme": acme.id}
        db.session.commit()
    staff = login_as(app, login, manager)
    form = staff.get("/donations/new").get_data(as_text=True)
    typed = {"idempotency_key": _key(form), "donor_id": str(ids["acme"]), "shop": ids["shop"], "note": "冬季送温暖",
             "line-0-kind": "clothing", "line-0-description": "冲锋衣", "line-0-size": "L",
             "line-0-season": "winter", "line-0-condition": "new", "line-0-quantity": "50", "line-0-value": "5,000",
             "line-1-kind": "quilt", "line-1-description": "", "line-1-quantity": "",  # an empty row
             "line-2-kind": "quilt", "line-2-description": "棉被", "line-2-quantity": "３", "line-2-value": "4,50"}
    before = snapshot(app)
    resp = staff.post("/donations/new", data=typed)
    page = resp.get_data(as_text=True)
    assert resp.status_code == 400 and snapshot(app) == before
    assert "第 2 行的估值格式不正确：4,50" in page  # the second filled row (the empty one is dropped)
    assert "请至少填写一行捐赠物品" not in page
    # what was typed is all there, the empty row gone, and the second row is marked
    assert 'name="line-0-description" maxlength="100" placeholder="如：棉衣、外套、裤子" value="冲锋衣"' in page
    assert 'name="line-0-value" inputmode="decimal" value="5,000"' in page
    assert re.search(r'name="line-0-season"[^>]*>.*?<option value="winter" selected>', page)
    assert re.search(r'name="line-0-condition"[^>]*>.*?<option value="new" selected>', page)
    assert f'<option value="{ids["acme"]}" selected>' in page and 'value="冬季送温暖"' in page
    assert 'name="line-1-quantity" inputmode="numeric" value="３"' in page
    assert re.search(r'name="line-1-value" inputmode="decimal" value="4,50"[^>]*aria-invalid="true" '
                     r'aria-describedby="line-1-error"', page)
    assert page.count('aria-invalid="true"') == 1
    assert re.search(r'<fieldset class="donation-line has-error">\s*<legend>第 2 行</legend>\s*'
                     r'<p class="line-error" id="line-1-error">第 2 行的估值格式不正确：4,50</p>', page)
    # corrected on the page it came back on: logged once, "5,000" and full-width digits read right
    fixed = {**typed, "idempotency_key": _key(page), "line-2-value": "4,500.00"}
    assert staff.post("/donations/new", data=fixed).status_code == 302
    assert staff.post("/donations/new", data=fixed).status_code == 303  # the same form again: nothing new
    with app.app_context():
        donations = db.session.scalars(select(Donation).where(Donation.donor_id == ids["acme"])).all()
        assert len(donations) == 1
        assert [(x.description, x.quantity, x.estimated_value_fen) for x in donations[0].lines] == [
            ("冲锋衣", 50, 500000), ("棉被", 3, 450000)]


def test_a_row_without_a_quantity_is_named_not_dropped(app, login):
    with app.app_context():
        shop = factories.shop()
        manager = factories.user("manager", shop=shop).id
        acme = f.donor()
        ids = {"shop": shop.code, "acme": acme.id}
        db.session.commit()
    staff = login_as(app, login, manager)
    resp = staff.post("/donations/new", data={
        "donor_id": str(ids["acme"]), "shop": ids["shop"],
        "line-0-kind": "quilt", "line-0-quantity": "", "line-0-value": "300"})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 400 and "请填写第 1 行的数量" in page
    assert re.search(r'name="line-0-quantity" inputmode="numeric" value=""[^>]*aria-invalid="true"', page)
    assert 'name="line-0-value" inputmode="decimal" value="300"' in page


def test_the_pickup_screen_says_each_limit_in_words(app, login):
    """Issue 11, item 11: each item carries the sentence its "+" says at the limit; a kind whose
    limit is used says it (and when more is allowed) before any tap."""
    from app.donations import pickups

    with app.app_context():
        shop = factories.shop()
        cashier = factories.user("cashier", shop=shop)
        f.received(shop=shop, lines=[{"kind": "quilt", "description": "棉被", "quantity": 5},
                                     {"kind": "clothing", "description": "棉衣", "size": "L", "quantity": 30},
                                     {"kind": "shoes", "description": "棉鞋", "quantity": 2}])
        person = f.recipient("孙奶奶")
        pickups.record_pickup(user=cashier, recipient_id=person.id, idempotency_key="page-limit-0001",
                              lines=[{"kind": "clothing", "quantity": 2}])
        ids = {"cashier": cashier.id, "person": person.id}
        db.session.commit()
    till = login_as(app, login, ids["cashier"])
    page = till.get(f"/donations/pickup?recipient_id={ids['person']}").get_data(as_text=True)
    year = business_today().year
    assert 'data-limit-note="每人每年限领 1 条棉被，今年已领 0 条，这次最多再领 1 条"' in page
    assert 'data-limit-note="每人每月限领 5 件衣物，本月已领 2 件，这次最多再领 3 件"' in page
    assert 'data-kind="shoes" data-kind-max="2"' in page and 'data-stock-note="这一款本店只有 2 双"' in page
    assert page.count("data-limit-note=") == 2  # shoes have no limit: only their stock bounds them
    with app.app_context():
        pickups.record_pickup(user=db.session.get(type(cashier), ids["cashier"]), recipient_id=ids["person"],
                              idempotency_key="page-limit-0002", lines=[{"kind": "quilt", "quantity": 1}])
        db.session.commit()
    page = till.get(f"/donations/pickup?recipient_id={ids['person']}").get_data(as_text=True)
    note = f"每人每年限领 1 条棉被，今年已领 1 条，{year + 1}-01-01 起可再领"
    assert f'data-limit-note="{note}"' in page
    assert re.search(rf'<p class="item-note" id="note-\d+" role="status">{note}</p>', page)
