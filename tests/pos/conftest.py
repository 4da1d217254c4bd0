"""A shop with a cashier on an open shift, a small catalogue with stock, a recipient and a voucher."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from app.pos import services as pos
from tests import factories
from tests.inventory import factories as inv
from tests.vouchers import factories as vf

TODAY = dt.date(2026, 12, 10)


@dataclass
class Till:
    shop: object
    cashier: object
    shift: object
    rice: object        # eligible, limit 1 a month: market 3500, charity 2500
    oil: object         # eligible, no limit: market 6800, charity 5800
    liquor: object      # not voucher-eligible: market 1500, charity 1500
    recipient: object
    voucher: object
    code: str


@pytest.fixture
def till(app_ctx):
    shop = factories.shop()
    cashier = factories.user("cashier", shop=shop)
    staples = inv.category("米面油", voucher_allowed=True)
    drinks = inv.category("酒水", voucher_allowed=False)
    rice = inv.product("东北大米 5kg", category=staples, market=3500, charity=2500, monthly_limit=1,
                       voucher_eligible=True)
    oil = inv.product("大豆油 5L", category=staples, market=6800, charity=5800, unit="桶",
                      voucher_eligible=True)
    liquor = inv.product("白酒 500ml", category=drinks, market=1500, charity=1500, unit="瓶",
                         voucher_eligible=False)
    for p in (rice, oil, liquor):
        inv.stock(shop, p, 20)
    recipient = vf.recipient("王秀英")
    voucher, code = vf.voucher(recipient, period="2026-12")
    shift = pos.open_shift(cashier=cashier, float_fen=10000)
    return Till(shop, cashier, shift, rice, oil, liquor, recipient, voucher, code)
