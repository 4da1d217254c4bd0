"""The numbered acknowledgement certificate (捐赠证明), a PDF in Chinese."""

from __future__ import annotations

import io

from flask_babel import force_locale
from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle

from app.core import audit
from app.core.errors import Conflict
from app.core.money import format_fen
from app.core.pdf import cjk_font, para
from app.donations.labels import CONDITION_LABELS, DONOR_KIND_LABELS, KIND_LABELS, SEASON_LABELS
from app.donations.models import Donation


def render_certificate(donation: Donation) -> bytes:
    """The certificate of a received donation: donor, items and quantities accepted, the
    estimated value of what was accepted (each line's registered value pro rata to the pieces
    received, `DonationLine.received_value_fen`), shop, date and number. Always in Chinese (it
    is a document for the donor's records)."""
    if donation.status != "received" or not donation.certificate_no:
        raise Conflict(_("该捐赠尚未清点入库，暂无捐赠证明"))
    with force_locale("zh_CN"):
        pdf = _build(donation)
    audit.record("donation.certificate", target=donation, details={"certificate_no": donation.certificate_no})
    return pdf


def _build(donation: Donation) -> bytes:
    font = cjk_font()
    title = ParagraphStyle("title", fontName=font, fontSize=22, leading=30, alignment=1, spaceAfter=6)
    body = ParagraphStyle("body", fontName=font, fontSize=12, leading=20, wordWrap="CJK")
    small = ParagraphStyle("small", fontName=font, fontSize=10, leading=15, wordWrap="CJK")
    cell = ParagraphStyle("cell", fontName=font, fontSize=10.5, leading=14, wordWrap="CJK")
    donor = donation.donor
    shop = donation.shop
    story = [
        para(_("捐赠证明"), title),
        para(_("编号：%(no)s", no=donation.certificate_no), ParagraphStyle("no", parent=small, alignment=1)),
        Spacer(1, 8 * mm),
        para(_("捐赠方：%(name)s（%(kind)s）", name=donor.name, kind=DONOR_KIND_LABELS[donor.kind]), body),
    ]
    if donor.credit_code:
        story.append(para(_("统一社会信用代码：%(code)s", code=donor.credit_code), body))
    story += [
        para(_("接收门店：%(shop)s", shop=shop.name), body),
        para(_("接收日期：%(date)s", date=donation.received_on.isoformat()), body),
        Spacer(1, 4 * mm),
        para(_("兹收到贵方捐赠的下列物品，已存入本店爱心捐赠区，免费发放给困难群众："), body),
        Spacer(1, 3 * mm),
    ]
    header = [_("类别"), _("品名"), _("尺码"), _("季节"), _("成色"), _("实收（件）"), _("实收估值")]
    data = [[para(str(h), cell) for h in header]]
    total_pieces = 0
    total_value = 0
    valued = False
    for line in donation.lines:
        if not line.quantity_received:
            continue
        total_pieces += line.quantity_received
        value = ""
        if line.received_value_fen is not None:  # pro rata to the pieces received (models.py)
            total_value += line.received_value_fen
            value = format_fen(line.received_value_fen)
            valued = True
        data.append([para(str(x), cell) for x in (
            KIND_LABELS[line.kind], line.description or "—", line.size or "—",
            SEASON_LABELS[line.season] if line.season else "—", CONDITION_LABELS[line.condition],
            line.quantity_received, value or "—")])
    data.append([para(_("合计"), cell), "", "", "", "", para(str(total_pieces), cell),
                 para(format_fen(total_value) if valued else "—", cell)])
    table = Table(data, colWidths=[18 * mm, 42 * mm, 18 * mm, 18 * mm, 18 * mm, 24 * mm, 30 * mm], repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f1ebe6")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("SPAN", (0, -1), (4, -1)),
    ]))
    story += [
        table,
        Spacer(1, 6 * mm),
        para(_("估值由捐赠方自报，仅供参考；按实收件数折算：登记估值 × 实收件数 ÷ 登记件数，"
               "四舍五入到分，多收的件数不另计估值。"), small),
        Spacer(1, 6 * mm),
        para(_("衷心感谢您对慈善事业的支持！"), body),
        Spacer(1, 12 * mm),
        para(_("许昌市慈善总会"), ParagraphStyle("sig", parent=body, alignment=2)),
        para(shop.name, ParagraphStyle("sig2", parent=body, alignment=2)),
        para(donation.received_on.isoformat(), ParagraphStyle("sig3", parent=body, alignment=2)),
    ]
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=25 * mm,
                            bottomMargin=20 * mm, title=f"{_('捐赠证明')} {donation.certificate_no}",
                            author=_("许昌市慈善总会"))
    doc.build(story)
    return buf.getvalue()
