"""The manager's PIN page in Debian's chromium at 1024×768 (issue 11, item 8): the demo manager
has the printed demo PIN; a new manager sets one (a wrong password first), and a cashier's
void is authorised with it. axe-core finds nothing on the page, its error or its success."""

from __future__ import annotations

import pytest

from app.auth.demo import DEMO_PASSWORD
from tests.browser.conftest import SCREENSHOTS, run_axe
from tests.browser.test_till import log_in

pytestmark = pytest.mark.browser


def _authorises(live_server, username: str, pin: str) -> bool:
    """Would a cashier of the manager's shop get a void authorised with this PIN?"""
    from app.auth import services as auth
    from app.core.errors import DomainError
    from app.extensions import db
    from app.pos import pins

    with live_server.app.app_context():
        manager = auth.get_user_by_username(username)
        cashier = auth.get_user_by_username("cashier")
        try:
            return pins.authorising_manager(cashier, sale_shop_id=manager.shop_id, manager_username=username,
                                            manager_pin=pin).id == manager.id
        except DomainError:
            return False
        finally:
            db.session.rollback()


def test_the_demo_manager_has_the_printed_pin(live_server, new_page):
    from app.pos.demo import DEMO_PIN

    assert _authorises(live_server, "manager", DEMO_PIN)
    page = new_page(bypass_csp=True, viewport={"width": 1024, "height": 768})
    log_in(page, live_server, "manager")
    page.goto(live_server.url("/"))
    page.get_by_role("link", name="店长授权码").first.click()
    page.wait_for_url("**/pos/pin")
    assert "已设置授权码" in page.locator("#main").inner_text()
    assert run_axe(page) == []


def test_a_new_manager_sets_a_pin_on_the_page(live_server, new_page):
    from app.auth import services as auth
    from app.extensions import db

    with live_server.app.app_context():
        auth.create_user(username="pinmgr", role="manager", password=DEMO_PASSWORD, shop_code="WD01",
                         display_name="魏都店 王副店长")
        db.session.commit()
    page = new_page(bypass_csp=True, viewport={"width": 1024, "height": 768})
    log_in(page, live_server, "pinmgr")
    page.goto(live_server.url("/pos/pin"))
    assert "您还没有设置授权码" in page.locator("#main").inner_text()
    assert run_axe(page) == []

    page.get_by_label("当前登录密码").fill("not-my-password")
    page.get_by_label("新授权码（4–8 位数字）").fill("135790")
    page.get_by_label("再输一次新授权码").fill("135790")
    page.get_by_role("button", name="设置授权码").click()
    page.wait_for_load_state()
    assert "登录密码不正确" in page.get_by_role("alert").inner_text()
    password = page.get_by_label("当前登录密码")
    assert password.get_attribute("aria-invalid") == "true" and password.input_value() == ""
    assert page.get_by_label("新授权码（4–8 位数字）").input_value() == ""  # a PIN is never sent back
    assert run_axe(page) == []
    assert not _authorises(live_server, "pinmgr", "135790")

    password.fill(DEMO_PASSWORD)
    page.get_by_label("新授权码（4–8 位数字）").fill("135790")
    page.get_by_label("再输一次新授权码").fill("135790")
    page.get_by_role("button", name="设置授权码").click()
    page.wait_for_url("**/pos/pin")
    assert "授权码已设置" in page.locator(".flashes").inner_text()
    assert "已设置授权码" in page.locator("#main").inner_text()
    button = page.get_by_role("button", name="修改授权码").bounding_box()
    assert button["y"] + button["height"] <= 768  # the whole form fits a 1024×768 screen
    assert run_axe(page) == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "manager-pin.png"))
    assert _authorises(live_server, "pinmgr", "135790")
