"""The reports pages in Debian's chromium: the federation's dashboard and reconciliation, the
public figures and the feedback page a receipt's QR opens. Accessible (axe), readable charts,
nothing personal on the public pages."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from tests.browser.conftest import SCREENSHOTS, run_axe
from tests.browser.test_till import log_in

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2}


def personal_strings(live_server) -> list[str]:
    """Every demo recipient's name, masked name, phone and the ID numbers' tails."""
    from app.core.masking import mask_name
    from app.extensions import db
    from app.recipients import services as recipients
    from app.recipients.models import Recipient

    out = []
    with live_server.app.app_context():
        for r in db.session.scalars(sa.select(Recipient)):
            out += [r.name, mask_name(r.name)]
            if r.phone_enc:
                out.append(recipients.phone_of(r))
            out.append(recipients.id_number_of(r)[-6:])
    return out


def test_the_dashboard_draws_readable_titled_charts(live_server, new_page):
    page = new_page(bypass_csp=True)
    log_in(page, live_server, username="federation")
    page.goto(live_server.url("/reports/dashboard"))
    figures = page.locator("figure.chart-card")
    assert figures.count() == 6
    for i in range(6):
        figure = figures.nth(i)
        caption = figure.locator("figcaption.chart-title")
        assert caption.is_visible() and caption.inner_text().strip()
        assert figure.locator("svg[role=img] title").count() >= 1
    # axis text as drawn on the screen: at least 12 CSS pixels tall, at 1280 px wide
    heights = page.evaluate("""() => [...document.querySelectorAll('svg.chart text.chart-axis')]
        .map(t => t.getBoundingClientRect().height)""")
    assert heights and min(heights) >= 12, heights
    # this month is in the charts: its month label and a redeemed bar with a value
    from app.core.timeutil import Period

    month = f"{Period.current().month}月"
    assert month in figures.nth(0).inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "dashboard.png"), full_page=True)
    assert run_axe(page) == []


def test_the_demo_month_reconciles_on_the_page(live_server, new_page):
    page = new_page(bypass_csp=True)
    log_in(page, live_server, username="federation")
    page.goto(live_server.url("/reports/reconciliation"))
    verdict = page.locator("[data-balanced]")
    assert verdict.get_attribute("data-balanced") == "yes"
    assert "平衡" in verdict.inner_text()
    page.screenshot(path=str(SCREENSHOTS / "reconciliation.png"), full_page=True)
    assert run_axe(page) == []


def test_public_figures_on_a_phone_show_nothing_personal(live_server, new_page):
    page = new_page(bypass_csp=True, **PHONE)
    page.goto(live_server.url("/figures"))
    text = page.locator("body").inner_text()
    assert "购物券" in text
    for s in personal_strings(live_server):
        assert s not in text
    # no count of people or items from 1 to 4 is printed (they show as <5); shops are not people
    cells = [*page.locator("td:not(.shops)").all_inner_texts(),
             *page.locator(".month-card dd:not(.shops)").all_inner_texts()]
    assert not [c for c in cells if re.fullmatch(r"[1-4]", c.strip())]
    page.screenshot(path=str(SCREENSHOTS / "figures-public.png"), full_page=True)
    assert run_axe(page) == []


def test_public_figures_fit_a_phone_without_sideways_scrolling(live_server, new_page):
    """Issue 11, item 21: at 390×844 the months are cards — nothing wider than the screen, every
    label on one line (the table's headers stacked one character per line) — and at 1024 the
    table is back."""
    page = new_page(bypass_csp=True, **PHONE)
    page.goto(live_server.url("/figures"))
    sizes = page.evaluate("""() => ({page: document.documentElement.scrollWidth, view: window.innerWidth,
        wider: [...document.querySelectorAll('main *')].filter(el => {
            const r = el.getBoundingClientRect(); return r.width > 0 && r.right > window.innerWidth + 0.5; })
          .map(el => el.tagName + '.' + el.className)})""")
    assert sizes["page"] <= sizes["view"] == 390 and sizes["wider"] == [], sizes
    assert not page.locator(".month-table").is_visible()
    cards = page.locator(".month-card")
    assert cards.count() >= 2 and cards.first.is_visible()
    # each label and value on one line: no taller than one line of its own text
    lines = page.evaluate("""() => [...document.querySelectorAll('.month-card dt, .month-card dd, .month-card h3')]
        .map(el => ({text: el.textContent.trim(), height: el.getBoundingClientRect().height,
                     line: parseFloat(getComputedStyle(el).lineHeight)}))""")
    stacked = [x for x in lines if x["height"] > 1.5 * x["line"]]
    assert lines and stacked == [], stacked
    labels = cards.first.locator("dt").all_inner_texts()
    assert labels == ["发放人次", "发放金额", "使用人数", "使用金额", "使用率", "慈善价让利", "棉被", "衣物", "门店"]
    # the first month's card says what its row of the table says
    first_row = page.locator(".month-table tbody tr").first.locator("td").all_text_contents()
    assert [cards.first.locator("h3").inner_text(), *cards.first.locator("dd").all_inner_texts()] == [
        t.strip() for t in first_row]
    assert run_axe(page) == []

    wide = new_page(bypass_csp=True, viewport={"width": 1024, "height": 768})
    wide.goto(live_server.url("/figures"))
    assert wide.locator(".month-table").is_visible() and not wide.locator(".month-cards").is_visible()
    heads = wide.evaluate("""() => [...document.querySelectorAll('.month-table th')].map(th => ({
        text: th.textContent, height: th.getBoundingClientRect().height,
        line: parseFloat(getComputedStyle(th).lineHeight)}))""")
    assert heads and not [h for h in heads if h["height"] > 2.6 * h["line"]], heads
    assert run_axe(wide) == []


def test_a_recipient_rates_the_visit_from_the_receipt_qr(live_server, new_page):
    from app.extensions import db
    from app.pos.models import Sale
    from app.pos.receipt_data import feedback_url
    from app.reports.models import Feedback

    with live_server.app.app_context():
        sale = db.session.scalar(sa.select(Sale).where(Sale.id.not_in(sa.select(Feedback.sale_id)))
                                 .order_by(Sale.id.desc()))
        receipt_no, qr_url = sale.receipt_no, feedback_url(sale)  # what the receipt's QR code holds
    assert qr_url.startswith(live_server.url(f"/f/{receipt_no}/"))
    page = new_page(bypass_csp=True, **PHONE)
    assert page.goto(live_server.url(f"/f/{receipt_no}")).status == 404  # the number alone finds nothing
    page.goto(qr_url)
    size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('main')).fontSize)")
    assert size >= 18
    text = page.locator("body").inner_text()
    assert "投诉举报电话" in text and "0374-12345" in text  # the published hotline
    for s in personal_strings(live_server):
        assert s not in text
    assert run_axe(page) == []
    page.screenshot(path=str(SCREENSHOTS / "feedback-public.png"), full_page=True)

    page.locator('input[name="rating"][value="4"]').check()
    page.locator("textarea").fill("大米很好，希望多进些挂面。")
    page.get_by_role("button", name="提交").click()
    page.wait_for_load_state()
    assert "谢谢" in page.locator("body").inner_text()
    assert run_axe(page) == []
    with live_server.app.app_context():
        fb = db.session.scalar(sa.select(Feedback).join(Sale).where(Sale.receipt_no == receipt_no))
        assert fb.rating == 4 and fb.comment == "大米很好，希望多进些挂面。"


def test_the_federation_settles_last_month_with_a_shop(live_server, new_page, tmp_path):
    """Last month is over in the demo: the accountant prepares 魏都店's statement, downloads the
    PDF (its text reads back), registers the bank reference, and the month closes."""
    import subprocess

    from app.core.timeutil import Period

    last = str(Period.current().previous())
    page = new_page(bypass_csp=True)
    log_in(page, live_server, username="federation")
    page.goto(live_server.url(f"/reports/settlements?period={last}"))
    row = page.locator("tbody tr", has_text="七里店")
    row.get_by_role("button", name="生成结算单").click()
    page.wait_for_url("**/reports/settlements/*")
    number = f"JS-{last.replace('-', '')}-WD01"
    assert number in page.locator("h1").inner_text()
    assert run_axe(page) == []
    with page.expect_download() as download:
        page.get_by_role("link", name="下载结算单 PDF").click()
    pdf = tmp_path / "statement.pdf"
    download.value.save_as(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert number in text and "结算单" in text
    page.locator("#reference").fill("BANK-DEMO-0001")
    page.get_by_role("button", name=re.compile("登记已付款")).click()
    page.wait_for_load_state()
    assert page.locator("[data-status]").get_attribute("data-status") == "paid"
    assert "BANK-DEMO-0001" in page.locator("[data-status]").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "settlement-paid.png"), full_page=True)
