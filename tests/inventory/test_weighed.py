"""Weighed products in the catalogue and the stock ledger: grams stored, 斤/kg typed and shown."""

from __future__ import annotations

import pytest

from app.core.errors import InvalidInput
from app.extensions import db
from app.inventory import movements, services
from app.reports import verify
from tests import factories
from tests.inventory import factories as inv


@pytest.fixture
def eggs(app_ctx):
    return inv.product("散装鸡蛋", barcode="SZ-EGG97", market=650, charity=520, unit="个",
                       sale_unit="weight", unit_grams=500, plu=3, monthly_limit=1000)


def test_a_weighed_product_is_priced_per_jin_and_its_unit_follows(eggs):
    assert (eggs.sale_unit, eggs.unit_grams, eggs.unit, eggs.plu, eggs.monthly_limit) == ("weight", 500, "斤", 3, 1000)
    kg = inv.product("散装大米", barcode="SZ-RICE9", sale_unit="weight", unit_grams=1000)
    assert kg.unit == "kg"


@pytest.mark.parametrize(("values", "field"), [
    ({"sale_unit": "weight", "unit_grams": 250}, "unit_grams"),
    ({"sale_unit": "weight", "unit_grams": None}, "unit_grams"),
    ({"sale_unit": "litre"}, "sale_unit"),
    ({"sale_unit": "weight", "unit_grams": 500, "plu": 1_000_000}, "plu"),
    ({"sale_unit": "weight", "unit_grams": 500, "monthly_limit": 100_001}, "monthly_limit"),
])
def test_bad_weighed_settings_are_refused_with_the_field(app_ctx, values, field):
    with pytest.raises(InvalidInput) as e:
        inv.product(**values)
    assert field in e.value.details["fields"]


def test_receiving_adjusting_and_counting_in_grams_typed_in_jin(eggs):
    shop = factories.shop()
    movements.receive(shop_id=shop.id, supplier="蛋厂", received_by="张三",
                      lines=[{"product_id": eggs.id, "quantity": "50"}, {"product_id": eggs.id, "quantity": "1.5kg"}])
    assert services.stock_on_hand(shop.id, eggs.id) == 26500  # 50 斤 + 1.5 kg
    movements.adjust(shop_id=shop.id, product_id=eggs.id, quantity="-0.75", reason="damaged")
    assert services.stock_on_hand(shop.id, eggs.id) == 26125
    with pytest.raises(InvalidInput, match="精确到克"):
        movements.adjust(shop_id=shop.id, product_id=eggs.id, quantity="-0.0001", reason="damaged")
    st = movements.start_stocktake(shop_id=shop.id)
    movements.record_counts(st, {eggs.id: "52.2"})  # 26,100 g counted
    assert next(ln for ln in st.lines if ln.product_id == eggs.id).counted == 26100
    movements.post_stocktake(st)
    assert services.stock_on_hand(shop.id, eggs.id) == 26100
    assert services.quantity_text(eggs, 26100) == "52.2 斤"
    db.session.flush()
    report = verify.run()
    assert report["ok"], [c for c in report["checks"] if not c["ok"]]


def test_the_sale_unit_of_a_product_with_stock_cannot_change(eggs):
    shop = factories.shop()
    inv.stock(shop, eggs, 5000)
    with pytest.raises(InvalidInput, match="不能改变销售方式"):
        services.update_product(eggs, sale_unit="piece")
    with pytest.raises(InvalidInput, match="不能改变销售方式"):
        services.update_product(eggs, unit_grams=1000)
    services.update_product(eggs, plu=33, market_price_fen=700)  # the rest may change
    assert (eggs.plu, eggs.market_price_fen) == (33, 700)


def test_the_product_form_creates_a_weighed_product(login, app):
    c = login("admin")
    with app.app_context():
        cat = inv.category("表单副食")
        db.session.commit()
        cat_id = cat.id
    page = c.get("/inventory/products/new").get_data(as_text=True)
    assert 'name="sale_unit"' in page and 'name="plu"' in page
    resp = c.post("/inventory/products", data={
        "barcode": "SZ-EGG96", "name": "表单鸡蛋", "category_id": str(cat_id), "unit": "",
        "market_price": "6.5", "charity_price": "5.2", "sale_unit": "jin", "plu": "96",
        "monthly_limit": "2", "active": "1", "idempotency_key": "form-weighed-0001"})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    with app.app_context():
        p = services.find_by_barcode("SZ-EGG96")
        assert (p.sale_unit, p.unit_grams, p.unit, p.plu, p.monthly_limit) == ("weight", 500, "斤", 96, 1000)
        product_id = p.id
    page = c.get(f"/inventory/products/{product_id}").get_data(as_text=True)
    assert "1000 斤" not in page and "2 斤" in page and "PLU" in page


