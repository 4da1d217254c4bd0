"""The donation form in Debian's chromium at 1024×768 (issue 11, item 19): a manager types two
lines, one value the server refuses; everything typed comes back, the row is marked and named
and has the focus; "5,000" is money; axe-core finds nothing on the form or its error state."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.browser.conftest import SCREENSHOTS, run_axe
from tests.browser.test_till import log_in

pytestmark = pytest.mark.browser


def test_a_refused_line_is_marked_and_nothing_typed_is_lost(live_server, new_page):
    from app.donations.models import Donation
    from app.extensions import db

    page = new_page(bypass_csp=True, viewport={"width": 1024, "height": 768})
    log_in(page, live_server, "manager")
    page.goto(live_server.url("/donations/new"))
    assert run_axe(page) == []
    page.locator("#donor_id").select_option(label="河南同心商贸有限公司")
    page.locator("#note").fill("浏览器测试 冬衣")
    first = page.locator("fieldset.donation-line").nth(0)
    first.locator('select[name$="-kind"]').select_option("clothing")
    first.get_by_label("品名").fill("冲锋衣（测试）")
    first.get_by_label("尺码").fill("XL")
    first.locator('select[name$="-season"]').select_option("winter")
    first.get_by_label("数量（件）").fill("50")
    first.get_by_label("估值（元）").fill("5,000")
    second = page.locator("fieldset.donation-line").nth(1)
    second.get_by_label("品名").fill("棉被（测试）")
    second.get_by_label("数量（件）").fill("３")  # full-width, as a Chinese IME types it
    second.get_by_label("估值（元）").fill("4,50")  # a comma where no thousands are
    page.get_by_role("button", name="提交登记").click()
    page.wait_for_load_state()

    alert = page.get_by_role("alert")
    assert "第 2 行的估值格式不正确：4,50" in alert.inner_text()
    assert "请至少填写一行捐赠物品" not in page.locator("body").inner_text()
    first = page.locator("fieldset.donation-line").nth(0)
    second = page.locator("fieldset.donation-line").nth(1)
    assert first.get_by_label("品名").input_value() == "冲锋衣（测试）"
    assert first.get_by_label("尺码").input_value() == "XL"
    assert first.locator('select[name$="-season"]').input_value() == "winter"
    assert first.get_by_label("估值（元）").input_value() == "5,000"
    assert page.locator("#note").input_value() == "浏览器测试 冬衣"
    value = second.get_by_label("估值（元）")
    assert value.get_attribute("aria-invalid") == "true" and value.input_value() == "4,50"
    assert value.evaluate("el => el === document.activeElement")
    # the field's accessible description is the row's message
    assert "第 2 行" in value.evaluate(
        "el => document.getElementById(el.getAttribute('aria-describedby')).textContent")
    assert "has-error" in (second.get_attribute("class") or "")
    assert first.locator('[aria-invalid="true"]').count() == 0
    assert run_axe(page) == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "donation-form-error.png"), full_page=True)

    value.fill("4,500.00")
    page.get_by_role("button", name="提交登记").click()
    page.wait_for_url("**/donations/*")
    assert "已登记捐赠" in page.locator("body").inner_text()
    with live_server.app.app_context():
        donation = db.session.scalar(sa.select(Donation).where(Donation.note == "浏览器测试 冬衣"))
        assert [(x.description, x.quantity, x.estimated_value_fen) for x in donation.lines] == [
            ("冲锋衣（测试）", 50, 500000), ("棉被（测试）", 3, 450000)]
