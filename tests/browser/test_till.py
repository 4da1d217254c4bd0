"""The till in Debian's chromium: a cashier opens a shift, scans a product and a voucher as a
handheld scanner types them, pays the rest in cash, sees the change and the receipt."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.auth.demo import DEMO_PASSWORD
from tests.browser.conftest import SCREENSHOTS, run_axe

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api", reason="playwright (requirements-dev.txt) is missing").expect



def oil_barcode(live_server) -> str:
    """The demo's 大豆油 5L: market ¥69.90, charity ¥49.90, voucher-eligible."""
    from app.extensions import db
    from app.inventory.models import Product

    with live_server.app.app_context():
        return db.session.scalar(sa.select(Product.barcode).where(Product.name == "大豆油 5L"))


def demo_voucher(live_server) -> tuple[str, str]:
    """An unspent demo voucher of this month for a recipient in 魏都区: (code, masked name)."""
    from app.core.masking import mask_name
    from app.core.timeutil import Period
    from app.extensions import db
    from app.vouchers import services as vouchers
    from app.vouchers.models import Voucher

    with live_server.app.app_context():
        v = db.session.scalar(sa.select(Voucher).where(Voucher.period == str(Period.current()),
                                                       Voucher.status == "active",
                                                       Voucher.balance_fen == Voucher.face_fen)
                              .order_by(Voucher.id.desc()))
        return vouchers.code_of(v), mask_name(v.recipient.name)


def scan(page, code: str) -> None:
    """Type as a keyboard-wedge scanner does: a few ms a key, then Enter."""
    page.keyboard.type(code, delay=1)
    page.keyboard.press("Enter")


def log_in(page, live_server, username="cashier"):
    page.goto(live_server.url("/login"))
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(live_server.url("/"))


def open_shift(page, float_yuan: str = "") -> None:
    """Open the shift on the dialog the till shows first, keying the float on its keypad."""
    shift = page.locator("#dlg-shift")
    shift.wait_for(state="visible")
    for key in float_yuan:
        shift.locator(f'[data-key="{key}"]').click()
    if float_yuan:
        assert page.locator("#shift-amount").inner_text() == f"¥{float_yuan}.00"
    shift.get_by_role("button", name="开班").click()
    shift.wait_for(state="hidden")


def new_cashier(live_server, username: str, role: str = "cashier", name: str = "魏都店 收银员") -> None:
    """A user of shop WD01 of her own, so her till starts with a fresh shift."""
    from app.auth import services as auth
    from app.extensions import db

    with live_server.app.app_context():
        auth.create_user(username=username, role=role, password=DEMO_PASSWORD, shop_code="WD01", display_name=name)
        db.session.commit()


def sell_oil_for_cash(page, live_server) -> None:
    """Scan the demo's 大豆油 5L, pay with a ¥100 note, wait for the done dialog."""
    page.locator("#products .till-product").first.wait_for()
    scan(page, oil_barcode(live_server))
    page.locator('#cart [data-product-id]').first.wait_for()
    page.get_by_role("button", name="收款", exact=True).click()
    pay = page.locator("#dlg-pay")
    for key in "100":
        pay.locator(f'[data-key="{key}"]').click()
    pay.get_by_role("button", name="确认收款").click()
    page.locator("#dlg-done").wait_for(state="visible")


