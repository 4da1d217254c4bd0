import datetime as dt

import pytest

from app.core.errors import InvalidInput
from app.core.masking import mask_id_number, mask_name, mask_phone
from app.core.money import format_fen, format_fen_plain, parse_yuan, prorate_fen
from app.core.timeutil import BUSINESS_TZ, Period, business_day_bounds, business_today


@pytest.mark.parametrize("fen,text", [
    (2900, "¥29.00"), (0, "¥0.00"), (5, "¥0.05"), (-150, "-¥1.50"), (123456789, "¥1,234,567.89"),
])
def test_format_fen(fen, text):
    assert format_fen(fen) == text


def test_format_refuses_floats():
    with pytest.raises(TypeError):
        format_fen(29.0)
    with pytest.raises(TypeError):
        format_fen_plain(1.5)


@pytest.mark.parametrize("text,fen", [
    ("29", 2900), ("29.5", 2950), ("¥29.50", 2950), ("￥29.50", 2950), ("29.05元", 2905),
    ("３０", 3000), ("12a", None), ("１.５", 150), (" 0.01 ", 1),
    # thousands separators and the forms a donor types (issue 11, item 19)
    ("5,000", 500000), ("5000.00", 500000), ("5,000.00", 500000), ("¥5,000", 500000), ("1,234,567.89", 123456789),
    ("５，０００", 500000), ("５０００．００", 500000), ("￥５，０００．５", 500050), ("5,000元", 500000),
    ("5,00", None), ("50,00", None), ("5,0000", None), (",500", None), ("5,000,", None), ("5.000,00", None),
    ("1,234,567,890", None), ("5，000.001", None),
])
def test_parse_yuan(text, fen):
    if fen is None:
        with pytest.raises(InvalidInput):
            parse_yuan(text)
    else:
        assert parse_yuan(text) == fen


def test_parse_yuan_rejects_three_decimals_and_negatives():
    with pytest.raises(InvalidInput):
        parse_yuan("1.005")
    with pytest.raises(InvalidInput):
        parse_yuan("-1")
    assert parse_yuan("-1", allow_negative=True) == -100


def test_parse_yuan_names_the_field_it_was_given():
    with pytest.raises(InvalidInput, match=r"^第 2 行的估值格式不正确：5,00$") as e:
        parse_yuan("5,00", label="第 2 行的估值")
    assert e.value.details == {"field": "第 2 行的估值"}
    with pytest.raises(InvalidInput, match=r"^第 2 行的估值不能为负数：-5$"):
        parse_yuan("-5", label="第 2 行的估值")
    with pytest.raises(InvalidInput, match=r"^金额格式不正确：x$"):
        parse_yuan("x")


@pytest.mark.parametrize("total,part,whole,fen", [
    (500000, 47, 50, 470000), (500000, 50, 50, 500000), (500000, 0, 50, 0), (1000, 1, 3, 333),
    (1000, 2, 3, 667), (1, 1, 2, 1), (3, 1, 2, 2), (5, 1, 10, 1), (4, 1, 10, 0), (0, 3, 7, 0),
    (2**40 + 1, 1, 2, 2**39 + 1),
])
def test_prorate_fen_rounds_half_up_in_whole_fen(total, part, whole, fen):
    assert prorate_fen(total, part, whole) == fen


def test_prorate_fen_takes_integers_only():
    with pytest.raises(TypeError):
        prorate_fen(100.0, 1, 2)
    with pytest.raises(TypeError):
        prorate_fen(100, True, 2)
    with pytest.raises(ValueError):
        prorate_fen(100, 1, 0)


def test_masking():
    assert mask_id_number("411002199001011234") == "4110**********1234"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_name("张三") == "张*"
    assert mask_name("张三丰") == "张*丰"
    assert mask_name("欧阳娜娜") == "欧**娜"
    assert mask_name("") == "" and mask_phone(None) == "" and mask_id_number(None) == ""


def test_period_parsing_and_bounds():
    p = Period.parse("2024-02")
    assert p.first_day == dt.date(2024, 2, 1) and p.last_day == dt.date(2024, 2, 29)
    assert str(p.next()) == "2024-03" and str(Period.parse("2024-12").next()) == "2025-01"
    assert str(Period.parse("2025-01").previous()) == "2024-12"
    start, end = Period.parse("2026-11").utc_bounds()
    assert start == dt.datetime(2026, 10, 31, 16, 0, tzinfo=dt.UTC)
    assert end == dt.datetime(2026, 11, 30, 16, 0, tzinfo=dt.UTC)
    for bad in ("2026-13", "2026-1", "26-01", "x"):
        with pytest.raises(InvalidInput):
            Period.parse(bad)


def test_business_today_is_shanghai():
    # 2026-11-30 17:00 UTC is already 1 December in Xuchang
    now = dt.datetime(2026, 11, 30, 17, 0, tzinfo=dt.UTC)
    assert business_today(now) == dt.date(2026, 12, 1)
    assert Period.current(now) == Period(2026, 12)
    start, _ = business_day_bounds(dt.date(2026, 12, 1))
    assert start.astimezone(BUSINESS_TZ).hour == 0


def test_is_digits_means_what_int_takes():
    from app.core.text import is_digits

    for text in ("0", "0042", "１２"):  # full-width digits from a Chinese input method count
        assert is_digits(text) and int(text) >= 0
    for text in ("", " 1", "1.5", "-1", "²", "①"):
        assert not is_digits(text), text
