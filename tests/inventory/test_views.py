"""Pages through the test client: every page renders, the forms post, shop A cannot reach shop B."""

import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.inventory import services
from app.inventory.models import Product, StockMove
from tests import factories as core_factories
from tests.inventory import factories


@pytest.fixture
def world(app):
    """Two shops in different districts, a product stocked in both, a manager of shop A."""
    with app.app_context():
        a = core_factories.shop("VWA", district_code="411002", name="甲店")
        b = core_factories.shop("VWB", district_code="411024", name="乙店")
        grain = factories.category("页面测试粮食")
        rice = factories.product("页面大米 5kg", category=grain, market=3990, charity=2990,
                                 voucher_eligible=True, monthly_limit=1)
        factories.stock(a, rice, 5)
        factories.stock(b, rice, 9)
        services.set_reorder_level(shop_id=a.id, product_id=rice.id, level=6)
        db.session.commit()
        return {"a": a.code, "b": b.code, "a_id": a.id, "b_id": b.id, "rice": rice.id,
                "barcode": rice.barcode, "grain": grain.id, "shop_a": a}


def on_hand(app, shop_id, product_id):
    with app.app_context():
        return services.stock_on_hand(shop_id, product_id)


def move_count(app):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(StockMove))


def test_every_page_renders_for_a_manager(app, login, world):
    c = login("manager", shop=world["shop_a"])
    for url in ["/inventory/products", f"/inventory/products?q=大米&category={world['grain']}&eligible=1",
                f"/inventory/products/{world['rice']}", f"/inventory/products/{world['rice']}/edit",
                "/inventory/products/new", "/inventory/categories", "/inventory/import", "/inventory/stock/",
                "/inventory/stock/receiving", "/inventory/stock/receiving/new", "/inventory/stock/adjust",
                "/inventory/stock/transfers", "/inventory/stock/transfers/new", "/inventory/stock/stocktakes",
                "/inventory/stock/low", f"/inventory/stock/moves?product={world['rice']}", "/"]:
        resp = c.get(url)
        assert resp.status_code == 200, url
        html = resp.get_data(as_text=True)
        assert "style=" not in html and "<script>" not in html, url  # CSP: no inline style or script
    low = c.get("/inventory/stock/low").get_data(as_text=True)
    assert "页面大米 5kg" in low  # 5 on hand, reorder level 6


def test_barcode_lookup_redirects_to_the_product(app, login, world):
    c = login("manager", shop=world["shop_a"])
    resp = c.get(f"/inventory/products?barcode={world['barcode']}")
    assert resp.status_code == 302 and resp.headers["Location"].startswith(f"/inventory/products/{world['rice']}")
    resp = c.get("/inventory/products?barcode=6920000000000", follow_redirects=True)
    assert "没有条码为" in resp.get_data(as_text=True)


def test_product_form_creates_and_refuses_bad_input(app, login, world):
    c = login("manager", shop=world["shop_a"])
    code = None
    with app.app_context():
        code = factories.ean13()
    form = {"barcode": code, "name": "页面新面粉", "category_id": world["grain"], "unit": "袋",
            "market_price": "29.80", "charity_price": "21.80", "voucher_eligible": "1", "monthly_limit": "1",
            "active": "1"}
    bad = dict(form, charity_price="35")
    resp = c.post("/inventory/products", data=bad)
    assert resp.status_code == 400 and "不能高于市场价" in resp.get_data(as_text=True)
    assert 'value="页面新面粉"' in resp.get_data(as_text=True)  # the form keeps what was typed
    resp = c.post("/inventory/products", data=dict(form, barcode="6901234567891"))
    assert resp.status_code == 400 and "校验位" in resp.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(Product).where(Product.name == "页面新面粉")) is None
    resp = c.post("/inventory/products", data=form)
    assert resp.status_code == 302
    with app.app_context():
        p = services.find_by_barcode(code)
        assert (p.market_price_fen, p.charity_price_fen, p.monthly_limit) == (2980, 2180, 1)
    resp = c.post(f"/inventory/products/{p.id}/edit", data=dict(form, charity_price="19.90"))
    assert resp.status_code == 302
    page = c.get(f"/inventory/products/{p.id}").get_data(as_text=True)
    assert "¥21.80 → ¥19.90" in page


