"""User text escaped on the way out (issue 10, section 3): PDFs, spreadsheets, ESC/POS receipts."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import text

from app.core.spreadsheet import safe_cell
from app.extensions import db
from tests import factories

APP = Path(__file__).resolve().parents[2] / "app"
HOSTILE = ['<b>unclosed', '<img src="/etc/hostname"/>', '<a href="javascript:alert(1)">点我</a>', "盐 & 糖"]


def _pdftext(data: bytes, tmp_path) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils not installed")
    path = tmp_path / "out.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def _no_link_no_image(data: bytes) -> None:
    assert b"/URI" not in data and b"/Link" not in data and b"javascript" not in data.lower()
    assert b"/Subtype /Image" not in data and b"/Subtype/Image" not in data


def test_every_paragraph_goes_through_the_escaping_helper():
    offenders = []
    for path in APP.rglob("*.py"):
        if path == APP / "core" / "pdf.py":
            continue
        if re.search(r"\bParagraph\(", path.read_text(encoding="utf-8")):
            offenders.append(str(path))
    assert not offenders, f"build Paragraphs with app.core.pdf.para: {offenders}"


def test_donation_certificate_prints_user_text_literally(app_ctx, tmp_path):
    from app.donations.certificate import render_certificate
    from tests.donations import factories as f

    shop = factories.shop(name="<b>爱心店")
    lines = [{"kind": "clothing", "description": d, "quantity": 1} for d in HOSTILE]
    donation = f.received(shop=shop, donor_obj=f.donor("<i>企业"), lines=lines)
    pdf = render_certificate(donation)
    _no_link_no_image(pdf)
    flat = _pdftext(pdf, tmp_path).replace("\n", "").replace(" ", "")
    for needle in ("<b>unclosed", "<img", "javascript:alert(1)", "盐&糖", "<b>爱心店", "<i>企业"):
        assert needle in flat, needle


def test_spreadsheet_cells_lose_controls_and_keep_formula_safety():
    assert safe_cell("大米\x00\x01\x1b") == "大米"
    assert safe_cell("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    assert safe_cell("\x00=1+1") == "'=1+1"  # a control in front hides no formula
    assert safe_cell(12) == 12


def test_a_control_character_stored_before_the_boundary_does_not_break_exports(app, login):
    """Rows written before the boundary existed may hold controls: every export still works."""
    from openpyxl import load_workbook

    from tests.inventory import factories as inv

    with app.app_context():
        p = inv.product("大米")
        db.session.commit()
        pid = p.id
        # bypass the ORM guard, as an old row would
        db.session.execute(text("UPDATE inv_product SET name = :n WHERE id = :id"),
                           {"n": "坏\x01名\x0b字", "id": pid})
        db.session.commit()
    admin = login("admin")
    resp = admin.get("/inventory/export?format=xlsx")
    assert resp.status_code == 200
    names = [row[2] for row in load_workbook(io.BytesIO(resp.data)).active.iter_rows(values_only=True)]
    assert "坏名字" in names
    assert admin.get("/inventory/export?format=csv").status_code == 200


def test_escpos_receipts_carry_no_control_bytes_from_user_text():
    from app.pos.receipts import render_escpos
    from tests.pos.factories import receipt, receipt_line

    injected = "\x1b@\x1dV\x00"  # ESC @ (reset), GS V (cut), NUL
    r = receipt(lines=(receipt_line(injected + "大米\n5kg"),), shop_name="\x1b!\x30爱心店",
                cashier_name="小\x07张")
    data = render_escpos(r, columns=32, encoding="gbk")
    assert b"\x1b@\x1dV" not in data and b"\x1b!0" not in data and b"\x07" not in data
    assert "大米".encode("gbk") in data
