"""The HTML receipt in chromium: printed to PDF on 58 and 80 mm pages, its QR read back from a
screenshot, under the app's own Content-Security-Policy, and checked with axe-core."""

from __future__ import annotations

import re
import subprocess

import pytest
import zxingcpp
from PIL import Image

from app.pos.receipts import render_html, sample_receipt
from tests.browser.conftest import SCREENSHOTS, run_axe

pytestmark = pytest.mark.browser
MM_TO_PT = 72 / 25.4


def serve_receipt(page, live_server, paper_mm: int, csp: str | None) -> str:
    """Serve the rendered receipt at an address of the live server (no route exists for it yet:
    the sales API comes with the checkout), so its stylesheet and script load from the app."""
    receipt = sample_receipt()  # a fixed feedback address: the screenshots stay the same run to run
    with live_server.app.test_request_context("/"):
        html = render_html(receipt, paper_mm=paper_mm)
    url = live_server.url(f"/receipt-preview-{paper_mm}")
    headers = {"Content-Security-Policy": csp} if csp else {}
    page.route(url, lambda route: route.fulfill(status=200, content_type="text/html; charset=utf-8",
                                                body=html, headers=headers))
    page.goto(url)
    return receipt.feedback_url


@pytest.mark.parametrize("paper_mm", [58, 80])
def test_the_receipt_prints_on_its_paper_width(live_server, page, tmp_path, paper_mm):
    csp = page.request.get(live_server.url("/login")).headers["content-security-policy"]
    assert "script-src 'self'" in csp
    feedback_url = serve_receipt(page, live_server, paper_mm, csp)
    assert page.locator(".receipt h1").inner_text() == "魏都区慈善超市（七里店）"
    assert page.evaluate("() => getComputedStyle(document.querySelector('.receipt')).fontFamily") != ""

    # on screen: the paper strip, photographed for the docs; its QR code reads back
    shot = SCREENSHOTS / f"receipt-{paper_mm}mm.png"
    page.locator(".receipt").screenshot(path=str(shot))
    assert [r.text for r in zxingcpp.read_barcodes(Image.open(shot))] == [feedback_url]
    width_px = page.locator(".receipt").bounding_box()["width"]
    assert width_px == pytest.approx(paper_mm * 96 / 25.4, abs=1)  # CSS mm at 96 dpi

    # printed: the page is the paper's width, the print button is not printed
    pdf = tmp_path / "receipt.pdf"
    pdf.write_bytes(page.pdf(prefer_css_page_size=True, print_background=True))
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    width_pt, height_pt = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info).groups())
    assert width_pt == pytest.approx(paper_mm * MM_TO_PT, abs=0.5)
    assert height_pt == pytest.approx(297 * MM_TO_PT, abs=0.5)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    for expected in ("魏都区慈善超市", "WD01-20260305-0012", "张*英", "慈善价共节省", "¥24.00", "找零",
                     "¥86.30", "PJDK", "0374-12345"):
        assert expected in text, expected
    assert "打印小票" not in text  # the on-screen button is hidden in print


def test_the_receipt_page_has_no_serious_accessibility_violations(live_server, new_page):
    page = new_page(bypass_csp=True)
    serve_receipt(page, live_server, 80, None)
    assert run_axe(page) == []
