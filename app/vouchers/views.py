"""Staff pages (issuance, sheets, reprint, reissue) and the public balance page /v/<code>."""

from __future__ import annotations

import io
from urllib.parse import quote

from flask import Blueprint, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from app.auth.permissions import district_filter, ensure_district, public, require_role
from app.auth.services import list_shops
from app.config import public_base_url_problem
from app.core.errors import InvalidInput
from app.core.idempotency import form_once
from app.core.timeutil import Period, business_today
from app.extensions import db, limiter
from app.recipients import services as recipient_services
from app.vouchers import history, issuance, services, sheets
from app.vouchers.errors import VoucherUnknown
from app.vouchers.forms import PeriodForm, ReasonForm, SheetsForm

bp = Blueprint("vouchers", __name__, url_prefix="/vouchers", template_folder="templates")
public_bp = Blueprint("voucher_public", __name__, template_folder="templates")
STAFF = ("admin", "federation")
STATUS_LABELS = {"active": _l("可用"), "exhausted": _l("已用完"), "expired": _l("已过期"), "revoked": _l("已注销")}


def _public_limit() -> str:
    return current_app.config.get("VOUCHER_PAGE_LIMIT", "30 per minute")


# --- public ---------------------------------------------------------------------------------
# The QR code leads to /v#CODE: the code stays in the URL fragment, which browsers never send,
# and the page's script asks POST /api/v1/vouchers/balance (app/vouchers/api.py). No URL that a
# server or proxy logs carries a spendable code; old links that did are only redirected.

def _public_page(*, info=None, unknown=False, status=200):
    shops = [s for s in list_shops() if s.active]
    return render_template("vouchers/public_lookup.html", info=info, unknown=unknown, shops=shops), status


def _to_fragment(code: str):
    """303 to /v#CODE: the code leaves the path (and the Referer of everything the page loads)."""
    return redirect(url_for("voucher_public.public_lookup") + "#" + quote(code.strip()[:64], safe="-*~$="), 303)


@public_bp.get("/v")
@public
@limiter.limit(_public_limit)
def public_lookup():
    """The holder's page: reads the code from the fragment (script) or the form (POST)."""
    code = (request.args.get("code") or "").strip()
    if code:  # the GET form of earlier versions
        return _to_fragment(code)
    return _public_page()


@public_bp.post("/v")
@public
@limiter.limit(_public_limit)
def public_lookup_post():
    """The form without JavaScript: the code in the POST body, the card in the answer."""
    try:
        voucher = services.find_voucher(request.form.get("code", ""))
    except VoucherUnknown:
        db.session.rollback()
        return _public_page(unknown=True, status=404)
    info = {**services.public_info(voucher, today=business_today()), "history": history.public_history(voucher)}
    db.session.rollback()
    return _public_page(info=info)


@public_bp.get("/v/<path:code>")
@public
@limiter.limit(_public_limit)
def public_voucher(code: str):
    """A QR code printed before codes moved to the fragment: still works, by a redirect to
    /v#CODE (the request itself is logged with the code redacted: app/core/logredact.py,
    deploy/gunicorn.conf.py, deploy/nginx/cishan.conf)."""
    return _to_fragment(code)


# --- staff ----------------------------------------------------------------------------------

@bp.get("/")
@require_role(*STAFF)
def issuance_page():
    period = request.args.get("period") or str(Period.current())
    try:
        period = str(Period.parse(period))
    except InvalidInput:
        period = str(Period.current())
    form = PeriodForm(period=period)
    problem = public_base_url_problem(current_app.config.get("PUBLIC_BASE_URL"))
    district = district_filter(current_user)
    return render_template("vouchers/issuance.html", form=form, runs=issuance.list_runs(20),
                           totals=issuance.totals(period), period=period, district=district,
                           sheets_form=SheetsForm(period=period),
                           districts=recipient_services.district_choices(district),
                           base_url=current_app.config.get("PUBLIC_BASE_URL") or "",
                           sheets_sample=bool(problem) and current_app.config.get("ENV_NAME") == "development",
                           sheets_refused=bool(problem) and current_app.config.get("ENV_NAME") != "development")


@bp.post("/issue")
@require_role(*STAFF)
@form_once
def issue():
    form = PeriodForm()
    if not form.validate():
        raise InvalidInput(_("期间格式应为 YYYY-MM"))
    run = issuance.issue_vouchers(period=form.period.data, district_code=district_filter(current_user))
    db.session.commit()
    flash(_("%(period)s 发放完成：新发 %(created)s 张，已有跳过 %(skipped)s 张", period=run.period,
            created=run.created, skipped=run.skipped), "success")
    return redirect(url_for("vouchers.issuance_page", period=run.period))


@bp.get("/sheets.pdf")
@require_role(*STAFF)
def sheets_pdf():
    form = SheetsForm(request.args)
    if not form.validate():
        raise InvalidInput(_("请填写期间（YYYY-MM），区县可空"))
    district = district_filter(current_user) or recipient_services.district_arg(form.district.data) or None
    if form.district.data and district is None:
        raise InvalidInput(_("区县不存在：%(d)s", d=form.district.data))
    buf = io.BytesIO()
    sheets.write_sheets(buf, period=form.period.data, district_code=district,
                        base_url=current_app.config["PUBLIC_BASE_URL"])
    db.session.commit()
    buf.seek(0)
    name = f"vouchers-{form.period.data}{'-' + district if district else ''}.pdf"
    return send_file(buf, mimetype="application/pdf", as_attachment=True, download_name=name)


def recipient_panel(recipient) -> Markup:
    """The vouchers section of a recipient's page (with reprint and replacement), and each
    voucher's ledger: what happened, where (shop, receipt) and by whom."""
    vouchers = services.vouchers_of_recipient(recipient.id)
    html = render_template("vouchers/_recipient_vouchers.html", status_labels=STATUS_LABELS, vouchers=vouchers,
                           histories=history.histories([v.id for v in vouchers]))
    return Markup(html)  # noqa: S704 - the output of an autoescaped template


def _scoped_voucher(voucher_id: int):
    voucher = services.get_voucher(voucher_id)
    ensure_district(current_user, voucher.recipient.district_code)
    return voucher


@bp.post("/<int:voucher_id>/reprint")
@require_role(*STAFF)
def reprint(voucher_id: int):
    voucher = _scoped_voucher(voucher_id)
    form = ReasonForm()
    if not form.validate():
        raise InvalidInput(_("补打购物券必须填写原因"))
    services.reprint_code(voucher.id, reason=form.reason.data)
    buf = io.BytesIO()
    sheets.write_sheets(buf, period=voucher.period, voucher_ids=[voucher.id], reason=form.reason.data,
                        base_url=current_app.config["PUBLIC_BASE_URL"])
    db.session.commit()
    buf.seek(0)
    return send_file(buf, mimetype="application/pdf", as_attachment=True,
                     download_name=f"voucher-{voucher.id}.pdf")


@bp.post("/<int:voucher_id>/reissue")
@require_role(*STAFF)
@form_once
def reissue(voucher_id: int):
    voucher = _scoped_voucher(voucher_id)
    form = ReasonForm()
    if not form.validate():
        raise InvalidInput(_("补发购物券必须填写原因"))
    new, _code = services.reissue(voucher.id, reason=form.reason.data)
    db.session.commit()
    flash(_("已补发新券（旧券码已注销），请点击“补打”打印新券"), "success")
    return redirect(url_for("recipients.detail", recipient_id=new.recipient_id))
