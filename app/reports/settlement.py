"""Shop settlement: what the federation owes a shop for a month of voucher sales.

amount = voucher payments of the shop's sales dated in the month
         − voucher refunds of the voids that count in the month.

A void counts in the month of its sale, unless that month is already settled (paid): then it
counts in the shop's next open month (`period_for_void`, called by the till's void service,
stored on pos_void.settlement_period). Marking a settlement paid closes the shop's month; a
void dated inside a closed month, paying twice, or any other change of a closed month is
refused with `period_closed`.

Concurrency: paying takes the shop row FOR NO KEY UPDATE and the void rule takes it FOR SHARE
(PostgreSQL; on SQLite every write transaction already holds the database's write lock), so a
void and the payment of the same shop's month are serialised: either the void is committed
first and the payment includes its refund, or the payment is first and the void goes to the
next month. Checkouts take only FOR KEY SHARE on the shop (their foreign key) and never wait.
"""

from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select, update

from app.auth.models import Shop
from app.core import audit
from app.core.db import unique_or, utcnow
from app.core.errors import Conflict, InvalidInput, NotFound, PeriodClosed
from app.core.timeutil import Period, business_today
from app.extensions import db
from app.pos.models import Payment, Sale, Void
from app.reports.models import Settlement

MAX_REFERENCE = 80


def number_for(shop: Shop, period: Period) -> str:
    """JS-202612-T001: one statement per shop and month, numbered by both."""
    return f"JS-{period.year:04d}{period.month:02d}-{shop.code}"


def closed_periods(shop_id: int) -> set[str]:
    return set(db.session.scalars(select(Settlement.period)
                                  .where(Settlement.shop_id == shop_id, Settlement.status == "paid")))


def is_closed(shop_id: int, period: str | Period) -> bool:
    return db.session.scalar(select(Settlement.id).where(
        Settlement.shop_id == shop_id, Settlement.period == str(period), Settlement.status == "paid")) is not None


def _lock_shop(shop_id: int, *, exclusive: bool) -> None:
    q = select(Shop.id).where(Shop.id == shop_id)
    q = q.with_for_update(key_share=True) if exclusive else q.with_for_update(read=True)
    db.session.execute(q)


def period_for_void(*, shop_id: int, sale_date: dt.date, void_date: dt.date) -> str:
    """The settlement month a void's voucher refund counts in (see the module docstring)."""
    _lock_shop(shop_id, exclusive=False)
    closed = closed_periods(shop_id)
    if str(Period.of(void_date)) in closed:
        raise PeriodClosed(_("%(period)s 已结算关闭，不能再登记该月的作废", period=str(Period.of(void_date))))
    period = Period.of(sale_date)
    while str(period) in closed:
        period = period.next()
    return str(period)


def refuse_sale_in_closed_month(*, shop_id: int, day: dt.date) -> None:
    """A sale dated in a shop's settled month is `period_closed`. The till only asks for sales
    dated before the current month (a sale begun before midnight, a backdated entry): the shared
    lock on the shop orders it against a payment of that month."""
    _lock_shop(shop_id, exclusive=False)
    if is_closed(shop_id, Period.of(day)):
        raise PeriodClosed(_("%(period)s 已结算关闭，不能再登记该月的交易", period=str(Period.of(day))))


def _void_counts_in(period: Period):
    return or_(Void.settlement_period == str(period),
               and_(Void.settlement_period.is_(None), Sale.business_date.between(period.first_day, period.last_day)))


def figures(shop_id: int, period: Period) -> dict:
    """The live amounts of a shop's month."""
    n, paid = db.session.execute(
        select(func.count(func.distinct(Sale.id)), func.coalesce(func.sum(Payment.amount_fen), 0))
        .join(Payment, and_(Payment.sale_id == Sale.id, Payment.method == "voucher"))
        .where(Sale.shop_id == shop_id, Sale.business_date.between(period.first_day, period.last_day))).one()
    refund = db.session.scalar(
        select(func.coalesce(func.sum(Void.voucher_refund_fen), 0)).join(Sale, Sale.id == Void.sale_id)
        .where(Void.shop_id == shop_id, _void_counts_in(period)))
    return {"sales_count": int(n), "voucher_fen": int(paid), "refund_fen": int(refund or 0),
            "amount_fen": int(paid) - int(refund or 0)}


