"""The public voucher page a recipient opens on a phone: accessible, large text, nothing personal."""

from __future__ import annotations

import pytest

from tests.browser.conftest import SCREENSHOTS, run_axe
from tests.browser.test_till import demo_voucher

pytestmark = pytest.mark.browser


def test_public_voucher_page_on_a_phone(live_server, new_page):
    code, masked = demo_voucher(live_server)
    page = new_page(viewport={"width": 390, "height": 844}, bypass_csp=True, device_scale_factor=2)
    page.goto(live_server.url(f"/v/{code}"))
    text = page.locator("body").inner_text()
    assert "¥29.00" in text
    assert masked not in text and masked[0] + "*" not in text  # not even the masked name
    size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('main')).fontSize)")
    assert size >= 18
    line = page.evaluate("(() => { const s = getComputedStyle(document.querySelector('main p') || document.body);"
                         " return parseFloat(s.lineHeight) / parseFloat(s.fontSize); })()")
    assert line >= 1.3
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "voucher-public.png"), full_page=True)
    assert run_axe(page) == []