def test_weighed_products_import_and_export_in_their_jin_or_kg(app_ctx):
    import csv
    import io

    from app.inventory import catalogue_io

    inv.category("导入副食")
    data = ("条码,名称,分类,单位,市场价,慈善价,可用购物券,每月限购,销售方式,PLU\n"
            "SZ-EGG94,导入鸡蛋,导入副食,,6.50,5.20,否,2,称重（斤）,94\n"
            "SZ-RICE94,导入散米,导入副食,,8,6,是,2.5,称重(公斤),95\n").encode("utf-8-sig")
    result = catalogue_io.import_catalogue(data, "weighed.csv")
    assert result.created == 2
    eggs, rice = services.find_by_barcode("SZ-EGG94"), services.find_by_barcode("SZ-RICE94")
    assert (eggs.unit_grams, eggs.unit, eggs.plu, eggs.monthly_limit) == (500, "斤", 94, 1000)
    assert (rice.unit_grams, rice.unit, rice.plu, rice.monthly_limit) == (1000, "kg", 95, 2500)
    shop = factories.shop()
    inv.stock(shop, eggs, 1250)
    out, _m, _e = catalogue_io.export_catalogue("csv", shop_id=shop.id)
    rows = {r[1]: r for r in csv.reader(io.StringIO(out.decode("utf-8-sig")))}
    header = rows["条码"]
    row = dict(zip(header, rows["SZ-EGG94"], strict=True))
    assert (row["每月限购"], row["销售方式"], row["PLU"], row["库存"]) == ("2", "称重(斤)", "94", "2.5")
    again = catalogue_io.import_catalogue(out, "round.csv")  # the export imports back unchanged
    assert (again.created, again.updated) == (0, 0)
    bad = ("条码,名称,分类,单位,市场价,慈善价,销售方式\nSZ-EGG93,坏,导入副食,斤,1,1,按两\n").encode()
    with pytest.raises(InvalidInput, match="1 行错误"):
        catalogue_io.import_catalogue(bad, "bad.csv")


def test_the_stock_pages_take_and_show_weights(app, login):
    with app.app_context():
        shop = factories.shop("WGT1", name="称重店")
        eggs = inv.product("页面鸡蛋", barcode="SZ-EGG93", market=650, charity=520, sale_unit="weight",
                           unit_grams=500, plu=93)
        rice = inv.product("页面挂面")
        db.session.commit()
        ids = {"eggs": eggs.id, "rice": rice.id, "rice_code": rice.barcode, "shop": shop.id}
        assert shop.code
    c = login("manager", shop=shop)
    resp = c.post("/inventory/stock/receiving", data={
        "shop": "WGT1", "supplier": "蛋厂", "received_by": "李店长", "barcode": ["SZ-EGG93", ids["rice_code"]],
        "quantity": ["12.5", "3"], "unit_cost": ["4.20", ""]})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:3000]
    note = c.get(resp.headers["Location"]).get_data(as_text=True)
    assert "12.5 斤" in note and "3 袋" in note
    resp = c.post("/inventory/stock/adjust", data={"shop": "WGT1", "barcode": "SZ-EGG93", "direction": "out",
                                                    "quantity": "250g", "reason": "damaged"})
    assert resp.status_code == 302
    with app.app_context():
        assert services.stock_on_hand(ids["shop"], ids["eggs"]) == 6000
    assert "现有库存 12 斤" in c.get(resp.headers["Location"]).get_data(as_text=True)
    moves = c.get(f"/inventory/stock/moves?product={ids['eggs']}").get_data(as_text=True)
    assert "12.5 斤" in moves and "0.5 斤" in moves
    assert "12 斤" in c.get(f"/inventory/products/{ids['eggs']}").get_data(as_text=True)
    with app.app_context():
        st = movements.start_stocktake(shop_id=ids["shop"])
        movements.record_counts(st, {ids["eggs"]: "11.75"})
        db.session.commit()
        st_id = st.id
    page = c.get(f"/inventory/stock/stocktakes/{st_id}").get_data(as_text=True)
    assert 'value="11.75"' in page and "−0.25 斤" in page
