"""Demo: a morning at the two demo tills, through the real checkout.

The demo cashiers of 魏都店 (WD01) and 建安店 (JA01) open a shift, sell baskets of rice, flour,
oil and seasonings to voucher holders (the voucher first, cash for the rest), one cash sale
without a voucher, and the 魏都店 manager voids one line; then both shifts are closed with the
cash counted exactly. So the demo's reconciliation balances and the reports have real sales.
Idempotent: nothing is sold again once the demo's sales exist. Runs after the vouchers and
inventory demos (DOMAINS order).
"""

from __future__ import annotations

from sqlalchemy import select

from app.auth.models import User
from app.core.timeutil import Period
from app.extensions import db
from app.inventory.models import Product
from app.pos import services as pos
from app.pos import voids
from app.pos.checkout import checkout
from app.pos.models import Sale
from app.vouchers import services as vouchers
from app.vouchers.models import Voucher

KEY_PREFIX = "demo-sale-"
FACE_FEN = 2900  # a fresh voucher of the month
# shop's cashier, [(basket of (product name, qty), with a voucher?)]
BASKETS = {
    "cashier": [
        ([("东北大米 5kg", 1), ("加碘精制盐 400g", 1)], True),
        ([("五得利小麦粉 5kg", 1)], True),
        ([("大豆油 5L", 1)], True),
        ([("挂面 1kg", 2), ("山西老陈醋 500ml", 1)], True),
        ([("生抽酱油 500ml", 1), ("白砂糖 500g", 1), ("散装鸡蛋(每斤)", 2)], True),
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


def _fresh_vouchers(n: int) -> list[Voucher]:
    return list(db.session.scalars(
        select(Voucher).where(Voucher.period == str(Period.current()), Voucher.status == "active",
                              Voucher.balance_fen == Voucher.face_fen)
        .order_by(Voucher.id).limit(n)))


def seed(echo) -> None:
    if db.session.scalar(select(Sale.id).where(Sale.idempotency_key.like(f"{KEY_PREFIX}%")).limit(1)):
        echo("demo: till sales already there")
        return
    products = {p.name: p for p in db.session.scalars(select(Product))}
    wanted = sum(with_voucher for baskets in BASKETS.values() for _b, with_voucher in baskets)
    fresh = _fresh_vouchers(wanted)
    if len(fresh) < wanted or any(name not in products for b in BASKETS.values() for items, _v in b
                                  for name, _q in items):
        echo("demo: no vouchers or products for the till demo, sales skipped")
        return
    sold, n = [], 0
    for username, baskets in BASKETS.items():
        cashier = db.session.scalar(select(User).where(User.username == username))
        if cashier is None or cashier.shop_id is None:
            continue
        if pos.current_shift(cashier.id) is None:
            pos.open_shift(cashier=cashier, float_fen=20000)
        for items, with_voucher in baskets:
            n += 1
            lines = [{"product_id": products[name].id, "qty": qty} for name, qty in items]
            code = vouchers.code_of(fresh.pop(0)) if with_voucher else None
            due = _due(lines, products, code)
            sale, _replayed = checkout(cashier=cashier, idempotency_key=f"{KEY_PREFIX}{n:04d}", lines=lines,
                                       payments=[{"method": "cash", "amount_fen": due}] if due else [],
                                       voucher_code=code)
            sold.append(sale)
    manager = db.session.scalar(select(User).where(User.username == "manager"))
    salt = next((s for s in sold if any(line.name == "加碘精制盐 400g" for line in s.lines)), None)
    if manager is not None and salt is not None and salt.shop_id == manager.shop_id:
        line = next(line for line in salt.lines if line.name == "加碘精制盐 400g")
        voids.void_sale(sale=salt, actor=manager, reason="顾客退回一包盐",
                        lines=[{"line_id": line.id, "qty": 1}])
    for username in BASKETS:
        cashier = db.session.scalar(select(User).where(User.username == username))
        shift = pos.current_shift(cashier.id) if cashier is not None else None
        if shift is not None:
            pos.close_shift(cashier=cashier, counted_fen=pos.expected_cash(shift))
    echo(f"demo: {len(sold)} till sales ({sum(s.voucher_id is not None for s in sold)} with a voucher), "
         "one line voided, shifts closed")


def _due(lines: list[dict], products: dict, code: str | None) -> int:
    """Cash still due: charity prices for a voucher holder (market otherwise), less the voucher's
    29 yuan on the eligible goods. The demo's baskets stay within the monthly limits."""
    by_id = {p.id: p for p in products.values()}
    total = eligible = 0
    for line in lines:
        p = by_id[line["product_id"]]
        fen = (p.charity_price_fen if code else p.market_price_fen) * line["qty"]
        total += fen
        eligible += fen if p.voucher_eligible else 0
    return total - (min(FACE_FEN, eligible) if code else 0)
