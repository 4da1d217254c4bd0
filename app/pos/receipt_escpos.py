"""A receipt laid out for a 32- or 48-column thermal printer and written through python-escpos.

`layout()` gives the lines (already normalised for the printer's encoding, each at most the
paper's columns wide; double-size lines at most half), the QR code and the cut; `escpos_bytes()`
sends them to a python-escpos `Dummy` printer with the printer profile and returns its output.
Text goes out as raw bytes from `escpos_text.encode` (never python-escpos's `text()`); styles,
the QR code (native `GS ( k` when the profile has it, an image otherwise) and the cut are
python-escpos's own commands.
"""

from __future__ import annotations

from dataclasses import dataclass

from escpos.constants import QR_ECLEVEL_M
from escpos.printer import Dummy
from flask_babel import gettext as _

from app.core.money import format_fen
from app.pos import escpos_text as et
from app.pos.receipts import COLUMNS, Receipt, legend

NAME_LINES = 2  # a long product name wraps onto 2 lines, then is cut with "…"
STYLES = {  # (bold, width multiplier, height multiplier)
    "normal": (False, 1, 1),
    "bold": (True, 1, 1),
    "tall": (True, 1, 2),
    "big": (True, 2, 2),
}


@dataclass(frozen=True)
class Op:
    kind: str  # "text", "qr", "cut"
    value: str = ""
    style: str = "normal"


def money(fen: int) -> str:
    return format_fen(fen, symbol=et.YEN)


class _Sheet:
    """Collects the receipt's lines for one paper width and encoding."""

    def __init__(self, columns: int, encoding: str):
        self.columns = columns
        self.encoding = encoding
        self.ops: list[Op] = []

    def n(self, text) -> str:
        return et.normalise(str(text), self.encoding)

    def text(self, line: str = "", style: str = "normal") -> None:
        self.ops.append(Op("text", line, style))

    def center(self, text, style: str = "normal", max_lines: int | None = None) -> None:
        size = self.columns // STYLES[style][1]
        for line in et.wrap(self.n(text), size, max_lines=max_lines):
            self.text(et.pad(line, size, "center").rstrip(), style)

    def left(self, text, style: str = "normal", max_lines: int | None = None) -> None:
        for line in et.wrap(self.n(text), self.columns, max_lines=max_lines):
            self.text(line, style)

    def pair(self, label, value, style: str = "normal") -> None:
        size = self.columns // STYLES[style][1]
        self.text(et.justify(self.n(label), self.n(value), size), style)

    def rule(self, char: str = "-") -> None:
        self.text(char * self.columns)


def _item_cells(columns: int) -> tuple[list[int], list[str]]:
    """Column widths and alignments of the detail row under each product name."""
    if columns >= 48:  # indent, qty, market price, price, amount
        return [2, 10, 12, 12, columns - 36], ["left", "left", "right", "right", "right"]
    return [2, 8, 11, columns - 21], ["left", "left", "right", "right"]


