import datetime as dt

import pytest

from app.core.ids import (
    InvalidResidentId,
    check_character,
    is_valid_resident_id,
    make_resident_id,
    parse_resident_id,
)


def reason(number):
    with pytest.raises(InvalidResidentId) as exc:
        parse_resident_id(number, today=dt.date(2026, 11, 30))
    return exc.value.reason


def test_published_example_with_x_check_character():
    # GB 11643 worked example: 11010519491231002X
    rid = parse_resident_id("11010519491231002X")
    assert rid.birth_date == dt.date(1949, 12, 31)
    assert rid.sex == "F"
    assert rid.region_code == "110105"


def test_lower_case_x_spaces_and_full_width_x_are_accepted():
    assert parse_resident_id(" 110105 19491231 002x ").number == "11010519491231002X"
    assert parse_resident_id("11010519491231002Ｘ").number == "11010519491231002X"


def test_check_character_x_is_computed():
    assert check_character("11010519491231002") == "X"


def test_wrong_check_digit_is_rejected():
    good = make_resident_id("411002", dt.date(1960, 5, 1), 123)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    assert reason(bad) == "check_character"


def test_29_february_in_a_leap_year_is_valid():
    number = make_resident_id("411024", dt.date(1960, 2, 29), 15)
    assert parse_resident_id(number).birth_date == dt.date(1960, 2, 29)


def test_29_february_in_a_non_leap_year_is_rejected():
    body = "41102419610229015"
    assert reason(body + check_character(body)) == "birth_date"


def test_1900_was_not_a_leap_year():
    body = "41102419000229015"
    assert reason(body + check_character(body)) == "birth_date"


def test_future_birth_date_is_rejected():
    body = "41100220300101015"
    assert reason(body + check_character(body)) == "birth_date"


def test_old_15_digit_numbers_are_rejected_with_a_clear_reason():
    with pytest.raises(InvalidResidentId) as exc:
        parse_resident_id("411002600501123")
    assert exc.value.reason == "old_15_digit"
    assert "15位" in str(exc.value.message)


def test_wrong_length_and_format():
    assert reason("4110021960") == "length"
    assert reason("41100219600501A23X") == "format"
    assert reason("") == "empty"


def test_unknown_region_code_is_rejected():
    body = "99999919600501123"
    assert reason(body + check_character(body)) == "region"


def test_elderly_person_with_a_county_code_created_after_birth_is_accepted():
    # 411003 (建安区) was created in 2016; people born in 1940 there carry it today.
    # python-stdnum's cn.ric.validate rejects this number; we must not.
    from stdnum.cn import ric

    number = make_resident_id("411003", dt.date(1940, 3, 8), 42)
    assert parse_resident_id(number).region_code == "411003"
    assert not ric.is_valid(number)


def test_is_valid_helper():
    assert is_valid_resident_id("11010519491231002X")
    assert not is_valid_resident_id("110105194912310021")