def test_receiving_note_with_several_lines(app, login, world):
    c = login("manager", shop=world["shop_a"])
    with app.app_context():
        oil = factories.product("页面豆油 5L")
        db.session.commit()
        oil_code, oil_id = oil.barcode, oil.id
    data = {"shop": world["a"], "supplier": "粮油公司", "received_by": "李店长", "delivery_no": "SH-9",
            "barcode": [world["barcode"], oil_code, ""], "quantity": ["3", "12", ""], "unit_cost": ["25.5", "", ""]}
    resp = c.post("/inventory/stock/receiving", data=data)
    assert resp.status_code == 302, resp.get_data(as_text=True)
    assert on_hand(app, world["a_id"], world["rice"]) == 8
    assert on_hand(app, world["a_id"], oil_id) == 12
    note = c.get(resp.headers["Location"]).get_data(as_text=True)
    assert "粮油公司" in note and "¥25.50" in note


@pytest.mark.parametrize("lines,fragment", [
    ({"barcode": ["6901234567892"], "quantity": ["3"]}, "商品不存在"),
    ({"barcode": ["BC"], "quantity": ["-3"]}, None),
    ({"barcode": [""], "quantity": [""]}, "至少填写一行"),
])
def test_receiving_bad_input_writes_nothing_and_keeps_the_form(app, login, world, lines, fragment):
    c = login("manager", shop=world["shop_a"])
    if lines["barcode"][0] == "BC":
        lines = {"barcode": [world["barcode"]], "quantity": ["-3"]}
        fragment = "不能为负数"
    before = move_count(app)
    resp = c.post("/inventory/stock/receiving",
                  data={"shop": world["a"], "supplier": "某公司", "received_by": "某人", **lines})
    assert resp.status_code == 400
    assert fragment in resp.get_data(as_text=True)
    assert 'value="某公司"' in resp.get_data(as_text=True)
    assert move_count(app) == before


def test_a_refused_receiving_note_comes_back_with_each_rows_product(app, login, world):
    """Issue 11, item 11: the rows show the product each code names (name, unit, the shop's
    stock; a full-width code as a scan of it) or say that none has it, as after each scan."""
    c = login("manager", shop=world["shop_a"])
    fullwidth = world["barcode"].translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    resp = c.post("/inventory/stock/receiving", data={
        "shop": world["a"], "supplier": "某公司", "received_by": "某人",
        "barcode": [fullwidth, "6901234567892", ""], "quantity": ["3", "2", ""]})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 400
    outputs = re.findall(r'<output aria-live="polite" data-product( class="unknown")?>(.*?)</output>', page, re.S)
    assert [(cls, text.strip()) for cls, text in outputs[:3]] == [
        ("", "页面大米 5kg（袋）· 本店现有 5"), (' class="unknown"', "没有条码为 6901234567892 的商品，请核对"),
        ("", "")]
    assert 'data-lookup="/api/v1/products"' in page
    assert 'data-found="{name}（{unit}）· 本店现有 {stock}"' in page


def test_adjustment_needs_a_reason_and_the_right_direction(app, login, world):
    c = login("manager", shop=world["shop_a"])
    base = {"shop": world["a"], "barcode": world["barcode"], "quantity": "2", "direction": "out"}
    resp = c.post("/inventory/stock/adjust", data=base)
    assert resp.status_code == 400 and "请选择调整原因" in resp.get_data(as_text=True)
    resp = c.post("/inventory/stock/adjust", data=dict(base, reason="damaged", direction="in"))
    assert resp.status_code == 400 and "只能减少库存" in resp.get_data(as_text=True)
    resp = c.post("/inventory/stock/adjust", data=dict(base, reason="other"))
    assert resp.status_code == 400 and "必须填写说明" in resp.get_data(as_text=True)
    resp = c.post("/inventory/stock/adjust", data=dict(base, quantity="9", reason="lost"))
    assert resp.status_code == 409 and "库存不足" in resp.get_data(as_text=True)
    assert on_hand(app, world["a_id"], world["rice"]) == 5
    resp = c.post("/inventory/stock/adjust", data=dict(base, reason="damaged", note="包装破"))
    assert resp.status_code == 302
    assert on_hand(app, world["a_id"], world["rice"]) == 3
    moves = c.get(f"/inventory/stock/moves?product={world['rice']}").get_data(as_text=True)
    assert "破损" in moves and "包装破" in moves


