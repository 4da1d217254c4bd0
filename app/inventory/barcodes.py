"""Product codes: EAN-13 / EAN-8 with their check digit (python-stdnum), or internal codes for
loose goods (a letter first, then letters, digits and hyphens, e.g. `SZ-EGG01`)."""

from __future__ import annotations

import re
import unicodedata

from flask_babel import gettext as _
from stdnum import ean
from stdnum.exceptions import InvalidChecksum, ValidationError

from app.core.errors import InvalidInput

INTERNAL = re.compile(r"^[A-Z][A-Z0-9-]{2,19}$")
_SPACES = re.compile(r"\s+")


def normalise(text) -> str:
    """Full-width digits and letters from an IME folded to ASCII, spaces removed, upper case."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", str(text or ""))).upper()


def validate(text) -> str:
    """The normalised code, or InvalidInput with the reason in Chinese."""
    code = normalise(text)
    if not code:
        raise InvalidInput(_("条码不能为空"))
    if code.isdigit():
        if len(code) not in (8, 13):
            raise InvalidInput(_("商品条码应为 13 位（EAN-13）或 8 位（EAN-8）数字，实际 %(n)s 位：%(code)s",
                                 n=len(code), code=code))
        try:
            ean.validate(code)
        except InvalidChecksum:
            raise InvalidInput(_("条码校验位不正确，请核对是否扫错或抄错：%(code)s", code=code)) from None
        except ValidationError:
            raise InvalidInput(_("条码格式不正确：%(code)s", code=code)) from None
        return code
    if INTERNAL.match(code):
        return code
    raise InvalidInput(_("店内码应以字母开头，只含字母、数字和 -，长度 3–20：%(code)s", code=code))


def make_ean13(first12: str) -> str:
    """Append the check digit (demo data, tests)."""
    return first12 + ean.calc_check_digit(first12)
