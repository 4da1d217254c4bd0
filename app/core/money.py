"""Money is integer fen (2900 = ¥29.00). The only place it becomes text is `format_fen`."""

from __future__ import annotations

import re
import unicodedata

from flask_babel import gettext as _
from sqlalchemy import BigInteger, case, cast

from app.core.errors import InvalidInput

# whole yuan: up to 9 digits, plain ("5000") or grouped by thousands with commas ("5,000",
# "1,234,567"); a comma anywhere else ("5,00", "50,00") is refused, never read as a decimal point
_YUAN = re.compile(r"^\s*([+-]?)\s*[¥]?\s*(\d{1,9}|\d{1,3}(?:,\d{3}){1,2})(?:\.(\d{1,2}))?\s*(?:元)?\s*$",
                   re.ASCII)


def format_fen(fen: int | None, *, symbol: str = "¥") -> str:
    """2900 -> '¥29.00', -150 -> '-¥1.50'. Refuses anything but an int (no floats, ever)."""
    if fen is None:
        return ""
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise TypeError(f"money must be integer fen, got {type(fen).__name__}")
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    return f"{sign}{symbol}{yuan:,}.{cents:02d}"


def format_fen_plain(fen: int) -> str:
    """2900 -> '29.00' (exports and spreadsheets: a number without a symbol or separators)."""
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise TypeError(f"money must be integer fen, got {type(fen).__name__}")
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    return f"{sign}{yuan}.{cents:02d}"


def parse_yuan(text: str | int, *, allow_negative: bool = False, label: str | None = None) -> int:
    """'29', '29.5', '¥29.50', '29.50元', '5,000', '5000.00', '５，０００' -> fen. The one money
    parser for what people type. More than two decimals is an error, not a rounding. `label`
    names the field in the message ("第 2 行的估值格式不正确：5,00"); errors carry
    details={"field": label}."""
    details = {"field": label} if label else None
    if isinstance(text, int) and not isinstance(text, bool):
        fen = text * 100
    else:
        # full-width digits, comma, point and ￥ from a Chinese IME are folded to ASCII first
        m = _YUAN.match(unicodedata.normalize("NFKC", str(text)))
        if not m:
            if label:
                raise InvalidInput(_("%(field)s格式不正确：%(value)s", field=label, value=text), details=details)
            raise InvalidInput(_("金额格式不正确：%(value)s", value=text))
        sign, whole, frac = m.groups()
        fen = int(whole.replace(",", "")) * 100 + int((frac or "0").ljust(2, "0"))
        if sign == "-":
            fen = -fen
    if fen < 0 and not allow_negative:
        if label:
            raise InvalidInput(_("%(field)s不能为负数：%(value)s", field=label, value=text), details=details)
        raise InvalidInput(_("金额不能为负数：%(value)s", value=text))
    return fen


def line_amount_fen(price_fen: int, quantity: int, unit_grams: int | None = None) -> int:
    """What `quantity` of a product costs at `price_fen` per unit: the one rule, for charity and
    market price, quotes, checkout, voids and receipts alike.

    Piece goods (`unit_grams` None): price × count. Weighed goods: `quantity` is grams and the
    price is per `unit_grams` (500 for 斤, 1000 for kg); the amount is rounded half up to the
    fen, in integers only: round(price × grams / unit_grams).
    """
    for value in (price_fen, quantity):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"price and quantity must be integers, got {type(value).__name__}")
    if price_fen < 0 or quantity < 0:
        raise ValueError("price and quantity cannot be negative")
    if unit_grams is None:
        return price_fen * quantity
    if isinstance(unit_grams, bool) or not isinstance(unit_grams, int) or unit_grams <= 0:
        raise ValueError(f"unit_grams must be a positive integer, got {unit_grams!r}")
    return (2 * price_fen * quantity + unit_grams) // (2 * unit_grams)


def line_amount_sql(price, quantity, unit_grams):
    """`line_amount_fen` as a SQL expression over columns (the books recompute with it): the
    same integers, in 64 bits (price × grams passes 2³¹ for a few kilos of an expensive good)."""
    p, q = cast(price, BigInteger), cast(quantity, BigInteger)
    return case((unit_grams.is_(None), p * q),
                else_=(2 * p * q + unit_grams) // (2 * cast(unit_grams, BigInteger)))
def prorate_fen(total_fen: int, part: int, whole: int) -> int:
    """The share `part / whole` of `total_fen`, in whole fen, rounded half up (四舍五入):
    prorate_fen(500000, 47, 50) == 470000, prorate_fen(1000, 1, 3) == 333, prorate_fen(1000, 2, 3)
    == 667. Integers only (never a float); `whole` > 0, `part` and `total_fen` >= 0."""
    for value in (total_fen, part, whole):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"prorate_fen takes integers, got {type(value).__name__}")
    if whole <= 0 or part < 0 or total_fen < 0:
        raise ValueError("prorate_fen: whole > 0, part >= 0 and total >= 0")
    return (2 * total_fen * part + whole) // (2 * whole)
