"""GET /api/v1/products and /api/v1/products/<id>."""

import pytest

from app.extensions import db
from tests import factories as core_factories
from tests.inventory import factories


@pytest.fixture
def catalogue(app):
    with app.app_context():
        a = core_factories.shop("APIA", name="接口甲店")
        b = core_factories.shop("APIB", name="接口乙店", district_code="411024")
        grain = factories.category("接口粮食")
        drinks = factories.category("接口酒水", voucher_allowed=False)
        rice = factories.product("接口大米 5kg", category=grain, market=3990, charity=2990,
                                 voucher_eligible=True, monthly_limit=1)
        beer = factories.product("接口啤酒", category=drinks, market=450, charity=450)
        factories.product("接口停售米", category=grain, active=False)
        factories.stock(a, rice, 6)
        factories.stock(b, rice, 2)
        db.session.commit()
        assert a.code and b.code  # loaded now: login() reads the code outside this session
        return {"a": a, "b": b, "rice": rice.id, "rice_code": rice.barcode, "beer": beer.id, "grain": grain.id}


def test_cashier_gets_both_prices_eligibility_limit_and_own_stock(login, catalogue):
    c = login("cashier", shop=catalogue["a"])
    rows = c.get(f"/api/v1/products?barcode={catalogue['rice_code']}").get_json()
    assert rows == [{"id": catalogue["rice"], "barcode": catalogue["rice_code"], "name": "接口大米 5kg",
                     "unit": "袋", "market_price_fen": 3990, "charity_price_fen": 2990,
                     "voucher_eligible": True, "monthly_limit": 1, "active": True, "stock": 6,
                     "sale_unit": "piece", "unit_grams": None, "plu": None,
                     "category": {"id": catalogue["grain"], "name": "接口粮食", "voucher_allowed": True}}]
    names = [r["name"] for r in c.get("/api/v1/products?q=接口").get_json()]
    assert "接口停售米" not in names and {"接口大米 5kg", "接口啤酒"} <= set(names)
    assert [r["name"] for r in c.get("/api/v1/products?q=接口&category=接口粮食").get_json()] == ["接口大米 5kg"]
    beer = c.get(f"/api/v1/products/{catalogue['beer']}").get_json()
    assert (beer["voucher_eligible"], beer["monthly_limit"], beer["stock"]) == (False, None, 0)
    assert c.get("/api/v1/products?barcode=6920000000000").get_json() == []


def test_stock_for_federation_needs_a_shop(login, catalogue):
    c = login("federation")
    assert c.get(f"/api/v1/products/{catalogue['rice']}").get_json()["stock"] is None
    assert c.get(f"/api/v1/products/{catalogue['rice']}?shop=APIB").get_json()["stock"] == 2
    limited = login("federation", district_code="411002")
    assert limited.get(f"/api/v1/products/{catalogue['rice']}?shop=APIB").status_code == 403


def test_errors_have_stable_codes(login, catalogue):
    c = login("cashier", shop=catalogue["a"])
    resp = c.get("/api/v1/products/999999")
    assert resp.status_code == 404 and resp.get_json()["error"]["code"] == "not_found"
    resp = c.get("/api/v1/products?limit=0")
    assert resp.status_code == 400 and resp.get_json()["error"]["code"] == "invalid_input"
    resp = c.get("/api/v1/products?shop=APIB")
    assert resp.status_code == 403 and resp.get_json()["error"]["code"] == "forbidden"
    assert login("donor").get("/api/v1/products").status_code == 403


def test_products_calls_are_in_the_openapi_spec(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/products" in spec["paths"] and "/api/v1/products/{product_id}" in spec["paths"]
    params = {p["name"] for p in spec["paths"]["/api/v1/products"]["get"]["parameters"]}
    assert {"barcode", "q", "category", "shop"} <= params
    schema = spec["components"]["schemas"]["Product"]["properties"]
    assert {"market_price_fen", "charity_price_fen", "voucher_eligible", "monthly_limit", "stock"} <= set(schema)
