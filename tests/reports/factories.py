"""A month of mixed activity for the reports' tests, built through the real services:
issuance, checkouts at two shops (app.pos.checkout), voids (app.pos.voids), revocations and
expiry. The expected figures are worked out by hand in the docstring of `november`."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from dataclasses import dataclass, field

from sqlalchemy import select

from app.extensions import db
from app.pos import services as pos
from app.pos import voids
from app.pos.checkout import checkout
from app.pos.models import Sale
from app.vouchers import issuance
from app.vouchers import services as vouchers
from app.vouchers.models import Voucher
from tests import factories
from tests.inventory import factories as inv
from tests.vouchers import factories as vf

PERIOD = "2026-11"
D = dt.date
_seq = itertools.count(1)


@dataclass
class Shop:
    shop: object
    cashier: object
    manager: object


@dataclass
class Month:
    a: Shop
    b: Shop
    rice: object   # charity 2500, market 3500
    oil: object    # charity 5800, market 6800
    salt: object   # charity 250, market 300
    recipients: list
    voucher_of: dict  # recipient index (1-based) -> Voucher
    sales: dict = field(default_factory=dict)  # name -> Sale


def shop_with_staff(district_code: str) -> Shop:
    shop = factories.shop(district_code=district_code)
    cashier = factories.user("cashier", shop=shop)
    manager = factories.user("manager", shop=shop)
    pos.open_shift(cashier=cashier, float_fen=10000)
    return Shop(shop, cashier, manager)


def sell(s: Shop, voucher: Voucher, lines, *, day: dt.date, cash: int = 0) -> Sale:
    payments = [{"method": "cash", "amount_fen": cash}] if cash else []
    sale, _ = checkout(cashier=s.cashier, idempotency_key=str(uuid.uuid4()), lines=lines, payments=payments,
                       voucher_code=vouchers.code_of(voucher), today=day)
    return sale


def void(s: Shop, sale: Sale, *, day: dt.date, lines=None):
    return voids.void_sale(sale=sale, actor=s.manager, reason="顾客退货", lines=lines, today=day)


def line_of(sale: Sale, product) -> int:
    return next(line.id for line in sale.lines if line.product_id == product.id)


def build_month(*, expire: bool = True) -> Month:
    """November 2026, twelve recipients (r1–r8 in 魏都区 411002, r9–r12 in 鄢陵县 411024):

    sales (voucher part): r1 rice 2500 at A and salt 250 at B; r2 oil 2900 (+2900 cash) at A;
    r3 rice 2500 at B, voided whole; r4 rice+salt 2750 at A, salt voided; r5 revoked unused;
    r6 salt 250 at A then revoked (2650); r7 rice 2500 at B; r8 rice 2500 at A (Nov 20).
    redeemed 16150, refunded 2750, revoked 5550, outstanding before expiry 15850.
    With `expire`: expiry on Dec 1 (15850 expired), then r8's sale voided on Dec 2: the refund
    of 2500 lands on an expired voucher (refund + expire rows): refunded 5250, expired 18350.
    By shop: A 5 sales, 5 people, 10900, refunds 2750; B 3 sales, 3 people, 5250, refunds 2500.
    """
    a = shop_with_staff("411002")
    b = shop_with_staff("411024")
    staples = inv.category(f"米面油{next(_seq)}", voucher_allowed=True)
    rice = inv.product("东北大米 5kg", category=staples, market=3500, charity=2500, voucher_eligible=True)
    oil = inv.product("大豆油 5L", category=staples, market=6800, charity=5800, unit="桶", voucher_eligible=True)
    salt = inv.product("食盐 400g", category=staples, market=300, charity=250, voucher_eligible=True)
    for s in (a, b):
        for p in (rice, oil, salt):
            inv.stock(s.shop, p, 50)
    people = [vf.recipient(f"王秀{i}", district_code="411002" if i <= 8 else "411024",
                           phone=f"1380000{i:04d}") for i in range(1, 13)]
    run = issuance.issue_vouchers(period=PERIOD)
    assert run.created == 12
    by_recipient = {v.recipient_id: v for v in db.session.scalars(
        select(Voucher).where(Voucher.issuance_run_id == run.id))}
    v = {i: by_recipient[r.id] for i, r in enumerate(people, 1)}
    m = Month(a, b, rice, oil, salt, people, v)
    rice1, salt1 = [{"product_id": rice.id, "qty": 1}], [{"product_id": salt.id, "qty": 1}]
    m.sales["r1_rice"] = sell(a, v[1], rice1, day=D(2026, 11, 3))
    m.sales["r1_salt"] = sell(b, v[1], salt1, day=D(2026, 11, 4))
    m.sales["r2_oil"] = sell(a, v[2], [{"product_id": oil.id, "qty": 1}], day=D(2026, 11, 5), cash=2900)
    m.sales["r3_rice"] = sell(b, v[3], rice1, day=D(2026, 11, 6))
    void(b, m.sales["r3_rice"], day=D(2026, 11, 7))
    m.sales["r4"] = sell(a, v[4], rice1 + salt1, day=D(2026, 11, 8))
    void(a, m.sales["r4"], day=D(2026, 11, 9), lines=[{"line_id": line_of(m.sales["r4"], salt), "qty": 1}])
    vouchers.revoke(v[5].id, reason="迁出本市")
    m.sales["r6_salt"] = sell(a, v[6], salt1, day=D(2026, 11, 10))
    vouchers.revoke(v[6].id, reason="去世")
    m.sales["r7_rice"] = sell(b, v[7], rice1, day=D(2026, 11, 12))
    m.sales["r8_rice"] = sell(a, v[8], rice1, day=D(2026, 11, 20))
    if expire:
        issuance.expire_vouchers(as_of=D(2026, 12, 1))
        void(a, m.sales["r8_rice"], day=D(2026, 12, 2))
    db.session.flush()
    return m