def test_cashier_sells_with_a_voucher_and_cash(live_server, page):
    code, masked = demo_voucher(live_server)
    log_in(page, live_server)
    page.goto(live_server.url("/pos/"))

    open_shift(page, "100")  # a ¥100 float on the on-screen keypad

    # a product, then the voucher, both from the "scanner"; focus is on nothing in particular
    page.locator("#products .till-product").first.wait_for()
    scan(page, oil_barcode(live_server))
    page.locator('#cart [data-product-id]').first.wait_for()
    expect(page.locator("#t-total")).to_have_text("¥69.90")   # market price before the voucher
    scan(page, live_server.url(f"/v#{code}"))  # what the voucher's QR holds: the code in the fragment
    page.locator("#who-some").wait_for(state="visible")
    assert page.locator("#who-name").inner_text() == masked
    assert page.locator("#who-balance").inner_text() == "¥29.00"
    expect(page.locator("#t-total")).to_have_text("¥49.90")   # charity price at once
    expect(page.locator("#t-savings")).to_have_text("¥20.00")
    expect(page.locator("#t-voucher")).to_have_text("¥29.00")
    expect(page.locator("#t-due")).to_have_text("¥20.90")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "till.png"))

    # pay ¥50 cash: change ¥29.10
    page.get_by_role("button", name="收款", exact=True).click()
    pay = page.locator("#dlg-pay")
    pay.wait_for(state="visible")
    for key in "50":
        pay.locator(f'[data-key="{key}"]').click()
    assert page.locator("#pay-change").inner_text() == "¥29.10"
    with page.expect_popup() as receipt_popup:
        pay.get_by_role("button", name="确认收款").click()
        done = page.locator("#dlg-done")
        done.wait_for(state="visible")
    assert page.locator("#done-change").inner_text() == "¥29.10"
    assert "WD01-" in page.locator("#done-receipt-no").inner_text()
    assert page.locator("#done-voucher").inner_text().endswith("¥0.00")
    page.screenshot(path=str(SCREENSHOTS / "till-paid.png"))

    receipt = receipt_popup.value
    receipt.wait_for_load_state()
    text = receipt.locator("body").inner_text()
    assert "魏都区慈善超市（七里店）" in text and "大豆油 5L" in text and masked in text
    assert code[-4:] in text and code not in text
    receipt.screenshot(path=str(SCREENSHOTS / "receipt.png"))

    # the next customer starts with an empty till
    page.get_by_role("button", name="下一位").click()
    expect(page.locator("#t-total")).to_have_text("¥0.00")
    assert page.locator("#who-none").is_visible()


def test_an_expired_or_unknown_voucher_shows_a_chinese_banner(live_server, page):
    log_in(page, live_server, username="cashier2")
    page.goto(live_server.url("/pos/"))
    open_shift(page)
    scan(page, "ABCDE-FGHJK-MNPQR-STVWX-Y")
    banner = page.locator("#banner")
    banner.wait_for(state="visible")
    assert banner.get_attribute("data-code") == "voucher_unknown"
    text = page.locator("#banner-text").inner_text()
    assert text and all(ord(ch) < 0x2E80 for ch in text) is False  # a Chinese message


def code_with_check_symbol(symbol: str) -> str:
    """A valid voucher code whose Crockford check symbol is `symbol`."""
    from app.vouchers import codes

    while True:
        code = codes.new_code()
        if code.endswith(symbol):
            return code


def test_codes_whose_check_symbol_is_punctuation_are_read_as_vouchers(live_server, page):
    """Crockford's check symbol is one of 37: a code may end in * ~ $ or =, typed with Shift by the
    scanner. The till must take it as a voucher, not look it up as a product barcode."""
    from app.extensions import db
    from app.vouchers import services as vouchers
    from app.vouchers.models import Voucher

    new_cashier(live_server, "cashier4")
    log_in(page, live_server, username="cashier4")
    page.goto(live_server.url("/pos/"))
    open_shift(page)
    page.locator("#products .till-product").first.wait_for()
    for symbol in "*~$=U":
        code = code_with_check_symbol(symbol)
        with live_server.app.app_context():
            v = db.session.scalar(sa.select(Voucher).where(Voucher.status == "active")
                                  .order_by(Voucher.id))
            for field, value in vouchers.code_fields(code).items():
                setattr(v, field, value)
            db.session.commit()
        grouped = "-".join([code[i:i + 5] for i in range(0, 20, 5)] + [code[20:]])
        for form in (code, grouped, live_server.url(f"/v#{code}")):
            scan(page, form)
            page.locator("#who-some").wait_for(state="visible")
            assert page.locator("#banner").is_hidden()
            page.get_by_role("button", name="换人").click()
            page.locator("#who-none").wait_for(state="visible")


