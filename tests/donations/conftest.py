"""Fixtures of the donations tests (the shared ones live in tests/conftest.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from app.core.timeutil import BUSINESS_TZ


def at(day: str, hour: int = 10) -> dt.datetime:
    """A moment in business time (Asia/Shanghai), as an aware datetime."""
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), tzinfo=BUSINESS_TZ)


@pytest.fixture
def business_at():
    return at