def statement_rows(settlement: Settlement) -> list[dict]:
    """Every sale of the month paid by voucher (with the refunds counted in the month), then the
    adjustments: refunds of voids of earlier, settled months that were posted into this one."""
    period = Period.parse(settlement.period)
    shop_id = settlement.shop_id
    sales = db.session.execute(
        select(Sale.id, Sale.receipt_no, Sale.business_date, Sale.created_at, Sale.voucher_tail,
               func.sum(Payment.amount_fen))
        .join(Payment, and_(Payment.sale_id == Sale.id, Payment.method == "voucher"))
        .where(Sale.shop_id == shop_id, Sale.business_date.between(period.first_day, period.last_day))
        .group_by(Sale.id, Sale.receipt_no, Sale.business_date, Sale.created_at, Sale.voucher_tail)
        .order_by(Sale.business_date, Sale.id)).all()
    voids = db.session.execute(
        select(Void.id, Void.sale_id, Void.business_date, Void.voucher_refund_fen, Sale.receipt_no,
               Sale.business_date)
        .join(Sale, Sale.id == Void.sale_id)
        .where(Void.shop_id == shop_id, Void.voucher_refund_fen > 0, _void_counts_in(period))
        .order_by(Void.id)).all()
    refunds_by_sale: dict[int, int] = {}
    adjustments = []
    for void_id, sale_id, void_date, fen, receipt_no, sale_date in voids:
        if period.contains(sale_date):
            refunds_by_sale[sale_id] = refunds_by_sale.get(sale_id, 0) + int(fen)
        else:
            adjustments.append({"kind": "adjustment", "receipt_no": receipt_no, "sale_date": sale_date,
                                "void_id": void_id, "void_date": void_date, "voucher_fen": 0,
                                "refund_fen": int(fen), "net_fen": -int(fen), "voucher_tail": None})
    rows = [{"kind": "sale", "receipt_no": rno, "sale_date": day, "void_id": None, "void_date": None,
             "voucher_tail": tail, "voucher_fen": int(fen), "refund_fen": refunds_by_sale.get(sid, 0),
             "net_fen": int(fen) - refunds_by_sale.get(sid, 0)}
            for sid, rno, day, _at, tail, fen in sales]
    return rows + adjustments


def get_settlement(settlement_id: int) -> Settlement:
    s = db.session.get(Settlement, settlement_id)
    if s is None:
        raise NotFound(_("结算单不存在"))
    return s


def find(shop_id: int, period: Period) -> Settlement | None:
    return db.session.scalar(select(Settlement).where(Settlement.shop_id == shop_id,
                                                      Settlement.period == str(period)))


def overview(period: Period, shops: list[Shop]) -> list[dict]:
    """Per visible shop: the live figures, or the frozen ones of a paid settlement."""
    out = []
    for shop in shops:
        s = find(shop.id, period)
        figs = (figures(shop.id, period) if s is None or s.status == "draft" else
                {"sales_count": s.sales_count, "voucher_fen": s.voucher_fen, "refund_fen": s.refund_fen,
                 "amount_fen": s.amount_fen})
        out.append({"shop": shop, "settlement": s, **figs})
    return out


def prepare(shop: Shop, period: str | Period, *, today: dt.date | None = None) -> Settlement:
    """Create (or refresh) the draft statement of a finished month."""
    period = Period.parse(str(period))
    today = today or business_today()
    if period.last_day >= today:
        raise InvalidInput(_("%(period)s 尚未结束，月末之后才能结算", period=str(period)))
    # the shop's row orders preparing against a payment (and against a second preparing at the
    # same moment, which then finds the first one's draft)
    _lock_shop(shop.id, exclusive=True)
    s = find(shop.id, period)
    if s is not None:
        db.session.refresh(s)
    if s is not None and s.status == "paid":
        return s
    created = s is None
    if created:
        s = Settlement(number=number_for(shop, period), shop_id=shop.id, period=str(period), status="draft",
                       created_by=audit.current_actor().username[:80], created_at=utcnow())
        with unique_or(db.session, Conflict(_("结算单正在生成，请刷新后再试"))):
            db.session.add(s)
    figs = figures(shop.id, period)
    changed = created or any(getattr(s, key) != value for key, value in figs.items())
    for key, value in figs.items():
        setattr(s, key, value)
    db.session.flush()
    if changed:  # the same figures prepared again are no new event
        audit.record("reports.settlement.prepare", target=s,
                     details={"shop": shop.code, "period": str(period), "amount_fen": s.amount_fen})
    return s


def mark_paid(settlement_id: int, *, reference: str, expected_amount_fen: int | None = None) -> Settlement:
    """Record the payment (with the bank or voucher reference) and close the shop's month.

    `expected_amount_fen`: the amount the clerk saw; if a void changed it meanwhile the payment
    is refused (`conflict`) so nobody pays a figure they have not seen.
    """
    reference = (reference or "").strip()
    if not reference:
        raise InvalidInput(_("请填写付款凭证号"))
    if len(reference) > MAX_REFERENCE:
        raise InvalidInput(_("付款凭证号最多 %(n)s 个字符", n=MAX_REFERENCE))
    s = get_settlement(settlement_id)
    _lock_shop(s.shop_id, exclusive=True)
    s = db.session.scalar(select(Settlement).where(Settlement.id == settlement_id).with_for_update(of=Settlement)
                          .execution_options(populate_existing=True))
    if s.status == "paid":
        raise PeriodClosed(_("结算单 %(number)s 已付款，该月已关闭", number=s.number))
    figs = figures(s.shop_id, Period.parse(s.period))
    if expected_amount_fen is not None and expected_amount_fen != figs["amount_fen"]:
        raise Conflict(_("应付金额已变化（有新的作废），请刷新结算单后再确认"),
                       details={"amount_fen": figs["amount_fen"]})
    actor = audit.current_actor().username[:80]
    result = db.session.execute(
        update(Settlement).where(Settlement.id == s.id, Settlement.status == "draft")
        .values(status="paid", paid_at=utcnow(), paid_reference=reference, paid_by=actor, **figs)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise PeriodClosed()
    db.session.expire(s)
    audit.record("reports.settlement.paid", target=s,
                 details={"number": s.number, "reference": reference, **figs})
    return s
