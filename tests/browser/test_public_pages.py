"""The public voucher page a recipient opens on a phone: accessible, large text, nothing personal."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.browser.conftest import SCREENSHOTS, run_axe
from tests.browser.test_till import demo_voucher

pytestmark = pytest.mark.browser


def test_public_voucher_page_on_a_phone(live_server, new_page):
    """The QR holds /v#CODE: the page's script reads the fragment, asks by POST, takes the code
    out of the address bar; no request the phone sends has the code in its URL."""
    code, masked = demo_voucher(live_server)
    page = new_page(viewport={"width": 390, "height": 844}, bypass_csp=True, device_scale_factor=2)
    sent = []
    page.on("request", lambda r: sent.append((r.method, r.url, r.headers.get("referer") or "")))
    page.goto(live_server.url(f"/v#{code}"))
    page.locator("#voucher-result .balance-card").wait_for()
    assert "#" not in page.url and page.url == live_server.url("/v")
    assert ("POST", live_server.url("/api/v1/vouchers/balance"), live_server.url("/v")) in sent
    for _method, url, referer in sent:
        assert code not in url and code not in referer
    text = page.locator("body").inner_text()
    assert "¥29.00" in text and "可以使用" in text and code[-4:] in text
    assert page.locator("#voucher-shops").is_visible()
    assert masked not in text and masked[0] + "*" not in text  # not even the masked name
    size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('main')).fontSize)")
    assert size >= 18
    line = page.evaluate("(() => { const s = getComputedStyle(document.querySelector('main p') || document.body);"
                         " return parseFloat(s.lineHeight) / parseFloat(s.fontSize); })()")
    assert line >= 1.3
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "voucher-public.png"), full_page=True)
    assert run_axe(page) == []


def test_an_old_printed_link_and_a_typed_code_still_work(live_server, new_page):
    code, _masked = demo_voucher(live_server)
    page = new_page(viewport={"width": 390, "height": 844})
    page.goto(live_server.url(f"/v/{code}"))  # a sheet printed before: redirected to the fragment
    page.locator("#voucher-result .balance-card").wait_for()
    assert page.url == live_server.url("/v")
    page.get_by_label("券码（字母不分大小写，可不输入横线）").fill("ABCDE-FGHJK-MNPQR-STVWX-Y")
    page.get_by_role("button", name="查询").click()
    page.locator("#voucher-result [data-result=unknown]").wait_for()
    assert page.locator("#voucher-result .balance-card").count() == 0
    page.get_by_label("券码（字母不分大小写，可不输入横线）").fill(code.lower())
    page.get_by_role("button", name="查询").click()
    page.locator("#voucher-result .balance-card").wait_for()
    assert page.url == live_server.url("/v")  # the typed code went in a POST body, not the URL


def spent_voucher(live_server) -> tuple[str, list[str], list[str]]:
    """A demo voucher of this month spent at a till: (code, the shops' names, staff names the
    page must not show)."""
    from app.auth.models import User
    from app.core.timeutil import Period
    from app.extensions import db
    from app.vouchers import history
    from app.vouchers import services as vouchers
    from app.vouchers.models import Voucher, VoucherLedger

    with live_server.app.app_context():
        v = db.session.scalar(sa.select(Voucher).join(VoucherLedger, VoucherLedger.voucher_id == Voucher.id)
                              .where(Voucher.period == str(Period.current()), Voucher.status == "active",
                                     VoucherLedger.kind == "redeem").order_by(Voucher.id))
        rows = history.histories([v.id])[v.id]
        staff = [n for u in db.session.scalars(sa.select(User).where(User.role.in_(("cashier", "manager"))))
                 for n in (u.username, u.display_name) if n]
        out = vouchers.code_of(v), sorted({h["shop"] for h in rows if h["shop"]}), staff
        db.session.remove()
        return out


def test_the_balance_page_shows_where_the_voucher_was_spent(live_server, new_page):
    """Item 15 of issue 11: the holder sees the day, the shop, the amount and what happened, in
    large type, and no cashier."""
    code, shops, staff = spent_voucher(live_server)
    page = new_page(viewport={"width": 390, "height": 844}, bypass_csp=True, device_scale_factor=2)
    page.goto(live_server.url(f"/v#{code}"))
    items = page.locator("#voucher-result .history-item")
    items.first.wait_for()
    text = page.locator("#voucher-result").inner_text()
    assert "使用记录" in text and "发放购物券" in text and "购物使用" in text and "减少" in text
    for shop in shops:
        assert shop in text
    for name in staff:
        assert name not in text
    assert items.count() >= 2
    size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.history-item')).fontSize)")
    assert size >= 18
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # no sideways scrolling on the phone
    page.screenshot(path=str(SCREENSHOTS / "voucher-public-history.png"), full_page=True)
    assert run_axe(page) == []
