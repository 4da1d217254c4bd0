"""The ESC/POS text encoder: normalising, display width, wrapping, padding, Chinese-mode bytes."""

from __future__ import annotations

import pytest

from app.pos import escpos_text as et


@pytest.mark.parametrize(("raw", "gbk", "gb18030"), [
    ("¥12", "￥12", "￥12"),
    ("€5", "？5", "€5"),  # no GBK glyph; GB18030 has one
    ("a\tb\nc", "a b c", "a b c"),
    ("e\u0301t\u00e9", "étét"[:1] + "t" + "é", "ét" + "é"),  # composed first; é is in GBK
    ("零\u200d宽", "零宽", "零宽"),  # zero-width joiner dropped
    ("🍚米", "？米", "🍚米"),
    ("\u00a0x", " x", " x"),
])
def test_normalise(raw, gbk, gb18030):
    assert et.normalise(raw, "gbk") == gbk
    assert et.normalise(raw, "gb18030") == gb18030


def test_width_counts_every_non_ascii_character_as_two_columns():
    assert et.width("abc") == 3
    assert et.width("大米10kg") == 8
    assert et.width("（）—…·×￥") == 14
    assert et.width("") == 0


def test_encode_wraps_only_non_ascii_runs_in_chinese_mode():
    assert et.encode("ab", "gbk") == b"ab"
    assert et.encode("大米10kg", "gbk") == b"\x1c&" + "大米".encode("gbk") + b"\x1c.10kg"
    assert et.encode("1袋 ￥4", "gb18030") == b"1\x1c&" + "袋".encode("gb18030") + b"\x1c. \x1c&\xa3\xa4\x1c.4"
    assert et.encode("……", "gbk") == b"\x1c&" + "……".encode("gbk") + b"\x1c."
    with pytest.raises(ValueError):
        et.encode("x", "utf-8")


def test_wrap_keeps_ascii_words_and_breaks_chinese_anywhere():
    assert et.wrap("金龙鱼 Golden Dragon Fish 5L", 12) == ["金龙鱼", "Golden", "Dragon Fish", "5L"]
    assert et.wrap("一二三四五六七八九十", 8) == ["一二三四", "五六七八", "九十"]
    assert et.wrap("一二三四五六七八九十", 8, max_lines=2) == ["一二三四", "五六七…"]
    assert et.wrap("Supercalifragilistic", 8) == ["Supercal", "ifragili", "stic"]  # no break: cut
    for line in et.wrap("混合 mixed 文字 text 一二三四五六七八九十", 7):
        assert et.width(line) <= 7


def test_pad_truncate_and_justify_are_exact():
    assert et.pad("大米", 6) == "大米  "
    assert et.pad("大米", 6, "right") == "  大米"
    assert et.pad("大米", 7, "center") == " 大米  "
    assert et.truncate("一二三四五", 7) == "一二…"
    assert et.width(et.truncate("一二三四五", 7)) == 6  # a wide character never half fits
    assert et.justify("应付合计", "￥12.00", 20) == "应付合计" + " " * 5 + "￥12.00"
    assert et.width(et.justify("很长很长很长很长的名字", "￥1,234.00", 20)) <= 20
