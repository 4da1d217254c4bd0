"""Chinese resident identity numbers (居民身份证号码, GB 11643-1999).

18 characters: a six-digit region code, the birth date YYYYMMDD, a three-digit sequence (odd for
men, even for women) and a MOD 11-2 check character (0-9 or X). The region code must be one that
has existed at some time (see app.core.regions); the birth date must be a real past date.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from flask_babel import gettext as _

from app.core import regions
from app.core.errors import InvalidInput
from app.core.timeutil import business_today

_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_CHECK = "10X98765432"
_SPACES = re.compile(r"[\s\-]+")


@dataclass(frozen=True)
class ResidentId:
    number: str
    region_code: str
    birth_date: dt.date
    sex: str  # "M" or "F"

    @property
    def last4(self) -> str:
        return self.number[-4:]


class InvalidResidentId(InvalidInput):
    """Carries a machine-readable `reason` besides the Chinese message."""

    def __init__(self, reason: str, message: str):
        super().__init__(message, details={"reason": reason})
        self.reason = reason


def check_character(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def normalise(text: str) -> str:
    return _SPACES.sub("", str(text or "")).upper().replace("Ｘ", "X")


def parse_resident_id(text: str, *, today: dt.date | None = None) -> ResidentId:
    """Validate and return the parts; raise InvalidResidentId with a reason in Chinese."""
    number = normalise(text)
    if not number:
        raise InvalidResidentId("empty", _("身份证号为空"))
    if len(number) == 15 and number.isdigit():
        raise InvalidResidentId(
            "old_15_digit",
            _("这是15位旧身份证号，请换用18位居民身份证号（可在户籍地派出所查询）"))
    if len(number) != 18:
        raise InvalidResidentId("length", _("身份证号应为18位，实际为%(n)s位", n=len(number)))
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise InvalidResidentId("format", _("身份证号前17位应为数字，最后一位为数字或X"))
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidResidentId("birth_date", _("身份证号中的出生日期 %(d)s 不存在", d=number[6:14])) from None
    today = today or business_today()
    if birth > today or birth.year < 1880:
        raise InvalidResidentId("birth_date", _("身份证号中的出生日期 %(d)s 不合理", d=number[6:14]))
    region = number[:6]
    if not regions.is_known_region(region):
        raise InvalidResidentId("region", _("身份证号的地区码 %(code)s 不存在", code=region))
    expected = check_character(number[:17])
    if number[17] != expected:
        raise InvalidResidentId("check_character", _("身份证号校验位不正确，请核对是否抄错"))
    return ResidentId(number=number, region_code=region, birth_date=birth,
                      sex="M" if int(number[16]) % 2 else "F")


def is_valid_resident_id(text: str) -> bool:
    try:
        parse_resident_id(text)
    except InvalidResidentId:
        return False
    return True


def make_resident_id(region_code: str, birth: dt.date, sequence: int) -> str:
    """Build a valid number (demo data and tests)."""
    body = f"{region_code}{birth:%Y%m%d}{sequence:03d}"
    return body + check_character(body)
