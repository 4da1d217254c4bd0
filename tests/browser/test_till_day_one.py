"""The till on day one (issue 11), in Debian's chromium at 1024x768 and 1280x800: the whole
catalogue is searchable, the page shows the server's quote and what to do at a limit, every
dialog fits with its main button on screen, errors show in the open dialog, a scan on the paid
screen starts the next sale, voids are confirmed, the Z report prints."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from tests.browser.conftest import SCREENSHOTS, run_axe
from tests.browser.test_till import demo_voucher, log_in, new_cashier, open_shift, scan

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api", reason="playwright (requirements-dev.txt) is missing").expect

SIZES = [{"width": 1024, "height": 768}, {"width": 1280, "height": 800}]


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name))


def more_products(live_server, n: int = 60) -> None:
    """Enough products that the demo's 15 and these make more than the API's 50 a page, in a
    category listed before 酒水 (so 啤酒 comes after the first 50, last of all)."""
    from app.extensions import db
    from app.inventory import services
    from app.inventory.barcodes import make_ean13
    from app.inventory.models import Category, Product

    with live_server.app.app_context():
        if db.session.scalar(sa.select(Category).where(Category.name == "批量测试")) is None:
            cat = services.create_category(name="批量测试", voucher_allowed=True, sort_order=85)
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


def test_the_till_finds_every_product_by_name_initials_and_barcode(live_server, new_page):
    page = new_page(bypass_csp=True, viewport=SIZES[0])
    more_products(live_server)
    new_cashier(live_server, "search1")
    log_in(page, live_server, username="search1")
    page.goto(live_server.url("/pos/"))
    open_shift(page)
    page.locator("#products .till-product").first.wait_for()
    assert page.evaluate("window.till.state.products.length") >= 75
    assert page.evaluate("window.till.state.products.map(p => p.name).indexOf('啤酒 500ml')") >= 50
    expect(page.locator("h1")).to_have_text("收银台 · 魏都区慈善超市（七里店）")
    # out-of-stock tiles (卫生纸 has none) keep their contrast; the page and the look-up dialog pass axe
    expect(page.locator(".till-product.is-out").first).to_be_visible()
    assert run_axe(page) == []
    page.get_by_role("button", name="查找救助对象").click()
    assert_fits(page, "#dlg-lookup")
    assert run_axe(page) == []
    page.locator("#dlg-lookup").get_by_role("button", name="关闭").click()

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


def rice_barcode(live_server) -> str:
    """The demo's 东北大米 5kg: market ¥39.90, charity ¥29.90, one bag a month at charity price."""
    from app.extensions import db
    from app.inventory.models import Product

    with live_server.app.app_context():
        return db.session.scalar(sa.select(Product.barcode).where(Product.name == "东北大米 5kg"))


def test_the_page_shows_the_servers_quote_and_the_choice_at_a_limit(live_server, new_page):
    page = new_page(bypass_csp=True, viewport=SIZES[0])
    code, _masked = demo_voucher(live_server)
    new_cashier(live_server, "quote1")
    log_in(page, live_server, username="quote1")
    page.goto(live_server.url("/pos/"))
    open_shift(page)
    page.locator("#products .till-product").first.wait_for()
    quotes = []
    page.on("request", lambda r: quotes.append(r.post_data_json) if r.url.endswith("/sales/quote") else None)

    scan(page, live_server.url(f"/v#{code}"))
    page.locator("#who-some").wait_for(state="visible")
    rice = rice_barcode(live_server)
    scan(page, rice)
    expect(page.locator("#t-total")).to_have_text("¥29.90")        # one bag at charity price
    split = page.locator("#cart .till-line-split")
    expect(split).to_have_text("慈善价 1 × ¥29.90 = ¥29.90")
    # the limit is reached with the bag in the cart: the grid shows the next bag at market price
    tile = page.locator('#products .till-product', has_text="东北大米 5kg")
    expect(tile.locator(".till-product-price")).to_have_text("¥39.90 / 袋")
    expect(tile.locator(".till-product-limit")).to_have_text("本月慈善价已买满")

    scan(page, rice)                                                  # the second bag: over the limit
    notice = page.locator("#limit-notice")
    expect(notice).to_be_visible()
    expect(notice.locator(".till-limit-text")).to_have_text("“东北大米 5kg”每月慈善价限购 1袋，本月还可买 1袋")
    expect(split).to_have_text("慈善价 1 × ¥29.90 · 市场价 1 × ¥39.90 = ¥69.80")
    expect(page.locator("#t-total")).to_have_text("¥69.80")          # what the server will charge
    expect(page.get_by_role("button", name="收款", exact=True)).to_be_disabled()
    assert quotes and quotes[-1]["over_limit"] == "refuse" and "voucher_code" in quotes[-1]
    assert run_axe(page) == []
    shot(page, "till-limit.png")

    # one tap: take the second bag out
    notice.get_by_role("button", name="拿掉 1袋").click()
    expect(page.locator("#cart .till-qty")).to_have_text("1")
    expect(notice).to_be_hidden()
    expect(page.locator("#t-total")).to_have_text("¥29.90")

    # again, and this time sell the rest at market price: the sale goes through at ¥69.80
    scan(page, rice)
    notice.get_by_role("button", name="其余 1袋 按市场价卖").click()
    expect(notice.locator(".till-limit-chosen")).to_have_text("超出的 1袋 按市场价收")
    pay_button = page.get_by_role("button", name="收款", exact=True)
    expect(pay_button).to_be_enabled()
    assert quotes[-1]["over_limit"] == "market"
    expect(page.locator("#t-due")).to_have_text("¥40.80")            # ¥69.80 less the ¥29.00 voucher
    pay_button.click()
    pay = page.locator("#dlg-pay")
    for key in "50":
        pay.locator(f'[data-key="{key}"]').click()
    pay.get_by_role("button", name="确认收款").click()
    page.locator("#dlg-done").wait_for(state="visible")
    expect(page.locator("#done-change")).to_have_text("¥9.20")


