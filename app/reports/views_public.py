"""Public pages, no login: the feedback page the receipt QR opens, and the public figures.

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
from app.reports import feedback, figures

public_bp = Blueprint("reports_public", __name__, template_folder="templates")


def _page_limit() -> str:
    return current_app.config["PUBLIC_PAGE_LIMIT"]


def _post_limit() -> str:
    return current_app.config["FEEDBACK_POST_LIMIT"]


def _hotline(sale=None) -> str:
    return (sale.shop.hotline if sale is not None and sale.shop.hotline else None) or \
        current_app.config["COMPLAINT_HOTLINE"]


@public_bp.get("/f/<receipt_no>")
@public
@limiter.limit(_page_limit)
def feedback_page(receipt_no: str):
    try:
        sale = feedback.sale_for_receipt(receipt_no)
    except DomainError:
        return render_template("reports/public_feedback_unknown.html", hotline=_hotline()), 404
    done = feedback.existing_for(sale)
    return render_template("reports/public_feedback.html", sale=sale, done=done, hotline=_hotline(sale),
                           receipt_no=sale.receipt_no, form={}, error=None)


@public_bp.post("/f/<receipt_no>")
@public
@limiter.limit(_post_limit)
def feedback_submit(receipt_no: str):
    try:
        sale = feedback.sale_for_receipt(receipt_no)
    except DomainError:
        return render_template("reports/public_feedback_unknown.html", hotline=_hotline()), 404
    form = {"rating": request.form.get("rating", ""), "kind": request.form.get("kind", "comment"),
            "comment": request.form.get("comment", "")}
    try:
        fb = feedback.submit(receipt_no, rating=form["rating"], kind=form["kind"], comment=form["comment"])
    except DomainError as e:
        db.session.rollback()
        return render_template("reports/public_feedback.html", sale=sale, done=feedback.existing_for(sale),
                               hotline=_hotline(sale), receipt_no=sale.receipt_no, form=form,
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
