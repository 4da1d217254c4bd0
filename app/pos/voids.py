"""Voids and refunds: whole sales or some lines, by a manager (or a cashier with a manager's
PIN). Stock and voucher balance come back through new rows; the sale itself is never edited."""

from __future__ import annotations

import datetime as dt

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.auth.permissions import ensure_shop
from app.core import audit
from app.core.errors import InvalidInput
from app.core.money import line_amount_fen
from app.core.timeutil import Period, business_today
from app.core.weights import format_quantity
from app.extensions import db
from app.inventory import services as inventory
from app.pos import services as pos
from app.pos.errors import AlreadyVoided
from app.pos.models import Sale, Void, VoidLine
from app.pos.pins import PIN, authorising_manager, set_manager_pin  # noqa: F401 - moved to pins.py
from app.vouchers import services as vouchers

REFUND_ORDER = ("cash", "wechat", "alipay", "card")


def voided_quantities(sale_id: int) -> dict[int, int]:
    rows = db.session.execute(
        select(VoidLine.sale_line_id, func.sum(VoidLine.quantity))
        .join(Void, Void.id == VoidLine.void_id).where(Void.sale_id == sale_id)
        .group_by(VoidLine.sale_line_id)).all()
    return {line_id: int(q) for line_id, q in rows}


def void_sale(*, sale: Sale, actor, reason: str, lines: list[dict] | None = None,
              manager_username: str | None = None, manager_pin: str | None = None,
              authorised_by=None, today: dt.date | None = None) -> Void:
    """Void `lines` of the sale (all that is left when None). `authorised_by`: the manager the
    caller has already authorised (pins.authorising_manager, which commits a refused PIN and must
    therefore run before anything of the void is written); else it is done here, first."""
    ensure_shop(actor, sale.shop)
    manager = authorised_by or authorising_manager(actor, sale_shop_id=sale.shop_id,
                                                   manager_username=manager_username, manager_pin=manager_pin)
    # the sale's row is the deciding row: lock it before reading its earlier voids, so that two
    # voids of one sale (a double tap, two tills) run one after the other, the second seeing the first
    sale = pos.lock_sale(sale.id)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("请填写作废原因"))
    if len(reason) > 200:
        raise InvalidInput(_("作废原因最多 200 字"))
    today = today or business_today()
    done = voided_quantities(sale.id)
    by_id = {line.id: line for line in sale.lines}
    wanted: dict[int, int] = {}
    if lines is None:
        wanted = {lid: line.quantity - done.get(lid, 0) for lid, line in by_id.items()
                  if line.quantity - done.get(lid, 0) > 0}
    else:
        if not isinstance(lines, list) or not lines:
            raise InvalidInput(_("请选择要作废的商品行"))
        for raw in lines:
            lid, qty = (raw or {}).get("line_id"), (raw or {}).get("qty")
            if lid not in by_id:
                raise InvalidInput(_("交易中没有这一行：%(id)s", id=lid))
            if isinstance(qty, bool) or not isinstance(qty, int) or qty <= 0:
                raise InvalidInput(_("作废数量必须是正整数（称重商品为克数）"))
            wanted[lid] = wanted.get(lid, 0) + qty
        for lid, qty in wanted.items():
            left = by_id[lid].quantity - done.get(lid, 0)
            if qty > left:
                error = InvalidInput if qty > by_id[lid].quantity else AlreadyVoided  # earlier voids took it
                raise error(_("“%(name)s”最多还能作废 %(n)s", name=by_id[lid].name,
                              n=format_quantity(left, by_id[lid].unit, by_id[lid].unit_grams)),
                            details={"line_id": lid, "left": left})
    if not wanted:
        raise AlreadyVoided()

    # each line's part: what its voided quantity so far costs less what it cost before this void,
    # so that the parts of a weighed line add up to its total exactly (app.core.money)
    part = {lid: void_amount_fen(by_id[lid], done.get(lid, 0), q) for lid, q in wanted.items()}
    amount = sum(part.values())
    eligible_amount = sum(part[lid] for lid in wanted if by_id[lid].voucher_eligible)
    prior = list(db.session.scalars(select(Void).where(Void.sale_id == sale.id)))
    voucher_left = sale.voucher_paid_fen - sum(v.voucher_refund_fen for v in prior)
    voucher_refund = min(eligible_amount, voucher_left) if sale.voucher_id else 0
    refunds = _refund_by_method(sale, prior, amount - voucher_refund)

    # the refund leaves the drawer of the shift open at the till now: the voider's own, else the
    # sale's shift while it is still open; with neither, it is paid from the safe (no shift)
    # (its row is share-locked, as a sale does, so that a shift closing now waits for this void)
    shift = pos.current_shift(actor.id, lock=True)
    if shift is None or shift.shop_id != sale.shop_id:
        shift = pos.open_shift_by_id(sale.shift_id, lock=True)
    void = Void(sale_id=sale.id, shop_id=sale.shop_id, shift_id=shift.id if shift else None,
                manager_id=manager.id, business_date=today, reason=reason, total_fen=amount,
                voucher_refund_fen=voucher_refund, refunds=refunds,
                settlement_period=settlement_period(sale, today))
    db.session.add(void)
    db.session.flush()
    for lid, qty in sorted(wanted.items()):
        db.session.add(VoidLine(void_id=void.id, sale_line_id=lid, quantity=qty, amount_fen=part[lid]))
    for lid, qty in sorted(wanted.items(), key=lambda kv: by_id[kv[0]].product_id):
        inventory.return_stock(shop_id=sale.shop_id, product_id=by_id[lid].product_id, quantity=qty,
                               kind="void", ref_type="void", ref_id=void.id, user_id=actor.id)
    if voucher_refund:
        vouchers.refund(sale.voucher_id, voucher_refund, today=today, ref_type="void", ref_id=void.id)
    db.session.flush()
    audit.record("pos.void", target=sale,
                 details={"void_id": void.id, "reason": reason, "amount_fen": amount,
                          "voucher_refund_fen": voucher_refund, "refunds": refunds,
                          "authorised_by": manager.username,
                          "lines": {str(k): v for k, v in wanted.items()}})
    return void