def test_transfer_page_moves_stock_between_shops(app, login, world):
    c = login("manager", shop=world["shop_a"])
    resp = c.post("/inventory/stock/transfers", data={"from_shop": world["a"], "to_shop": world["b"],
                                                      "barcode": [world["barcode"]], "quantity": ["2"]})
    assert resp.status_code == 302
    assert (on_hand(app, world["a_id"], world["rice"]), on_hand(app, world["b_id"], world["rice"])) == (3, 11)
    resp = c.post("/inventory/stock/transfers", data={"from_shop": world["a"], "to_shop": world["b"],
                                                      "barcode": [world["barcode"]], "quantity": ["4"]})
    assert resp.status_code == 409 and "库存不足" in resp.get_data(as_text=True)
    assert (on_hand(app, world["a_id"], world["rice"]), on_hand(app, world["b_id"], world["rice"])) == (3, 11)


def test_stocktake_through_the_pages(app, login, world):
    c = login("manager", shop=world["shop_a"])
    with app.app_context():
        zero = factories.product("页面零库存商品")
        db.session.commit()
        zero_id = zero.id
    resp = c.post("/inventory/stock/stocktakes", data={"shop": world["a"]})
    assert resp.status_code == 302
    url = resp.headers["Location"]
    st_id = int(re.search(r"/stocktakes/(\d+)", url).group(1))
    sheet = c.get(url).get_data(as_text=True)
    assert "页面零库存商品" in sheet  # zero expected stock is on the sheet
    again = c.post("/inventory/stock/stocktakes", data={"shop": world["a"]}, headers={"Referer": url})
    assert again.status_code == 302  # refused with a flash message: one open count per shop
    assert "未完成的盘点" in c.get(url).get_data(as_text=True)
    resp = c.post(f"/inventory/stock/stocktakes/{st_id}/counts",
                  data={f"count-{world['rice']}": "4", f"count-{zero_id}": "2"})
    assert resp.status_code == 302
    review = c.get(url).get_data(as_text=True)
    assert "账面 5，实盘 4" in review and "账面 0，实盘 2" in review
    bad = c.post(f"/inventory/stock/stocktakes/{st_id}/counts", data={f"count-{zero_id}": "-1"},
                 headers={"Referer": url})
    assert bad.status_code == 302 and "不能为负数" in c.get(url).get_data(as_text=True)
    resp = c.post(f"/inventory/stock/stocktakes/{st_id}/post")
    assert resp.status_code == 302
    assert on_hand(app, world["a_id"], world["rice"]) == 4
    assert on_hand(app, world["a_id"], zero_id) == 2
    resp = c.post(f"/inventory/stock/stocktakes/{st_id}/counts", data={f"count-{zero_id}": "5"})
    assert resp.status_code == 409  # a posted count cannot change


def test_manager_of_shop_a_cannot_see_or_change_shop_b(app, login, world):
    c = login("manager", shop=world["shop_a"])
    b, rice = world["b"], world["rice"]
    assert c.get(f"/inventory/products?shop={b}").status_code == 403
    assert c.get(f"/inventory/stock/moves?shop={b}").status_code == 403
    assert c.get(f"/inventory/stock/low?shop={b}").status_code == 403
    assert c.get(f"/inventory/export?shop={b}").status_code == 403
    assert c.get(f"/api/v1/products?shop={b}").status_code == 403
    assert c.get(f"/api/v1/products/{rice}?shop={b}").get_json()["error"]["code"] == "forbidden"
    page = c.get(f"/inventory/products/{rice}").get_data(as_text=True)
    assert "乙店" not in page  # B's stock is not shown
    before = move_count(app)
    for url, data in [
        ("/inventory/stock/receiving", {"shop": b, "supplier": "x", "received_by": "y",
                                        "barcode": [world["barcode"]], "quantity": ["1"]}),
        ("/inventory/stock/adjust", {"shop": b, "barcode": world["barcode"], "quantity": "1", "reason": "lost"}),
        ("/inventory/stock/transfers", {"from_shop": b, "to_shop": world["a"],
                                        "barcode": [world["barcode"]], "quantity": ["1"]}),
        ("/inventory/stock/stocktakes", {"shop": b}),
        (f"/inventory/products/{rice}/reorder", {"shop": b, "reorder_level": "3"}),
    ]:
        assert c.post(url, data=data).status_code == 403, url
    assert move_count(app) == before
    assert on_hand(app, world["b_id"], rice) == 9
    # a count opened by B's manager is invisible to A's
    mb = login("manager", shop=core_factories_shop(app, b))
    st_url = mb.post("/inventory/stock/stocktakes", data={"shop": b}).headers["Location"]
    st_id = int(re.search(r"/stocktakes/(\d+)", st_url).group(1))
    assert c.get(st_url).status_code == 403
    assert c.post(f"/inventory/stock/stocktakes/{st_id}/cancel").status_code == 403
    moves = c.get("/inventory/stock/moves").get_data(as_text=True)
    assert "乙店" not in moves


