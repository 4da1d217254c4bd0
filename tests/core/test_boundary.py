"""The input boundary (issue 10, section 3): text, numbers, JSON, path ids, the flush guard."""

from __future__ import annotations

import json

import marshmallow as ma
import pytest

from app.core import schema as boundary_schema
from app.core.boundary import MAX_JSON_DEPTH, JSONBoundaryError, loads_json
from app.core.errors import InvalidInput
from app.core.numbers import INT32_MAX, IntConverter, arg_int, check_int, parse_int
from app.core.text import clean_text, find_control, printable

BIG = 2**31


# --- text -----------------------------------------------------------------------------------

@pytest.mark.parametrize("bad", ["a\x00b", "\x07", "x\x1by", "\x7f", "a\x85b", "\x9b", "\ud800"])
def test_clean_text_refuses_controls_with_a_message(app_ctx, bad):
    with pytest.raises(InvalidInput) as exc:
        clean_text(bad, label="名称", max_length=50)
    assert "名称" in str(exc.value.message) and "控制字符" in str(exc.value.message)


def test_clean_text_strips_nfc_and_checks_length(app_ctx):
    assert clean_text("  6901234567892\t\r\n") == "6901234567892"  # a scanner's trailing tab and CR
    assert clean_text("e\u0301") == "\u00e9"  # NFC
    assert clean_text("第一行\r\n第二行", multiline=True) == "第一行\n第二行"
    with pytest.raises(InvalidInput):
        clean_text("大\n米", label="名称")  # a single-line field keeps no line break inside
    with pytest.raises(InvalidInput) as exc:
        clean_text("米" * 41, label="名称", max_length=40)
    assert "40" in str(exc.value.message)
    assert find_control("正常\t文字\n") is None
    assert printable("a\x00b\x1bc\td") == "abc\td"


# --- numbers ---------------------------------------------------------------------------------

@pytest.mark.parametrize("bad", [1.5, 1.0, "1", "１", "١", True, None, BIG, -(BIG + 1)])
def test_check_int_takes_json_integers_only(app_ctx, bad):
    with pytest.raises(InvalidInput):
        check_int(bad, label="qty")


@pytest.mark.parametrize(("text", "value"), [("12", 12), ("１２", 12), (" 3 ", 3), ("-4", -4), (7, 7), (2.0, 2)])
def test_parse_int_takes_what_a_person_types(app_ctx, text, value):
    assert parse_int(text, label="数量") == value


@pytest.mark.parametrize("bad", ["1.5", "１．５", "2,5", "²", "①", "١", "1e3", "0x10", "1_000", "", str(BIG)])
def test_parse_int_refuses_fractions_and_lookalikes(app_ctx, bad):
    with pytest.raises(InvalidInput) as exc:
        parse_int(bad, label="数量")
    if bad in ("1.5", "１．５", "2,5"):
        assert "不能有小数" in str(exc.value.message)  # never truncated to 1


def test_arg_int_refuses_what_the_columns_cannot_hold():
    assert arg_int("42") == 42
    for bad in (str(BIG), "١٢", "-1", "1.5", ""):
        with pytest.raises(ValueError):
            arg_int(bad)


def test_schema_int_and_text_fields(app_ctx):
    class S(boundary_schema.Schema):
        qty = boundary_schema.Int(minimum=1, maximum=999)
        name = boundary_schema.Text(max_length=5)
        limit = boundary_schema.QueryInt(minimum=1, maximum=200)

    assert S().load({"qty": 3, "name": " 大米 ", "limit": "50"}) == {"qty": 3, "name": "大米", "limit": 50}
    for bad in ({"qty": 1.5}, {"qty": "1"}, {"qty": "１"}, {"qty": "١"}, {"qty": True}, {"qty": BIG},
                {"name": "a\x00"}, {"name": "六个字六个字"}, {"limit": "١"}, {"limit": "5000"}):
        with pytest.raises(ma.ValidationError):
            S().load(bad)


# --- JSON ------------------------------------------------------------------------------------

