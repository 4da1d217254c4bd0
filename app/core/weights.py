"""Weights of goods sold by weight: integer grams everywhere, shown in 斤 (500 g) or kg.

- Stored: grams (stock, ledger moves, sale and void lines, monthly limits of weighed goods).
- Shown: `format_weight(grams, unit_grams)` -> "0.75 斤", "1.234 kg" (exact, no float);
  `format_quantity(quantity, unit, unit_grams)` for any product
  (piece goods: "3袋").
- Typed: `parse_weight(text, unit_grams)` -> grams. "1.5" is in the product's own unit (斤 or
  kg), while an int (from a program, not a person) is grams; a unit may be written after
  the number: 斤, 两 (50 g), kg / 公斤 / 千克, g / 克. A weight that is not whole grams
  ("0.0005 kg") is refused, never rounded.
The money rule for a weight (price per unit × grams / unit grams, rounded half up) is
`app.core.money.line_amount_fen`.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from flask_babel import gettext as _

from app.core.errors import InvalidInput

JIN = 500    # 1 斤 = 500 g
KG = 1000
UNIT_GRAMS = {JIN: "斤", KG: "kg"}      # the units a weighed product may be priced in
SALE_UNITS = ("piece", "weight")
MAX_GRAMS = 1_000_000                   # one line, receipt or count: at most a tonne

_SUFFIX_GRAMS = {"斤": JIN, "两": 50, "kg": KG, "公斤": KG, "千克": KG, "g": 1, "克": 1}
_WEIGHT = re.compile(r"^([0-9]{1,7})(?:\.([0-9]{1,6}))?\s*(斤|两|kg|公斤|千克|g|克)?$", re.IGNORECASE)


def unit_name(unit_grams: int | None) -> str:
    return UNIT_GRAMS.get(unit_grams or 0, "")


def _decimal_text(grams: int, per: int) -> str:
    value = Decimal(grams) / Decimal(per)  # exact: per is 500 or 1000, so at most 3 decimals
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return text or "0"


def format_weight(grams: int | None, unit_grams: int | None = JIN) -> str:
    """375, 500 -> '0.75 斤'; 1234, 1000 -> '1.234 kg'."""
    if grams is None:
        return ""
    if isinstance(grams, bool) or not isinstance(grams, int):
        raise TypeError(f"a weight must be integer grams, got {type(grams).__name__}")
    unit_grams = unit_grams or JIN
    return f"{_decimal_text(grams, unit_grams)} {unit_name(unit_grams) or 'g'}"


def format_grams(grams: int) -> str:
    return f"{grams:,} g"


def format_quantity(quantity: int | None, unit: str = "", unit_grams: int | None = None) -> str:
    """A product's quantity as people read it: '3袋' for piece goods, '0.75 斤' when weighed."""
    if quantity is None:
        return ""
    if unit_grams:
        return format_weight(quantity, unit_grams)
    return f"{quantity}{unit}"  # as the till has always written a count: "1袋"


def parse_weight(value, unit_grams: int, *, label: str | None = None, allow_zero: bool = False,
                 allow_negative: bool = False) -> int:
    """Grams from what a person typed: '1.5' (in `unit_grams`' unit), '0.75斤', '2kg', '375g',
    '３７５克'. Refuses what is not a whole number of grams, and anything past MAX_GRAMS."""
    name = label or _("重量")
    if isinstance(value, bool):
        raise InvalidInput(_("%(field)s格式不正确：%(value)s", field=name, value=value))
    if isinstance(value, int):  # already counted by a program: grams
        per, whole, frac = 1, str(abs(value)), ""
        sign = -1 if value < 0 else 1
    else:
        text = unicodedata.normalize("NFKC", str(value if value is not None else "")).strip()
        text = text.replace("。", ".").replace(" ", "")
        if not text:
            raise InvalidInput(_("请填写%(field)s", field=name))
        sign = 1
        if text[0] in "+-":
            sign = -1 if text[0] == "-" else 1
            text = text[1:]
        m = _WEIGHT.match(text)
        if not m:
            raise InvalidInput(_("%(field)s格式不正确：%(value)s（如 1.5、0.75斤、2kg、375g）",
                                 field=name, value=str(value)[:40]))
        whole, frac, suffix = m.groups()
        per = _SUFFIX_GRAMS[suffix.lower()] if suffix else unit_grams
    exact = (Decimal(int(whole)) + (Decimal("0." + frac) if frac else Decimal(0))) * per
    if exact != exact.to_integral_value():
        raise InvalidInput(_("%(field)s要精确到克：%(value)s", field=name, value=str(value)[:40]))
    grams = sign * int(exact)
    if grams < 0 and not allow_negative:
        raise InvalidInput(_("%(field)s不能为负数：%(value)s", field=name, value=value))
    if grams == 0 and not allow_zero:
        raise InvalidInput(_("%(field)s不能为 0", field=name))
    if abs(grams) > MAX_GRAMS:
        raise InvalidInput(_("%(field)s过大：%(value)s", field=name, value=value))
    return grams
