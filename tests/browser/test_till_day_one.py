"""The till on day one (issue 11), in Debian's chromium at 1024x768 and 1280x800: the whole
catalogue is searchable, the page shows the server's quote and what to do at a limit, every
dialog fits with its main button on screen, errors show in the open dialog, a scan on the paid
screen starts the next sale, voids are confirmed, the Z report prints."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_till import log_in, new_cashier, open_shift, scan

pytestmark = pytest.mark.browser

SIZES = [{"width": 1024, "height": 768}, {"width": 1280, "height": 800}]


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name))


def more_products(live_server, n: int = 60) -> None:
    """Enough products that the demo's 15 and these make more than the API's 50 a page, in a
    category listed first (so 啤酒 comes last of all)."""
    from app.extensions import db
    from app.inventory import services
    from app.inventory.barcodes import make_ean13
    from app.inventory.models import Category, Product

    with live_server.app.app_context():
        if db.session.scalar(sa.select(Category).where(Category.name == "批量测试")) is None:
            cat = services.create_category(name="批量测试", voucher_allowed=True, sort_order=1)
            for i in range(n):
                services.create_product(barcode=make_ean13(f"69300{i:07d}"), name=f"批量商品{i:03d}",
                                        category_id=cat.id, unit="件", market_price_fen=1000 + i,
                                        charity_price_fen=900)
            db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Product)) > 50


def beer_barcode(live_server) -> str:
    from app.extensions import db
    from app.inventory.models import Product

    with live_server.app.app_context():
        return db.session.scalar(sa.select(Product.barcode).where(Product.name == "啤酒 500ml"))


def tiles(page) -> list[str]:
    return page.locator("#products .till-product .till-product-name").all_inner_texts()


def test_the_till_finds_every_product_by_name_initials_and_barcode(live_server, page):
    more_products(live_server)
    new_cashier(live_server, "search1")
    log_in(page, live_server, username="search1")
    page.goto(live_server.url("/pos/"))
    open_shift(page)
    page.locator("#products .till-product").first.wait_for()
    assert page.evaluate("window.till.state.products.length") >= 75

    search = page.locator("#search")
    for query in ("啤酒", "pj", "PJ", beer_barcode(live_server)):
        search.fill(query)
        assert tiles(page) == ["啤酒 500ml"], query
    search.fill("dm")                      # 东北大米 by the initials of 大米
    assert "东北大米 5kg" in tiles(page)

    # Enter on a name that finds one product sells it; a scan of its barcode too
    search.fill("啤酒")
    search.press("Enter")
    page.locator('#cart [data-product-id]').first.wait_for()
    assert page.locator("#cart .till-qty").inner_text() == "1"
    page.locator("#products .till-product").first.click()   # focus off the search box
    scan(page, beer_barcode(live_server))
    page.locator("#cart .till-qty", has_text="2").wait_for()
    assert page.locator("#banner").is_hidden()
