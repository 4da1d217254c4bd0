"""The till's recent sales (what the list and the void's confirmation show; a manager voids a
cashier's sale of the same shop from their own till) and the Z report (cashier, shift start and
end; printed as 58/80 mm HTML and as ESC/POS bytes, decoded here as a printer reads them)."""

from __future__ import annotations

import uuid

from app.extensions import db
from app.pos import services as pos
from tests import factories
from tests.inventory import factories as inv
from tests.pos import escpos_reader
from tests.pos.test_printing import Listener
from tests.vouchers import factories as vf


def _shop(app, login, printer_uri=""):
    """A shop with a cashier (on a shift at till T1) and a manager; a ¥29.00 voucher; rice (limit
    1, charity ¥25.00) and oil (market ¥68.00)."""
    from app.core.timeutil import Period

    with app.app_context():
        shop = factories.shop(name="魏都区慈善超市（七里店）")
        other = factories.shop(name="别的店")
        terminal = pos.create_terminal(shop=shop, code="T1", printer_uri=printer_uri, columns=32)
        cashier = factories.user("cashier", shop=shop)
        manager = factories.user("manager", shop=shop)
        cashier.display_name, manager.display_name = "王收银", "李店长"
        stranger = factories.user("manager", shop=other)
        oil = inv.product("大豆油 5L", market=6800, charity=5800, unit="桶", voucher_eligible=True)
        inv.stock(shop, oil, 10)
        recipient = vf.recipient("刘桂芝")
        _v, code = vf.voucher(recipient, period=str(Period.current()))
        ids = {"oil": oil.id, "code": code, "terminal": terminal.code}
        db.session.commit()
    c = login("cashier", user=cashier)
    assert c.post("/api/v1/shifts", json={"idempotency_key": str(uuid.uuid4()), "float_fen": 5000,
                                          "terminal": ids["terminal"]}).status_code == 201
    return c, login("manager", user=manager), login("manager", user=stranger), ids


def _sell(c, ids, **extra):
    resp = c.post("/api/v1/sales", json={"idempotency_key": str(uuid.uuid4()),
                                         "lines": [{"product_id": ids["oil"], "qty": 1}], **extra})
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def test_recent_sales_show_time_items_payments_and_the_masked_recipient(app, login):
    c, _m, _s, ids = _shop(app, login)
    sale = _sell(c, ids, voucher_code=ids["code"], payments=[{"method": "cash", "amount_fen": 3000}])
    rows = c.get("/api/v1/sales").get_json()
    row = next(r for r in rows if r["id"] == sale["id"])
    assert row["created_at"] and row["cashier"] == "王收银" and row["recipient_masked"] == "刘*芝"
    assert [(x["name"], x["qty"]) for x in row["lines"]] == [("大豆油 5L", 1)]
    assert {p["method"]: p["amount_fen"] for p in row["payments"]} == {"voucher": 2900, "cash": 2900}
    # a full void would hand back the voucher's ¥29.00 to the voucher and ¥29.00 cash
    assert row["refund_total_fen"] == 5800
    assert row["refund_preview"] == [{"method": "voucher", "amount_fen": 2900}, {"method": "cash", "amount_fen": 2900}]
    assert "刘桂芝" not in c.get("/api/v1/sales").get_data(as_text=True)


