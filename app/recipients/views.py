"""Staff pages: recipient list and search, detail, audited reveal, roster import."""

from __future__ import annotations

import io

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, FileField, HiddenField, StringField
from wtforms.validators import DataRequired, Length

from app.auth.permissions import district_filter, ensure_district, require_role
from app.core import regions
from app.core.errors import InvalidInput
from app.core.numbers import arg_int
from app.extensions import db
from app.recipients import left_out, roster, services, uploads
from app.recipients.categories import label_table, parse_category
from app.recipients.models import STATUSES
from app.recipients.roster_files import RosterFileError

bp = Blueprint("recipients", __name__, url_prefix="/recipients", template_folder="templates")
STAFF = ("admin", "federation")


class UploadForm(FlaskForm):
    file = FileField(_l("名册文件（.csv 或 .xlsx）"))
    sync = BooleanField(_l("同步：名册中各区县不在本名册里的在册人员标记为“已退出”，并注销其本期未用购物券"))


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
    category = parse_category(args.get("category"))  # a code (dibao) or a roster's label (城市低保)
    status = args.get("status") if args.get("status") in STATUSES else None
    page = max(1, args.get("page", 1, type=arg_int))
    scope = district_filter(current_user)
    asked = (args.get("district") or "").strip()
    # by code (411002) or by name (魏都区); a district that does not exist matches nobody
    district = scope or services.district_arg(asked) or asked or None
    rows, total = services.list_recipients(
        district_code=district, category=category,
        status=status, township=args.get("township") or None, q=args.get("q") or None, page=page)
    districts = services.district_choices(scope)
    return render_template("recipients/index.html", rows=rows, total=total, page=page,
                           page_size=services.PAGE_SIZE, categories=services.CATEGORY_LABELS,
                           statuses=services.STATUS_LABELS, args=args, category=category,
                           districts=districts, district=district, district_names=dict(districts),
                           unknown_district=asked if not scope and asked and district == asked
                           and asked not in dict(districts) else None)


@bp.get("/<int:recipient_id>")
@require_role(*STAFF)
def detail(recipient_id: int):
    recipient = _scoped(recipient_id)
    services.record_view(recipient)
    db.session.commit()
    return render_template("recipients/detail.html", r=recipient, form=RevealForm(),
                           panels=services.detail_panels(recipient), categories=services.CATEGORY_LABELS,
                           statuses=services.STATUS_LABELS,
                           district_name=regions.region_name(recipient.district_code))


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


class LeftOutForm(FlaskForm):
    token = HiddenField(validators=[DataRequired()])


def _import_page(form, status=200):
    return render_template("recipients/import.html", form=form, category_labels=label_table()), status


def _keep_left_out(report) -> str:
    """Store the rows `report` left out for their download; their token ("" when none)."""
    if not report.left_out:
        return ""
    data, name, mimetype = left_out.build(report)
    return uploads.store_left_out(data, filename=name, mimetype=mimetype, rows=len(report.left_out),
                                  upload_sha256=report.sha256, user_id=current_user.id)


@bp.get("/import")
@require_role(*STAFF)
def import_form():
    return _import_page(UploadForm())


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
        return _import_page(form, 400)
    db.session.rollback()  # a preview writes nothing but what waits for "confirm" and the download
    importable = report.ok or report.can_skip_bad
    token = uploads.store(data, filename=upload.filename, user_id=current_user.id) if importable else ""
    left_out_token = _keep_left_out(report)
    db.session.commit()
    # formdata=None: forms to show, filled from these values (not from the request just posted)
    apply_form = ApplyForm(formdata=None, token=token, sha256=report.sha256, sync="1" if form.sync.data else "")
    left_out_form = LeftOutForm(formdata=None, token=left_out_token) if left_out_token else None
    return render_template("recipients/preview.html", report=report, left_out_form=left_out_form,
                           apply_form=apply_form if importable else None), (200 if report.ok else 422)


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
        return render_template("recipients/preview.html", report=report, apply_form=None,
                               left_out_form=None), 422
    db.session.commit()
    flash(_("名册已导入：新增 %(new)s，变更 %(changed)s，退出 %(leaving)s", new=report.new,
            changed=report.changed, leaving=report.leaving), "success")
    return redirect(url_for("recipients.index"))


@bp.post("/import/apply-valid")
@require_role(*STAFF)
def import_apply_valid():
    """The clerk's choice on a preview with bad rows: import the valid rows, leave out the bad
    ones (kept for their download). Consumes the upload exactly once, as `import_apply` does."""
    form = ApplyForm()
    if not form.validate():
        raise InvalidInput(_("导入已过期，请重新上传名册"))
    data, filename = uploads.consume(form.token.data, user_id=current_user.id, sha256=form.sha256.data)
    report = roster.import_roster(data, filename, apply=True, skip_bad=True, sync=form.sync.data == "1",
                                  allowed_district=district_filter(current_user))
    if not report.applied:  # nothing valid to import (the registry changed since the preview)
        db.session.rollback()
        return render_template("recipients/preview.html", report=report, apply_form=None,
                               left_out_form=None), 422
    left_out_token = _keep_left_out(report)
    db.session.commit()
    return render_template("recipients/imported.html", report=report,
                           left_out_form=LeftOutForm(formdata=None, token=left_out_token) if left_out_token else None)


@bp.post("/import/left-out")
@require_role(*STAFF)
def import_left_out():
    """Download the rows an import left out (whole ID numbers: a POST, never a URL; audited)."""
    form = LeftOutForm()
    if not form.validate():
        raise InvalidInput(_("未导入行的文件已过期，请重新上传名册"))
    data, meta = uploads.left_out(form.token.data, user_id=current_user.id)
    left_out.record_download(rows=meta["rows"], upload_sha256=meta["sha256"], channel="web")
    db.session.commit()
    response = send_file(io.BytesIO(data), mimetype=meta["mimetype"], as_attachment=True,
                         download_name=meta["filename"])
    response.headers["Cache-Control"] = "no-store"  # whole ID numbers: no cache keeps a copy
    return response