def oil_barcode(live_server) -> str:
    from app.extensions import db
    from app.inventory.models import Product

    with live_server.app.app_context():
        return db.session.scalar(sa.select(Product.barcode).where(Product.name == "大豆油 5L"))


def assert_fits(page, dialog: str, main: str | None = None) -> None:
    """The open dialog has no scrolling of its own and its main button is wholly on screen."""
    size = page.viewport_size
    d = page.locator(dialog)
    expect(d).to_be_visible()
    overflow = d.evaluate("d => d.scrollHeight - d.clientHeight")
    assert overflow <= 0, f"{dialog} scrolls by {overflow}px at {size}"
    button = d.locator(main or "[data-main]:visible").first
    box = button.bounding_box()
    assert box is not None, f"{dialog}: no main button"
    assert box["x"] >= 0 and box["y"] >= 0, (dialog, box)
    assert box["x"] + box["width"] <= size["width"] and box["y"] + box["height"] <= size["height"], (dialog, box, size)


def assert_error_in_dialog(page, dialog: str, text: str) -> None:
    """The error is inside the open dialog, on screen and on top (what the cashier sees), and not
    in the banner behind it."""
    error = page.locator(f"{dialog} .till-dialog-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text(text)
    assert page.locator("#banner").is_hidden()
    on_top = error.evaluate("""e => { const r = e.getBoundingClientRect();
        const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
        return !!hit && (hit === e || e.contains(hit)); }""")
    assert on_top


@pytest.mark.parametrize("size", SIZES, ids=["1024x768", "1280x800"])
def test_every_till_dialog_fits_and_shows_its_errors(live_server, new_page, size):
    big = size["width"] == 1024
    page = new_page(bypass_csp=True, viewport=size)
    user = f"fit{size['width']}"
    new_cashier(live_server, user)
    log_in(page, live_server, username=user)
    page.goto(live_server.url("/pos/"))

    # open the shift
    assert_fits(page, "#dlg-shift")
    assert run_axe(page) == []
    open_shift(page, "100")
    page.locator("#products .till-product").first.wait_for()

    # pay: the dialog fits; too little cash says so inside the dialog
    scan(page, oil_barcode(live_server))
    expect(page.locator("#t-total")).to_have_text("¥69.90")
    page.get_by_role("button", name="收款", exact=True).click()
    pay = page.locator("#dlg-pay")
    assert_fits(page, "#dlg-pay")
    pay.locator('[data-key="5"]').click()
    pay.get_by_role("button", name="确认收款").click()
    assert_error_in_dialog(page, "#dlg-pay", "还需支付 ¥64.90")
    assert run_axe(page) == []
    if big:
        shot(page, "till-pay-error.png")
    # a limit refused at the last moment (another till sold the last charity bag) shows there too
    refused = []

    def refuse_once(route):
        if refused or route.request.method != "POST":
            route.continue_()
            return
        refused.append(route.request.url)
        message = "“东北大米 5kg”每月慈善价限购 1袋，本月还可买 0袋"
        route.fulfill(status=409, json={"error": {"code": "limit_exceeded", "message": message}})

    page.route("**/api/v1/sales", refuse_once)
    pay.locator('[data-key="⌫"]').click()
    for key in "100":
        pay.locator(f'[data-key="{key}"]').click()
    expect(pay.locator(".till-dialog-error")).to_be_hidden()          # typing again: the error is read
    pay.get_by_role("button", name="确认收款").click()
    assert_error_in_dialog(page, "#dlg-pay", "本月还可买 0袋")
    if big:
        shot(page, "till-pay.png")
    with page.expect_popup() as receipt:       # no receipt printer here: the browser prints it
        pay.get_by_role("button", name="确认收款").click()
    receipt.value.close()
    page.bring_to_front()
    done = page.locator("#dlg-done")
    done.wait_for(state="visible")
    assert_fits(page, "#dlg-done")
    assert run_axe(page) == []
    receipt_no = page.locator("#done-receipt-no").inner_text().split()[-1]
    page.get_by_role("button", name="下一位").click()
    expect(done).to_be_hidden()

    # recent sales, then the void's confirmation; a wrong manager PIN is said inside the dialog
    page.get_by_role("button", name="作废 / 重打").click()
    recent = page.locator("#dlg-recent")
    row = recent.locator("li", has_text=receipt_no)
    row.wait_for()
    assert_fits(page, "#dlg-recent", "#recent-close")
    assert run_axe(page) == []
    if big:
        shot(page, "till-recent.png")
    row.get_by_role("button", name=f"作废 {receipt_no}").click()
    expect(page.locator("#void-auth")).to_be_visible()
    assert_fits(page, "#dlg-recent")
    page.locator("#void-reason").fill("顾客不要了")
    expect(page.locator("#void-lines")).to_have_text("大豆油 5L × 1桶 · ¥69.90")
    expect(page.locator("#void-refund")).to_have_text("退款：现金 ¥69.90")
    page.locator("#void-manager").fill("manager")
    page.locator("#void-pin").fill("0000")
    recent.locator("#void-confirm").click()
    assert_error_in_dialog(page, "#dlg-recent", "店长账号或授权码不正确")
    assert run_axe(page) == []
    if big:
        shot(page, "till-void-error.png")
    recent.get_by_role("button", name="返回").click()
    recent.get_by_role("button", name="关闭").click()

    # close the shift: the count, then the Z report with its print button
    page.get_by_role("button", name="交班").click()
    assert_fits(page, "#dlg-close")
    assert run_axe(page) == []
    close = page.locator("#dlg-close")
    for key in "169.9":
        close.locator(f'[data-key="{key}"]').click()
    with page.expect_popup() as z_popup:
        close.get_by_role("button", name="确认交班").click()
    expect(page.locator("#close-report")).to_be_visible()
    assert_fits(page, "#dlg-close", "#close-print")
    assert run_axe(page) == []
    expect(page.locator("#close-report")).to_contain_text("收银员 魏都店 收银员")
    expect(page.locator("#close-report div", has_text="差额").locator("dd")).to_have_text("¥0.00")
    z_page = z_popup.value
    z_page.wait_for_load_state()
    z_text = z_page.locator("main").inner_text()
    assert "交班报告 Z" in z_text and "魏都店 收银员" in z_text and "开班" in z_text and "交班" in z_text
    assert run_axe(z_page) == []
    # the report's own page names the cashier and the shift and links the paper widths
    z_page.goto(live_server.url(page.locator("#close-report a").get_attribute("href")))
    expect(z_page.locator("main")).to_contain_text("魏都店 收银员")
    expect(z_page.get_by_role("link", name="打印（80 毫米）")).to_be_visible()
    assert run_axe(z_page) == []
    z_page.close()
    if big:
        shot(page, "till-zreport.png")


def test_a_scan_on_the_paid_screen_starts_the_next_sale(live_server, page):
    new_cashier(live_server, "nextscan")
    log_in(page, live_server, username="nextscan")
    page.goto(live_server.url("/pos/"))
    open_shift(page)
    page.locator("#products .till-product").first.wait_for()
    scan(page, oil_barcode(live_server))
    page.get_by_role("button", name="收款", exact=True).click()
    pay = page.locator("#dlg-pay")
    for key in "100":
        pay.locator(f'[data-key="{key}"]').click()
    with page.expect_popup() as receipt:       # no receipt printer here: the browser prints it
        pay.get_by_role("button", name="确认收款").click()
    receipt.value.close()
    page.bring_to_front()
    done = page.locator("#dlg-done")
    done.wait_for(state="visible")
    expect(page.locator("#done-change")).to_have_text("¥30.10")

    # the next customer's first item, scanned while the change is still shown
    scan(page, beer_barcode(live_server))
    expect(done).to_be_hidden()
    lines = page.locator("#cart [data-product-id]")
    expect(lines).to_have_count(1)
    expect(lines.first).to_contain_text("啤酒 500ml")
    expect(page.locator("#t-total")).to_have_text("¥4.50")
    assert page.locator("#banner").is_hidden()
    assert page.evaluate("window.till.state.who") is None


def cashier_sale_with_voucher(live_server, username: str) -> tuple[str, str]:
    """A sale by a cashier of the shop (her own shift): 大豆油 5L at charity price ¥49.90, the
    voucher's ¥29.00 and ¥20.90 cash. (receipt number, masked recipient)"""
    import uuid

    from app.auth.models import User
    from app.extensions import db
    from app.pos import checkout
    from app.pos import services as pos

    code, masked = demo_voucher(live_server)
    oil = oil_barcode(live_server)
    new_cashier(live_server, username, name="魏都店 小王")
    with live_server.app.app_context():
        cashier = db.session.scalar(sa.select(User).where(User.username == username))
        pos.open_shift(cashier=cashier, float_fen=0)
        sale, _ = checkout.checkout(cashier=cashier, idempotency_key=str(uuid.uuid4()), voucher_code=code,
                                    lines=[{"barcode": oil, "qty": 1}],
                                    payments=[{"method": "cash", "amount_fen": 2090}])
        db.session.commit()
        return sale.receipt_no, masked


def test_a_manager_voids_a_cashiers_sale_after_seeing_what_is_refunded(live_server, new_page):
    from app.auth.models import User
    from app.extensions import db
    from app.pos.models import Sale, Void

    receipt_no, masked = cashier_sale_with_voucher(live_server, "xiaowang")
    page = new_page(bypass_csp=True, viewport=SIZES[0])
    new_cashier(live_server, "manager9", role="manager", name="魏都店 值班店长")
    log_in(page, live_server, username="manager9")
    page.goto(live_server.url("/pos/"))
    open_shift(page)
    page.locator("#products .till-product").first.wait_for()

    page.get_by_role("button", name="作废 / 重打").click()
    recent = page.locator("#dlg-recent")
    expect(recent.locator("h2")).to_have_text("本店今日交易")
    row = recent.locator("li", has_text=receipt_no)
    expect(row).to_contain_text("大豆油 5L×1")
    expect(row).to_contain_text(f"魏都店 小王 · {masked} · 购物券 ¥29.00 · 现金 ¥20.90")
    expect(row.locator(".till-recent-time")).to_have_text(re.compile(r"^\d\d:\d\d$"))
    expect(row.locator(".till-recent-total")).to_have_text("¥49.90")

    row.get_by_role("button", name=f"作废 {receipt_no}").click()
    expect(recent.locator("h2")).to_have_text("确认作废整单")
    expect(page.locator("#void-sale")).to_contain_text(receipt_no)
    expect(page.locator("#void-sale")).to_contain_text(masked)
    expect(page.locator("#void-lines")).to_have_text("大豆油 5L × 1桶 · ¥49.90")
    expect(page.locator("#void-refund")).to_have_text("退款：退回购物券 ¥29.00 · 现金 ¥20.90")
    expect(page.locator("#void-auth")).to_be_hidden()              # the manager authorises it herself
    confirm = recent.get_by_role("button", name="确认作废 ¥49.90")
    # nothing is voided before the confirmation
    with live_server.app.app_context():
        sale_id = db.session.scalar(sa.select(Sale.id).where(Sale.receipt_no == receipt_no))
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Void).where(Void.sale_id == sale_id)) == 0
    confirm.click()
    assert_error_in_dialog(page, "#dlg-recent", "请填写作废原因")    # no reason yet
    page.locator("#void-reason").fill("顾客退货")
    expect(page.locator("#dlg-recent .till-dialog-error")).to_be_hidden()
    assert_fits(page, "#dlg-recent")
    assert run_axe(page) == []
    shot(page, "till-void-confirm.png")
    confirm.click()
    expect(recent).to_be_hidden()
    with live_server.app.app_context():
        void = db.session.scalar(sa.select(Void).where(Void.sale_id == sale_id))
        assert (void.total_fen, void.voucher_refund_fen, void.refunds) == (4990, 2900, {"cash": 2090})
        manager = db.session.get(User, void.manager_id)
        assert manager.username == "manager9"
