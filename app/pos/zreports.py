"""The Z report (a shift's close) as the till shows and prints it: the cashier, the shift's start
and end, the figures the close froze; for 58/80 mm paper as an HTML page (browser printing) and
as ESC/POS bytes, laid out and written like the receipts (receipt_escpos)."""

from __future__ import annotations

from escpos.printer import Dummy
from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from app.auth import services as auth
from app.core.timeutil import to_business
from app.extensions import db
from app.pos import escpos_text as et
from app.pos.models import Shift, Terminal, ZReport
from app.pos.receipt_escpos import Op, _Sheet, money, write
from app.pos.receipts import COLUMNS, DEFAULT_LOCALE, PAPER_WIDTHS_MM

METHODS = ("voucher", "cash", "wechat", "alipay", "card")


def method_labels() -> dict[str, str]:
    return {"voucher": _("购物券"), "cash": _("现金"), "wechat": _("微信"), "alipay": _("支付宝"),
            "card": _("银行卡")}


def z_view(report: ZReport) -> dict:
    """The report with its shift's cashier, start and end (the API's and the pages' view)."""
    shift = db.session.get(Shift, report.shift_id)
    cashier = auth.get_user(shift.cashier_id)
    return {"id": report.id, "number": report.number, "shift_id": report.shift_id,
            "created_at": report.created_at, "counted_fen": report.counted_fen,
            "expected_cash_fen": report.expected_cash_fen, "difference_fen": report.difference_fen,
            "totals": report.totals, "cashier": cashier.label, "opened_at": shift.opened_at,
            "closed_at": shift.closed_at or report.created_at, "shop_name": report.shop.name,
            "terminal_id": shift.terminal_id}


def terminal_of(z: dict) -> Terminal | None:
    """The till the shift ran on: its printer prints the report."""
    return db.session.get(Terminal, z["terminal_id"]) if z.get("terminal_id") else None


def when(moment) -> str:
    return to_business(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"


def rows(z: dict) -> list[tuple[str, str, bool]]:
    """(label, value, emphasised) in print order: the same on paper and on the page."""
    t, labels = z["totals"], method_labels()
    out = [(_("交易笔数"), str(t.get("sales_count", 0)), False),
           (_("销售额"), money(t.get("sales_fen", 0)), True),
           (_("市场价值"), money(t.get("market_value_fen", 0)), False),
           (_("慈善价优惠"), money(t.get("savings_fen", 0)), False),
           (_("购物券核销"), money(t.get("voucher_redeemed_fen", 0)), False),
           (_("作废笔数 / 金额"), f"{t.get('voids_count', 0)} / {money(t.get('voids_fen', 0))}", False)]
    for method in METHODS:
        fen = (t.get("by_method") or {}).get(method, 0)
        if fen:
            out.append((_("收款") + " · " + labels[method], money(fen), False))
    for method in METHODS:
        fen = (t.get("refunds_by_method") or {}).get(method, 0)
        if fen:
            out.append((_("退款") + " · " + labels[method], money(fen), False))
    out += [(_("备用金"), money(t.get("float_fen", 0)), False),
            (_("应有现金"), money(z["expected_cash_fen"]), False),
            (_("实点现金"), money(z["counted_fen"]), False),
            (_("差额"), money(z["difference_fen"]), True)]
    return out


def layout(z: dict, *, columns: int = 32, encoding: str = "gbk") -> list[Op]:
    if columns not in COLUMNS:
        raise ValueError(f"columns must be one of {COLUMNS}")
    s = _Sheet(columns, et.check_encoding(encoding))
    s.center(z["shop_name"], "tall")
    number = str(z["number"]).zfill(4)
    s.center(_("交班报告 Z%(no)s", no=number), "big")
    s.rule("=")
    s.left(_("收银员：%(name)s", name=z["cashier"]), max_lines=1)
    s.left(_("开班：%(time)s", time=when(z["opened_at"])))
    s.left(_("交班：%(time)s", time=when(z["closed_at"])))
    s.rule()
    for label, value, strong in rows(z):
        s.pair(label, value, "bold" if strong else "normal")
    s.rule()
    s.left(_("收银员签字：") + "_" * max(4, columns - et.width(s.n(_("收银员签字：")))))
    s.left(_("店长签字：") + "_" * max(4, columns - et.width(s.n(_("店长签字：")))))
    s.ops.append(Op("cut"))
    return s.ops


def render_escpos(z: dict, *, columns: int = 32, encoding: str = "gbk", profile: str | None = None,
                  locale: str = DEFAULT_LOCALE) -> bytes:
    enc = et.check_encoding(encoding)
    with force_locale(locale):
        ops = layout(z, columns=columns, encoding=enc)
    printer = Dummy(profile=profile)
    write(printer, ops, encoding=enc, columns=columns)
    return printer.output


def render_html(z: dict, *, paper_mm: int = 58, locale: str = DEFAULT_LOCALE) -> str:
    """A page of its own for browser printing on 58 or 80 mm paper (receipt.css, receipt.js)."""
    if paper_mm not in PAPER_WIDTHS_MM:
        raise ValueError(f"paper width must be one of {PAPER_WIDTHS_MM} mm")
    with force_locale(locale):
        return render_template("pos/z_print.html", z=z, rows=rows(z), paper_mm=paper_mm,
                               opened=when(z["opened_at"]), closed=when(z["closed_at"]))
