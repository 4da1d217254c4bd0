"""Pages: donations (list, log, detail, count in, cancel, certificate), donors, limits, figures.

The pickup screen lives in views_pickup.py on the same blueprint.
"""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth import services as auth_services
from app.auth.permissions import require_role
from app.core.errors import DomainError, InvalidInput
from app.core.idempotency import form_once
from app.core.money import parse_yuan
from app.core.numbers import parse_int
from app.core.text import is_digits
from app.core.timeutil import Period
from app.donations import certificate, donors, pickups, services, stats
from app.donations.labels import (
    CONDITION_LABELS,
    DONOR_KIND_LABELS,
    KIND_LABELS,
    KIND_UNITS,
    PERIOD_LABELS,
    SEASON_LABELS,
    STATUS_LABELS,
)
from app.donations.models import KINDS, STATUSES
from app.extensions import db

bp = Blueprint("donations", __name__, url_prefix="/donations", template_folder="templates")

LOGGING = ("admin", "federation", "manager", "donor")
DONOR_ADMIN = ("admin", "federation", "manager")
LIMIT_ADMIN = ("admin", "federation")
NEW_FORM_ROWS = 4


@bp.context_processor
def _labels():
    return {"kind_labels": KIND_LABELS, "condition_labels": CONDITION_LABELS, "season_labels": SEASON_LABELS,
            "status_labels": STATUS_LABELS, "donor_kind_labels": DONOR_KIND_LABELS,
            "period_labels": PERIOD_LABELS, "kinds": KINDS, "kind_units": KIND_UNITS}


def _user():
    return current_user._get_current_object()


def form_rows(prefix: str, names: tuple[str, ...]) -> list[dict]:
    """Rows posted as `<prefix>-<n>-<name>` fields, in order of n."""
    rows: dict[int, dict] = {}
    for key, value in request.form.items():
        parts = key.split("-", 2)
        if len(parts) == 3 and parts[0] == prefix and is_digits(parts[1]) and parts[2] in names:
            rows.setdefault(int(parts[1]), {})[parts[2]] = value.strip()
    return [rows[n] for n in sorted(rows)]


# --- donations ----------------------------------------------------------------------------

@bp.get("/")
@require_role(*LOGGING)
def index():
    user = _user()
    status = request.args.get("status") or None
    if status not in (None, *STATUSES):
        status = None
    summary = None
    donor = None
    if user.role == "donor":
        donor = donors.donor_of_user(user)
        if donor is None:
            return render_template("donations/not_linked.html")
        summary = services.donor_summary(donor.id)
    rows = services.list_donations(user=user, status=status)
    return render_template("donations/index.html", donations=rows, summary=summary, donor=donor, status=status)


LINE_FIELDS = ("kind", "description", "size", "season", "condition", "quantity", "value")
TYPED_FIELDS = ("description", "size", "quantity", "value")  # a row with none of these is empty


def _typed_lines() -> list[dict]:
    """The rows the user filled in, as typed, in order (empty rows of the form left out): the
    page numbers them 1, 2, … as the messages do."""
    return [row for row in form_rows("line", LINE_FIELDS) if any(row.get(k) for k in TYPED_FIELDS)]


def _new_form(typed: list[dict] | None = None, error: DomainError | None = None, status: int = 200):
    user = _user()
    shops = auth_services.list_shops() if user.role == "donor" else auth_services.list_shops(user)
    typed = typed or []
    rows = typed + [{} for _n in range(max(NEW_FORM_ROWS - len(typed), 1 if typed else 0))]
    details = error.details if error is not None else {}
    return render_template("donations/new.html", shops=[s for s in shops if s.active],
                           donor_list=[] if user.role == "donor" else donors.list_donors(),
                           rows=rows, form=request.form if error is not None else {}, error=error,
                           error_line=details.get("line"), error_field=details.get("field")), status


@bp.get("/new")
@require_role(*LOGGING)
def new():
    user = _user()
    if user.role == "donor" and donors.donor_of_user(user) is None:
        return render_template("donations/not_linked.html")
    return _new_form()


@bp.post("/new")
@require_role(*LOGGING)
@form_once
def create():
    """Log a donation. On any error the form comes back as it was typed, the row in error marked
    and named in the message (nothing is written: the form's key is released with the rest)."""
    typed = _typed_lines()
    try:
        lines = []
        for n, row in enumerate(typed, start=1):
            line = {k: row.get(k, "") for k in LINE_FIELDS if k != "value"}
            value = row.get("value", "")
            try:
                line["estimated_value_fen"] = parse_yuan(value, label=_("第 %(n)s 行的估值", n=n)) if value else None
            except InvalidInput as e:
                raise InvalidInput(e.message, details={"line": n, "field": "value"}) from None
            line["season"] = line["season"] or None
            lines.append(line)
        donation = services.log_donation(user=_user(), shop_code=request.form.get("shop", ""),
                                         donor_id=request.form.get("donor_id") or None,
                                         expected_date=request.form.get("expected_date", ""),
                                         note=request.form.get("note", ""), lines=lines)
    except DomainError as e:
        db.session.rollback()
        return _new_form(typed, e, e.status)
    db.session.commit()
    flash(_("已登记捐赠 #%(id)s，送达后由门店清点入库", id=donation.id), "success")
    return redirect(url_for("donations.detail", donation_id=donation.id))


