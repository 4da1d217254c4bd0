"""The till's catalogue: every active product in one compact answer, with pinyin initials."""

from __future__ import annotations

from app.extensions import db
from app.inventory.catalogue import initials
from tests import factories
from tests.inventory import factories as inv


def test_initials_of_chinese_names_letters_and_digits():
    assert initials("大米") == "dm"
    assert initials("东北大米 5kg") == "dbdm5kg"
    assert initials("啤酒 500ml") == "pj500ml"
    assert initials("卫生纸（10卷）") == "wsz10j"


def test_the_catalogue_has_every_active_product_with_stock_and_initials(app, login):
    with app.app_context():
        shop = factories.shop()
        cashier = factories.user("cashier", shop=shop)
        shop_id = shop.id
        cat = inv.category("粮油测试")
        products = [inv.product(f"测试商品{i:03d}", category=cat) for i in range(260)]
        rice = inv.product("大米 10kg", category=cat, monthly_limit=2, voucher_eligible=True)
        gone = inv.product("停售商品", category=cat)
        gone.active = False
        inv.stock(shop, rice, 7)
        rice_id, barcode, gone_id = rice.id, rice.barcode, gone.id
        ids = {p.id for p in products} | {rice_id}
        db.session.commit()
    c = login("cashier", user=cashier)
    resp = c.get("/api/v1/products/catalogue")
    assert resp.status_code == 200
    body = resp.get_json()
    rows = [dict(zip(body["fields"], row, strict=True)) for row in body["rows"]]
    by_id = {r["id"]: r for r in rows}
    assert ids <= by_id.keys() and gone_id not in by_id       # more than the API's 50 or 200 a page
    r = by_id[rice_id]
    assert (r["name"], r["barcode"], r["initials"], r["stock"], r["monthly_limit"], r["category"]) == (
        "大米 10kg", barcode, "dm10kg", 7, 2, "粮油测试")
    assert by_id[next(iter(ids - {rice_id}))]["stock"] == 0

    # nothing changed: the ETag answers 304 without a body
    again = c.get("/api/v1/products/catalogue", headers={"If-None-Match": resp.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""
    with app.app_context():
        from app.auth.models import Shop
        from app.inventory.models import Product

        inv.stock(db.session.get(Shop, shop_id), db.session.get(Product, rice_id), 1)
        db.session.commit()
    changed = c.get("/api/v1/products/catalogue", headers={"If-None-Match": resp.headers["ETag"]})
    assert changed.status_code == 200 and changed.headers["ETag"] != resp.headers["ETag"]
