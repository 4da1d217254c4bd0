"""Factory functions for the till's tests."""

from __future__ import annotations

import datetime as dt

from app.pos.receipts import Receipt, ReceiptLine, ReceiptPayment

URL = "https://cishan.example.cn/f/WD01-20260305-0007/k7xq2m4nd5pwr3ta"


def receipt_line(name: str = "福临门大米 10kg", *, qty: int = 1, unit: str = "袋", market: int = 5990,
                 price: int | None = None, charity: bool | None = None, eligible: bool = True) -> ReceiptLine:
    price = market if price is None else price
    return ReceiptLine(name, qty, unit, market, price,
                       charity=(price < market) if charity is None else charity, voucher_eligible=eligible)


def receipt(lines=None, *, voucher_fen: int | None = None, tendered_fen: int | None = None,
            other_method: str = "cash", **overrides) -> Receipt:
    """A consistent receipt: the voucher pays `voucher_fen` (default: up to 29 yuan of the
    eligible lines), the rest is paid by `other_method`; cash gets `tendered_fen` and change."""
    lines = tuple(lines or (
        receipt_line("福临门东北大米 10kg", market=5990, price=4990),
        receipt_line("金龙鱼大豆油 5L", unit="桶", market=6990, price=5990),
        receipt_line("卫生纸（10卷装）", unit="提", market=1590, eligible=False),
    ))
    total = sum(line.total_fen for line in lines)
    eligible = sum(line.total_fen for line in lines if line.voucher_eligible)
    voucher = min(2900, eligible) if voucher_fen is None else voucher_fen
    rest = total - voucher
    payments = []
    if voucher:
        payments.append(ReceiptPayment("voucher", voucher))
    if rest:
        payments.append(ReceiptPayment(other_method, rest))
    cash = rest if other_method == "cash" else 0
    if tendered_fen is None and cash:
        tendered_fen = -(-cash // 1000) * 1000  # rounded up to 10 yuan, like a banknote
    fields = dict(
        shop_name="魏都区慈善超市（七里店）", shop_address="许昌市魏都区七里店街道文峰路 18 号",
        hotline="0374-12345", issued_at=dt.datetime(2026, 3, 5, 1, 12, 30, tzinfo=dt.UTC),
        cashier_name="收银员小张", receipt_no="WD01-20260305-0007", lines=lines, payments=tuple(payments),
        cash_tendered_fen=tendered_fen if cash else None,
        change_fen=(tendered_fen - cash) if cash else 0,
        voucher_last4="8M3KT-9QWXR-2ZC4H-V6PJD-K" if voucher else None,
        voucher_balance_fen=2900 - voucher if voucher else None,
        recipient_name_masked="张秀英" if voucher else None, feedback_url=URL)
    fields.update(overrides)
    return Receipt(**fields)
