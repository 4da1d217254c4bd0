"""The numbered settlement statement (结算单) of a shop's month: PDF and XLSX, in Chinese.

It lists each sale paid by voucher (receipt number, date, the voucher's last 4 characters,
voucher payment, refunds, net) and the adjustments posted from earlier settled months. No
names: the receipt number leads back to the sale for anyone entitled to look.
"""

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
from app.core.money import format_fen
from app.core.pdf import cjk_font, para
from app.core.timeutil import to_business
from app.reports import exports
from app.reports.models import Settlement
from app.reports.settlement import figures, statement_rows


def _status(s: Settlement) -> str:
    if s.status == "paid":
        return _("已付款（%(date)s，凭证号 %(ref)s）", date=to_business(s.paid_at).strftime("%Y-%m-%d"),
                 ref=s.paid_reference)
    return _("待付款（草稿，金额以付款时为准）")


def _amounts(s: Settlement) -> dict:
    if s.status == "paid":
        return {"sales_count": s.sales_count, "voucher_fen": s.voucher_fen, "refund_fen": s.refund_fen,
                "amount_fen": s.amount_fen}
    from app.core.timeutil import Period

    return figures(s.shop_id, Period.parse(s.period))


def headers() -> list[str]:
    return [_("类型"), _("小票号"), _("交易日期"), _("作废日期"), _("券尾号"), _("购物券付款"), _("退回"), _("净额")]


def table(s: Settlement) -> exports.Table:
    kinds = {"sale": _("交易"), "adjustment": _("以前月份调整")}

    def rows():
        for r in statement_rows(s):
            yield [kinds[r["kind"]], r["receipt_no"], r["sale_date"].isoformat(),
                   r["void_date"].isoformat() if r["void_date"] else "", r["voucher_tail"] or "",
                   r["voucher_fen"], r["refund_fen"], r["net_fen"]]

    return exports.Table(title=s.number, headers=headers(), rows=rows, money={5, 6, 7})


def summary_table(s: Settlement) -> exports.Table:
    a = _amounts(s)
    rows = [[_("结算单号"), s.number], [_("门店"), f"{s.shop.code} {s.shop.name}"], [_("结算月份"), s.period],
            [_("状态"), _status(s)], [_("购物券交易笔数"), a["sales_count"]],
            [_("购物券付款合计"), format_fen(a["voucher_fen"])], [_("作废退回合计"), format_fen(a["refund_fen"])],
            [_("应付门店金额"), format_fen(a["amount_fen"])]]
    return exports.Table(title=_("汇总"), headers=[_("项目"), _("内容")], rows=rows)


def xlsx(s: Settlement) -> bytes:
    with force_locale("zh_CN"):
        data = exports.xlsx_bytes([summary_table(s), table(s)])
    audit.record("reports.settlement.export", target=s, details={"format": "xlsx"})
    return data


def pdf(s: Settlement) -> bytes:
    with force_locale("zh_CN"):
        data = _build_pdf(s)
    audit.record("reports.settlement.export", target=s, details={"format": "pdf"})
    return data


def _build_pdf(s: Settlement) -> bytes:
    font = cjk_font()
    title = ParagraphStyle("title", fontName=font, fontSize=18, leading=26, alignment=1)
    body = ParagraphStyle("body", fontName=font, fontSize=11, leading=17, wordWrap="CJK")
    cell = ParagraphStyle("cell", fontName=font, fontSize=9, leading=12, wordWrap="CJK")
    a = _amounts(s)
    story = [
        para(_("慈善超市购物券结算单"), title),
        para(_("编号：%(no)s", no=s.number), ParagraphStyle("no", parent=body, alignment=1)),
        Spacer(1, 5 * mm),
        para(_("门店：%(name)s（%(code)s）", name=s.shop.name, code=s.shop.code), body),
        para(_("结算月份：%(period)s", period=s.period), body),
        para(_("状态：%(status)s", status=_status(s)), body),
        para(_("购物券交易 %(n)s 笔，购物券付款 %(paid)s，作废退回 %(refund)s，应付门店 %(amount)s",
                    n=a["sales_count"], paid=format_fen(a["voucher_fen"]), refund=format_fen(a["refund_fen"]),
                    amount=format_fen(a["amount_fen"])), body),
        Spacer(1, 4 * mm),
    ]
    t = table(s)
    data = [[para(h, cell) for h in t.headers]]
    for row in t.iter_rows():
        data.append([para(format_fen(v) if i in t.money else str(v), cell) for i, v in enumerate(row)])
    data.append([para(_("合计"), cell), "", "", "", "", para(format_fen(a["voucher_fen"]), cell),
                 para(format_fen(a["refund_fen"]), cell), para(format_fen(a["amount_fen"]), cell)])
    widths = [18 * mm, 44 * mm, 20 * mm, 20 * mm, 14 * mm, 22 * mm, 18 * mm, 22 * mm]
    grid = Table(data, colWidths=widths, repeatRows=1)
    grid.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                              ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                              ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    story += [grid, Spacer(1, 10 * mm),
              para(_("慈善总会经办人签字：____________　门店负责人签字：____________"), body)]
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=12 * mm, rightMargin=12 * mm, topMargin=14 * mm,
                            bottomMargin=14 * mm, title=s.number, author=_("慈善总会"))
    doc.build(story)
    return buf.getvalue()
