import io
import shutil
import subprocess

import pytest

from app.extensions import db
from app.vouchers import codes, issuance, services, sheets
from tests.vouchers import factories


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils not installed")
def test_sheet_qr_decodes_to_the_public_url_and_the_chinese_reads_back(app, app_ctx, tmp_path):
    import zxingcpp
    from PIL import Image

    people = [factories.recipient(f"测试人{i}", township="七里店街道", community=c)
              for i, c in enumerate(["乙社区", "甲社区", "乙社区", "甲社区", "丙社区", "甲社区", "乙社区",
                                     "甲社区", "丙社区"])]
    issuance.issue_vouchers(period="2032-01")
    buf = io.BytesIO()
    out = sheets.write_sheets(buf, period="2032-01", base_url="https://cishan.example")
    assert out == {"cards": 9, "pages": 2}
    pdf = tmp_path / "s.pdf"
    pdf.write_bytes(buf.getvalue())
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")],
                   check=True)
    image = Image.open(next(tmp_path.glob("p*.png")))
    decoded = {r.text for r in zxingcpp.read_barcodes(image) if r.format == zxingcpp.BarcodeFormat.QRCode}
    assert len(decoded) == 8
    for url in decoded:
        assert url.startswith("https://cishan.example/v#")  # the code in the fragment: never sent, never logged
        v = services.find_voucher(url)  # the lenient input takes the whole URL
        assert v.recipient_id in {p.id for p in people}
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "慈善超市购物券" in text and "¥29.00" in text and "测**0" in text
    assert "七里店街道" in text and "有效期：2032-01-01 至 2032-01-31" in text
    for url in decoded:
        assert codes.group(url.rsplit("#", 1)[1]) in text
    # street by street: the cards of one community follow each other
    order = [c for c in text.split() if c.endswith("社区")]
    assert len(order) == 9
    runs = [c for i, c in enumerate(order) if i == 0 or order[i - 1] != c]
    assert len(runs) == len(set(runs)), order
    for p in people:
        assert p.name not in text


def test_sheets_skip_revoked_and_other_districts(app_ctx):
    a = factories.recipient(district_code="411002")
    b = factories.recipient(district_code="411024")
    issuance.issue_vouchers(period="2032-02")
    cards = sheets.sheet_vouchers(period="2032-02", district_code="411002")
    assert [r.id for _v, r in cards] == [a.id]
    services.revoke(cards[0][0].id, reason="t")
    assert sheets.sheet_vouchers(period="2032-02", district_code="411002") == []
    assert [r.id for _v, r in sheets.sheet_vouchers(period="2032-02")] == [b.id]
    db.session.flush()
