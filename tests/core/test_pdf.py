import io
import shutil
import subprocess

import pytest
from reportlab.pdfgen import canvas

from app.core.pdf import FONT_NAME, cjk_font


def test_cjk_text_is_embedded_and_reads_back(tmp_path):
    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils not installed")
    font = cjk_font()
    assert font == FONT_NAME, "fonts-wqy-microhei should be installed (CI installs it)"
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.setFont(font, 14)
    c.drawString(72, 720, "慈善超市购物券 ¥29.00")
    c.save()
    pdf = tmp_path / "t.pdf"
    pdf.write_bytes(buf.getvalue())
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "慈善超市购物券" in text
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "yes" in fonts.splitlines()[-1].split()  # embedded
