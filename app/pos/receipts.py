"""The receipt: one model of what a sale's receipt says, rendered as ESC/POS bytes or as HTML.

A `Receipt` is built from a sale by the checkout (or for a reprint) and holds only what may be
printed: the recipient's name is masked and the voucher reduced to its last 4 characters when
the receipt is made, so no renderer can print more. It never carries an ID number or a category.

- `render_escpos(receipt, columns=32|48, encoding="gbk"|"gb18030", profile=None)` -> bytes,
  through python-escpos (`app/pos/receipt_escpos.py`, Chinese text by `app/pos/escpos_text.py`);
- `render_html(receipt, paper_mm=58|80)` -> an HTML page for browser printing on 58/80 mm paper.

Receipts print in Chinese (`locale="zh_CN"`) whatever language the cashier's screen uses: the
paper is for the recipient. Pass another locale to print in it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import qrcode
from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.core.masking import mask_name
from app.core.money import line_amount_fen
from app.core.timeutil import to_business
from app.core.weights import format_quantity, unit_name

# The payment methods a sale records, in the order a receipt lists them.
PAYMENT_METHODS = {
    "voucher": _l("慈善购物券"),
    "cash": _l("现金"),
    "wechat": _l("微信支付"),
    "alipay": _l("支付宝"),
    "card": _l("银行卡"),
}
PAPER_WIDTHS_MM = (58, 80)
COLUMNS = (32, 48)
RECEIPT_NO = re.compile(r"^[A-Z0-9]{1,20}-\d{8}-\d{4,}$")
DEFAULT_LOCALE = "zh_CN"


def receipt_number(shop_code: str, day: dt.date, seq: int) -> str:
    """`<SHOP>-YYYYMMDD-NNNN`: the shop's code, the business date, the day's sequence number."""
    if seq < 1:
        raise ValueError("receipt sequence numbers start at 1")
    return f"{shop_code.upper()}-{day:%Y%m%d}-{seq:04d}"


def _fen(value, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be integer fen, got {type(value).__name__}")
    return value


@dataclass(frozen=True)
class ReceiptLine:
    name: str
    qty: int
    unit: str
    market_price_fen: int  # unit price at market price
    price_fen: int  # unit price applied (the charity price when `charity`)
    charity: bool = False  # sold at the charity price
    voucher_eligible: bool = True  # the voucher may pay for it (no tobacco, no alcohol)
    unit_grams: int | None = None  # weighed: qty is grams, prices are per this many grams (斤/kg)

    def __post_init__(self):
        if isinstance(self.qty, bool) or not isinstance(self.qty, int) or self.qty < 1:
            raise ValueError(f"quantity must be a positive integer, got {self.qty!r}")
        for what in ("market_price_fen", "price_fen"):
            if _fen(getattr(self, what), what) < 0:
                raise ValueError(f"{what} must not be negative")

    @property
    def qty_text(self) -> str:
        """'2袋', or the weight of a weighed line: '0.75斤'."""
        return format_quantity(self.qty, self.unit, self.unit_grams).replace(" ", "")

    @property
    def per_unit(self) -> str:
        """'/斤' after a weighed line's unit price (the price is per 斤 or kg), '' for pieces."""
        return "/" + unit_name(self.unit_grams) if self.unit_grams else ""

    @property
    def total_fen(self) -> int:
        return line_amount_fen(self.price_fen, self.qty, self.unit_grams)

    @property
    def market_total_fen(self) -> int:
        return line_amount_fen(self.market_price_fen, self.qty, self.unit_grams)

    @property
    def savings_fen(self) -> int:
        return self.market_total_fen - self.total_fen


@dataclass(frozen=True)
class ReceiptPayment:
    method: str
    amount_fen: int

    def __post_init__(self):
        if self.method not in PAYMENT_METHODS:
            raise ValueError(f"unknown payment method {self.method!r}")
        _fen(self.amount_fen, "amount_fen")

    @property
    def label(self) -> str:
        return str(PAYMENT_METHODS[self.method])


