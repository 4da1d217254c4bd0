"""Shifts, numbering and sale look-ups for the till. Services flush; callers commit."""

from __future__ import annotations

import datetime as dt
import re

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.core import audit
from app.core.db import unique_or, utcnow
from app.core.errors import Conflict, InvalidInput, NotFound
from app.core.timeutil import business_today
from app.extensions import db
from app.pos.errors import NoOpenShift, ShiftAlreadyOpen
from app.pos.models import Counter, Payment, Sale, Shift, Terminal, Void, ZReport

# --- numbering ------------------------------------------------------------------------------

def next_number(shop_id: int, name: str) -> int:
    """Increment and return the shop's counter `name` in one statement, without races:
    `INSERT ... ON CONFLICT DO UPDATE SET value = value + 1 RETURNING value` (SQLite and
    PostgreSQL). Concurrent tills queue on the counter row; each sees only its own number."""
    dialect = db.session.get_bind().dialect.name
    insert_ = sqlite_insert if dialect == "sqlite" else pg_insert
    stmt = insert_(Counter).values(shop_id=shop_id, name=name, value=1)
    stmt = stmt.on_conflict_do_update(index_elements=[Counter.shop_id, Counter.name],
                                      set_={"value": Counter.value + 1}).returning(Counter.value)
    return db.session.execute(stmt).scalar_one()


def receipt_number(shop, day: dt.date) -> str:
    n = next_number(shop.id, f"receipt:{day:%Y%m%d}")
    return f"{shop.code}-{day:%Y%m%d}-{n:04d}"


# --- terminals ------------------------------------------------------------------------------

def terminal_id_for(shop_id: int | None, code: str | None) -> int | None:
    if not code:
        return None
    terminal = db.session.scalar(select(Terminal).where(Terminal.shop_id == shop_id,
                                                        Terminal.code == code.strip().upper()))
    if terminal is None:
        raise NotFound(_("本店没有这台收银机：%(code)s", code=code))
    return terminal.id


def terminal_for_user(user) -> Terminal | None:
    """The till the user's open shift runs on (where its receipts print), if any."""
    shift = current_shift(user.id)
    if shift is None or shift.terminal_id is None:
        return None
    return db.session.get(Terminal, shift.terminal_id)


def create_terminal(*, shop, code: str, name: str = "", printer_uri: str = "", columns: int = 32,
                    encoding: str = "gb18030", profile: str = "default") -> Terminal:
    code = (code or "").strip().upper()
    if not re.fullmatch(r"[A-Z0-9-]{1,20}", code):
        raise InvalidInput(_("收银机编号只能包含大写字母、数字和 -"))
    if columns not in (32, 48):
        raise InvalidInput(_("小票纸宽只能是 32 或 48 列"))
    if encoding not in ("gbk", "gb18030"):
        raise InvalidInput(_("打印机编码只能是 gbk 或 gb18030"))
    if db.session.scalar(select(Terminal.id).where(Terminal.shop_id == shop.id, Terminal.code == code)):
        raise Conflict(_("收银机编号已存在：%(code)s", code=code))
    terminal = Terminal(shop_id=shop.id, code=code, name=name, printer_uri=printer_uri,
                        printer_columns=columns, printer_encoding=encoding, printer_profile=profile)
    with unique_or(db.session, Conflict(_("收银机编号已存在：%(code)s", code=code))):
        db.session.add(terminal)
    audit.record("pos.terminal_create", target=terminal, details={"shop": shop.code, "code": code})
    return terminal


# --- shifts ---------------------------------------------------------------------------------

def _open_shift_query(*conds, lock: bool):
    q = select(Shift).where(*conds, Shift.closed_at.is_(None)).execution_options(populate_existing=True)
    # a sale or a void share-locks its open shift; closing it locks it exclusively: a close waits
    # for the sales in flight, and a sale that waited for a close finds the shift closed
    return q.with_for_update(read=True) if lock else q


def current_shift(cashier_id: int, *, lock: bool = False) -> Shift | None:
    return db.session.scalar(_open_shift_query(Shift.cashier_id == cashier_id, lock=lock))


def open_shift_by_id(shift_id: int, *, lock: bool = False) -> Shift | None:
    """The shift, if it is still open."""
    return db.session.scalar(_open_shift_query(Shift.id == shift_id, lock=lock))


def require_open_shift(cashier_id: int, shop_id: int, *, lock: bool = False) -> Shift:
    shift = current_shift(cashier_id, lock=lock)
    if shift is None or shift.shop_id != shop_id:
        raise NoOpenShift()
    return shift