def test_a_manager_on_their_own_till_voids_a_cashiers_sale_of_the_shop(app, login):
    c, manager, stranger, ids = _shop(app, login)
    sale = _sell(c, ids, voucher_code=ids["code"], payments=[{"method": "cash", "amount_fen": 3000}])
    # the cashier alone may not
    refused = c.post(f"/api/v1/sales/{sale['id']}/void", json={"idempotency_key": str(uuid.uuid4()),
                                                                "reason": "顾客不要了"})
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "void_not_allowed"
    # the manager's till lists the shop's sales of today, the cashier's among them (no shift needed)
    listed = manager.get("/api/v1/sales")
    assert listed.status_code == 200
    row = next(r for r in listed.get_json() if r["id"] == sale["id"])
    assert row["cashier"] == "王收银"
    # a manager of another shop neither sees nor voids it
    assert all(r["id"] != sale["id"] for r in stranger.get("/api/v1/sales").get_json())
    other = stranger.post(f"/api/v1/sales/{sale['id']}/void", json={"idempotency_key": str(uuid.uuid4()),
                                                                     "reason": "x"})
    assert other.status_code in (403, 404)
    # the manager voids it, with what the confirmation showed
    void = manager.post(f"/api/v1/sales/{sale['id']}/void", json={"idempotency_key": str(uuid.uuid4()),
                                                                   "reason": "顾客不要了"})
    assert void.status_code == 201, void.get_json()
    body = void.get_json()
    assert body["voucher_refund_fen"] == 2900 and body["refunds"] == {"cash": 2900}
    after = next(r for r in manager.get("/api/v1/sales").get_json() if r["id"] == sale["id"])
    assert after["fully_voided"] is True and after["refund_total_fen"] == 0 and after["refund_preview"] == []


def test_the_z_report_names_the_cashier_and_the_shift_and_prints(app, login):
    c, _m, _s, ids = _shop(app, login)
    _sell(c, ids, payments=[{"method": "cash", "amount_fen": 10000}])
    z = c.post("/api/v1/shifts/current/close", json={"idempotency_key": str(uuid.uuid4()), "counted_fen": 11800})
    assert z.status_code == 201
    z = z.get_json()
    assert z["cashier"] == "王收银" and z["opened_at"] and z["closed_at"] and z["opened_at"] <= z["closed_at"]
    assert z["difference_fen"] == 0

    for columns in (32, 48):
        resp = c.get(f"/api/v1/z-reports/{z['id']}/receipt?format=escpos&columns={columns}&encoding=gb18030")
        assert resp.status_code == 200 and resp.mimetype == "application/octet-stream"
        out = escpos_reader.read(resp.data, "gb18030")
        text = out.all_text
        assert f"交班报告 Z{z['number']:04d}" in text and "魏都区慈善超市（七里店）" in text
        assert "收银员：王收银" in text and "开班：" in text and "交班：" in text
        assert "￥68.00" in text and "￥118.00" in text          # sales; cash expected (float + sale)
        assert max(line.columns for line in out.lines) == columns and out.cuts == 1
        diff = next(line for line in out.lines if line.text.startswith("差额"))
        assert diff.bold and diff.text.endswith("￥0.00")
    for paper in (58, 80):
        html = c.get(f"/api/v1/z-reports/{z['id']}/receipt?paper={paper}").get_data(as_text=True)
        assert f"paper-{paper}" in html and "王收银" in html and "开班" in html and "交班报告" in html
    page = c.get(f"/pos/z/{z['id']}").get_data(as_text=True)
    assert "王收银" in page and "开班" in page and f"/api/v1/z-reports/{z['id']}/receipt?paper=80" in page
    assert c.post(f"/api/v1/z-reports/{z['id']}/print", json={}).get_json() == {"mode": "browser"}


def test_the_z_report_prints_on_the_tills_printer(app, login):
    printer = Listener()
    c, _m, stranger, _ids = _shop(app, login, printer_uri=f"tcp://127.0.0.1:{printer.port}")
    z = c.post("/api/v1/shifts/current/close", json={"idempotency_key": str(uuid.uuid4()), "counted_fen": 5000})
    report_id = z.get_json()["id"]
    resp = c.post(f"/api/v1/z-reports/{report_id}/print", json={})
    assert resp.status_code == 200 and resp.get_json()["mode"] == "printer"
    assert "收银员：王收银" in escpos_reader.read(printer.wait(), "gbk").all_text
    # another shop's manager may not read it
    assert stranger.get(f"/api/v1/z-reports/{report_id}/receipt").status_code in (403, 404)
