"""A4 sheets of voucher cards, 8 to a page, for handing out village by village.

Cards are sorted by district, township (乡镇街道), community (村社区) and household number, and each
community starts a page of its own whose top line names it ("七里店街道 文峰社区 · 第 1/5 页 ·
本社区 37 张"), so a village's pages go to its cadre as they come off the printer. Each card: the
QR (PUBLIC_BASE_URL/v#CODE: the code in the URL fragment, which browsers never send to a server;
no personal data), the community large and the township, the masked name large (赵* — the
masking rule is unchanged) with the household number (户号: the recipient's registry number,
which stays the same month after month and on reprints, and which the registry shows), amount
and month, validity, the grouped code, and the rules at 10 pt. Chinese in the embedded CJK font
of app.core.pdf. The QR is drawn as vector squares from the `qrcode` matrix (no raster image per
card), so a page stays small and sharp at any printer resolution.

A sheet is printed only for a PUBLIC_BASE_URL a phone can open (`check_base_url`): without one
(or with localhost / 127.0.0.1) it is refused, except in development (make run), where every card
and page is stamped as a sample that must not be handed out.
"""

from __future__ import annotations

from itertools import groupby
from typing import BinaryIO

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from app.config import public_base_url_problem
from app.core import audit, regions
from app.core.masking import mask_name
from app.core.money import format_fen
from app.core.pdf import cjk_font
from app.core.text import printable
from app.core.timeutil import Period
from app.extensions import db
from app.recipients.models import Recipient
from app.vouchers import codes
from app.vouchers.errors import PublicBaseUrlUnusable
from app.vouchers.models import Voucher
from app.vouchers.services import code_of, public_url

MM = 72 / 25.4
PAGE_W, PAGE_H = 210 * MM, 297 * MM
MARGIN = 8 * MM
TOP = 13 * MM  # room for the community's line above the cards, inside every printer's margin
COLS, ROWS = 2, 4
CARD_W = (PAGE_W - 2 * MARGIN) / COLS
CARD_H = (PAGE_H - TOP - MARGIN) / ROWS
QR_SIZE = 34 * MM
MIN_TEXT_PT = 10  # nothing on a sheet is printed smaller: rules and validity included


def check_base_url(base_url: str) -> bool:
    """True when the sheets must be stamped as samples (development with a local address);
    PublicBaseUrlUnusable when they cannot be printed at all."""
    problem = public_base_url_problem(base_url)
    if problem is None:
        return False
    if current_app.config.get("ENV_NAME") == "development":
        return True
    raise PublicBaseUrlUnusable(details={"problem": problem})


def sheet_vouchers(*, period: str, district_code: str | None = None,
                   voucher_ids: list[int] | None = None) -> list[tuple[Voucher, Recipient]]:
    """Active vouchers of a period, ordered by district, township, community and household."""
    period = str(Period.parse(period))
    q = (select(Voucher, Recipient).join(Recipient, Recipient.id == Voucher.recipient_id)
         .where(Voucher.period == period, Voucher.status == "active"))
    if district_code:
        q = q.where(Recipient.district_code == district_code)
    if voucher_ids is not None:
        q = q.where(Voucher.id.in_(voucher_ids))
    # by household number inside a community: the same order month after month, new ones last
    q = q.order_by(Recipient.district_code, Recipient.township, Recipient.community, Recipient.id,
                   Voucher.reissue_no)
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


def _fit(c, text: str, font: str, size: float, width: float, *, smallest: float | None = None) -> tuple[str, float]:
    """`text` on one line of `width`: at `size`, or smaller down to `smallest`, then cut."""
    text = printable(text).replace("\n", " ").replace("\t", " ")  # drawString prints, never parses
    while smallest is not None and size > smallest and c.stringWidth(text, font, size) > width:
        size -= 0.5
    while text and c.stringWidth(text, font, size) > width:
        text = text[:-1]
    return text, size


def _line(c, text: str, font: str, size: float, x: float, y: float, width: float, *,
          smallest: float | None = None) -> None:
    text, size = _fit(c, text, font, size, width, smallest=smallest)
    c.setFont(font, size)
    c.drawString(x, y, text)


def _area(recipient: Recipient) -> tuple[str, str]:
    """(community, township) as printed: the community, or the township when it has none."""
    community, township = recipient.community or "", recipient.township or ""
    return (community or township or _("（未填村社区）"), township if community else "")


