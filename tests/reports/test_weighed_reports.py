"""Weighed goods in the reports: the month reconciles, the charity-value figures are exact to the
fen for weights (also after a weighed line is voided in parts), stock is grams, verify is clean."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from app.core.money import line_amount_fen
from app.core.timeutil import Period
from app.extensions import db
from app.inventory import movements
from app.inventory import services as inventory
from app.reports import queries, verify
from app.reports.reconciliation import reconcile
from app.vouchers import issuance
from app.vouchers.models import Voucher
from tests.inventory import factories as inv
from tests.reports.factories import line_of, sell, shop_with_staff, void
from tests.vouchers import factories as vf

PERIOD = "2026-11"
D = dt.date


def test_a_month_with_weighed_sales_and_part_voids_reconciles_to_the_fen(app_ctx):
    a = shop_with_staff("411002")
    eggs = inv.product("称重鸡蛋", barcode="SZ-EGG90", market=650, charity=520, sale_unit="weight",
                       unit_grams=500, plu=90, voucher_eligible=True, monthly_limit=1000)
    rice = inv.product("散装大米", barcode="SZ-RICE90", market=598, charity=399, sale_unit="weight",
                       unit_grams=1000, plu=91, voucher_eligible=True)
    inv.stock(a.shop, eggs, 10_000)
    movements.receive(shop_id=a.shop.id, supplier="粮站", received_by="李四",
                      lines=[{"product_id": rice.id, "quantity": "25kg"}])
    people = [vf.recipient(f"李秀{i}", district_code="411002") for i in (1, 2)]
    run = issuance.issue_vouchers(period=PERIOD)
    v = {x.recipient_id: x for x in db.session.scalars(select(Voucher).where(Voucher.issuance_run_id == run.id))}
    v1, v2 = v[people[0].id], v[people[1].id]

    # r1: 334 g of eggs (charity 5.20/斤 -> 347.36 -> 347) and 1.234 kg of rice (3.99/kg -> 492.366 -> 492)
    s1 = sell(a, v1, [{"product_id": eggs.id, "grams": 334}, {"product_id": rice.id, "grams": 1234}],
              day=D(2026, 11, 3))
    assert s1.total_fen == 347 + 492 and s1.voucher_paid_fen == 839
    # the eggs voided in two parts, 2 g then 332 g: at market price the parts round to 3 + 432 = 435,
    # the line to 434 (6.50 × 0.668) — the figures must count the line, not the rounded parts
    void(a, s1, day=D(2026, 11, 4), lines=[{"line_id": line_of(s1, eggs), "qty": 2}])
    void(a, s1, day=D(2026, 11, 5), lines=[{"line_id": line_of(s1, eggs), "qty": 332}])
    assert line_amount_fen(650, 2, 500) + line_amount_fen(650, 332, 500) == line_amount_fen(650, 334, 500) + 1
    # r2: the scale label's 375 g of eggs
    s2 = sell(a, v2, [{"barcode": "2100090003757"}], day=D(2026, 11, 6))
    assert s2.total_fen == 390
    db.session.flush()

    value = queries.charity_value(Period.parse(PERIOD), [a.shop.id])[a.shop.id]
    market = line_amount_fen(598, 1234, 1000) + line_amount_fen(650, 375, 500)  # the voided eggs count 0
    assert value["market_fen"] == market == 738 + 488
    assert value["charity_fen"] == 492 + 390
    assert value["saving_fen"] == market - (492 + 390)

    r = reconcile(PERIOD)
    assert r["balanced"], r
    assert r["redeemed_fen"] == 839 + 390 and r["refunded_fen"] == 347

    assert inventory.stock_on_hand(a.shop.id, eggs.id) == 10_000 - 375
    assert inventory.stock_on_hand(a.shop.id, rice.id) == 25_000 - 1234
    report = verify.run()
    assert report["ok"], [c for c in report["checks"] if not c["ok"]]
