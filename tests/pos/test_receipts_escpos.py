"""ESC/POS receipts: printed through python-escpos's Dummy printer and read back byte by byte."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.pos import escpos_text as et
from app.pos.receipt_escpos import layout
from app.pos.receipts import render_escpos
from tests.pos import escpos_reader
from tests.pos.factories import URL, receipt, receipt_line

pytestmark = pytest.mark.usefixtures("app_ctx")


def printout(r, *, columns=32, encoding="gbk", profile=None):
    data = render_escpos(r, columns=columns, encoding=encoding, profile=profile)
    return escpos_reader.read(data, encoding), data


@pytest.mark.parametrize("encoding", ["gbk", "gb18030"])
def test_chinese_text_reads_back_from_the_chinese_mode_segments(encoding):
    out, data = printout(receipt(), encoding=encoding)
    text = out.all_text
    for expected in ("魏都区慈善超市（七里店）", "小票号：WD01-20260305-0007", "时间：2026-03-05 09:12:30",
                     "收银员：收银员小张", "顾客：张*英", "[慈]福临门东北大米 10kg", "[非券]卫生纸（10卷装）",
                     "投诉举报电话：0374-12345", "购物券尾号", "PJDK"):
        assert expected in text, expected
    segments = [seg for line in out.lines for seg in line.chinese_segments]
    assert "魏都区慈善超市（七里店）" in segments
    # the raw bytes: Chinese sits between FS & and FS ., encoded in the printer's encoding
    assert b"\x1c\x26" + "魏都区慈善超市（七里店）".encode(encoding) + b"\x1c\x2e" in data
    assert data.count(b"\x1c\x26") + 1 == data.count(b"\x1c\x2e")  # plus the reset at the start
    assert out.inits == 1 and data.startswith(b"\x1b@\x1c.")


def test_gb18030_printers_get_characters_gbk_cannot_hold():
    r = receipt([receipt_line("䶮字挂面 500g", market=800)], voucher_fen=0, recipient_name_masked=None)
    gb18030, _ = printout(r, encoding="gb18030")
    gbk, _ = printout(r, encoding="gbk")
    assert "䶮字挂面 500g" in gb18030.all_text
    assert "？字挂面 500g" in gbk.all_text  # a full-width stand-in keeps the columns


@pytest.mark.parametrize("columns", [32, 48])
@pytest.mark.parametrize("encoding", ["gbk", "gb18030"])
def test_columns_line_up_by_display_width(columns, encoding):
    long_name = "山西老陈醋（特级陈酿，六年窖藏）清香型调味品礼盒装 420ml×2 瓶"
    r = receipt([receipt_line(long_name, qty=2, unit="盒", market=12990, price=9990),
                 receipt_line("Kellogg's Corn Flakes 500g", market=3250),
                 receipt_line("挂面", qty=10, unit="把", market=350, price=300)])
    out, _ = printout(r, columns=columns, encoding=encoding)
    for line in out.lines:
        assert line.columns <= columns, (line.text, line.columns)
    money_lines = [line for line in out.lines if line.text.endswith(("0", "5")) and "￥" in line.text]
    assert len(money_lines) >= 10
    for line in money_lines:  # amounts are right-aligned to the paper's last column
        assert line.columns == columns, line.text
    # the price column ends at the same column on every item row, whatever the quantity
    detail = [line.text for line in out.lines
              if line.text.startswith("  ") and line.text.count("￥") >= 2 and "省" not in line.text]
    assert len(detail) == 3
    price_ends = {et.width(text[:text.rindex(" ", 0, text.rindex("￥"))].rstrip()) for text in detail}
    assert len(price_ends) == 1, detail
    # the long name takes two lines; on 58 mm paper it does not fit and ends with an ellipsis
    start = next(i for i, text in enumerate(out.texts) if text.startswith("[慈]山西"))
    rows = out.texts[start:start + 2]
    assert not out.texts[start + 2].startswith("[") and out.texts[start + 2].startswith("  ")
    joined = "".join(rows).replace(" ", "")
    full = ("[慈]" + long_name).replace(" ", "")
    if columns == 32:
        assert joined.endswith("…") and full.startswith(joined[:-1])
    else:
        assert joined == full
    assert "Kellogg's Corn Flakes 500g" in out.texts


def test_a_name_longer_than_two_lines_is_cut_with_an_ellipsis():
    r = receipt([receipt_line("长" * 60, market=100)], voucher_fen=0, recipient_name_masked=None)
    out, _ = printout(r, columns=32)
    rows = [line.text for line in out.lines if "长" in line.text]
    assert len(rows) == 2
    assert rows[1].endswith("…") and et.width(rows[1]) <= 32


def test_the_yen_sign_survives_and_nothing_turns_into_question_marks():
    r = receipt([receipt_line("¥9.9 特价 挂面", market=990)], voucher_fen=0, recipient_name_masked=None)
    out, data = printout(r)
    assert "￥9.9 特价 挂面" in out.all_text
    assert "应付合计" in out.all_text and "￥9.90" in out.all_text
    assert "￥".encode("gbk") in data
    assert "¥".encode() not in data and "¥".encode("gb18030") not in data
    assert "?" not in out.all_text


@pytest.mark.parametrize("encoding", ["gbk", "gb18030"])
def test_punctuation_only_lines_survive(encoding):
    r = receipt([receipt_line("【】（）——！……", market=100)], voucher_fen=0, recipient_name_masked=None,
                shop_address="·——·")
    out, _ = printout(r, encoding=encoding)
    assert "【】（）——！……" in out.texts
    assert any(text.strip() == "·——·" for text in out.texts)
    assert "-" * 32 in out.texts and "=" * 32 in out.texts


def test_the_qr_code_command_carries_the_feedback_url():
    out, data = printout(receipt())
    assert out.qr_data == [URL.encode("ascii")]
    assert out.qr_printed == 1
    assert out.qr_settings[65] == b"2\x00"  # model 2
    assert out.qr_settings[69] == b"1"  # error correction M
    # GS ( k with the length of cn fn m + URL, right after "scan to give feedback" text
    store = b"\x1d(k" + (len(URL) + 3).to_bytes(2, "little") + b"1P0" + URL.encode()
    assert store in data
    assert data.index("扫码评价本次购物".encode("gbk")) < data.index(store)


def test_paper_is_cut_at_the_end():
    out, data = printout(receipt())
    assert out.cuts == 1
    assert data.endswith(b"\x1bd\x06\x1dV\x00")  # feed 6 lines, full cut


def test_a_profile_without_native_qr_or_cutter_gets_an_image_and_no_cut():
    out, _ = printout(receipt(), profile="POS-5890")  # a common 58 mm printer without GS ( k
    assert out.qr_data == [] and out.images == 1
    assert out.cuts == 0


def test_no_full_name_no_full_voucher_code_no_category():
    r = receipt(recipient_name_masked="欧阳娜娜")
    out, data = printout(r)
    assert "欧**娜" in out.all_text and "欧阳娜娜".encode("gbk") not in data
    assert "PJDK" in out.all_text and "8M3KT" not in out.all_text and "V6PJD" not in out.all_text
    for word in ("低保", "特困", "身份证"):
        assert word not in out.all_text


def test_void_and_reprint_markers():
    reprint = dt.datetime(2026, 3, 6, 2, 0, tzinfo=dt.UTC)
    out, _ = printout(receipt(voided=True, reprinted_at=reprint), columns=48)
    big = [line for line in out.lines if line.text.strip() == "作废"]
    assert len(big) == 2 and all(line.width_mul == 2 and line.height_mul == 2 for line in big)
    assert any("重印 2026-03-06 10:00:00" in text for text in out.texts)
    assert any("已作废" in text for text in out.texts)


def test_totals_payments_and_change_are_printed():
    r = receipt(tendered_fen=20000)
    out, _ = printout(r, columns=48)
    rows = {text.split()[0]: text.split()[-1] for text in out.texts if text.strip()}
    assert rows["市场价合计"] == "￥145.70"  # 59.90 + 69.90 + 15.90
    assert rows["应付合计"] == "￥125.70"  # 49.90 + 59.90 + 15.90
    assert rows["慈善价共节省"] == "￥20.00"
    assert rows["慈善购物券"] == "￥29.00"
    assert rows["现金"] == "￥96.70"
    assert rows["实收现金"] == "￥200.00"
    assert rows["找零"] == "￥103.30"
    assert rows["券内余额"] == "￥0.00"


def test_english_receipts_when_asked():
    text = escpos_reader.read(render_escpos(receipt(), locale="en")).all_text
    assert "Total due" in text and "Charity voucher" in text
    assert "应付合计" not in text


# Product names as shops type them: Chinese, ASCII, full-width punctuation, digits, mixed.
CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
ASCII = st.characters(min_codepoint=0x20, max_codepoint=0x7E)
FULLWIDTH = st.sampled_from(list("（）【】《》，。、：；！？￥——……·×＋－％"))
NAME = st.lists(st.one_of(CJK, ASCII, FULLWIDTH), min_size=1, max_size=70).map("".join).filter(str.strip)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(NAME, min_size=1, max_size=4), columns=st.sampled_from([32, 48]),
       encoding=st.sampled_from(["gbk", "gb18030"]), cashier=NAME, shop=NAME)
def test_every_printed_line_fits_the_paper(names, columns, encoding, cashier, shop):
    lines = [receipt_line(name, market=100 + i) for i, name in enumerate(names)]
    r = receipt(lines, cashier_name=cashier, shop_name=shop)
    out, _ = printout(r, columns=columns, encoding=encoding)
    for line in out.lines:
        assert line.columns <= columns, (line.text, line.columns)
    # each product's name starts its block on paper (as much of it as the first line holds)
    for name in names:
        first = et.wrap(et.normalise(name, encoding), columns)[0]
        assert any(first[:4] in text for text in out.texts)
    # the layout's own view agrees with the bytes
    assert all(et.width(op.value) * (2 if op.style == "big" else 1) <= columns
               for op in layout(r, columns=columns, encoding=encoding) if op.kind == "text")
