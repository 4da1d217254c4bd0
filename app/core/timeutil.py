"""Business time is Asia/Shanghai. Timestamps are stored in UTC; periods are calendar months."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

from app.core.errors import InvalidInput

BUSINESS_TZ = ZoneInfo("Asia/Shanghai")
_PERIOD = re.compile(r"^(\d{4})-(\d{2})$")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def to_business(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    return moment.astimezone(BUSINESS_TZ)


def business_today(now: dt.datetime | None = None) -> dt.date:
    return to_business(now or utcnow()).date()


def business_day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The UTC instants [start, end) of a business day."""
    start = dt.datetime.combine(day, dt.time(), tzinfo=BUSINESS_TZ)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=BUSINESS_TZ)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(text).strip())
    except ValueError:
        raise InvalidInput(_("日期格式应为 YYYY-MM-DD：%(value)s", value=text)) from None


@dataclass(frozen=True, order=True)
class Period:
    """A voucher period: one calendar month in business time, written YYYY-MM."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Period:
        m = _PERIOD.match(str(text).strip())
        if not m:
            raise InvalidInput(_("期间格式应为 YYYY-MM：%(value)s", value=text))
        year, month = int(m.group(1)), int(m.group(2))
        if not (1 <= month <= 12) or not (2000 <= year <= 2100):
            raise InvalidInput(_("期间不存在：%(value)s", value=text))
        return cls(year, month)

    @classmethod
    def of(cls, day: dt.date) -> Period:
        return cls(day.year, day.month)

    @classmethod
    def current(cls, now: dt.datetime | None = None) -> Period:
        return cls.of(business_today(now))

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def last_day(self) -> dt.date:
        return dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def next(self) -> Period:
        return Period(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> Period:
        return Period(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    def contains(self, day: dt.date) -> bool:
        return (day.year, day.month) == (self.year, self.month)

    def utc_bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """The UTC instants [start, end) of this month in business time."""
        start, _ = business_day_bounds(self.first_day)
        _, end = business_day_bounds(self.last_day)
        return start, end