@dataclass(frozen=True)
class Receipt:
    shop_name: str
    shop_address: str
    hotline: str  # the complaint hotline printed on every receipt
    issued_at: dt.datetime  # aware; printed in business time (Asia/Shanghai)
    cashier_name: str
    receipt_no: str
    lines: tuple[ReceiptLine, ...]
    payments: tuple[ReceiptPayment, ...]
    cash_tendered_fen: int | None = None  # what the customer handed over in cash
    change_fen: int = 0
    voucher_last4: str | None = None  # reduced to the last 4 characters of the code
    voucher_balance_fen: int | None = None  # the voucher's balance after this sale
    recipient_name_masked: str | None = None  # masked here, whatever is passed in
    feedback_url: str | None = None  # printed as a QR code
    voided: bool = False  # the sale was voided: "作废" across the receipt
    reprinted_at: dt.datetime | None = None  # a reprint: "重印" with its time

    def __post_init__(self):
        set_ = object.__setattr__
        set_(self, "lines", tuple(self.lines))
        set_(self, "payments", tuple(sorted(self.payments, key=lambda p: list(PAYMENT_METHODS).index(p.method))))
        if not self.lines:
            raise ValueError("a receipt needs at least one line")
        if self.issued_at.tzinfo is None or (self.reprinted_at and self.reprinted_at.tzinfo is None):
            raise ValueError("receipt times must be timezone-aware")
        if not RECEIPT_NO.match(self.receipt_no):
            raise ValueError(f"receipt number {self.receipt_no!r} is not <SHOP>-YYYYMMDD-NNNN")
        if self.recipient_name_masked:
            set_(self, "recipient_name_masked", mask_name(self.recipient_name_masked))
        if self.voucher_last4:
            # Crockford base32 plus its check symbols (* ~ $ = U): what the vouchers domain prints
            code = re.sub(r"[^0-9A-Za-z*~$=]", "", self.voucher_last4).upper()
            set_(self, "voucher_last4", code[-4:] or None)
        if self.paid_fen != self.total_fen:
            raise ValueError(f"payments {self.paid_fen} do not add up to the total {self.total_fen}")
        _fen(self.change_fen, "change_fen")
        if self.cash_tendered_fen is not None:
            _fen(self.cash_tendered_fen, "cash_tendered_fen")
            if self.cash_tendered_fen - self.cash_paid_fen != self.change_fen:
                raise ValueError("change must be cash tendered minus the cash paid")
        elif self.change_fen:
            raise ValueError("change without cash tendered")
        if self.voucher_paid_fen and not self.voucher_last4:
            raise ValueError("a voucher payment needs the voucher's last 4 characters")

    @property
    def market_total_fen(self) -> int:
        return sum(line.market_total_fen for line in self.lines)

    @property
    def total_fen(self) -> int:
        return sum(line.total_fen for line in self.lines)

    @property
    def savings_fen(self) -> int:
        return self.market_total_fen - self.total_fen

    @property
    def paid_fen(self) -> int:
        return sum(p.amount_fen for p in self.payments)

    @property
    def voucher_paid_fen(self) -> int:
        return sum(p.amount_fen for p in self.payments if p.method == "voucher")

    @property
    def cash_paid_fen(self) -> int:
        return sum(p.amount_fen for p in self.payments if p.method == "cash")

    @property
    def item_count(self) -> int:
        return sum(1 if line.unit_grams else line.qty for line in self.lines)  # a weighed line is one item

    def business_time(self, moment: dt.datetime | None = None) -> str:
        return to_business(moment or self.issued_at).strftime("%Y-%m-%d %H:%M:%S")


def qr_svg_path(data: str) -> tuple[int, str]:
    """The QR code of `data` as (size in modules including the quiet zone, an SVG path `d`)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    code.add_data(data)
    code.make(fit=True)
    matrix = code.get_matrix()
    parts = []
    for y, row in enumerate(matrix):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                parts.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    return len(matrix), "".join(parts)


def render_html(receipt: Receipt, *, paper_mm: int = 58, locale: str = DEFAULT_LOCALE) -> str:
    """The receipt as a standalone HTML page for browser printing on 58 or 80 mm paper.

    Needs a request context (it links the print stylesheet through `url_for`).
    """
    if paper_mm not in PAPER_WIDTHS_MM:
        raise ValueError(f"paper width must be one of {PAPER_WIDTHS_MM} mm")
    qr = qr_svg_path(receipt.feedback_url) if receipt.feedback_url else None
    with force_locale(locale):
        return render_template("pos/receipt.html", r=receipt, paper_mm=paper_mm, qr=qr,
                               legend=legend(receipt))


def legend(receipt: Receipt) -> list[tuple[str, str]]:
    """The line markers a receipt uses, with what they mean."""
    out = []
    if any(line.charity for line in receipt.lines):
        out.append((_("慈"), _("慈善价商品")))
    if receipt.voucher_paid_fen and any(not line.voucher_eligible for line in receipt.lines):
        out.append((_("非券"), _("不可用购物券支付")))
    return out


def render_escpos(receipt: Receipt, *, columns: int = 32, encoding: str = "gbk",
                  profile: str | None = None, locale: str = DEFAULT_LOCALE) -> bytes:
    """The receipt as the bytes an ESC/POS printer prints (python-escpos, Dummy printer)."""
    from app.pos.receipt_escpos import escpos_bytes

    with force_locale(locale):
        return escpos_bytes(receipt, columns=columns, encoding=encoding, profile=profile)


def sample_receipt(*, feedback_base: str = "http://127.0.0.1:5000", voided: bool = False) -> Receipt:
    """A realistic receipt for printer set-up tests (`flask printer test`) and the docs."""
    issued = dt.datetime(2026, 3, 5, 1, 12, 30, tzinfo=dt.UTC)
    lines = (
        ReceiptLine("福临门东北大米 10kg", 1, "袋", 5990, 4990, charity=True),
        ReceiptLine("金龙鱼大豆油 5L", 1, "桶", 6990, 5990, charity=True),
        ReceiptLine("海天金标生抽酱油 500ml", 2, "瓶", 1050, 850, charity=True),
        ReceiptLine("卫生纸（10卷装）", 1, "提", 1590, 1590, voucher_eligible=False),
    )
    total = sum(line.total_fen for line in lines)
    voucher = 2900
    cash = total - voucher
    return Receipt(
        shop_name="魏都区慈善超市（七里店）", shop_address="许昌市魏都区七里店街道文峰路 18 号",
        hotline="0374-12345", issued_at=issued, cashier_name="魏都店 收银员小张",
        receipt_no="WD01-20260305-0012", lines=lines,
        payments=(ReceiptPayment("voucher", voucher), ReceiptPayment("cash", cash)),
        cash_tendered_fen=20000, change_fen=20000 - cash, voucher_last4="8M3KT-9QWXR-2ZC4H-V6PJD-K",
        voucher_balance_fen=0, recipient_name_masked="张秀英",
        feedback_url=f"{feedback_base.rstrip('/')}/f/WD01-20260305-0012/k7xq2m4nd5pwr3ta", voided=voided)
