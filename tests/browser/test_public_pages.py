"""The public voucher page a recipient opens on a phone: accessible, large text, nothing personal."""

from __future__ import annotations

import pytest

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
