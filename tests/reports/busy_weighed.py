"""A weighed sale in the busy month, voided in two parts (tests of the books)."""

from __future__ import annotations

import uuid

from app.pos import voids
from app.pos.checkout import checkout
from tests.inventory import factories as inv
from tests.reports.factories import D


def sell_and_void_eggs_in_parts(busy):
    a = busy.m.a
    eggs = inv.product("称重鸡蛋", barcode="SZ-EGG80", market=650, charity=520, sale_unit="weight",
                       unit_grams=500, plu=80)
    inv.stock(a.shop, eggs, 5000)
    sale, _ = checkout(cashier=a.cashier, idempotency_key=str(uuid.uuid4()),
                       lines=[{"product_id": eggs.id, "grams": 334}],
                       payments=[{"method": "cash", "amount_fen": 500}], today=D(2026, 12, 3))
    line = sale.lines[0]
    parts = [voids.void_sale(sale=sale, actor=a.manager, reason="称错了", lines=[{"line_id": line.id, "qty": q}],
                             today=D(2026, 12, 3)) for q in (2, 332)]
    return sale, parts
