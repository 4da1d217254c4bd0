"""A recorded sale's receipt: HTML, ESC/POS bytes, printing on the till's printer, printer offline."""

from __future__ import annotations

import re
import socket
import uuid

from app.extensions import db
from app.pos import services as pos
from tests import factories
from tests.inventory import factories as inv
from tests.pos import escpos_reader
from tests.pos.test_printing import Listener
from tests.vouchers import factories as vf


def _sold(app, login, printer_uri=""):
    from app.core.timeutil import Period

    with app.app_context():
        shop = factories.shop(name="魏都区慈善超市（七里店）")
        terminal = pos.create_terminal(shop=shop, code="T1", printer_uri=printer_uri, columns=32)
        cashier = factories.user("cashier", shop=shop)
        p = inv.product("精制盐 400g", market=300, charity=200, unit="袋", voucher_eligible=True)
        inv.stock(shop, p, 10)
        r = vf.recipient("刘桂芝")
        _v, code = vf.voucher(r, period=str(Period.current()))
        pid, tcode = p.id, terminal.code
        db.session.commit()
    c = login("cashier", user=cashier)
    opened = c.post("/api/v1/shifts", json={"idempotency_key": str(uuid.uuid4()), "float_fen": 0, "terminal": tcode})
    assert opened.status_code == 201
    sale = c.post("/api/v1/sales", json={"idempotency_key": str(uuid.uuid4()), "voucher_code": code,
                                         "lines": [{"product_id": pid, "qty": 2}]}).get_json()
    return c, sale, code


def test_html_receipt_shows_what_it_should_and_nothing_personal(app, login):
    c, sale, code = _sold(app, login)
    html = c.get(f"/api/v1/sales/{sale['id']}/receipt").get_data(as_text=True)
    assert "魏都区慈善超市（七里店）" in html and sale["receipt_no"] in html
    assert "刘*芝" in html and "刘桂芝" not in html
    assert code[-4:] in html and code not in html
    assert "¥4.00" in html or "￥4.00" in html


def test_escpos_receipt_decodes_to_chinese_at_48_columns(app, login):
    c, sale, _code = _sold(app, login)
    resp = c.get(f"/api/v1/sales/{sale['id']}/receipt?format=escpos&columns=48&encoding=gb18030")
    assert resp.status_code == 200 and resp.mimetype == "application/octet-stream"
    out = escpos_reader.read(resp.data, "gb18030")
    assert "精制盐 400g" in out.all_text and "刘*芝" in out.all_text
    assert max(line.columns for line in out.lines) == 48
    assert out.qr_data and re.search(r"/f/" + sale["receipt_no"] + r"/[a-z2-7]{16}$", out.qr_data[0].decode())


def test_print_on_the_tills_network_printer(app, login):
    printer = Listener()
    c, sale, _code = _sold(app, login, printer_uri=f"tcp://127.0.0.1:{printer.port}")
    resp = c.post(f"/api/v1/sales/{sale['id']}/print", json={})
    assert resp.status_code == 200 and resp.get_json()["mode"] == "printer"
    data = printer.wait()
    assert "精制盐 400g" in escpos_reader.read(data, "gb18030").all_text


def test_printer_offline_is_reported_and_the_sale_stands(app, login):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    c, sale, _code = _sold(app, login, printer_uri=f"tcp://127.0.0.1:{port}")
    resp = c.post(f"/api/v1/sales/{sale['id']}/print", json={"reprint": True})
    assert resp.status_code == 503 and resp.get_json()["error"]["code"] == "printer_offline"
    assert c.get(f"/api/v1/sales/{sale['id']}").status_code == 200


def test_browser_mode_without_a_printer(app, login):
    c, sale, _code = _sold(app, login)
    assert c.post(f"/api/v1/sales/{sale['id']}/print", json={}).get_json() == {"mode": "browser"}


def test_voucher_tail_keeps_crockford_check_symbols(app, login):
    """A code's last symbol may be a check symbol (* ~ $ = U): the receipt prints the same tail as
    the public page does."""
    import dataclasses

    from app.pos.receipts import render_escpos, sample_receipt

    with app.test_request_context():
        r = dataclasses.replace(sample_receipt(), voucher_last4="NQA=")
        assert r.voucher_last4 == "NQA="
        assert "NQA=" in escpos_reader.read(render_escpos(r), "gbk").all_text