def void_amount_fen(line, voided_before: int, qty: int) -> int:
    """What voiding `qty` more of a sale line hands back: price(voided before + qty) −
    price(voided before). Pieces: price × qty; weighed lines: the rounding telescopes, so a line
    voided in parts gives back exactly its total."""
    return (line_amount_fen(line.price_fen, voided_before + qty, line.unit_grams)
            - line_amount_fen(line.price_fen, voided_before, line.unit_grams))


def settlement_period(sale: Sale, today: dt.date) -> str:
    """The shop's settlement month the void counts in. The rule belongs to reports (registered as
    `settlement_period_for_void`): the sale's month, or the next open one when the sale's month
    is already settled; a void dated inside a settled month raises `period_closed`."""
    rule = current_app.extensions.get("settlement_period_for_void")
    if rule is None:
        return str(Period.of(sale.business_date))
    return rule(shop_id=sale.shop_id, sale_date=sale.business_date, void_date=today)


def _refund_by_method(sale: Sale, prior: list[Void], amount: int) -> dict[str, int]:
    """Hand back `amount` by the sale's own methods, cash first, never more than each paid."""
    paid = {p.method: p.amount_fen for p in sale.payments if p.method != "voucher"}
    refunded: dict[str, int] = {}
    for v in prior:
        for m, fen in (v.refunds or {}).items():
            refunded[m] = refunded.get(m, 0) + int(fen)
    out: dict[str, int] = {}
    left = amount
    for method in REFUND_ORDER:
        room = paid.get(method, 0) - refunded.get(method, 0)
        take = min(room, left)
        if take > 0:
            out[method] = take
            left -= take
    if left > 0:  # should not happen: the voucher part and tenders cover the total
        out["cash"] = out.get("cash", 0) + left
    return out


def refund_preview(sale: Sale) -> dict:
    """What voiding all that is left of the sale would hand back, per method, as `void_sale`
    reckons it (the voucher part to the voucher, the rest by the sale's methods, cash first).
    Reads only: the till's confirmation shows it before the void."""
    done = voided_quantities(sale.id)
    amount = eligible = 0
    for line in sale.lines:
        left = line.quantity - done.get(line.id, 0)
        if left > 0:
            amount += line.price_fen * left
            eligible += line.price_fen * left if line.voucher_eligible else 0
    prior = list(db.session.scalars(select(Void).where(Void.sale_id == sale.id)))
    voucher_left = sale.voucher_paid_fen - sum(v.voucher_refund_fen for v in prior)
    voucher_refund = min(eligible, voucher_left) if sale.voucher_id else 0
    rest = _refund_by_method(sale, prior, amount - voucher_refund) if amount - voucher_refund > 0 else {}
    preview = ([{"method": "voucher", "amount_fen": voucher_refund}] if voucher_refund else []) + [
        {"method": m, "amount_fen": fen} for m, fen in rest.items()]
    return {"refund_total_fen": amount, "refund_preview": preview}


def sale_void_summary(sale: Sale) -> dict:
    done = voided_quantities(sale.id)
    return {"voided": {str(k): v for k, v in done.items()},
            "fully_voided": all(done.get(line.id, 0) >= line.quantity for line in sale.lines)}
