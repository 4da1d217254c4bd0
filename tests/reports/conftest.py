"""Fixtures of the reports' tests."""

from __future__ import annotations

import pytest

from tests.reports.factories import build_month


@pytest.fixture
def november(app_ctx):
    """A month of mixed activity, expired and with a void after expiry (see build_month)."""
    return build_month()


@pytest.fixture
def november_open(app_ctx):
    """The same month before expiry: balances still outstanding."""
    return build_month(expire=False)