def test_json_depth_is_limited_before_recursion(app_ctx):
    with pytest.raises(JSONBoundaryError):
        loads_json("[" * 100_000 + "]" * 100_000)
    with pytest.raises(JSONBoundaryError):
        loads_json("[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1))
    assert loads_json('{"a": [{"b": "e\\u0301"}]}') == {"a": [{"b": "\u00e9"}]}
    for bad in ('{"a": "\\u0000"}', '{"\\u0007": 1}', '[NaN]', '{"x": Infinity}', '"\\ud800"'):
        with pytest.raises(JSONBoundaryError):
            loads_json(bad)


@pytest.mark.parametrize("path", ["/api/v1/session", "/api/v1/sales"])
def test_deeply_nested_json_is_a_400_also_anonymous(client, path):
    body = "[" * 100_000 + "]" * 100_000
    resp = client.post(path, data=body, content_type="application/json")
    assert resp.status_code in (400, 401) and resp.status_code != 500
    if path == "/api/v1/session":  # the anonymous login parses the body: the boundary answers
        assert resp.status_code == 400 and resp.get_json()["error"]["code"] == "invalid_input"


def test_deeply_nested_json_logged_in(login):
    c = login("manager")
    resp = c.post("/api/v1/sales", data="[" * 100_000 + "]" * 100_000, content_type="application/json")
    assert resp.status_code == 400 and resp.get_json()["error"]["code"] == "invalid_input"
    resp = c.post("/api/v1/sales", data=json.dumps({"idempotency_key": "k\u0000" * 5, "lines": []}),
                  content_type="application/json")
    assert resp.status_code == 400 and "控制字符" in resp.get_json()["error"]["message"]


# --- path ids --------------------------------------------------------------------------------

def test_every_int_route_uses_the_bounded_converter(app):
    int_rules = [r for r in app.url_map.iter_rules() if any(
        isinstance(c, IntConverter) for c in r._converters.values())]
    assert len(int_rules) >= 30
    for rule in app.url_map.iter_rules():
        for conv in rule._converters.values():
            if conv.__class__.__name__ == "IntegerConverter":
                pytest.fail(f"{rule.rule} uses werkzeug's unbounded int converter")
            if isinstance(conv, IntConverter):
                assert conv.max == INT32_MAX


def test_ids_beyond_the_column_are_404_on_every_int_route(app, login):
    admin = login("admin")
    checked = 0
    for rule in app.url_map.iter_rules():
        if not any(isinstance(c, IntConverter) for c in rule._converters.values()):
            continue
        url = rule.rule
        for name in rule.arguments:
            url = url.replace(f"<int:{name}>", str(BIG)).replace(f"<{name}>", "x")
        method = "GET" if "GET" in rule.methods else sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
        resp = admin.open(url, method=method, json={} if method != "GET" else None)
        assert resp.status_code == 404, (url, resp.status_code)
        checked += 1
    assert checked >= 30


def test_json_ids_and_amounts_beyond_their_column_are_400(login):
    c = login("cashier")
    key = "k" * 12
    for body in (
        {"idempotency_key": key, "lines": [{"product_id": BIG, "qty": 1}]},
        {"idempotency_key": key, "lines": [{"product_id": 1, "qty": 1}], "recipient_id": 2**40},
        {"idempotency_key": key, "lines": [{"product_id": 1, "qty": "1"}]},
        {"idempotency_key": key, "lines": [{"product_id": 1, "qty": "１"}]},
        {"idempotency_key": key, "lines": [{"product_id": 1, "qty": "١"}]},
        {"idempotency_key": key, "lines": [{"product_id": 1, "qty": True}]},
        {"idempotency_key": key, "lines": [{"product_id": 1, "qty": 1}],
         "payments": [{"method": "cash", "amount_fen": BIG}]},
    ):
        resp = c.post("/api/v1/sales", json=body)
        assert resp.status_code == 400, (body, resp.get_json())
        assert resp.get_json()["error"]["code"] == "invalid_input"
    # a fraction of a piece has its own stable code (issue 11): refused, never truncated
    resp = c.post("/api/v1/sales", json={"idempotency_key": key, "lines": [{"product_id": 1, "qty": 1.5}]})
    assert resp.status_code == 400 and resp.get_json()["error"]["code"] == "quantity_not_whole"
    for path, body in (("/api/v1/shifts", {"float_fen": BIG}),
                       ("/api/v1/shifts/current/close", {"counted_fen": BIG}),
                       ("/api/v1/sales/1/void", {"reason": "x", "lines": [{"line_id": BIG, "qty": 1}]}),
                       ("/api/v1/pickups", {"idempotency_key": key, "recipient_id": BIG,
                                            "lines": [{"kind": "quilt", "quantity": 1}]})):
        resp = c.post(path, json=body)
        assert resp.status_code == 400 and resp.get_json()["error"]["code"] == "invalid_input", (path, resp.data)
    manager = login("manager")
    resp = manager.post("/api/v1/donations/1/receive", json={"lines": [{"line_id": BIG, "quantity_received": 1}]})
    assert resp.status_code == 400


# --- control characters in requests ----------------------------------------------------------

@pytest.mark.parametrize("url", ["/api/v1/products?q=%00", "/api/v1/products?barcode=69%00",
                                 "/api/v1/recipients?q=%E5%BC%A0%00",
                                 "/api/v1/products?q=%C2%9B", "/inventory/products?q=%00"])
def test_controls_in_search_are_a_clear_400(login, url):
    c = login("manager")
    resp = c.get(url)
    assert resp.status_code == 400
    assert "控制字符" in resp.get_data(as_text=True) or "invalid_input" in resp.get_data(as_text=True)


def test_a_scanners_trailing_tab_still_finds_the_product(app, login):
    from app.extensions import db
    from tests.inventory import factories as inv

    with app.app_context():
        p = inv.product("小米 2kg", market=2000, charity=1500)
        barcode = p.barcode
        db.session.commit()
    c = login("manager")
    resp = c.get("/api/v1/products", query_string={"barcode": barcode + "\t"})
    assert resp.status_code == 200 and [x["barcode"] for x in resp.get_json()] == [barcode]


def test_controls_in_a_form_are_refused_and_not_stored(app, login):
    from sqlalchemy import func, select

    from app.extensions import db
    from app.inventory.models import Category

    c = login("admin")
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(Category))
    resp = c.post("/inventory/categories", data={"name": "粮\x00油", "sort_order": "1"})
    assert resp.status_code in (302, 400)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Category)) == before


