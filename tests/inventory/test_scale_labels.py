"""Scale labels (EAN-13 starting with 2): the layouts, the check digit, weight and price codes,
unknown PLUs, and the API the till reads them with."""

from __future__ import annotations

import pytest
from stdnum import ean

from app.core.errors import InvalidInput
from app.extensions import db
from app.inventory import scale_labels
from app.inventory.errors import PluUnknown, ScaleLabelInvalid
from tests import factories
from tests.inventory import factories as inv


@pytest.fixture
def eggs(app_ctx):
    # ¥6.50 per 斤 at market, ¥5.20 at charity; PLU 1
    return inv.product("散装鸡蛋", barcode="SZ-EGG99", market=650, charity=520, sale_unit="weight",
                       unit_grams=500, plu=1)


def test_a_weight_label_gives_the_product_and_its_grams(eggs):
    code = scale_labels.make(1, 375)
    assert code == "2100001003753" and ean.is_valid(code)
    label = scale_labels.parse(code)
    assert (label.product.id, label.grams, label.label_price_fen, label.layout.name) == (eggs.id, 375, None, "weight5")


def test_a_price_label_gives_the_weight_by_dividing_by_the_unit_price(eggs):
    # the scale charged ¥4.88 at ¥6.50/斤: 4.88 / 6.50 斤 = 375.38 g -> 375 g
    label = scale_labels.parse(scale_labels.make(1, 488, "price5"))
    assert (label.grams, label.label_price_fen, label.layout.name) == (375, 488, "price5")
    # ¥6.50 exactly is 1 斤
    assert scale_labels.parse(scale_labels.make(1, 650, "price5")).grams == 500


def test_a_wrong_check_digit_is_refused(eggs):
    good = scale_labels.make(1, 375)
    bad = good[:12] + str((int(good[12]) + 1) % 10)
    with pytest.raises(ScaleLabelInvalid) as e:
        scale_labels.parse(bad)
    assert e.value.code == "scale_label_invalid" and e.value.details["code"] == bad


def test_an_unknown_plu_is_refused_with_its_own_code(eggs):
    with pytest.raises(PluUnknown) as e:
        scale_labels.parse(scale_labels.make(4242, 375))
    assert e.value.code == "plu_unknown" and e.value.status == 404 and e.value.details["plu"] == 4242


def test_a_zero_weight_is_refused(eggs):
    with pytest.raises(ScaleLabelInvalid):
        scale_labels.parse(scale_labels.make(1, 0))


def test_codes_that_are_no_scale_label_are_left_to_the_barcode_lookup(eggs):
    assert scale_labels.parse("6920001001421") is None      # an ordinary EAN-13
    assert scale_labels.parse("SZ-EGG99") is None           # an internal code
    assert scale_labels.parse("2500001003751") is None      # prefix 25: no configured layout
    assert scale_labels.parse("210000100375") is None       # 12 digits


def test_six_digit_plu_layouts_of_chinese_scales(app, eggs):
    app.config["SCALE_LABEL_LAYOUTS"] = "weight6"
    try:
        code = scale_labels.make(1, 375, "weight6")
        assert code.startswith("2000001")
        assert scale_labels.parse(code).grams == 375
        app.config["SCALE_LABEL_LAYOUTS"] = "price6"
        assert scale_labels.parse(scale_labels.make(1, 520 * 3, "price6")).grams == 1200
    finally:
        app.config["SCALE_LABEL_LAYOUTS"] = "weight5,price5"


def test_overlapping_or_unknown_layouts_are_refused():
    with pytest.raises(ValueError, match="overlap"):
        scale_labels.active_layouts("weight5,weight6")
    with pytest.raises(ValueError, match="unknown"):
        scale_labels.active_layouts("weight7")
    assert [x.name for x in scale_labels.active_layouts("weight5, price5")] == ["weight5", "price5"]


def test_the_plu_is_unique_and_only_for_weighed_products(eggs):
    with pytest.raises(InvalidInput, match="PLU 1 已被"):
        inv.product("散装鸭蛋", barcode="SZ-DUCK1", sale_unit="weight", unit_grams=500, plu=1)
    piece = inv.product("挂面", plu=7)
    assert piece.plu is None  # a piece product keeps no PLU


def test_the_api_reads_a_label_for_the_till(login, app):
    with app.app_context():
        shop = factories.shop()
        eggs = inv.product("散装鸡蛋", barcode="SZ-EGG98", market=650, charity=520, sale_unit="weight",
                           unit_grams=500, plu=2)
        inv.stock(shop, eggs, 5000)
        db.session.commit()
        eggs_id = eggs.id
        assert shop.code
    c = login("cashier", shop=shop)
    body = c.get(f"/api/v1/scale-labels/{scale_labels.make(2, 375)}").get_json()
    assert body["grams"] == 375 and body["layout"] == "weight5" and body["plu"] == 2
    assert body["product"]["id"] == eggs_id and body["product"]["stock"] == 5000
    assert body["product"]["sale_unit"] == "weight" and body["product"]["unit_grams"] == 500
    bad = c.get("/api/v1/scale-labels/2100002003750")
    assert bad.status_code == 400 and bad.get_json()["error"]["code"] == "scale_label_invalid"
    unknown = c.get(f"/api/v1/scale-labels/{scale_labels.make(99, 375)}")
    assert unknown.status_code == 404 and unknown.get_json()["error"]["code"] == "plu_unknown"
    other = c.get("/api/v1/scale-labels/6920001001421")
    assert other.status_code == 400 and other.get_json()["error"]["code"] == "invalid_input"


@pytest.mark.parametrize("code", ["2100001003753", "6920001001421", "9780201379624", "2300001004884"])
def test_the_printed_bars_are_the_ean13_encoding(code):
    from reportlab.graphics.barcode import eanbc

    modules = scale_labels.ean13_modules(code)
    left = []
    eanbc.Ean13BarcodeWidget(code[:12])._encode_left(code, left.append)  # reportlab's own tables
    assert len(modules) == 95 and modules[:3] == modules[-3:] == "101" and modules[45:50] == "01010"
    assert modules[3:45] == "".join(left)
    right = "".join(eanbc.Ean13BarcodeWidget._right[int(d)] for d in code[7:])
    assert modules[50:92] == right
    with pytest.raises(ValueError):
        scale_labels.ean13_modules(code[:12] + str((int(code[12]) + 1) % 10))


def test_the_product_page_prints_a_test_label(login, app):
    with app.app_context():
        eggs = inv.product("标签鸡蛋", barcode="SZ-EGG95", market=650, charity=520, sale_unit="weight",
                           unit_grams=500, plu=95)
        piece = inv.product("标签挂面")
        db.session.commit()
        ids = (eggs.id, piece.id)
    c = login("manager")
    assert "测试秤签" in c.get(f"/inventory/products/{ids[0]}").get_data(as_text=True)
    page = c.get(f"/inventory/products/{ids[0]}/scale-label?weight=1.5").get_data(as_text=True)
    code = scale_labels.make(95, 750)
    assert code in page and "1.5 斤" in page and "¥9.75" in page and "<path d=\"M11 0h1v60h-1z" in page
    assert c.get(f"/inventory/products/{ids[1]}/scale-label").status_code == 400
