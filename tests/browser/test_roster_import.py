"""The federation clerk in Debian's chromium (items 12–14 of issue 11): a roster with real
civil-affairs labels and two bad rows; the clerk imports the valid rows, downloads the left-out
ones, and finds the new people in the registry by district name."""

from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa

from tests.browser.conftest import SCREENSHOTS, run_axe
from tests.browser.test_till import log_in
from tests.recipients.factories import csv_bytes, person

pytestmark = pytest.mark.browser


def _registry_size(live_server) -> int:
    from app.extensions import db
    from app.recipients.models import Recipient

    with live_server.app.app_context():
        n = db.session.scalar(sa.select(sa.func.count()).select_from(Recipient))
        db.session.remove()
        return n


def test_the_clerk_imports_the_valid_rows_and_downloads_the_bad_ones(live_server, new_page, tmp_path):
    good = [person("浏览甲", category="城市低保", district="411024", township="马栏镇", community="马栏村"),
            person("浏览乙", category="农村低保", district="411024", township="马栏镇", community="马栏村"),
            person("浏览丙", category="分散供养", district="411024", township="马栏镇", community="马栏村")]
    bad = [person("坏号", number="41100219500101123", district="411024"),
           person("坏类", category="临时救助", district="411024")]
    rows = [good[0], bad[0], good[1], bad[1], good[2]]
    before = _registry_size(live_server)

    page = new_page(bypass_csp=True, accept_downloads=True)
    log_in(page, live_server, username="federation")
    page.goto(live_server.url("/recipients/import"))
    labels = page.locator("#category-labels")
    assert "城市低保" in labels.inner_text() and "分散供养" in labels.inner_text()
    assert run_axe(page) == []
    page.locator("input[type=file]").set_input_files(
        {"name": "鄢陵县名册.csv", "mimeType": "text/csv", "buffer": csv_bytes(rows)})
    page.get_by_role("button", name="上传并检查").click()
    page.locator("#bad-rows").wait_for()
    bad_rows = page.locator("#bad-rows table").inner_text()
    assert "第 3 行" in bad_rows and "第 5 行" in bad_rows and "临时救助" in bad_rows
    assert "含完整的身份证号" in page.locator("#bad-rows").inner_text()
    assert _registry_size(live_server) == before  # all or nothing until the clerk chooses
    assert run_axe(page) == []
    page.screenshot(path=str(SCREENSHOTS / "roster-preview-bad-rows.png"), full_page=True)

    page.get_by_role("button", name="只导入正确的 3 行，跳过 2 行").click()
    page.locator("#imported").wait_for()
    assert "已导入 3 行正确的数据" in page.locator("#imported").inner_text()
    assert run_axe(page) == []
    sent = []
    page.on("request", lambda r: sent.append((r.method, r.url)))
    with page.expect_download() as download:
        page.get_by_role("button", name="下载这 2 行（CSV）").click()
    path = tmp_path / "left-out.csv"
    download.value.save_as(path)
    assert download.value.suggested_filename == "鄢陵县名册-未导入.csv"
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(data[3:].decode("utf-8"))))
    assert table[0][-1] == "原因" and [r[:8] for r in table[1:]] == bad
    assert table[1][8].startswith("第 3 行") and table[2][8].startswith("第 5 行")
    for method, url in sent:  # the whole ID numbers came back in a POST's answer, never in a URL
        assert method == "POST" or bad[0][1] not in url
        assert bad[0][1] not in url and bad[1][1] not in url

    assert _registry_size(live_server) == before + 3  # the good rows only
    page.goto(live_server.url("/recipients/"))
    page.get_by_label("区县", exact=True).select_option(label="鄢陵县（411024）")
    page.get_by_label("类别").select_option(label="低保")
    page.get_by_role("button", name="查询").click()
    page.wait_for_url("**/recipients/?*district=411024*")
    listed = page.locator("table").inner_text()
    assert "浏*甲" in listed and "浏*乙" in listed and "浏*丙" not in listed  # 分散供养 is 特困
    assert "鄢陵县" in listed
    assert run_axe(page) == []


def test_the_clerk_sees_where_a_recipients_voucher_went(live_server, new_page):
    """Item 15 of issue 11, for staff: the recipient's page lists the voucher's ledger with the
    shop, the receipt number and the cashier; the issuance page chooses the district by name."""
    from app.core.timeutil import Period
    from app.extensions import db
    from app.pos.models import Sale
    from app.vouchers.models import Voucher

    with live_server.app.app_context():
        sale = db.session.scalar(sa.select(Sale).join(Voucher, Voucher.id == Sale.voucher_id)
                                 .where(Voucher.period == str(Period.current())).order_by(Sale.id))
        rid, receipt_no, shop = sale.recipient_id, sale.receipt_no, sale.shop.name
        db.session.remove()
    page = new_page(bypass_csp=True)
    log_in(page, live_server, username="federation")
    page.goto(live_server.url(f"/recipients/{rid}"))
    ledger = page.locator("#voucher-ledgers details[open]")
    text = ledger.inner_text()
    assert "购物使用" in text and receipt_no in text and shop in text and "发放购物券" in text
    assert run_axe(page) == []
    page.screenshot(path=str(SCREENSHOTS / "recipient-voucher-ledger.png"), full_page=True)
    page.goto(live_server.url("/vouchers/"))  # the live server's PUBLIC_BASE_URL is 127.0.0.1: refused
    assert "不能打印" in page.locator("#sheets-refused").inner_text()
    assert page.locator("#sheet-district").count() == 0
    assert run_axe(page) == []
    base = live_server.app.config["PUBLIC_BASE_URL"]
    live_server.app.config["PUBLIC_BASE_URL"] = "https://cishan.example.cn"
    try:
        page.goto(live_server.url("/vouchers/"))
        assert page.locator("#sheet-district option", has_text="魏都区（411002）").count() == 1
        assert run_axe(page) == []
    finally:
        live_server.app.config["PUBLIC_BASE_URL"] = base