def test_the_till_has_no_serious_accessibility_problems(live_server, new_page):
    page = new_page(bypass_csp=True)
    log_in(page, live_server, username="manager")
    page.goto(live_server.url("/pos/"))
    open_shift(page)
    page.locator("#products .till-product").first.wait_for()
    assert run_axe(page) == []


def test_a_lost_answer_is_retried_with_the_same_key_and_charges_once(live_server, page):
    """The network drops the server's answer to the first POST /api/v1/sales: the till retries with
    the same idempotency key, the server answers the first sale again, nothing is sold twice."""
    from app.extensions import db
    from app.pos.models import Sale

    new_cashier(live_server, "cashier3")
    with live_server.app.app_context():
        before = db.session.scalar(sa.select(sa.func.count()).select_from(Sale))
    seen = []

    def drop_first_answer(route):
        if route.request.method == "POST":
            seen.append(route.request.post_data_json["idempotency_key"])
            if len(seen) == 1:
                route.fetch()                   # the server records the sale...
                route.abort("connectionreset")  # ...and the answer never reaches the till
                return
        route.continue_()

    log_in(page, live_server, username="cashier3")
    page.goto(live_server.url("/pos/"))
    open_shift(page)
    page.route("**/api/v1/sales", drop_first_answer)
    sell_oil_for_cash(page, live_server)
    assert page.locator("#done-change").inner_text() == "¥30.10"
    assert len(seen) == 2 and seen[0] == seen[1]
    with live_server.app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Sale)) == before + 1


def test_a_manager_voids_a_sale_and_closes_the_shift_to_the_fen(live_server, page):
    """Recent sales → void (a manager needs no second authorisation), then the shift closes with
    the cash counted on the keypad: the Z report shows the float back and no difference."""
    from app.extensions import db
    from app.pos.models import Sale, Void, ZReport

    new_cashier(live_server, "manager2", role="manager", name="魏都店 值班店长")
    log_in(page, live_server, username="manager2")
    page.goto(live_server.url("/pos/"))
    open_shift(page, "50")
    sell_oil_for_cash(page, live_server)
    receipt_no = page.locator("#done-receipt-no").inner_text().split()[-1]  # "小票号 WD01-..."
    assert receipt_no.startswith("WD01-")
    page.get_by_role("button", name="下一位").click()

    page.get_by_role("button", name="作废 / 重打").click()
    recent = page.locator("#dlg-recent")
    recent.wait_for(state="visible")
    recent.locator("li", has_text=receipt_no).get_by_role("button", name="作废").click()
    page.locator("#void-reason").fill("顾客不要了")
    assert page.locator("#void-auth").is_hidden()
    page.locator("#void-confirm").click()
    recent.wait_for(state="hidden")
    with live_server.app.app_context():
        sale = db.session.scalar(sa.select(Sale).where(Sale.receipt_no == receipt_no))
        assert db.session.scalar(sa.select(Void).where(Void.sale_id == sale.id)).total_fen == 6990

    page.get_by_role("button", name="交班").click()
    close = page.locator("#dlg-close")
    close.wait_for(state="visible")
    for key in "50":
        close.locator(f'[data-key="{key}"]').click()
    close.get_by_role("button", name="确认交班").click()
    report = page.locator("#close-report")
    report.wait_for()
    expect(report.locator("div", has_text="差额").locator("dd")).to_have_text("¥0.00")
    expect(report.locator("div", has_text="应有现金").locator("dd")).to_have_text("¥50.00")
    with live_server.app.app_context():
        z = db.session.scalar(sa.select(ZReport).order_by(ZReport.id.desc()))
        assert (z.expected_cash_fen, z.counted_fen, z.difference_fen) == (5000, 5000, 0)