def core_factories_shop(app, code):
    from app.auth import services as auth_services

    with app.app_context():
        return auth_services.get_shop_by_code(code)


def test_federation_sees_but_does_not_change(app, login, world):
    fed = login("federation", district_code="411024")
    assert fed.get(f"/inventory/products?shop={world['b']}").status_code == 200
    assert fed.get(f"/inventory/products?shop={world['a']}").status_code == 403  # other district
    assert fed.post("/inventory/stock/adjust", data={"shop": world["b"]}).status_code == 403
    page = fed.get(f"/inventory/products/{world['rice']}").get_data(as_text=True)
    assert "乙店" in page and "甲店" not in page


def test_admin_chooses_the_shop(app, login, world):
    c = login("admin")
    resp = c.post("/inventory/stock/adjust", data={"barcode": world["barcode"], "quantity": "1", "reason": "lost"})
    assert resp.status_code == 400  # no shop chosen
    resp = c.post("/inventory/stock/adjust", data={"shop": world["b"], "barcode": world["barcode"],
                                                  "quantity": "1", "reason": "lost"})
    assert resp.status_code == 302
    assert on_hand(app, world["b_id"], world["rice"]) == 8


def test_import_and_export_pages(app, login, world):
    c = login("manager", shop=world["shop_a"])
    resp = c.get("/inventory/export?format=xlsx")
    assert resp.status_code == 200 and resp.mimetype.endswith("spreadsheetml.sheet")
    assert "attachment" in resp.headers["Content-Disposition"]
    csv_data = c.get("/inventory/export?format=csv").data
    assert "页面大米 5kg".encode() in csv_data
    assert c.get("/inventory/export?format=pdf").status_code == 400
    bad = "条码,名称,分类,单位,市场价,慈善价\n6901234567891,坏,页面测试粮食,袋,1,2\n".encode()
    import io

    resp = c.post("/inventory/import", data={"file": (io.BytesIO(bad), "bad.csv")},
                  content_type="multipart/form-data")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and "校验位" in html and "不能高于市场价" in html
    resp = c.post("/inventory/import", data={"file": (io.BytesIO(csv_data), "round.csv")},
                  content_type="multipart/form-data")
    assert resp.status_code == 200 and "导入完成" in resp.get_data(as_text=True)


def test_product_image_upload_and_serving(app, login, world):
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (50, 40), (0, 128, 0)).save(buf, "PNG")
    c = login("manager", shop=world["shop_a"])
    page = c.get(f"/inventory/products/{world['rice']}/edit").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page
    with app.app_context():
        p = services.get_product(world["rice"])
        form = {"barcode": p.barcode, "name": p.name, "category_id": p.category_id, "unit": p.unit,
                "market_price": "39.90", "charity_price": "29.90", "voucher_eligible": "1",
                "monthly_limit": "1", "active": "1"}
    upload = {**form, "image": (io.BytesIO(buf.getvalue()), "rice.png")}
    resp = c.post(f"/inventory/products/{world['rice']}/edit", data=upload, content_type="multipart/form-data")
    assert resp.status_code == 302
    img = login("cashier", shop=world["shop_a"]).get(f"/inventory/products/{world['rice']}/image")
    assert img.status_code == 200 and img.mimetype == "image/jpeg" and img.data[:2] == b"\xff\xd8"
    bad = c.post(f"/inventory/products/{world['rice']}/edit",
                 data={**form, "image": (io.BytesIO(b"%PDF-1.4"), "x.pdf")}, content_type="multipart/form-data")
    assert bad.status_code == 400 and "图片应为" in bad.get_data(as_text=True)
