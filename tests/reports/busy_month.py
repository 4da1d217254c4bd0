"""A month of mixed activity for `flask verify`, built through the real services: the reports'
November (build_month: voucher sales at two shops, whole and partial voids, revocations), plus
a lost card replaced and spent, a cash-and-WeChat sale voided whole, expiry and a late void,
December's vouchers, both shifts closed (one short by a yuan), a new shift left open with a cash
sale partly voided and a voucher sale, a transfer, a stocktake, donated items received, picked
up and partly returned, and the first shop's November settled and paid."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from app.core.timeutil import BUSINESS_TZ
from app.donations import pickups, returns
from app.inventory import movements
from app.pos import services as pos
from app.pos.checkout import checkout
from app.reports import settlement
from app.vouchers import issuance
from app.vouchers import services as vouchers
from tests.donations import factories as donation_factories
from tests.reports.factories import D, Month, build_month, line_of, sell, void

DECEMBER = "2026-12"


@dataclass
class Busy:
    m: Month
    replacement: object      # r10's new card after the old one was reported lost (spent 250 at B)
    card_sale: object        # B, Nov 21: oil at market price, WeChat 3000 + cash 4000, voided whole
    cash_sale: object        # A, Dec 3 (open shift): 2 rice + 1 salt at market price for cash, 1 rice voided
    cash_void: object
    december_sale: object    # A, Dec 3 (open shift): oil with r1's December voucher + cash
    open_shift: object       # A's cashier's shift of Dec 3, still open
    z_a: object              # the Z reports of November's shifts
    z_b: object
    pickup: object           # r2's first pickup of 3 garments (one returned; a fourth taken later)
    lot_ids: list
    paid: object             # A's November settlement, paid


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=BUSINESS_TZ)


def cash_checkout(s, lines, *, day, payments, voucher=None):
    sale, _ = checkout(cashier=s.cashier, idempotency_key=str(uuid.uuid4()), lines=lines, payments=payments,
                       voucher_code=vouchers.code_of(voucher) if voucher is not None else None, today=day)
    return sale


def build_busy_month() -> Busy:
    m = build_month(expire=False)
    a, b, v = m.a, m.b, m.voucher_of
    for s in (a, b):  # the shifts opened when November began, not when the test runs
        pos.current_shift(s.cashier.id).opened_at = at(D(2026, 11, 1), 8)
    replacement, _code = vouchers.reissue(v[10].id, reason="遗失")
    sell(b, replacement, [{"product_id": m.salt.id, "qty": 1}], day=D(2026, 11, 22))
    card_sale = cash_checkout(b, [{"product_id": m.oil.id, "qty": 1}], day=D(2026, 11, 21),
                              payments=[{"method": "wechat", "amount_fen": 3000},
                                        {"method": "cash", "amount_fen": 4000}])
    void(b, card_sale, day=D(2026, 11, 21))
    issuance.expire_vouchers(as_of=D(2026, 12, 1))
    void(a, m.sales["r8_rice"], day=D(2026, 12, 2))
    issuance.issue_vouchers(period=DECEMBER)

    # stock between the shops, and a count at B that finds one salt missing
    movements.transfer(from_shop_id=a.shop.id, to_shop_id=b.shop.id, lines=[{"product_id": m.rice.id, "quantity": 2}])
    count = movements.start_stocktake(shop_id=b.shop.id)
    on_hand = next(line.expected for line in count.lines if line.product_id == m.salt.id)
    movements.record_counts(count, {m.salt.id: on_hand - 1})
    movements.post_stocktake(count)

    # donated clothes and quilts at A: received, picked up, one garment brought back
    donation = donation_factories.received(shop=a.shop, manager=a.manager, now=at(D(2026, 11, 5)), lines=[
        {"kind": "quilt", "description": "棉被", "quantity": 3},
        {"kind": "clothing", "description": "棉衣", "quantity": 6}])
    pickups.record_pickup(user=a.cashier, recipient_id=m.recipients[0].id, idempotency_key=str(uuid.uuid4()),
                          lines=[{"kind": "quilt", "quantity": 1}, {"kind": "clothing", "quantity": 2}],
                          now=at(D(2026, 11, 10)))
    pickup = pickups.record_pickup(user=a.cashier, recipient_id=m.recipients[1].id,
                                   idempotency_key=str(uuid.uuid4()), lines=[{"kind": "clothing", "quantity": 3}],
                                   now=at(D(2026, 11, 12)))
    returns.return_pickup(user=a.manager, pickup_id=pickup.id, reason="尺码不合适",
                          lines=[{"line_id": pickup.lines[0].id, "qty": 1}])
    pickups.record_pickup(user=a.cashier, recipient_id=m.recipients[1].id, idempotency_key=str(uuid.uuid4()),
                          lines=[{"kind": "clothing", "quantity": 1}], now=at(D(2026, 11, 14)))

    # November's shifts close (A one yuan short); A's cashier opens the next one on December 3rd
    shift_a = pos.current_shift(a.cashier.id)
    z_a = pos.close_shift(cashier=a.cashier, counted_fen=pos.expected_cash(shift_a) - 100)
    z_b = pos.close_shift(cashier=b.cashier, counted_fen=pos.expected_cash(pos.current_shift(b.cashier.id)))
    open_shift = pos.open_shift(cashier=a.cashier, float_fen=5000)
    dec3 = D(2026, 12, 3)
    open_shift.opened_at = at(dec3, 8)
    cash_sale = cash_checkout(a, [{"product_id": m.rice.id, "qty": 2}, {"product_id": m.salt.id, "qty": 1}],
                              day=dec3, payments=[{"method": "cash", "amount_fen": 10000}])
    cash_void = void(a, cash_sale, day=dec3, lines=[{"line_id": line_of(cash_sale, m.rice), "qty": 1}])
    december = next(x for x in vouchers.vouchers_of_recipient(m.recipients[0].id) if x.period == DECEMBER)
    december_sale = cash_checkout(a, [{"product_id": m.oil.id, "qty": 1}], day=dec3, voucher=december,
                                  payments=[{"method": "cash", "amount_fen": 3000}])

    draft = settlement.prepare(a.shop, "2026-11", today=D(2026, 12, 5))
    paid = settlement.mark_paid(draft.id, reference="PAY-2026-11-A")
    lot_ids = sorted({line.lot_id for line in pickup.lines})
    assert donation.status == "received"
    return Busy(m, replacement, card_sale, cash_sale, cash_void, december_sale, open_shift, z_a, z_b, pickup,
                lot_ids, paid)
