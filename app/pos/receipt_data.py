"""Build the printable `Receipt` (app/pos/receipts.py) from a recorded sale."""

from __future__ import annotations

from flask import current_app

from app.auth import services as auth
from app.core import crypto
from app.core.db import utcnow
from app.pos.models import Sale
from app.pos.receipts import Receipt, ReceiptLine, ReceiptPayment
from app.pos.voids import sale_void_summary
from app.recipients import services as recipients

FEEDBACK_PURPOSE = "receipt-feedback"


def feedback_token(receipt_no: str) -> str:
    """The unguessable part of a receipt's feedback link (80 bits, keyed by DATA_KEY/SECRET_KEY):
    receipt numbers are sequential, so without it anyone could give a stranger's feedback first."""
    return crypto.url_token(receipt_no, purpose=FEEDBACK_PURPOSE)


def feedback_token_matches(receipt_no: str, token: str | None) -> bool:
    return crypto.url_token_matches(receipt_no, token, purpose=FEEDBACK_PURPOSE)


def feedback_url(sale: Sale) -> str:
    """PUBLIC_BASE_URL/f/<receipt_no>/<token>: what the receipt's QR code holds."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    return f"{base}/f/{sale.receipt_no}/{feedback_token(sale.receipt_no)}"


def receipt_for(sale: Sale, *, reprint: bool = False) -> Receipt:
    cashier = auth.get_user(sale.cashier_id)
    name = recipients.get_recipient(sale.recipient_id).name if sale.recipient_id else None
    cash = next((p for p in sale.payments if p.method == "cash"), None)
    return Receipt(
        shop_name=sale.shop.name,
        shop_address=sale.shop.address or "",
        hotline=sale.shop.hotline or current_app.config["COMPLAINT_HOTLINE"],
        issued_at=sale.created_at,
        cashier_name=cashier.label if cashier else "",
        receipt_no=sale.receipt_no,
        lines=tuple(ReceiptLine(name=line.name, qty=line.quantity, unit=line.unit,
                                market_price_fen=line.market_price_fen, price_fen=line.price_fen,
                                charity=line.charity_price, voucher_eligible=line.voucher_eligible,
                                unit_grams=line.unit_grams)
                    for line in sale.lines),
        payments=tuple(ReceiptPayment(method=p.method, amount_fen=p.amount_fen) for p in sale.payments),
        cash_tendered_fen=cash.tendered_fen if cash else None,
        change_fen=sale.change_fen,
        voucher_last4=sale.voucher_tail,
        voucher_balance_fen=sale.voucher_balance_after_fen,
        recipient_name_masked=name,
        feedback_url=feedback_url(sale),
        voided=sale_void_summary(sale)["fully_voided"],
        reprinted_at=utcnow() if reprint else None,
    )
