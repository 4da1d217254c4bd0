"""The harness itself: log in as the demo cashier through the real form; axe-core on the login page."""

from __future__ import annotations

import re

import pytest

from app.auth.demo import DEMO_PASSWORD
from tests.browser.conftest import SCREENSHOTS, run_axe

pytestmark = pytest.mark.browser


def test_the_demo_cashier_logs_in_through_the_login_form(live_server, page):
    page.goto(live_server.url("/"))
    assert re.search(r"/login", page.url)  # not logged in: sent to the login page
    assert page.locator("h1").inner_text() == "登录慈善超市系统"
    page.get_by_label("用户名").fill("cashier")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "login.png"))
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(live_server.url("/"))
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert "魏都店 收银员小张" in page.locator(".whoami").inner_text()
    assert "魏都区慈善超市（七里店）" in page.locator(".whoami").inner_text()
    assert page.get_by_role("button", name="退出").is_visible()


def test_a_wrong_password_is_refused_in_chinese(live_server, page):
    page.goto(live_server.url("/login"))
    page.get_by_label("用户名").fill("cashier")
    page.get_by_label("密码").fill("not-the-password")
    page.get_by_role("button", name="登录").click()
    assert "/login" in page.url
    assert "用户名或密码错误" in page.locator(".flash-error").inner_text()
    assert page.locator(".whoami").count() == 0


def test_the_login_page_has_no_serious_accessibility_violations(live_server, new_page):
    page = new_page(bypass_csp=True)  # axe-core is injected as an inline script
    page.goto(live_server.url("/login"))
    violations = run_axe(page)
    assert violations == [], violations


def test_the_harness_sees_accessibility_violations_and_csp_violations(live_server, new_page, browser_errors):
    """The two checks above can fail: axe reports a missing alt text, the page fixture a blocked
    inline script."""
    page = new_page(bypass_csp=True)
    page.goto(live_server.url("/login"))
    page.evaluate("""() => { const img = document.createElement('img');
        img.src = 'data:image/gif;base64,R0lGODlhAQABAAAAACw='; document.querySelector('main').append(img); }""")
    assert "image-alt" in [v["id"] for v in run_axe(page)]

    strict = new_page()
    strict.goto(live_server.url("/login"))
    with strict.expect_console_message(lambda msg: "Content Security Policy" in msg.text):
        strict.evaluate("""() => { const s = document.createElement('script');
            s.textContent = 'window.injected = 1'; document.head.append(s); }""")
    assert strict.evaluate("() => window.injected") is None
    assert any("Content Security Policy" in e for e in browser_errors), browser_errors
    browser_errors.clear()