def open_shift(*, cashier, float_fen: int, terminal_id: int | None = None) -> Shift:
    if cashier.shop_id is None:
        raise InvalidInput(_("只有门店人员可以开班"))
    if not isinstance(float_fen, int) or isinstance(float_fen, bool) or float_fen < 0:
        raise InvalidInput(_("备用金必须是不小于 0 的整数（分）"))
    if current_shift(cashier.id) is not None:
        raise ShiftAlreadyOpen()
    shift = Shift(shop_id=cashier.shop_id, cashier_id=cashier.id, float_fen=float_fen,
                  terminal_id=terminal_id)
    # the partial unique index allows one open shift per cashier: a second opening at the same
    # moment waits here for the first and is then refused
    with unique_or(db.session, ShiftAlreadyOpen()):
        db.session.add(shift)
    audit.record("pos.shift_open", target=shift, details={"float_fen": float_fen})
    return shift


def shift_totals(shift: Shift) -> dict:
    """Sales, voids and money by method for one shift (what the Z report freezes)."""
    sales = db.session.execute(
        select(func.count(Sale.id), func.coalesce(func.sum(Sale.total_fen), 0),
               func.coalesce(func.sum(Sale.market_total_fen), 0),
               func.coalesce(func.sum(Sale.savings_fen), 0),
               func.coalesce(func.sum(Sale.voucher_paid_fen), 0))
        .where(Sale.shift_id == shift.id)).one()
    by_method = dict(db.session.execute(
        select(Payment.method, func.sum(Payment.amount_fen))
        .join(Sale, Sale.id == Payment.sale_id).where(Sale.shift_id == shift.id)
        .group_by(Payment.method)).all())
    voids = list(db.session.scalars(select(Void).where(Void.shift_id == shift.id)))
    refunds: dict[str, int] = {}
    for v in voids:
        for method, fen in (v.refunds or {}).items():
            refunds[method] = refunds.get(method, 0) + int(fen)
    voucher_refunds = sum(v.voucher_refund_fen for v in voids)
    methods = ("voucher", "cash", "wechat", "alipay", "card")
    return {
        "sales_count": sales[0],
        "sales_fen": int(sales[1]),
        "market_value_fen": int(sales[2]),
        "savings_fen": int(sales[3]),
        "voucher_redeemed_fen": int(sales[4]),
        "voids_count": len(voids),
        "voids_fen": sum(v.total_fen for v in voids),
        "voucher_refunded_fen": voucher_refunds,
        "by_method": {m: int(by_method.get(m) or 0) for m in methods},
        "refunds_by_method": {m: int(refunds.get(m, 0)) for m in methods if m != "voucher"},
    }


def expected_cash(shift: Shift, totals: dict | None = None) -> int:
    totals = totals or shift_totals(shift)
    return shift.float_fen + totals["by_method"]["cash"] - totals["refunds_by_method"]["cash"]


def close_shift(*, cashier, counted_fen: int, closed_by=None) -> ZReport:
    if not isinstance(counted_fen, int) or isinstance(counted_fen, bool) or counted_fen < 0:
        raise InvalidInput(_("清点的现金必须是不小于 0 的整数（分）"))
    # lock the open shift: a second close waits, then finds it closed; sales in flight (which
    # share-lock it) finish first, so the Z report counts every one of them
    shift = db.session.scalar(_open_shift_query(Shift.cashier_id == cashier.id, lock=False).with_for_update())
    if shift is None:
        raise NoOpenShift(_("没有未结束的班次"))
    totals = shift_totals(shift)
    expected = expected_cash(shift, totals)
    shift.closed_at = utcnow()
    shift.closed_by_id = (closed_by or cashier).id
    report = ZReport(shift_id=shift.id, shop_id=shift.shop_id, number=next_number(shift.shop_id, "z"),
                     counted_fen=counted_fen, expected_cash_fen=expected,
                     difference_fen=counted_fen - expected,
                     totals={**totals, "float_fen": shift.float_fen,
                             "opened_at": shift.opened_at.isoformat()})
    db.session.add(report)
    db.session.flush()
    audit.record("pos.shift_close", target=shift,
                 details={"z": report.number, "counted_fen": counted_fen, "expected_fen": expected})
    return report


def get_z_report(report_id: int) -> ZReport:
    report = db.session.get(ZReport, report_id)
    if report is None:
        raise NotFound()
    return report


# --- sales ----------------------------------------------------------------------------------

def get_sale(sale_id: int) -> Sale:
    sale = db.session.get(Sale, sale_id)
    if sale is None:
        raise NotFound(_("交易不存在"))
    return sale


def lock_sale(sale_id: int) -> Sale:
    """The sale, its row locked until the commit (FOR UPDATE; SQLite's BEGIN IMMEDIATE already
    serialises): what decides a void is read after the lock."""
    sale = db.session.scalar(select(Sale).where(Sale.id == sale_id).with_for_update(of=Sale)
                             .execution_options(populate_existing=True))
    if sale is None:
        raise NotFound(_("交易不存在"))
    return sale


def shift_sales(shift: Shift, *, limit: int = 200) -> list[Sale]:
    return list(db.session.scalars(select(Sale).where(Sale.shift_id == shift.id)
                                   .order_by(Sale.id.desc()).limit(limit)))


def today() -> dt.date:
    return business_today()
