"""The HTML receipt for browser printing on 58/80 mm paper."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from app.pos.receipts import Receipt, ReceiptLine, ReceiptPayment, qr_svg_path, receipt_number, render_html
from tests.pos.factories import URL, receipt, receipt_line

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def req(app):
    with app.test_request_context("/"):
        yield


def test_the_html_receipt_shows_what_design_lists(req):
    html = render_html(receipt(tendered_fen=20000), paper_mm=58)
    for expected in ("魏都区慈善超市（七里店）", "WD01-20260305-0007", "2026-03-05 09:12:30", "收银员小张",
                     "张*英", "福临门东北大米 10kg", "市场价 ¥59.90", "¥49.90", "慈善价共节省", "¥20.00",
                     "慈善购物券", "¥29.00", "实收现金", "¥200.00", "找零", "¥103.30", "购物券尾号", "PJDK",
                     "券内余额", "投诉举报电话：0374-12345", "扫码评价本次购物"):
        assert expected in html, expected
    assert "张秀英" not in html and "8M3KT" not in html
    assert 'class="receipt-page paper-58"' in html
    assert "/static/css/receipt.css" in html


def test_no_inline_script_or_style(req):
    html = render_html(receipt(voided=True), paper_mm=80)
    assert "style=" not in html and "<style" not in html
    assert re.findall(r"<script[^>]*>", html) == ['<script src="/static/js/receipt.js" defer>']
    assert "paper-80" in html and html.count("作废") >= 2


def test_the_print_stylesheet_sizes_the_page_for_58_and_80_mm():
    css = (ROOT / "static" / "css" / "receipt.css").read_text()
    assert re.search(r"@page receipt-58 \{ size: 58mm ", css)
    assert re.search(r"@page receipt-80 \{ size: 80mm ", css)
    assert ".paper-58 { page: receipt-58;" in css.replace(".receipt-page.paper-58", ".paper-58")
    assert "@media print" in css


def test_the_inline_qr_decodes_to_the_feedback_url(req):
    html = render_html(receipt(), paper_mm=58)
    size = int(re.search(r'viewBox="0 0 (\d+) \d+"', html).group(1))
    path = re.search(r'<path d="([^"]+)"', html).group(1)
    assert (size, path) == qr_svg_path(URL)
    scale = 8
    img = Image.new("L", (size * scale, size * scale), 255)
    for x, y, w in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\d+z", path):
        x, y, w = int(x), int(y), int(w)
        img.paste(0, (x * scale, y * scale, (x + w) * scale, (y + 1) * scale))
    found = zxingcpp.read_barcodes(img)
    assert [r.text for r in found] == [URL]


def test_paper_width_must_be_58_or_80(req):
    with pytest.raises(ValueError):
        render_html(receipt(), paper_mm=76)


def test_english_html_when_asked(req):
    html = render_html(receipt(), locale="en")
    assert 'lang="en"' in html and "Total due" in html


def test_receipt_number_format():
    assert receipt_number("wd01", dt.date(2026, 3, 5), 7) == "WD01-20260305-0007"
    assert receipt_number("WD01", dt.date(2026, 3, 5), 12345) == "WD01-20260305-12345"
    with pytest.raises(ValueError):
        receipt_number("WD01", dt.date(2026, 3, 5), 0)


def _kwargs(**over):
    base = dict(shop_name="店", shop_address="", hotline="12345", cashier_name="张",
                issued_at=dt.datetime(2026, 3, 5, tzinfo=dt.UTC), receipt_no="WD01-20260305-0001",
                lines=(ReceiptLine("米", 1, "袋", 500, 400, charity=True),),
                payments=(ReceiptPayment("cash", 400),))
    base.update(over)
    return base


@pytest.mark.parametrize(("over", "error"), [
    ({"payments": (ReceiptPayment("cash", 300),)}, ValueError),  # does not add up
    ({"receipt_no": "WD01-2026-1"}, ValueError),
    ({"issued_at": dt.datetime(2026, 3, 5)}, ValueError),  # naive
    ({"lines": ()}, ValueError),
    ({"cash_tendered_fen": 1000, "change_fen": 500}, ValueError),  # change should be 600
    ({"change_fen": 100}, ValueError),  # change without cash tendered
    ({"payments": (ReceiptPayment("voucher", 400),)}, ValueError),  # voucher without its last 4
])
def test_an_inconsistent_receipt_is_refused(over, error):
    with pytest.raises(error):
        Receipt(**_kwargs(**over))


def test_money_must_be_integer_fen():
    with pytest.raises(TypeError):
        ReceiptLine("米", 1, "袋", 5.0, 4)
    with pytest.raises(TypeError):
        ReceiptPayment("cash", 1.5)
    with pytest.raises(ValueError):
        ReceiptPayment("bitcoin", 100)
    with pytest.raises(ValueError):
        receipt_line(qty=0)


def test_payments_are_listed_voucher_first_and_totals_add_up():
    r = receipt(voucher_fen=2900, other_method="wechat")
    assert [p.method for p in r.payments] == ["voucher", "wechat"]
    assert r.paid_fen == r.total_fen == 12570 and r.savings_fen == 2000
    assert r.cash_tendered_fen is None and r.change_fen == 0
