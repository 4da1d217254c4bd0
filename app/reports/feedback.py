"""Feedback from the public page the receipt QR opens (/f/<receipt_no>/<token>): a rating of
the visit (1–5) and an optional comment or complaint; staff read and answer them.

Receipt numbers are sequential (WD01-20261202-0007), so the link also carries a keyed token
(app.pos.receipt_data.feedback_token, 80 bits): without the right one the receipt is "not
found" and nothing is written — nobody can give a stranger's feedback before they do.

One feedback per receipt (a unique sale_id): a second one is refused, so a receipt cannot be
used to flood a shop's ratings. Nothing personal is stored: no name, no phone, no address
(the page asks for none and says so).
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.core import audit
from app.core.db import utcnow
from app.core.errors import Conflict, InvalidInput, NotFound
from app.core.text import clean_text
from app.extensions import db
from app.pos import receipt_data
from app.pos.models import Sale
from app.reports.models import FEEDBACK_KINDS, Feedback

MAX_COMMENT = 500


def _clean_text(text: str | None, limit: int) -> str:
    return clean_text(text, label=_("内容"), max_length=limit, multiline=True)


def sale_for_receipt(receipt_no: str, token: str | None) -> Sale:
    """The sale a feedback link names; NotFound unless the token is the receipt's own."""
    receipt_no = (receipt_no or "").strip()[:40]
    sale = None
    if receipt_no and receipt_data.feedback_token_matches(receipt_no, token):
        sale = db.session.scalar(select(Sale).where(Sale.receipt_no == receipt_no))
    if sale is None:
        raise NotFound(_("没有找到这张小票，请核对小票上的二维码"))
    return sale


def existing_for(sale: Sale) -> Feedback | None:
    return db.session.scalar(select(Feedback).where(Feedback.sale_id == sale.id))


def submit(sale: Sale, *, rating, kind: str = "comment", comment: str = "") -> Feedback:
    """Record the feedback for `sale` (found through its link by `sale_for_receipt`)."""
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        raise InvalidInput(_("请选择 1 到 5 颗星")) from None
    if not 1 <= rating <= 5:
        raise InvalidInput(_("请选择 1 到 5 颗星"))
    if kind not in FEEDBACK_KINDS:
        raise InvalidInput(_("请选择留言类型"))
    comment = _clean_text(comment, MAX_COMMENT)
    if kind == "complaint" and not comment:
        raise InvalidInput(_("投诉请写明情况，我们会尽快处理"))
    if existing_for(sale) is not None:
        raise Conflict(_("这张小票已经评价过了，谢谢您"))
    fb = Feedback(sale_id=sale.id, shop_id=sale.shop_id, rating=rating, kind=kind, comment=comment,
                  created_at=utcnow())
    try:
        with db.session.begin_nested():
            db.session.add(fb)
            db.session.flush()
    except IntegrityError:  # the same receipt at the same moment from two phones
        raise Conflict(_("这张小票已经评价过了，谢谢您")) from None
    return fb


def get(feedback_id: int) -> Feedback:
    fb = db.session.get(Feedback, feedback_id)
    if fb is None:
        raise NotFound(_("留言不存在"))
    return fb


def list_feedback(*, shop_ids: list[int] | None, status: str = "all", limit: int = 500) -> list[Feedback]:
    q = select(Feedback).order_by(Feedback.id.desc()).limit(limit)
    if shop_ids is not None:
        q = q.where(Feedback.shop_id.in_(shop_ids))
    if status == "open":
        q = q.where(Feedback.answered_at.is_(None))
    elif status == "complaints":
        q = q.where(Feedback.kind == "complaint")
    return list(db.session.scalars(q))


def answer(fb: Feedback, *, text: str) -> Feedback:
    text = _clean_text(text, 1000)
    if not text:
        raise InvalidInput(_("请填写处理情况"))
    fb.answer = text
    fb.answered_at = utcnow()
    fb.answered_by = audit.current_actor().username[:80]
    db.session.flush()
    audit.record("reports.feedback.answer", target=fb, details={"kind": fb.kind})
    return fb


def summary(*, shop_ids: list[int] | None) -> dict:
    q = select(func.count(), func.coalesce(func.sum(Feedback.rating), 0),
               func.coalesce(func.sum((Feedback.kind == "complaint").cast(db.Integer)), 0),
               func.count(Feedback.answered_at))
    if shop_ids is not None:
        q = q.where(Feedback.shop_id.in_(shop_ids))
    n, total, complaints, answered = db.session.execute(q).one()
    return {"count": int(n), "rating_mean": round(int(total) / int(n), 2) if n else None,
            "complaints": int(complaints), "answered": int(answered), "open": int(n) - int(answered)}
