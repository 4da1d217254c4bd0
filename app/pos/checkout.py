"""Checkout: price a basket, apply limits, take the voucher and the rest, in one transaction.

The caller commits (through app.core.db.commit_with_retry). Any DomainError on the way means
nothing of the sale is kept: stock moves, the voucher debit and its ledger row, the sale, its
lines and its payments are all flushed into the same transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.core.errors import InvalidInput
from app.core.money import format_fen, line_amount_fen
from app.core.numbers import check_int
from app.core.timeutil import Period, business_today
from app.core.weights import format_quantity
from app.extensions import db
from app.inventory import services as inventory
from app.pos import services as pos
from app.pos.errors import (
    IdempotencyConflict,
    LimitExceeded,
    NotEligible,
    PaymentInsufficient,
    QuantityNotWhole,
    WeightRequired,
)
from app.pos.models import Payment, Sale, SaleLine, VoidLine
from app.recipients import services as recipients
from app.vouchers import services as vouchers

KEY = re.compile(r"^[A-Za-z0-9-]{8,64}$")
TENDER_METHODS = ("cash", "wechat", "alipay", "card")
MAX_QTY = 999
MAX_LINE_GRAMS = 100_000  # one weighed product in one sale: at most 100 kg
MAX_TENDER_LINES = 10
# What one sale may take in tenders altogether (¥100,000), and the most change it may give: no
# customer hands over more than one unneeded ¥100 note (¥39.90 paid with two lines of ¥99,999.99
# once recorded ¥199,960.08 change).
MAX_TENDERED_FEN = 10_000_000
MAX_CHANGE_FEN = 10_000


@dataclass
class PricedLine:
    product: object
    quantity: int  # pieces, or grams of a weighed product
    price_fen: int
    charity: bool

    @property
    def unit_grams(self) -> int | None:
        return self.product.unit_grams if self.product.weighed else None

    @property
    def total_fen(self) -> int:
        return line_amount_fen(self.price_fen, self.quantity, self.unit_grams)

    @property
    def market_total_fen(self) -> int:
        return line_amount_fen(self.product.market_price_fen, self.quantity, self.unit_grams)


def request_hash(body: dict) -> str:
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _line_product_and_quantity(raw: dict) -> tuple[object, int]:
    """The product of one basket line and its quantity: `qty` pieces (whole: 1.5 is refused as
    `quantity_not_whole`, never truncated) or, for a weighed product, `grams`; a scale label as
    `barcode` brings its own weight."""
    label = None
    if raw.get("product_id") is not None:
        product = inventory.get_product(check_int(raw["product_id"], label="product_id", minimum=1))
    elif raw.get("barcode"):
        label = inventory.read_scale_label(str(raw["barcode"]))
        product = label.product if label is not None else inventory.find_by_barcode(str(raw["barcode"]))
    else:
        raise InvalidInput(_("商品行需要 product_id 或条码"))
    if not product.active:
        raise InvalidInput(_("商品已停售：%(name)s", name=product.name))
    if not product.weighed:
        if raw.get("grams") is not None:
            raise WeightRequired(_("“%(name)s”按件销售，请给出件数 qty，不是重量", name=product.name),
                                 details={"product_id": product.id})
        qty = raw.get("qty")
        if isinstance(qty, float) and not qty.is_integer():
            raise QuantityNotWhole(_("“%(name)s”按件销售，数量必须是整数：%(qty)s", name=product.name, qty=qty),
                                   details={"product_id": product.id, "qty": qty})
        return product, check_int(qty, label=_("数量"), minimum=1, maximum=MAX_QTY)
    if label is not None:
        if raw.get("grams") is not None or raw.get("qty") is not None:
            raise InvalidInput(_("秤签已带重量，不要再给 qty 或 grams：%(code)s", code=label.code))
        return product, label.grams
    if raw.get("grams") is None:
        raise WeightRequired(_("“%(name)s”是称重商品：请给出重量 grams（克）", name=product.name),
                             details={"product_id": product.id})
    return product, check_int(raw.get("grams"), label=_("重量（克）"), minimum=1, maximum=MAX_LINE_GRAMS)


def _parse_lines(lines) -> list[tuple[object, int]]:
    if not isinstance(lines, list) or not lines:
        raise InvalidInput(_("购物车是空的"))
    merged: dict[int, list] = {}
    for raw in lines:
        if not isinstance(raw, dict):
            raise InvalidInput(_("商品行格式不正确"))
        product, qty = _line_product_and_quantity(raw)
        entry = merged.setdefault(product.id, [product, 0])
        entry[1] += qty
        if entry[1] > (MAX_LINE_GRAMS if product.weighed else MAX_QTY):
            raise InvalidInput(_("数量过大：%(name)s", name=product.name))
    return [(p, q) for p, q in merged.values()]


def _parse_payments(payments) -> dict[str, int]:
    """Tenders per method (lines of one method are added up). The sum of all lines is capped as a
    whole (MAX_TENDERED_FEN), not per line."""
    if payments is None:
        return {}
    if not isinstance(payments, list) or len(payments) > MAX_TENDER_LINES:
        raise InvalidInput(_("付款方式格式不正确"))
    out: dict[str, int] = {}
    total = 0
    for raw in payments:
        method = raw.get("method") if isinstance(raw, dict) else None
        if method not in TENDER_METHODS:
            raise InvalidInput(_("不支持的付款方式：%(m)s（购物券自动抵扣，不需填写）", m=method))
        amount = check_int(raw.get("amount_fen"), label=_("付款金额"), minimum=0, maximum=MAX_TENDERED_FEN)
        total += amount
        if total > MAX_TENDERED_FEN:
            raise InvalidInput(_("收款合计不能超过 %(max)s", max=format_fen(MAX_TENDERED_FEN)))
        out[method] = out.get(method, 0) + amount
    return out


def limit_used(recipient_id: int, product_id: int, period: Period) -> int:
    """Units of `product_id` bought at charity price by the recipient in `period`, city-wide,
    net of voids."""
    sold = db.session.scalar(
        select(func.coalesce(func.sum(SaleLine.quantity), 0))
        .join(Sale, Sale.id == SaleLine.sale_id)
        .where(Sale.recipient_id == recipient_id, SaleLine.product_id == product_id,
               SaleLine.charity_price.is_(True),
               Sale.business_date.between(period.first_day, period.last_day)))
    voided = db.session.scalar(
        select(func.coalesce(func.sum(VoidLine.quantity), 0))
        .join(SaleLine, SaleLine.id == VoidLine.sale_line_id)
        .join(Sale, Sale.id == SaleLine.sale_id)
        .where(Sale.recipient_id == recipient_id, SaleLine.product_id == product_id,
               SaleLine.charity_price.is_(True),
               Sale.business_date.between(period.first_day, period.last_day)))
    return int(sold) - int(voided)


def remaining_limits(recipient_id: int, *, today: dt.date | None = None) -> list[dict]:
    """What the recipient may still buy at charity price this month, for every limited product."""
    period = Period.of(today or business_today())
    out = []
    for product in inventory.limited_products():
        used = limit_used(recipient_id, product.id, period)
        remaining = max(0, product.monthly_limit - used)
        out.append({"product_id": product.id, "name": product.name, "unit": product.unit,
                    "unit_grams": product.unit_grams if product.weighed else None,
                    "limit": product.monthly_limit, "used": used, "remaining": remaining,
                    "remaining_text": inventory.quantity_text(product, remaining), "period": str(period)})
    return out


def _price(basket, recipient, period: Period, over_limit: str) -> list[PricedLine]:
    priced: list[PricedLine] = []
    for product, qty in sorted(basket, key=lambda pq: pq[0].id):
        if recipient is None:
            priced.append(PricedLine(product, qty, product.market_price_fen, False))
            continue
        charity_qty = qty
        if product.monthly_limit:
            remaining = max(0, product.monthly_limit - limit_used(recipient.id, product.id, period))
            if qty > remaining:
                if over_limit != "market":
                    raise LimitExceeded(
                        _("“%(name)s”每月慈善价限购 %(limit)s，本月还可买 %(left)s",
                          name=product.name, limit=inventory.quantity_text(product, product.monthly_limit),
                          left=inventory.quantity_text(product, remaining)),
                        details={"product_id": product.id, "limit": product.monthly_limit,
                                 "remaining": remaining, "requested": qty})
                charity_qty = remaining
        if charity_qty:
            priced.append(PricedLine(product, charity_qty, product.charity_price_fen, True))
        if qty - charity_qty:
            priced.append(PricedLine(product, qty - charity_qty, product.market_price_fen, False))
    return priced


def _identify(voucher_code, recipient_id, today, lock: bool = True):
    voucher = recipient = None
    if voucher_code:
        voucher = vouchers.find_voucher(voucher_code)
        vouchers.ensure_identifies(voucher, today=today)  # expired / revoked raise; empty identifies
        recipient = recipients.get_recipient(voucher.recipient_id)
        if recipient_id is not None and check_int(recipient_id, label="recipient_id", minimum=1) != recipient.id:
            raise InvalidInput(_("购物券与所选救助对象不一致"))
    elif recipient_id is not None:
        recipient = recipients.get_recipient(check_int(recipient_id, label="recipient_id", minimum=1))
    if recipient is not None:
        if recipient.status != "active":
            raise NotEligible()
        if lock:
            recipients.lock_for_update(recipient.id)  # serialises limit checks across tills
            if voucher is not None:
                # read before the lock: another till may have spent from it meanwhile, and the
                # payment must be priced on what is left (else a clean sale is refused with
                # insufficient_balance by the conditional debit)
                db.session.refresh(voucher)
    return voucher, recipient


@dataclass(frozen=True)
class Quote:
    """What a basket costs at the moment it was priced: its priced lines, what the voucher pays
    and what is left to pay."""
    voucher: object
    recipient: object
    priced: list[PricedLine]
    total_fen: int
    market_total_fen: int
    voucher_pays_fen: int

    @property
    def due_fen(self) -> int:
        return self.total_fen - self.voucher_pays_fen


def _quote(basket, voucher_code, recipient_id, over_limit: str, today: dt.date, lock: bool = True) -> Quote:
    voucher, recipient = _identify(voucher_code, recipient_id, today, lock)
    priced = _price(basket, recipient, Period.of(today), over_limit)
    eligible = sum(p.total_fen for p in priced if p.product.voucher_eligible)
    return Quote(voucher, recipient, priced, total_fen=sum(p.total_fen for p in priced),
                 market_total_fen=sum(p.market_total_fen for p in priced),
                 voucher_pays_fen=min(voucher.balance_fen, eligible) if voucher is not None else 0)


def quote(*, lines, voucher_code: str | None = None, recipient_id: int | None = None,
          over_limit: str = "refuse", today: dt.date | None = None) -> Quote:
    """Price a basket as checkout would, writing nothing and locking nothing (the till shows it
    before every sale: POST /api/v1/sales/quote; the demo uses it to tender exactly)."""
    return _quote(_parse_lines(lines), voucher_code, recipient_id, over_limit, today or business_today(),
                  lock=False)


def _refuse_settled_month(shop_id: int, day: dt.date) -> None:
    """Only a finished month can be settled, so only a sale dated before this month can fall in
    one; reports owns the rule (`settlement_check_sale`): `period_closed` if that month is paid."""
    rule = current_app.extensions.get("settlement_check_sale")
    if rule is not None and Period.of(day) < Period.of(business_today()):
        rule(shop_id=shop_id, day=day)


def checkout(*, cashier, idempotency_key: str, lines, payments=None, voucher_code: str | None = None,
             recipient_id: int | None = None, over_limit: str = "refuse",
             today: dt.date | None = None) -> tuple[Sale, bool]:
    """Record a sale. Returns (sale, replayed): replayed is True when the key was seen before."""
    if not isinstance(idempotency_key, str) or not KEY.match(idempotency_key):
        raise InvalidInput(_("缺少或无效的交易编号（idempotency_key）"))
    if over_limit not in ("refuse", "market"):
        raise InvalidInput(_("over_limit 只能是 refuse 或 market"))
    digest = request_hash({"voucher_code": vouchers.normalise_code(voucher_code) if voucher_code else None,
                           "recipient_id": recipient_id, "lines": lines, "payments": payments,
                           "over_limit": over_limit, "shop": cashier.shop_id})
    existing = db.session.scalar(select(Sale).where(Sale.idempotency_key == idempotency_key))
    if existing is not None:
        if existing.request_hash != digest:
            raise IdempotencyConflict()
        return existing, True

    today = today or business_today()
    shop = cashier.shop
    shift = pos.require_open_shift(cashier.id, shop.id, lock=True)
    _refuse_settled_month(shop.id, today)
    basket = _parse_lines(lines)
    tenders = _parse_payments(payments)
    q = _quote(basket, voucher_code, recipient_id, over_limit, today)
    voucher, recipient, priced = q.voucher, q.recipient, q.priced
    total, market_total, voucher_pays, due = q.total_fen, q.market_total_fen, q.voucher_pays_fen, q.due_fen
    non_cash = sum(v for m, v in tenders.items() if m != "cash")
    if non_cash > due:
        raise InvalidInput(_("微信、支付宝、银行卡的金额不能超过应付金额 %(due)s", due=format_fen(due)))
    cash_due = due - non_cash
    cash_tendered = tenders.get("cash", 0)
    if cash_tendered < cash_due:
        raise PaymentInsufficient(_("还需支付 %(left)s", left=format_fen(cash_due - cash_tendered)),
                                  details={"due_fen": due, "missing_fen": cash_due - cash_tendered})
    change = cash_tendered - cash_due
    if change > MAX_CHANGE_FEN:
        raise InvalidInput(_("找零 %(change)s 超过 %(max)s，请核对收到的现金金额", change=format_fen(change),
                             max=format_fen(MAX_CHANGE_FEN)),
                           details={"change_fen": change, "max_change_fen": MAX_CHANGE_FEN})

    sale = Sale(idempotency_key=idempotency_key, request_hash=digest,
                receipt_no=pos.receipt_number(shop, today), shop_id=shop.id, shift_id=shift.id,
                cashier_id=cashier.id, business_date=today,
                recipient_id=recipient.id if recipient else None,
                voucher_id=voucher.id if voucher else None, market_total_fen=market_total,
                total_fen=total, savings_fen=market_total - total, voucher_paid_fen=voucher_pays,
                paid_fen=voucher_pays + sum(tenders.values()), change_fen=change,
                voucher_tail=voucher.code_tail if voucher else None)
    db.session.add(sale)
    db.session.flush()
    for p in priced:
        db.session.add(SaleLine(sale_id=sale.id, product_id=p.product.id, name=p.product.name,
                                unit=p.product.unit, quantity=p.quantity, unit_grams=p.unit_grams,
                                market_price_fen=p.product.market_price_fen, price_fen=p.price_fen,
                                charity_price=p.charity, voucher_eligible=p.product.voucher_eligible,
                                line_total_fen=p.total_fen))
    for product, qty in sorted(basket, key=lambda pq: pq[0].id):  # one lock order for every till
        inventory.take_stock(shop_id=shop.id, product_id=product.id, quantity=qty, kind="sale",
                             ref_type="sale", ref_id=sale.id, user_id=cashier.id)
    if voucher_pays:
        sale.voucher_balance_after_fen = vouchers.redeem(voucher.id, voucher_pays, today=today,
                                                         ref_type="sale", ref_id=sale.id)
        db.session.add(Payment(sale_id=sale.id, method="voucher", amount_fen=voucher_pays,
                               tendered_fen=voucher_pays))
    elif voucher is not None:
        sale.voucher_balance_after_fen = voucher.balance_fen
    for method in TENDER_METHODS:
        if method in tenders and tenders[method] > 0:
            amount = cash_due if method == "cash" else tenders[method]
            db.session.add(Payment(sale_id=sale.id, method=method, amount_fen=amount,
                                   tendered_fen=tenders[method]))
    db.session.flush()
    return sale, False


def sale_result(sale: Sale) -> dict:
    """The API's view of a sale (also what an idempotent replay returns)."""
    return {
        "id": sale.id,
        "receipt_no": sale.receipt_no,
        "business_date": sale.business_date.isoformat(),
        "market_total_fen": sale.market_total_fen,
        "total_fen": sale.total_fen,
        "savings_fen": sale.savings_fen,
        "voucher_paid_fen": sale.voucher_paid_fen,
        "paid_fen": sale.paid_fen,
        "change_fen": sale.change_fen,
        "voucher_balance_fen": sale.voucher_balance_after_fen,
        "recipient_id": sale.recipient_id,
        "lines": [{"id": line.id, "product_id": line.product_id, "name": line.name, "unit": line.unit,
                   "qty": line.quantity, "unit_grams": line.unit_grams,
                   "quantity_text": format_quantity(line.quantity, line.unit, line.unit_grams),
                   "market_price_fen": line.market_price_fen,
                   "price_fen": line.price_fen, "charity_price": line.charity_price,
                   "voucher_eligible": line.voucher_eligible, "line_total_fen": line.line_total_fen}
                  for line in sale.lines],
        "payments": [{"method": p.method, "amount_fen": p.amount_fen, "tendered_fen": p.tendered_fen}
                     for p in sale.payments],
    }