@bp.get("/<int:donation_id>")
@require_role(*LOGGING)
def detail(donation_id: int):
    user = _user()
    donation = services.get_donation(donation_id, user=user)
    return render_template("donations/detail.html", donation=donation, info=services.describe(donation),
                           can_receive=donation.status == "pledged" and user.role in services.RECEIVING_ROLES)


@bp.post("/<int:donation_id>/receive")
@require_role("admin", "manager")
@form_once
def receive(donation_id: int):
    lines = []
    for row in form_rows("line", ("id", "received", "rejected", "reason", "note")):
        lines.append({"line_id": row.get("id"), "quantity_received": row.get("received"),
                      "quantity_rejected": row.get("rejected") or 0, "reject_reason": row.get("reason", ""),
                      "note": row.get("note", "")})
    donation = services.receive_donation(user=_user(), donation_id=donation_id, lines=lines)
    db.session.commit()
    flash(_("已清点入库；捐赠证明编号 %(no)s", no=donation.certificate_no) if donation.certificate_no
          else _("已清点，没有物品入库"), "success")
    return redirect(url_for("donations.detail", donation_id=donation.id))


@bp.post("/<int:donation_id>/cancel")
@require_role(*LOGGING)
@form_once
def cancel(donation_id: int):
    services.cancel_donation(user=_user(), donation_id=donation_id, reason=request.form.get("reason", ""))
    db.session.commit()
    flash(_("已取消该捐赠登记"), "success")
    return redirect(url_for("donations.detail", donation_id=donation_id))


@bp.get("/<int:donation_id>/certificate.pdf")
@require_role(*LOGGING)
def certificate_pdf(donation_id: int):
    donation = services.get_donation(donation_id, user=_user())
    pdf = certificate.render_certificate(donation)
    db.session.commit()  # the audit row of the download
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{donation.certificate_no}.pdf"'})


# --- donors -------------------------------------------------------------------------------

@bp.get("/donors")
@require_role(*DONOR_ADMIN)
def donor_list():
    rows = [(d, donors.members_of(d)) for d in donors.list_donors()]
    return render_template("donations/donors.html", rows=rows)


@bp.post("/donors")
@require_role(*DONOR_ADMIN)
@form_once
def create_donor():
    f = request.form
    donor = donors.create_donor(kind=f.get("kind", ""), name=f.get("name", ""), credit_code=f.get("credit_code"),
                                contact_name=f.get("contact_name", ""), contact_phone=f.get("contact_phone", ""),
                                address=f.get("address", ""))
    db.session.commit()
    flash(_("已登记捐赠方 %(name)s", name=donor.name), "success")
    return redirect(url_for("donations.donor_list"))


@bp.post("/donors/<int:donor_id>/members")
@require_role("admin", "federation")
def link_member(donor_id: int):
    donor = donors.get_donor(donor_id)
    member = donors.link_user(donor=donor, username=request.form.get("username", ""))
    db.session.commit()
    flash(_("账号已关联到 %(name)s", name=member.donor.name), "success")
    return redirect(url_for("donations.donor_list"))


# --- limits and figures -------------------------------------------------------------------

@bp.get("/limits")
@require_role(*LIMIT_ADMIN)
def limits():
    return render_template("donations/limits.html", limits=pickups.limits())


@bp.post("/limits")
@require_role(*LIMIT_ADMIN)
def set_limit():
    kind = request.form.get("kind", "")
    quantity = parse_int(request.form.get("quantity"), label=_("限额"), minimum=0, required=False)
    pickups.set_limit(user=_user(), kind=kind, quantity=quantity,
                      period=request.form.get("period", "month"))
    db.session.commit()
    flash(_("已更新%(kind)s的领取限额", kind=KIND_LABELS[kind]), "success")
    return redirect(url_for("donations.limits"))


@bp.get("/stats")
@require_role("admin", "federation", "manager")
def figures():
    period_from = request.args.get("from") or None
    period_to = request.args.get("to") or None
    for value in (period_from, period_to):
        if value:
            Period.parse(value)
    data = stats.figures(shop_ids=stats.shop_ids_for(_user()), period_from=period_from, period_to=period_to)
    return render_template("donations/stats.html", data=data, period_from=period_from or "",
                           period_to=period_to or "")
