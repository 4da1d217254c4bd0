"""Staff pages: recipient list and search, detail, audited reveal, roster import."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, FileField, HiddenField, StringField
from wtforms.validators import DataRequired, Length

from app.auth.permissions import district_filter, ensure_district, require_role
from app.core.errors import InvalidInput
from app.core.numbers import arg_int
from app.extensions import db
from app.recipients import roster, services, uploads
from app.recipients.models import CATEGORIES, STATUSES
from app.recipients.roster_files import RosterFileError

bp = Blueprint("recipients", __name__, url_prefix="/recipients", template_folder="templates")
STAFF = ("admin", "federation")


class UploadForm(FlaskForm):
    file = FileField(_l("名册文件（.csv 或 .xlsx）"))
    sync = BooleanField(_l("同步：名册中各区县不在本名册里的在册人员标记为“已退出”，并作废其本期未用购物券"))


class ApplyForm(FlaskForm):
    token = HiddenField(validators=[DataRequired()])
    sha256 = HiddenField(validators=[DataRequired()])
    sync = HiddenField()


class RevealForm(FlaskForm):
    reason = StringField(_l("查看原因（将记入审计日志）"), validators=[DataRequired(), Length(max=200)])


def _scoped(recipient_id: int):
    recipient = services.get_recipient(recipient_id)
    ensure_district(current_user, recipient.district_code)
    return recipient


@bp.get("/")
@require_role(*STAFF)
def index():
    args = request.args
    category = args.get("category") if args.get("category") in CATEGORIES else None
    status = args.get("status") if args.get("status") in STATUSES else None
    page = max(1, args.get("page", 1, type=arg_int))
    rows, total = services.list_recipients(
        district_code=district_filter(current_user) or (args.get("district") or None), category=category,
        status=status, township=args.get("township") or None, q=args.get("q") or None, page=page)
    return render_template("recipients/index.html", rows=rows, total=total, page=page,
                           page_size=services.PAGE_SIZE, categories=services.CATEGORY_LABELS,
                           statuses=services.STATUS_LABELS, args=args)


@bp.get("/<int:recipient_id>")
@require_role(*STAFF)
def detail(recipient_id: int):
    recipient = _scoped(recipient_id)
    services.record_view(recipient)
    db.session.commit()
    return render_template("recipients/detail.html", r=recipient, form=RevealForm(),
                           panels=services.detail_panels(recipient), categories=services.CATEGORY_LABELS,
                           statuses=services.STATUS_LABELS)


@bp.post("/<int:recipient_id>/reveal")
@require_role(*STAFF)
def reveal(recipient_id: int):
    recipient = _scoped(recipient_id)
    form = RevealForm()
    if not form.validate():
        raise InvalidInput(_("查看完整身份证号必须填写原因"))
    number = services.reveal_id_number(recipient, reason=form.reason.data)
    db.session.commit()
    return render_template("recipients/revealed.html", r=recipient, number=number)


@bp.get("/import")
@require_role(*STAFF)
def import_form():
    return render_template("recipients/import.html", form=UploadForm())


@bp.post("/import")
@require_role(*STAFF)
def import_preview():
    form = UploadForm()
    upload = request.files.get("file")
    if not form.validate() or upload is None or not upload.filename:
        raise InvalidInput(_("请选择名册文件"))
    data = upload.read()
    try:
        report = roster.import_roster(data, upload.filename, sync=form.sync.data,
                                      allowed_district=district_filter(current_user))
    except RosterFileError as e:
        db.session.rollback()
        flash(str(e.message), "error")
        return render_template("recipients/import.html", form=form), 400
    db.session.rollback()  # a preview writes nothing but the upload that waits for "confirm"
    token = uploads.store(data, filename=upload.filename, user_id=current_user.id) if report.ok else ""
    db.session.commit()
    apply_form = ApplyForm(token=token, sha256=report.sha256, sync="1" if form.sync.data else "")
    return render_template("recipients/preview.html", report=report, apply_form=apply_form), \
        (200 if report.ok else 422)


@bp.post("/import/apply")
@require_role(*STAFF)
def import_apply():
    form = ApplyForm()
    if not form.validate():
        raise InvalidInput(_("导入已过期，请重新上传名册"))
    # taken out exactly once, in the import's own transaction: a second "confirm" gets 409
    data, filename = uploads.consume(form.token.data, user_id=current_user.id, sha256=form.sha256.data)
    report = roster.import_roster(data, filename, apply=True, sync=form.sync.data == "1",
                                  allowed_district=district_filter(current_user))
    if not report.ok:  # the registry changed since the preview in a way that makes rows bad
        db.session.rollback()
        return render_template("recipients/preview.html", report=report, apply_form=None), 422
    db.session.commit()
    flash(_("名册已导入：新增 %(new)s，变更 %(changed)s，退出 %(leaving)s", new=report.new,
            changed=report.changed, leaving=report.leaving), "success")
    return redirect(url_for("recipients.index"))
