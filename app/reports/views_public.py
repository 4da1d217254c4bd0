"""Public pages, no login: the feedback page the receipt QR opens (/f/<receipt_no>/<token>, the
token keyed so that receipt numbers cannot be guessed into links), and the public figures.

Neither shows personal data: the feedback page names the shop and the day of the visit, never
the items, the amounts, the voucher or the person; the figures page suppresses small cells.
Both are rate-limited per address and show the published complaint hotline.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_babel import gettext as _

from app.auth.permissions import public
from app.core.errors import DomainError
from app.extensions import db, limiter
from app.reports import exports, feedback, figures

public_bp = Blueprint("reports_public", __name__, template_folder="templates")


def _page_limit() -> str:
    return current_app.config["PUBLIC_PAGE_LIMIT"]


def _post_limit() -> str:
    return current_app.config["FEEDBACK_POST_LIMIT"]


def _hotline(sale=None) -> str:
    return (sale.shop.hotline if sale is not None and sale.shop.hotline else None) or \
        current_app.config["COMPLAINT_HOTLINE"]


@public_bp.route("/f/<receipt_no>", methods=["GET", "POST"])
@public
@limiter.limit(_page_limit)
def feedback_without_token(receipt_no: str):
    """A link without its token (typed by hand, or printed before links had one): not found."""
    return render_template("reports/public_feedback_unknown.html", hotline=_hotline()), 404


@public_bp.get("/f/<receipt_no>/<token>")
@public
@limiter.limit(_page_limit)
def feedback_page(receipt_no: str, token: str):
    try:
        sale = feedback.sale_for_receipt(receipt_no, token)
    except DomainError:
        return render_template("reports/public_feedback_unknown.html", hotline=_hotline()), 404
    done = feedback.existing_for(sale)
    return render_template("reports/public_feedback.html", sale=sale, done=done, hotline=_hotline(sale),
                           receipt_no=sale.receipt_no, token=token, form={}, error=None)


@public_bp.post("/f/<receipt_no>/<token>")
@public
@limiter.limit(_post_limit)
def feedback_submit(receipt_no: str, token: str):
    try:
        sale = feedback.sale_for_receipt(receipt_no, token)
    except DomainError:
        return render_template("reports/public_feedback_unknown.html", hotline=_hotline()), 404
    form = {"rating": request.form.get("rating", ""), "kind": request.form.get("kind", "comment"),
            "comment": request.form.get("comment", "")}
    try:
        fb = feedback.submit(sale, rating=form["rating"], kind=form["kind"], comment=form["comment"])
    except DomainError as e:
        db.session.rollback()
        return render_template("reports/public_feedback.html", sale=sale, done=feedback.existing_for(sale),
                               hotline=_hotline(sale), receipt_no=sale.receipt_no, token=token, form=form,
                               error=str(e.message)), e.status
    db.session.commit()
    message = _("谢谢您的评价！") if fb.kind == "comment" else _("投诉已收到，我们会尽快核实处理。")
    return render_template("reports/public_feedback_thanks.html", fb=fb, hotline=_hotline(sale), message=message)


@public_bp.get("/figures")
@public
@limiter.limit(_page_limit)
def public_figures():
    return render_template("reports/public_figures.html", data=figures.public_rows(),
                           hotline=current_app.config["COMPLAINT_HOTLINE"])


@public_bp.get("/figures/export")
@public
@limiter.limit(_page_limit)
def public_figures_export():
    """The public table as open data (CSV or XLSX), suppressed exactly as on the page: counts
    from 1 to 4 as "<5", the money and rates behind them withheld ("—"). Not audited: it holds
    nothing about any person, and anyone may download it."""
    fmt = exports.check_format(request.args.get("fmt", "csv"))
    data = figures.public_rows()

    def count(v):
        return "<5" if v is None else v

    def money(v):
        return "—" if v is None else v

    table = exports.Table(
        title=_("慈善超市公开数据"), money={2, 4, 6},
        headers=[_("月份"), _("发放人次"), _("发放金额"), _("使用人数"), _("使用金额"), _("使用率（%）"),
                 _("慈善价让利"), _("棉被"), _("衣物"), _("门店")],
        rows=[[r["period"], count(r["issued_count"]), money(r["issued_fen"]), count(r["redeemers"]),
               money(r["redeemed_net_fen"]),
               "—" if r["redemption_rate_pct"] is None else str(r["redemption_rate_pct"]),
               money(r["saving_fen"]), count(r["quilts"]), count(r["garments"]), r["shops"]]
              for r in data["rows"]])
    return exports.response([table], fmt, "figures")
