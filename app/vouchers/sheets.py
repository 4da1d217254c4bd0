"""A4 sheets of voucher cards, 8 to a page, sorted street by street for handing out.

Each card: the QR (PUBLIC_BASE_URL/v#CODE: the code in the URL fragment, which browsers never
send to a server; no personal data), the grouped code, the masked name, township and community,
amount and validity, in Chinese with the embedded CJK font of
app.core.pdf. The QR is drawn as vector squares from the `qrcode` matrix (no raster image per
card), so a page stays small and sharp at any printer resolution.
"""

from __future__ import annotations

from typing import BinaryIO

from flask_babel import gettext as _
from sqlalchemy import select

from app.core import audit
from app.core.masking import mask_name
from app.core.money import format_fen
from app.core.pdf import cjk_font
from app.core.text import printable
from app.core.timeutil import Period
from app.extensions import db
from app.recipients.models import Recipient
from app.vouchers import codes
from app.vouchers.models import Voucher
from app.vouchers.services import code_of, public_url

MM = 72 / 25.4
PAGE_W, PAGE_H = 210 * MM, 297 * MM
MARGIN = 8 * MM
COLS, ROWS = 2, 4
CARD_W = (PAGE_W - 2 * MARGIN) / COLS
CARD_H = (PAGE_H - 2 * MARGIN) / ROWS
QR_SIZE = 34 * MM


def sheet_vouchers(*, period: str, district_code: str | None = None,
                   voucher_ids: list[int] | None = None) -> list[tuple[Voucher, Recipient]]:
    """Active vouchers of a period, ordered by district, township, community and name."""
    period = str(Period.parse(period))
    q = (select(Voucher, Recipient).join(Recipient, Recipient.id == Voucher.recipient_id)
         .where(Voucher.period == period, Voucher.status == "active"))
    if district_code:
        q = q.where(Recipient.district_code == district_code)
    if voucher_ids is not None:
        q = q.where(Voucher.id.in_(voucher_ids))
    q = q.order_by(Recipient.district_code, Recipient.township, Recipient.community, Recipient.name,
                   Recipient.id, Voucher.reissue_no)
    return [tuple(row) for row in db.session.execute(q)]


def _qr_matrix(data: str) -> list[list[bool]]:
    import qrcode

    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    qr.add_data(data)
    qr.make(fit=True)
    return qr.get_matrix()


def _draw_qr(c, data: str, x: float, y: float, size: float) -> None:
    matrix = _qr_matrix(data)
    n = len(matrix)
    cell = size / n
    c.setFillColorRGB(0, 0, 0)
    path = c.beginPath()
    for r, row in enumerate(matrix):
        col = 0
        while col < n:
            if row[col]:
                start = col
                while col < n and row[col]:
                    col += 1
                path.rect(x + start * cell, y + size - (r + 1) * cell, (col - start) * cell, cell)
            else:
                col += 1
    c.drawPath(path, stroke=0, fill=1)


def _fit(c, text: str, font: str, size: float, width: float) -> str:
    text = printable(text).replace("\n", " ").replace("\t", " ")  # drawString prints, never parses
    while text and c.stringWidth(text, font, size) > width:
        text = text[:-1]
    return text


def _draw_card(c, voucher: Voucher, recipient: Recipient, code: str, *, x: float, y: float,
               base_url: str, font: str) -> None:
    c.setStrokeColorRGB(0.6, 0.6, 0.6)
    c.setDash(3, 3)
    c.rect(x, y, CARD_W, CARD_H, stroke=1, fill=0)
    c.setDash()
    pad = 4 * MM
    _draw_qr(c, public_url(code, base_url), x + pad, y + CARD_H - pad - QR_SIZE, QR_SIZE)
    tx = x + pad + QR_SIZE + 3 * MM
    width = x + CARD_W - pad - tx
    top = y + CARD_H - pad
    c.setFillColorRGB(0, 0, 0)
    lines = [
        (_("慈善超市购物券"), 13),
        (format_fen(voucher.face_fen), 20),
        (_("姓名：%(name)s", name=mask_name(recipient.name)), 11),
        (recipient.township or "", 10),
        (recipient.community or "", 10),
        (_("期间：%(period)s", period=voucher.period), 10),
    ]
    cursor = top - 4 * MM
    for text, size in lines:
        c.setFont(font, size)
        c.drawString(tx, cursor, _fit(c, text, font, size, width))
        cursor -= size * 1.45
    bottom = y + pad
    c.setFont(font, 9)
    c.drawString(x + pad, bottom + 12 * MM,
                 _("有效期：%(start)s 至 %(end)s", start=voucher.valid_from.isoformat(),
                   end=voucher.valid_until.isoformat()))
    c.setFont("Courier-Bold", 12)
    c.drawString(x + pad, bottom + 6 * MM, codes.group(code))
    c.setFont(font, 8)
    c.drawString(x + pad, bottom + 1 * MM,
                 _fit(c, _("手机扫码查余额 · 限本人在慈善超市使用 · 不找零不兑现"), font, 8, CARD_W - 2 * pad))


def render(cards: list[tuple[Voucher, Recipient]], out: BinaryIO, *, base_url: str) -> int:
    """Write the PDF of `cards` to `out`; returns the number of pages."""
    from reportlab.pdfgen import canvas

    font = cjk_font()
    c = canvas.Canvas(out, pagesize=(PAGE_W, PAGE_H), pageCompression=1)
    c.setTitle(_("慈善超市购物券"))
    pages = 0
    per_page = COLS * ROWS
    for start in range(0, len(cards), per_page):
        for i, (voucher, recipient) in enumerate(cards[start:start + per_page]):
            col, row = i % COLS, i // COLS
            x = MARGIN + col * CARD_W
            y = PAGE_H - MARGIN - (row + 1) * CARD_H
            _draw_card(c, voucher, recipient, code_of(voucher), x=x, y=y, base_url=base_url, font=font)
        c.showPage()
        pages += 1
    if not cards:
        c.setFont(font, 14)
        c.drawString(MARGIN, PAGE_H - 30 * MM, _("没有可打印的购物券"))
        c.showPage()
        pages = 1
    c.save()
    return pages


def write_sheets(out: BinaryIO, *, period: str, base_url: str, district_code: str | None = None,
                 voucher_ids: list[int] | None = None, reason: str = "") -> dict:
    """Render the sheets of a period (optionally a district or chosen vouchers); audited."""
    cards = sheet_vouchers(period=period, district_code=district_code, voucher_ids=voucher_ids)
    pages = render(cards, out, base_url=base_url)
    audit.record("vouchers.sheets", target_type="voucher",
                 details={"period": period, "district": district_code, "cards": len(cards),
                          "pages": pages, "voucher_ids": voucher_ids, "reason": reason or None})
    return {"cards": len(cards), "pages": pages}
