"""Inventory fixtures."""

from __future__ import annotations

import pytest

from tests import factories as core_factories
from tests.inventory import factories


@pytest.fixture
def shop_a(app_ctx):
    return core_factories.shop("INVA", district_code="411002", name="甲店")


@pytest.fixture
def shop_b(app_ctx):
    return core_factories.shop("INVB", district_code="411024", name="乙店")


@pytest.fixture
def rice(app_ctx):
    grain = factories.category("粮油测试")
    return factories.product("东北大米 5kg", category=grain, market=3990, charity=2990,
                             voucher_eligible=True, monthly_limit=1)
