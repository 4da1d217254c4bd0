import io
import re
import shutil
import subprocess

import pytest

from app.extensions import db
from app.vouchers import codes, issuance, services, sheets
from tests.vouchers import factories


def _words(pdf) -> list[tuple[str, float, int]]:
    """(text, height in pt, page) of every word, from pdftotext -bbox: a word's box is as tall
    as its font size (WenQuanYi Micro Hei: 1.005 × the size)."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    words, page = [], 0
    for line in out.splitlines():
        if "<page " in line:
            page += 1
        m = re.search(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>', line)
        if m:
            words.append((m.group(3), float(m.group(2)) - float(m.group(1)), page))
    return words


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
    assert out == {"cards": 9, "pages": 3}  # each community from a page of its own
    pdf = tmp_path / "s.pdf"
    pdf.write_bytes(buf.getvalue())
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(pdf), str(tmp_path / "p")], check=True)
    decoded = {}
    for page, image in enumerate(sorted(tmp_path.glob("p*.png")), start=1):
        for r in zxingcpp.read_barcodes(Image.open(image)):
            if r.format == zxingcpp.BarcodeFormat.QRCode:
                decoded[r.text] = page
    assert len(decoded) == 9
    for url in decoded:
        assert url.startswith("https://cishan.example/v#")  # the code in the fragment: never sent, never logged
        v = services.find_voucher(url)  # the lenient input takes the whole URL
        assert v.recipient_id in {p.id for p in people}
    pages = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                           check=True).stdout.split("\f")
    text = "\f".join(pages)
    assert "慈善超市购物券" in text and "¥29.00 · 2032年1月" in text and "测**0" in text
    assert "七里店街道" in text and "有效期 2032-01-01 至 2032-01-31" in text
    assert "手机扫码可查余额和使用记录" in text and "限本人在慈善超市使用，不找零、不兑现" in text
    for url in decoded:
        assert codes.group(url.rsplit("#", 1)[1]) in text
    # village by village: a page per community, headed by it, cards by household number
    heads = [page.strip().splitlines()[0] for page in pages if page.strip()]
    assert sorted(heads) == sorted(["魏都区 七里店街道 甲社区 · 第 1/1 页 · 本社区 4 张",
                                    "魏都区 七里店街道 丙社区 · 第 1/1 页 · 本社区 2 张",
                                    "魏都区 七里店街道 乙社区 · 第 1/1 页 · 本社区 3 张"])
    for page in pages:
        if page.strip():
            community = page.strip().splitlines()[0].split()[2]
            assert {w for w in page.split() if w.endswith("社区") and w != "本社区"} == {community}
            households = [int(w) for w in re.findall(r"户号 (\d+)", page)]
            assert len(households) == {"甲社区": 4, "乙社区": 3, "丙社区": 2}[community]
    for p in people:
        assert p.name not in text
        assert f"户号 {p.id}" in text
        assert decoded[public_url_of(p)] == next(i for i, page in enumerate(pages, start=1) if f"户号 {p.id}" in page)
    # large enough to hand out; nothing under 10 pt (the rules included)
    words = _words(pdf)
    size = {w: h for w, h, _page in words}
    code = re.compile(r"^[0-9A-Z*~$=U]{5}(-[0-9A-Z*~$=U]{1,5})+$")  # 12 pt Courier: its box is 0.79 × the size
    assert min(h for w, h, _page in words if not code.match(w)) >= 9.9
    assert min(h for w, h, _page in words if code.match(w)) >= 9.4
    assert size["测**0"] >= 20 and size["户号"] >= 14 and size["甲社区"] >= 15
    assert size["限本人在慈善超市使用，不找零、不兑现。"] >= 9.9


def public_url_of(recipient) -> str:
    from sqlalchemy import select

    from app.vouchers.models import Voucher

    v = db.session.scalar(select(Voucher).where(Voucher.recipient_id == recipient.id))
    return services.public_url(services.code_of(v), "https://cishan.example")


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


# --- PUBLIC_BASE_URL (item 18 of issue 11) ---------------------------------------------------

@pytest.mark.parametrize(("url", "usable"), [
    ("", False), (None, False), ("cishan.example.cn", False), ("ftp://cishan.example.cn", False),
    ("http://127.0.0.1:5000", False), ("http://127.8.9.10", False), ("http://localhost:5100/", False),
    ("https://app.localhost", False), ("http://[::1]:5000", False), ("http://0.0.0.0:5000", False),
    ("https://cishan.example.cn", True), ("http://192.168.1.20:5000", True), ("https://cishan.example.cn/x", True),
])
def test_which_public_base_urls_a_phone_can_open(url, usable):
    from app.config import public_base_url_problem

    assert (public_base_url_problem(url) is None) is usable


@pytest.mark.parametrize("url", [None, "http://127.0.0.1:5000", "http://localhost:8000"])
def test_outside_development_the_app_refuses_to_start_without_a_public_base_url(monkeypatch, url):
    from app import create_app

    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a-production-secret")
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    if url:
        monkeypatch.setenv("PUBLIC_BASE_URL", url)
    with pytest.raises(RuntimeError, match=r"PUBLIC_BASE_URL .*(is not set|points at this machine)"):
        create_app()


def test_development_and_a_real_address_start(monkeypatch):
    from app import create_app
    from app.config import Config

    monkeypatch.setenv("APP_ENV", "development")
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    assert Config.from_env()["PUBLIC_BASE_URL"] == "http://127.0.0.1:5000"
    monkeypatch.setenv("APP_ENV", "staging")
    monkeypatch.setenv("SECRET_KEY", "a-staging-secret")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://cishan.example.cn")
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    assert create_app().config["PUBLIC_BASE_URL"] == "https://cishan.example.cn"


def test_sheets_are_refused_with_a_local_address_and_stamped_in_development(app, app_ctx, monkeypatch, tmp_path):
    from app.vouchers.errors import PublicBaseUrlUnusable

    factories.recipient("孙立")
    issuance.issue_vouchers(period="2032-03")
    for url in ("", "http://127.0.0.1:5000", "http://localhost"):
        with pytest.raises(PublicBaseUrlUnusable) as exc:
            sheets.write_sheets(io.BytesIO(), period="2032-03", base_url=url)
        assert exc.value.code == "public_base_url_unusable" and "PUBLIC_BASE_URL" in str(exc.value.message)
    monkeypatch.setitem(app.config, "ENV_NAME", "development")
    buf = io.BytesIO()
    assert sheets.write_sheets(buf, period="2032-03", base_url="http://127.0.0.1:5000")["cards"] == 1
    pdf = tmp_path / "sample.pdf"
    pdf.write_bytes(buf.getvalue())
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "样张：二维码指向本机地址 http://127.0.0.1:5000" in text  # atop the page
    assert text.count("样") == 2  # and across the card (rotated: read out letter by letter)


def test_the_page_and_the_command_refuse_to_print_with_a_local_address(app, login, monkeypatch, tmp_path):
    c = login("federation")
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    page = c.get("/vouchers/").get_data(as_text=True)
    assert 'id="sheets-refused"' in page and "sheets.pdf" not in page
    resp = c.get("/vouchers/sheets.pdf?period=2032-03")
    assert resp.status_code == 409 and "PUBLIC_BASE_URL" in resp.get_data(as_text=True)
    out = tmp_path / "s.pdf"
    result = app.test_cli_runner().invoke(args=["vouchers", "sheets", "--period", "2032-03", "--out", str(out)])
    assert result.exit_code == 2 and "public_base_url_unusable" in result.output
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://cishan.example.cn")
    page = c.get("/vouchers/").get_data(as_text=True)
    assert 'id="sheets-refused"' not in page and 'id="sheet-district"' in page and "魏都区（411002）" in page
    assert c.get("/vouchers/sheets.pdf?period=2032-03&district=魏都区").status_code == 200