def _draw_card(c, voucher: Voucher, recipient: Recipient, code: str, *, x: float, y: float,
               base_url: str, font: str, sample: bool) -> None:
    c.setStrokeColorRGB(0.6, 0.6, 0.6)
    c.setDash(3, 3)
    c.rect(x, y, CARD_W, CARD_H, stroke=1, fill=0)
    c.setDash()
    pad = 4 * MM
    _draw_qr(c, public_url(code, base_url), x + pad, y + CARD_H - pad - QR_SIZE, QR_SIZE)
    tx = x + pad + QR_SIZE + 3 * MM
    width = x + CARD_W - pad - tx
    c.setFillColorRGB(0, 0, 0)
    community, township = _area(recipient)
    cursor = y + CARD_H - pad - 5.5 * MM
    _line(c, community, font, 16, tx, cursor, width, smallest=11)
    if township:
        cursor -= 5.5 * MM
        _line(c, township, font, 11, tx, cursor, width, smallest=MIN_TEXT_PT)
    cursor -= 10 * MM
    _line(c, mask_name(recipient.name), font, 24, tx, cursor, width, smallest=14)
    cursor -= 7.5 * MM
    _line(c, _("户号 %(n)s", n=recipient.id), font, 15, tx, cursor, width, smallest=MIN_TEXT_PT)
    cursor -= 6.5 * MM
    period = Period.parse(voucher.period)
    _line(c, _("%(amount)s · %(year)s年%(month)s月", amount=format_fen(voucher.face_fen), year=period.year,
               month=period.month), font, 13, tx, cursor, width, smallest=MIN_TEXT_PT)
    inner = CARD_W - 2 * pad
    bottom = y + pad
    _line(c, _("慈善超市购物券 · 有效期 %(start)s 至 %(end)s", start=voucher.valid_from.isoformat(),
               end=voucher.valid_until.isoformat()), font, MIN_TEXT_PT, x + pad, bottom + 15 * MM, inner)
    c.setFont("Courier-Bold", 12)
    c.drawString(x + pad, bottom + 9.5 * MM, codes.group(code))
    _line(c, _("手机扫码可查余额和使用记录。"), font, MIN_TEXT_PT, x + pad, bottom + 4.5 * MM, inner)
    _line(c, _("限本人在慈善超市使用，不找零、不兑现。"), font, MIN_TEXT_PT, x + pad, bottom + 0.5 * MM, inner)
    if sample:
        _stamp(c, font, x, y)


def _stamp(c, font: str, x: float, y: float) -> None:
    """Across a card in development with a local address: a sample, never to be handed out."""
    c.saveState()
    c.setFillColorRGB(0.75, 0.1, 0.1)
    c.translate(x + CARD_W / 2, y + CARD_H / 2)
    c.rotate(18)
    c.setFont(font, 22)
    c.drawCentredString(0, 0, _("样张 · 不能发放"))
    c.restoreState()


def _page_head(c, font: str, text: str, *, sample_url: str | None) -> None:
    c.setFillColorRGB(0, 0, 0)
    _line(c, text, font, 11, MARGIN, PAGE_H - TOP + 4 * MM, PAGE_W - 2 * MARGIN, smallest=MIN_TEXT_PT)
    if sample_url:
        c.setFillColorRGB(0.75, 0.1, 0.1)
        _line(c, _("样张：二维码指向本机地址 %(url)s，手机扫码打不开，不能发放（请设置 PUBLIC_BASE_URL）",
                   url=sample_url), font, MIN_TEXT_PT, MARGIN, PAGE_H - TOP + 8.5 * MM, PAGE_W - 2 * MARGIN)
        c.setFillColorRGB(0, 0, 0)


def _group_key(card: tuple[Voucher, Recipient]) -> tuple:
    r = card[1]
    return (r.district_code, r.township or "", r.community or "")


def render(cards: list[tuple[Voucher, Recipient]], out: BinaryIO, *, base_url: str,
           sample: bool = False) -> int:
    """Write the PDF of `cards` (in sheet order) to `out`, each community from a new page;
    returns the number of pages."""
    from reportlab.pdfgen import canvas

    font = cjk_font()
    c = canvas.Canvas(out, pagesize=(PAGE_W, PAGE_H), pageCompression=1)
    c.setTitle(_("慈善超市购物券"))
    pages = 0
    per_page = COLS * ROWS
    for (district, _township, _community), group in groupby(cards, key=_group_key):
        group = list(group)
        community, township = _area(group[0][1])
        place = " ".join(p for p in (regions.region_name(district) or district, township, community) if p)
        count = -(-len(group) // per_page)
        for n, start in enumerate(range(0, len(group), per_page), start=1):
            _page_head(c, font, _("%(place)s · 第 %(n)s/%(of)s 页 · 本社区 %(cards)s 张", place=place, n=n,
                                  of=count, cards=len(group)), sample_url=base_url if sample else None)
            for i, (voucher, recipient) in enumerate(group[start:start + per_page]):
                col, row = i % COLS, i // COLS
                x = MARGIN + col * CARD_W
                y = PAGE_H - TOP - (row + 1) * CARD_H
                _draw_card(c, voucher, recipient, code_of(voucher), x=x, y=y, base_url=base_url, font=font,
                           sample=sample)
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
    """Render the sheets of a period (optionally a district or chosen vouchers); audited.
    Refused (PublicBaseUrlUnusable) without a PUBLIC_BASE_URL a phone can open."""
    sample = check_base_url(base_url)
    cards = sheet_vouchers(period=period, district_code=district_code, voucher_ids=voucher_ids)
    pages = render(cards, out, base_url=base_url, sample=sample)
    audit.record("vouchers.sheets", target_type="voucher",
                 details={"period": period, "district": district_code, "cards": len(cards),
                          "pages": pages, "voucher_ids": voucher_ids, "reason": reason or None,
                          "sample": sample or None})
    return {"cards": len(cards), "pages": pages}
