"""Weighed goods: the one money rule (round half up, integers only), weights shown and typed."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.errors import InvalidInput
from app.core.money import line_amount_fen
from app.core.weights import format_quantity, format_weight, parse_weight


@pytest.mark.parametrize(("price", "grams", "unit", "fen"), [
    (520, 375, 500, 390),      # 0.75 斤 of eggs at ¥5.20/斤: ¥3.90 exactly
    (650, 375, 500, 488),      # ¥4.875 -> ¥4.88 (half up)
    (650, 1, 500, 1),          # ¥0.013 -> ¥0.01
    (1, 250, 500, 1),          # ¥0.005 exactly half -> up to ¥0.01
    (1, 249, 500, 0),          # ¥0.00498 -> ¥0.00
    (999, 500, 1000, 500),     # ¥4.995 -> ¥5.00 (half up, not to even)
    (998, 1500, 1000, 1497),
    (1299, 1001, 1000, 1300),  # ¥13.00299 -> ¥13.00
    (520, 0, 500, 0),
])
def test_weighed_amount_is_rounded_half_up_to_the_fen(price, grams, unit, fen):
    assert line_amount_fen(price, grams, unit) == fen


def test_piece_amount_is_price_times_count_and_floats_are_refused():
    assert line_amount_fen(2990, 3) == 8970
    with pytest.raises(TypeError):
        line_amount_fen(520, 1.5)
    with pytest.raises(TypeError):
        line_amount_fen(5.2, 375, 500)


@given(price=st.integers(0, 10**6), grams=st.integers(0, 10**6), unit=st.sampled_from([500, 1000]))
def test_the_integer_rule_equals_exact_rounding_half_up(price, grams, unit):
    exact = Fraction(price * grams, unit)
    assert line_amount_fen(price, grams, unit) == int(exact + Fraction(1, 2)) // 1


@pytest.mark.parametrize(("grams", "unit", "text"), [
    (375, 500, "0.75 斤"), (500, 500, "1 斤"), (1, 500, "0.002 斤"), (1234, 1000, "1.234 kg"),
    (25000, 500, "50 斤"), (0, 500, "0 斤"),
])
def test_weights_are_shown_exactly_in_jin_or_kg(grams, unit, text):
    assert format_weight(grams, unit) == text


def test_quantity_text_of_pieces_and_weights():
    assert format_quantity(3, "袋") == "3袋"
    assert format_quantity(750, "斤", 500) == "1.5 斤"


@pytest.mark.parametrize(("typed", "unit", "grams"), [
    ("1.5", 500, 750), ("0.75斤", 1000, 375), ("2kg", 500, 2000), ("2 公斤", 500, 2000), ("375g", 500, 375),
    ("３７５克", 500, 375), ("1.234", 1000, 1234), ("3两", 500, 150), ("0.002", 500, 1), (750, 500, 750),
])
def test_weights_typed_by_people(app_ctx, typed, unit, grams):
    assert parse_weight(typed, unit) == grams


@pytest.mark.parametrize("typed", ["0.0005kg", "0.001", "1.5x", "", "abc", "0", "-1", "1.2.3"])
def test_bad_weights_are_refused_never_rounded(app_ctx, typed):
    with pytest.raises(InvalidInput):
        parse_weight(typed, 500)


def test_a_negative_weight_where_allowed(app_ctx):
    assert parse_weight("-0.5", 500, allow_negative=True) == -250
