"""The number boundary: integers from JSON, forms, files and URLs, always within their column.

- JSON (the API): integers only. `1.5`, `1.0`, `"1"`, `"１"`, `"١"` and `true` are refused, not
  converted (`check_int`, and the API's `Int` field in app/core/schema.py).
- Forms and imports: digits typed by a person, ASCII or the full-width digits a Chinese input
  method gives ("１２"); a fraction ("1.5") is refused with a message, never truncated
  (`parse_int`).
- URLs: `<int:...>` in every route takes 0 … 2³¹−1 (`IntConverter`, registered for the whole
  app); a bigger id is a 404, as an id that does not exist.
- Every integer column is 32-bit signed (`INT32_MAX`) unless it says otherwise; `BIGINT` columns
  are 64-bit. The storage guard (app/core/boundary.py) checks both before a row is written.
"""

from __future__ import annotations

import re

from flask_babel import gettext as _
from werkzeug.routing import IntegerConverter

from app.core.errors import InvalidInput

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
MAX_ID = INT32_MAX

_INT_TEXT = re.compile(r"^[+-]?[0-9]+$", re.ASCII)
_FRACTION = re.compile(r"^[+-]?[0-9]*[.,][0-9]+$", re.ASCII)
# what a Chinese input method types for digits, signs and the decimal point, folded to ASCII;
# nothing else ("²", "①", "١" stay what they are, and are refused)
_FULL_WIDTH = str.maketrans("０１２３４５６７８９＋－．，。", "0123456789+-.,.")


def _range_error(label: str | None, lo: int, hi: int) -> InvalidInput:
    return InvalidInput(_("%(field)s应为 %(lo)s 到 %(hi)s 之间的整数", field=label or _("数值"), lo=lo, hi=hi),
                        details={"field": label} if label else None)


def check_int(value, *, label: str | None = None, minimum: int = INT32_MIN, maximum: int = INT32_MAX) -> int:
    """A JSON integer within [minimum, maximum]; InvalidInput for anything else (bool, float,
    text)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(_("%(field)s应为整数（不带引号、不带小数）", field=label or _("数值")),
                           details={"field": label} if label else None)
    if not minimum <= value <= maximum:
        raise _range_error(label, minimum, maximum)
    return value


def parse_int(value, *, label: str | None = None, minimum: int = INT32_MIN, maximum: int = INT32_MAX,
              required: bool = True) -> int | None:
    """An integer typed in a form or read from a file: an int, or digits (full-width folded to
    ASCII) with an optional sign. "1.5" is refused ("must be a whole number"), never truncated.
    Empty text is None when not `required`."""
    name = label or _("数值")
    if isinstance(value, bool):
        raise InvalidInput(_("%(field)s必须是整数：%(value)s", field=name, value=value))
    if isinstance(value, int):
        n = value
    elif isinstance(value, float):  # a number cell of a spreadsheet
        if not value.is_integer():
            raise InvalidInput(_("%(field)s必须是整数，不能有小数：%(value)s", field=name, value=value))
        n = int(value)
    else:
        text = str(value if value is not None else "").translate(_FULL_WIDTH).strip()
        if not text:
            if required:
                raise InvalidInput(_("请填写%(field)s", field=name))
            return None
        if _FRACTION.match(text):
            raise InvalidInput(_("%(field)s必须是整数，不能有小数：%(value)s", field=name, value=text))
        if not _INT_TEXT.match(text) or len(text) > 20:
            raise InvalidInput(_("%(field)s必须是整数：%(value)s", field=name, value=text[:40]))
        n = int(text, 10)
    if not minimum <= n <= maximum:
        raise _range_error(name, minimum, maximum)
    return n


def arg_int(text: str) -> int:
    """`request.args.get(name, type=arg_int)`: an id or offset from a query string, 0 … 2³¹−1 in
    ASCII digits; anything else raises ValueError, which werkzeug turns into the default."""
    if not isinstance(text, str) or not text.isascii() or not text.isdigit() or len(text) > 10:
        raise ValueError(text)
    n = int(text)
    if n > INT32_MAX:
        raise ValueError(text)
    return n


def _up_to(limit: int) -> str:
    """A regex for the decimal numbers 0 … `limit` (leading zeros allowed up to its length)."""
    digits = str(limit)
    parts = [f"[0-9]{{1,{len(digits) - 1}}}"] if len(digits) > 1 else []
    for i, d in enumerate(digits):
        rest = len(digits) - i - 1
        if int(d) > 0:
            lower = f"[0-{int(d) - 1}]"
            parts.append(digits[:i] + lower + (f"[0-9]{{{rest}}}" if rest else ""))
    parts.append(digits)
    return "(?:" + "|".join(parts) + ")"


class IntConverter(IntegerConverter):
    """`<int:...>` for every route of the app: 0 … 2³¹−1 (the id columns), so a bigger number is
    a 404 like any id that does not exist, never a database error. The bound is in the regex
    itself, so no rule matches the path at all (werkzeug would otherwise answer 405 where a GET
    and a POST rule share it); ASCII digits only (werkzeug's `\\d+` also matches "١٢")."""

    regex = _up_to(MAX_ID)

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)