def layout(receipt: Receipt, *, columns: int = 32, encoding: str = "gbk") -> list[Op]:
    if columns not in COLUMNS:
        raise ValueError(f"columns must be one of {COLUMNS}")
    s = _Sheet(columns, et.check_encoding(encoding))
    wide = columns >= 48

    if receipt.voided:
        s.center(_("作废"), "big")
        s.center(_("*** 本小票对应的销售已作废 ***"))
    if receipt.reprinted_at:
        s.center(_("重印 %(time)s", time=receipt.business_time(receipt.reprinted_at)))
    s.center(receipt.shop_name, "tall")
    if receipt.shop_address:
        s.center(receipt.shop_address)
    s.rule("=")
    s.left(_("小票号：%(no)s", no=receipt.receipt_no))
    s.left(_("时间：%(time)s", time=receipt.business_time()))
    s.left(_("收银员：%(name)s", name=receipt.cashier_name), max_lines=1)
    if receipt.recipient_name_masked:
        s.left(_("顾客：%(name)s", name=receipt.recipient_name_masked), max_lines=1)
    s.rule()

    widths, aligns = _item_cells(columns)
    if wide:
        head = ["", _("数量"), _("市场价"), _("单价"), _("金额")]
    else:
        head = ["", _("数量"), _("单价"), _("金额")]
    s.text(_row(s, head, widths, aligns))
    s.rule()
    for line in receipt.lines:
        marks = ""
        if line.charity:
            marks += "[" + _("慈") + "]"
        if receipt.voucher_paid_fen and not line.voucher_eligible:
            marks += "[" + _("非券") + "]"
        s.left(marks + line.name, max_lines=NAME_LINES)
        qty = line.qty_text  # weighed: "0.75斤", priced per 斤: "5.20/斤"
        if wide:
            cells = ["", qty, money(line.market_price_fen) + line.per_unit, money(line.price_fen) + line.per_unit,
                     money(line.total_fen)]
        else:
            cells = ["", qty, money(line.price_fen) + line.per_unit, money(line.total_fen)]
        s.text(_row(s, cells, widths, aligns))
        if line.savings_fen and not wide:
            s.pair("  " + _("市场价 %(price)s", price=money(line.market_price_fen) + line.per_unit),
                   _("省 %(amount)s", amount=money(line.savings_fen)))
        elif line.savings_fen:
            s.pair("", _("省 %(amount)s", amount=money(line.savings_fen)))
    s.rule()

    s.pair(_("件数"), str(receipt.item_count))
    s.pair(_("市场价合计"), money(receipt.market_total_fen))
    s.pair(_("应付合计"), money(receipt.total_fen), "tall")
    if receipt.savings_fen:
        s.pair(_("慈善价共节省"), money(receipt.savings_fen), "bold")
    s.rule()
    for payment in receipt.payments:
        s.pair(payment.label, money(payment.amount_fen))
    if receipt.cash_tendered_fen is not None:
        s.pair("  " + _("实收现金"), money(receipt.cash_tendered_fen))
        s.pair("  " + _("找零"), money(receipt.change_fen), "bold")
    if receipt.voucher_last4:
        s.rule()
        s.pair(_("购物券尾号"), receipt.voucher_last4)
        if receipt.voucher_balance_fen is not None:
            s.pair(_("券内余额"), money(receipt.voucher_balance_fen))
        s.left(_("购物券不找零、不兑现"))
    marks = [f"[{mark}] {meaning}" for mark, meaning in legend(receipt)]
    if marks and et.width(s.n("  ".join(marks))) <= columns:
        s.left("  ".join(marks))
    else:
        for mark in marks:
            s.left(mark)
    s.rule()
    if receipt.feedback_url:
        s.center(_("扫码评价本次购物"))
        s.ops.append(Op("qr", receipt.feedback_url))
    s.center(_("投诉举报电话：%(phone)s", phone=receipt.hotline))
    s.center(_("谢谢惠顾，欢迎再来"))
    if receipt.voided:
        s.center(_("作废"), "big")
    s.ops.append(Op("cut"))
    return s.ops


def _row(s: _Sheet, cells: list[str], widths: list[int], aligns: list[str]) -> str:
    return et.row([(s.n(text), w, a) for text, w, a in zip(cells, widths, aligns, strict=True)]).rstrip()


def write(printer, ops: list[Op], *, encoding: str, columns: int) -> None:
    """Send the laid-out receipt to any python-escpos printer."""
    supports_qr = printer.profile.supports("qrCode")
    printer.hw("INIT")
    printer._raw(et.FS_CHINESE_OFF)  # a known state: printers differ in the mode they start in
    current = None
    for op in ops:
        if op.kind == "text":
            if op.style != current:
                bold, w, h = STYLES[op.style]
                printer.set(bold=bold, custom_size=True, width=w, height=h)
                current = op.style
            printer._raw(et.encode(op.value, encoding) + b"\n")
        elif op.kind == "qr":
            printer.set(align="center")
            # native: the printer draws the code (GS ( k); a profile without it gets an image
            printer.qr(op.value, ec=QR_ECLEVEL_M, size=6 if columns >= 48 else 5, native=supports_qr)
            printer.set(align="left")
        elif op.kind == "cut":
            printer.set(bold=False, custom_size=True, width=1, height=1)
            printer.cut()


def escpos_bytes(receipt: Receipt, *, columns: int = 32, encoding: str = "gbk",
                 profile: str | None = None) -> bytes:
    enc = et.check_encoding(encoding)
    ops = layout(receipt, columns=columns, encoding=enc)
    printer = Dummy(profile=profile)
    write(printer, ops, encoding=enc, columns=columns)
    return printer.output