# --- the storage guard -----------------------------------------------------------------------

def test_the_flush_guard_refuses_what_a_form_forgot(app_ctx):
    from app.extensions import db
    from tests.inventory import factories as inv

    cat = inv.category("调料")
    cat.name = "盐\x01"
    with pytest.raises(InvalidInput):
        db.session.flush()
    db.session.rollback()
    cat = inv.category("调料二")
    cat.name = "盐" * 500
    with pytest.raises(InvalidInput):
        db.session.flush()
    db.session.rollback()
    cat = inv.category("调料三")
    cat.sort_order = BIG
    with pytest.raises(InvalidInput):
        db.session.flush()
    db.session.rollback()
    cat = inv.category("e\u0301")
    db.session.flush()
    assert cat.name == "\u00e9"


def test_request_schemas_all_take_boundary_fields(app):
    """No request schema takes a plain Integer (it would turn 1.5 into 1 and "١" into 1) or a
    plain String (no NFC, no length, no control check)."""
    checked = 0
    for view in app.view_functions.values():
        for param in getattr(view, "_apidoc", {}).get("arguments", {}).get("parameters", []):
            schema = param["schema"]
            schema = schema() if isinstance(schema, type) else schema
            stack = [schema]
            while stack:
                s = stack.pop()
                checked += 1
                assert isinstance(s, boundary_schema.Schema), type(s)
                for name, field in s.fields.items():
                    inner = field.inner if isinstance(field, ma.fields.List) else field
                    if isinstance(inner, ma.fields.Nested):
                        stack.append(inner.schema)
                        continue
                    if isinstance(inner, ma.fields.Integer):
                        assert isinstance(inner, boundary_schema.Int), (type(s).__name__, name)
                    elif isinstance(inner, ma.fields.String):
                        assert isinstance(inner, boundary_schema.Text | boundary_schema.Secret), \
                            (type(s).__name__, name)
    assert checked >= 15
