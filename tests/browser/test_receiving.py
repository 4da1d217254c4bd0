"""Receiving in Debian's chromium at 1024×768 (issue 11, item 11): after each scan the row shows
the product the code names — name, unit, the shop's stock — or says no product has that code;
axe-core finds nothing on the page in either state."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.browser.conftest import SCREENSHOTS, run_axe
from tests.browser.test_till import log_in, oil_barcode, scan

pytestmark = pytest.mark.browser


def _oil(live_server) -> tuple[str, str, int]:
    from app.auth.models import Shop
    from app.extensions import db
    from app.inventory import services
    from app.inventory.models import Product

    code = oil_barcode(live_server)
    with live_server.app.app_context():
        product = db.session.scalar(sa.select(Product).where(Product.barcode == code))
        shop = db.session.scalar(sa.select(Shop).where(Shop.code == "WD01"))
        return code, product.unit, services.stock_on_hand(shop.id, product.id)


def test_a_scanned_code_shows_its_product_and_an_unknown_one_says_so(live_server, new_page):
    code, unit, stock = _oil(live_server)
    page = new_page(bypass_csp=True, viewport={"width": 1024, "height": 768})
    log_in(page, live_server, "manager")
    page.goto(live_server.url("/inventory/stock/receiving/new"))
    assert run_axe(page) == []

    first = page.get_by_label("第 1 行条码")
    first.focus()
    scan(page, code)  # a scanner types the code and Enter: the focus moves on to the quantity
    row = page.locator("table[data-lookup] tbody tr").nth(0)
    shown = row.locator("output[data-product]")
    shown.filter(has_text="大豆油").wait_for()
    assert shown.inner_text() == f"大豆油 5L（{unit}）· 本店现有 {stock}"
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "第 1 行数量"
    page.keyboard.type("12")

    page.get_by_label("第 2 行条码").focus()
    scan(page, "6901234567892")
    unknown = page.locator("table[data-lookup] tbody tr").nth(1).locator("output[data-product]")
    unknown.filter(has_text="没有条码").wait_for()
    assert unknown.inner_text() == "没有条码为 6901234567892 的商品，请核对"
    assert "unknown" in (unknown.get_attribute("class") or "")
    assert run_axe(page) == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "receiving-lookup.png"))

    # a corrected code replaces what the row said
    page.get_by_label("第 2 行条码").fill(code)
    page.get_by_label("第 2 行数量").focus()
    unknown.filter(has_text="大豆油").wait_for()
    assert "unknown" not in (unknown.get_attribute("class") or "")
