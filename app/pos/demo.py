"""Demo: last month and this morning at the two demo tills, through the real checkout.

The demo cashiers of 魏都店 (WD01) and 建安店 (JA01) sell baskets of rice, flour, oil and
seasonings to voucher holders (the voucher first, cash for the rest) and one cash sale without a
voucher: last month on a few days spread over it (after which last month's unspent vouchers
expire, as the nightly job would), and this morning, when the 魏都店 manager also voids one line;
the shifts are closed with the cash counted exactly. So both demo months reconcile, last month
can be settled, and the dashboard has more than one month.
Idempotent: nothing is sold again once the demo's sales exist. Runs after the vouchers and
inventory demos (DOMAINS order).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from app.auth.models import User
from app.core.timeutil import Period, business_today
from app.extensions import db
from app.inventory.models import Product
from app.pos import services as pos
from app.pos import voids
from app.pos.checkout import checkout, quote
from app.pos.models import Sale
from app.vouchers import issuance
from app.vouchers import services as vouchers
from app.vouchers.models import Voucher

KEY_PREFIX = "demo-sale-"
# shop's cashier, [(basket of (product name, qty — grams when weighed), with a voucher?)]
# the demo manager's PIN for authorising voids at a cashier's till (printed by seed-demo and in
# the README, like the demo password; a manager changes it at /pos/pin)
DEMO_PIN = "2468"
# shop's cashier, [(basket of (product name, qty), with a voucher?)]
BASKETS = {
    "cashier": [
        ([("东北大米 5kg", 1), ("加碘精制盐 400g", 1)], True),
        ([("五得利小麦粉 5kg", 1)], True),
        ([("大豆油 5L", 1)], True),
        ([("挂面 1kg", 2), ("山西老陈醋 500ml", 1)], True),
        ([("生抽酱油 500ml", 1), ("白砂糖 500g", 1), ("散装鸡蛋", 750)], True),
        ([("花生油 1.8L", 1)], True),
        ([("洗衣粉 1.5kg", 1)], False),
    ],
    "cashier2": [
        ([("东北大米 5kg", 1)], True),
        ([("大豆油 5L", 1)], True),
        ([("挂面 1kg", 1), ("小米 1kg", 1)], True),
        ([("五得利小麦粉 5kg", 1), ("加碘精制盐 400g", 2)], True),
    ],
}


def _fresh_vouchers(period: Period, n: int) -> list[Voucher]:
    return list(db.session.scalars(
        select(Voucher).where(Voucher.period == str(period), Voucher.status == "active",
                              Voucher.balance_fen == Voucher.face_fen)
        .order_by(Voucher.id).limit(n)))


def _sell_month(period: Period, products: dict, *, days: list[dt.date] | None, first_key: int) -> list[Sale]:
    """Every basket once, with fresh vouchers of `period`; on `days` in turn (None: today)."""
    wanted = sum(with_voucher for baskets in BASKETS.values() for _b, with_voucher in baskets)
    fresh = _fresh_vouchers(period, wanted)
    if len(fresh) < wanted:
        return []
    sold, n = [], first_key
    for username, baskets in BASKETS.items():
        cashier = db.session.scalar(select(User).where(User.username == username))
        if cashier is None or cashier.shop_id is None:
            continue
        if pos.current_shift(cashier.id) is None:
            pos.open_shift(cashier=cashier, float_fen=20000)
        for items, with_voucher in baskets:
            lines = [{"product_id": products[name].id, "grams" if products[name].weighed else "qty": qty}
                     for name, qty in items]
            code = vouchers.code_of(fresh.pop(0)) if with_voucher else None
            day = days[n % len(days)] if days else None
            due = quote(lines=lines, voucher_code=code, today=day).due_fen  # the till's own arithmetic
            sale, _replayed = checkout(cashier=cashier, idempotency_key=f"{KEY_PREFIX}{n:04d}", lines=lines,
                                       payments=[{"method": "cash", "amount_fen": due}] if due else [],
                                       voucher_code=code, today=day)
            sold.append(sale)
            n += 1
    return sold


def _close_shifts() -> None:
    for username in BASKETS:
        cashier = db.session.scalar(select(User).where(User.username == username))
        shift = pos.current_shift(cashier.id) if cashier is not None else None
        if shift is not None:
            pos.close_shift(cashier=cashier, counted_fen=pos.expected_cash(shift))


def _demo_pin(echo) -> None:
    """The demo manager gets the demo PIN, once (a PIN changed on the page stays)."""
    from app.pos import pins
    from app.pos.models import ManagerPin

    manager = db.session.scalar(select(User).where(User.username == "manager"))
    if manager is not None and db.session.get(ManagerPin, manager.id) is None:
        pins.set_manager_pin(manager, DEMO_PIN, details={"by": "seed-demo"})
        echo("demo: the manager's PIN is set")


def print_notes(echo) -> None:
    """After the demo logins (seed-demo): the demo manager's PIN."""
    echo(f"  店长授权码 Manager PIN (manager, for voids at the till): {DEMO_PIN}")


def seed(echo) -> None:
    _demo_pin(echo)
    if db.session.scalar(select(Sale.id).where(Sale.idempotency_key.like(f"{KEY_PREFIX}%")).limit(1)):
        echo("demo: till sales already there")
        return
    products = {p.name: p for p in db.session.scalars(select(Product))}
    if any(name not in products for b in BASKETS.values() for items, _v in b for name, _q in items):
        echo("demo: no products for the till demo, sales skipped")
        return
    # last month, spread over its days; then the month is over and its unspent vouchers expire
    last = Period.current().previous()
    days = [min(last.first_day + dt.timedelta(days=d), last.last_day) for d in (3, 9, 14, 20, 26)]
    before = _sell_month(last, products, days=days, first_key=1)
    _close_shifts()
    expired = issuance.expire_vouchers(as_of=business_today()) if before else {}
    # this morning
    sold = _sell_month(Period.current(), products, days=None, first_key=101)
    if not sold:
        echo("demo: no vouchers for the till demo, sales skipped")
        return
    manager = db.session.scalar(select(User).where(User.username == "manager"))
    salt = next((s for s in sold if any(line.name == "加碘精制盐 400g" for line in s.lines)), None)
    if manager is not None and salt is not None and salt.shop_id == manager.shop_id:
        line = next(line for line in salt.lines if line.name == "加碘精制盐 400g")
        voids.void_sale(sale=salt, actor=manager, reason="顾客退回一包盐",
                        lines=[{"line_id": line.id, "qty": 1}])
    _close_shifts()
    echo(f"demo: {len(before)} till sales in {last} (then {expired.get('expired', 0)} vouchers expired), "
         f"{len(sold)} today ({sum(s.voucher_id is not None for s in sold)} with a voucher), one line voided, "
         "shifts closed")
