"""Donations: logging (pledged), counting in (received -> lots in the donation corner), cancelling,
scoped look-ups and the donor's traceability figures. Services flush; the caller commits."""

from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.auth import services as auth_services
from app.auth.permissions import can_see_shop, ensure_shop
from app.core import audit
from app.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.core.numbers import INT64_MAX, INT64_MIN, parse_int
from app.core.text import clean_text
from app.core.timeutil import Period, business_today, parse_date, utcnow
from app.donations import donors as donor_services
from app.donations.models import (
    CONDITIONS,
    KINDS,
    SEASONS,
    Donation,
    DonationLine,
    DonationLot,
    DonationSequence,
    Pickup,
    PickupLine,
    PickupReturnLine,
)
from app.extensions import db

MAX_LINE_QUANTITY = 100_000
MAX_LINES = 50
LOGGING_ROLES = ("admin", "federation", "manager", "donor")
RECEIVING_ROLES = ("admin", "manager")


# --- validation ---------------------------------------------------------------------------

def _int(value, *, field: str, minimum: int = 0, maximum: int = MAX_LINE_QUANTITY, required=True) -> int | None:
    if isinstance(value, float):
        raise InvalidInput(_("%(field)s必须是整数：%(value)s", field=field, value=value))
    number = parse_int(value, label=field, minimum=INT64_MIN, maximum=INT64_MAX, required=required)
    if number is None:
        return None
    if number < minimum:
        raise InvalidInput(_("%(field)s不能小于 %(min)s：%(value)s", field=field, min=minimum, value=number))
    if number > maximum:
        raise InvalidInput(_("%(field)s不能大于 %(max)s：%(value)s", field=field, max=maximum, value=number))
    return number


def _text(value, *, limit: int, label: str | None = None) -> str:
    return clean_text("" if value is None else str(value), label=label, max_length=limit, multiline=limit > 100)


def clean_lines(lines) -> list[dict]:
    """Validate donation lines: kind, description, size, season, condition, quantity, value.
    An error names its line ("第 2 行…") and carries details {"line": n, "field": name} (the form
    marks that field)."""
    if not isinstance(lines, list) or not lines:
        raise InvalidInput(_("请至少填写一行捐赠物品"))
    if len(lines) > MAX_LINES:
        raise InvalidInput(_("一次最多登记 %(n)s 行物品", n=MAX_LINES))
    out = []
    for n, raw in enumerate(lines, start=1):
        if not isinstance(raw, dict):
            raise InvalidInput(_("第 %(n)s 行格式不正确", n=n), details={"line": n})
        out.append(_clean_line(n, raw))
    return out


def _line_error(n: int, field: str, error: InvalidInput) -> InvalidInput:
    return InvalidInput(error.message, details={**error.details, "line": n, "field": field})


def _clean_line(n: int, raw: dict) -> dict:
    def fail(field: str, message) -> InvalidInput:
        return InvalidInput(message, details={"line": n, "field": field})

    kind = raw.get("kind")
    if kind not in KINDS:
        raise fail("kind", _("第 %(n)s 行：物品类别应为棉被、衣物、鞋或其他", n=n))
    condition = raw.get("condition") or "good"
    if condition not in CONDITIONS:
        raise fail("condition", _("第 %(n)s 行：成色应为全新或完好", n=n))
    season = raw.get("season") or None
    if season is not None and season not in SEASONS:
        raise fail("season", _("第 %(n)s 行：季节应为春秋、夏季、冬季或四季", n=n))
    try:
        quantity = _int(raw.get("quantity"), field=_("第 %(n)s 行的数量", n=n), minimum=1)
    except InvalidInput as e:
        raise _line_error(n, "quantity", e) from None
    try:
        value = _int(raw.get("estimated_value_fen"), field=_("第 %(n)s 行的估值", n=n), minimum=0,
                     maximum=10**11, required=False)
    except InvalidInput as e:
        raise _line_error(n, "value", e) from None
    cleaned = {"kind": kind, "season": season, "condition": condition, "quantity": quantity,
               "estimated_value_fen": value}
    for field, limit, label in (("description", 100, _("第 %(n)s 行的品名", n=n)),
                                ("size", 20, _("第 %(n)s 行的尺码", n=n))):
        try:
            cleaned[field] = _text(raw.get(field), limit=limit, label=label)
        except InvalidInput as e:
            raise _line_error(n, field, e) from None
    return {k: cleaned[k] for k in ("kind", "description", "size", "season", "condition", "quantity",
                                    "estimated_value_fen")}


# --- scope --------------------------------------------------------------------------------

def can_view(user, donation: Donation) -> bool:
    if user.role == "donor":
        donor = donor_services.donor_of_user(user)
        return donor is not None and donor.id == donation.donor_id
    return can_see_shop(user, donation.shop)


def ensure_can_view(user, donation: Donation) -> None:
    if not can_view(user, donation):
        if user.role == "donor":
            raise Forbidden(_("您只能查看本单位的捐赠"))
        raise Forbidden(_("您无权访问其他门店的数据"))


def get_donation(donation_id: int, *, user) -> Donation:
    donation = db.session.get(Donation, donation_id)
    if donation is None:
        raise NotFound(_("捐赠记录不存在"))
    ensure_can_view(user, donation)
    return donation


def list_donations(*, user, status: str | None = None, limit: int = 200) -> list[Donation]:
    q = select(Donation).order_by(Donation.created_at.desc(), Donation.id.desc()).limit(limit)
    if user.role == "donor":
        q = q.where(Donation.donor_id == donor_services.require_donor_of_user(user).id)
    elif user.role != "admin":
        q = q.where(Donation.shop_id.in_([s.id for s in auth_services.list_shops(user)]))
    if status:
        q = q.where(Donation.status == status)
    return list(db.session.scalars(q))


# --- logging, receiving, cancelling ------------------------------------------------------

def log_donation(*, user, shop_code: str, lines, donor_id: int | None = None,
                 expected_date: dt.date | str | None = None, note: str = "") -> Donation:
    """A donor user logs its own gift; staff log one on a donor's behalf. -> status `pledged`."""
    if user.role not in LOGGING_ROLES:
        raise Forbidden()
    if user.role == "donor":
        donor = donor_services.require_donor_of_user(user)
        if donor_id is not None and int(donor_id) != donor.id:
            raise Forbidden(_("您只能为本单位登记捐赠"))
    else:
        if donor_id is None or donor_id == "":
            raise InvalidInput(_("请选择捐赠方"))
        donor = donor_services.get_donor(_int(donor_id, field=_("捐赠方"), minimum=1, maximum=2**31))
    if not donor.active:
        raise InvalidInput(_("该捐赠方已停用"))
    if not (shop_code or "").strip():
        raise InvalidInput(_("请选择接收门店"))
    shop = auth_services.get_shop_by_code(shop_code)
    if user.role != "donor":
        ensure_shop(user, shop)
    if not shop.active:
        raise InvalidInput(_("门店已停用：%(code)s", code=shop.code))
    if isinstance(expected_date, str):
        expected_date = parse_date(expected_date) if expected_date.strip() else None
    cleaned = clean_lines(lines)
    donation = Donation(donor_id=donor.id, shop_id=shop.id, status="pledged", expected_date=expected_date,
                        note=_text(note, limit=500), created_by_id=user.id)
    donation.lines = [DonationLine(**line) for line in cleaned]
    db.session.add(donation)
    db.session.flush()
    audit.record("donation.create", target=donation,
                 details={"donor": donor.id, "shop": shop.code,
                          "lines": [[x["kind"], x["quantity"]] for x in cleaned]})
    return donation


def _ensure_can_receive(user, donation: Donation) -> None:
    if user.role not in RECEIVING_ROLES:
        raise Forbidden(_("只有门店店长可以清点入库"))
    ensure_shop(user, donation.shop)


def receive_donation(*, user, donation_id: int, lines, now: dt.datetime | None = None) -> Donation:
    """Count a pledged donation in: per line the pieces accepted into the donation corner and the
    pieces rejected (with a reason). When the count differs from the pledge beyond the rejected
    pieces, a note is required. Accepted pieces become one lot per line, first in first out."""
    donation = get_donation(donation_id, user=user)
    _ensure_can_receive(user, donation)
    if donation.status != "pledged":
        raise Conflict(_("该捐赠已入库或已取消，不能再次清点"))
    if not isinstance(lines, list) or not lines:
        raise InvalidInput(_("请填写每一行的实收数量"))
    by_id = {line.id: line for line in donation.lines}
    counted: dict[int, dict] = {}
    for raw in lines:
        if not isinstance(raw, dict):
            raise InvalidInput(_("清点数据格式不正确"))
        line_id = _int(raw.get("line_id"), field=_("行号"), minimum=1, maximum=2**31)
        if line_id not in by_id:
            raise InvalidInput(_("该捐赠没有这一行：%(id)s", id=line_id))
        if line_id in counted:
            raise InvalidInput(_("同一行填写了两次：%(id)s", id=line_id))
        line = by_id[line_id]
        received = _int(raw.get("quantity_received"), field=_("实收数量"), minimum=0)
        rejected = _int(raw.get("quantity_rejected"), field=_("拒收数量"), minimum=0, required=False) or 0
        reason = _text(raw.get("reject_reason"), limit=200)
        note = _text(raw.get("note"), limit=200)
        if rejected and not reason:
            raise InvalidInput(_("拒收物品必须填写原因（如破损、不适用）"))
        if received + rejected != line.quantity and not note:
            raise InvalidInput(_("“%(item)s”登记 %(pledged)s 件，实收 %(received)s 件、拒收 %(rejected)s 件，"
                                 "数量不符请填写说明", item=line.description or line.kind,
                                 pledged=line.quantity, received=received, rejected=rejected))
        counted[line_id] = {"received": received, "rejected": rejected, "reason": reason, "note": note}
    missing = [lid for lid in by_id if lid not in counted]
    if missing:
        raise InvalidInput(_("请填写每一行的实收数量"))
    now = now or utcnow()
    # one conditional statement: two managers counting the same donation cannot both succeed
    changed = db.session.execute(
        update(Donation).where(Donation.id == donation.id, Donation.status == "pledged")
        .values(status="received", received_at=now, received_on=business_today(now),
                received_by_id=user.id)
        .execution_options(synchronize_session=False)).rowcount
    if changed != 1:
        raise Conflict(_("该捐赠已入库或已取消，不能再次清点"))
    db.session.refresh(donation)
    period = str(Period.of(business_today(now)))
    accepted = 0
    for line in donation.lines:
        c = counted[line.id]
        line.quantity_received = c["received"]
        line.quantity_rejected = c["rejected"]
        line.reject_reason = c["reason"]
        line.receive_note = c["note"]
        if c["received"]:
            accepted += c["received"]
            db.session.add(DonationLot(
                line_id=line.id, donation_id=donation.id, donor_id=donation.donor_id, shop_id=donation.shop_id,
                kind=line.kind, description=line.description, size=line.size, season=line.season,
                condition=line.condition, quantity_in=c["received"], quantity_left=c["received"],
                received_at=now, period=period))
    if accepted:  # numbered per business year: JZ2026-000001, JZ2026-000002, ...
        year = business_today(now).year
        donation.certificate_no = f"JZ{year}-{next_sequence(f'certificate-{year}'):06d}"
    db.session.flush()
    audit.record("donation.receive", target=donation,
                 details={"accepted": accepted, "certificate_no": donation.certificate_no,
                          "lines": {str(k): [v["received"], v["rejected"]] for k, v in counted.items()}})
    return donation


def cancel_donation(*, user, donation_id: int, reason: str = "") -> Donation:
    donation = get_donation(donation_id, user=user)
    if user.role not in LOGGING_ROLES:
        raise Forbidden()
    changed = db.session.execute(
        update(Donation).where(Donation.id == donation.id, Donation.status == "pledged")
        .values(status="cancelled", cancelled_at=utcnow())
        .execution_options(synchronize_session=False)).rowcount
    if changed != 1:
        raise Conflict(_("只有待送达的捐赠可以取消"))
    db.session.refresh(donation)
    audit.record("donation.cancel", target=donation, details={"reason": _text(reason, limit=200)})
    return donation


def next_sequence(name: str) -> int:
    """Increment and return a named counter in one statement (no read-then-write)."""
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    table = DonationSequence.__table__
    db.session.execute(insert(table).values(name=name, last_value=0).on_conflict_do_nothing(
        index_elements=["name"]))
    return db.session.execute(
        update(table).where(table.c.name == name).values(last_value=table.c.last_value + 1)
        .returning(table.c.last_value)).scalar_one()


# --- traceability (what became of a gift) ------------------------------------------------

def line_figures(donation: Donation) -> dict[int, dict]:
    """Per donation line: pieces accepted, picked up, still in the corner."""
    rows = db.session.execute(
        select(DonationLot.line_id, DonationLot.quantity_in, DonationLot.quantity_left)
        .where(DonationLot.donation_id == donation.id)).all()
    return {r.line_id: {"received": r.quantity_in, "picked_up": r.quantity_in - r.quantity_left,
                        "left": r.quantity_left} for r in rows}


def households_benefited(*, donation_id: int | None = None, donor_id: int | None = None) -> int:
    """How many different households took items from this donation (or donor) — never who."""
    returned = (select(PickupReturnLine.pickup_line_id, func.sum(PickupReturnLine.quantity).label("n"))
                .group_by(PickupReturnLine.pickup_line_id).subquery())
    q = (select(func.count(func.distinct(Pickup.recipient_id)))
         .select_from(PickupLine).join(Pickup, Pickup.id == PickupLine.pickup_id)
         .join(DonationLot, DonationLot.id == PickupLine.lot_id)
         .outerjoin(returned, returned.c.pickup_line_id == PickupLine.id)
         .where(PickupLine.quantity > func.coalesce(returned.c.n, 0)))  # a piece brought back is not a gift
    if donation_id is not None:
        q = q.where(DonationLot.donation_id == donation_id)
    if donor_id is not None:
        q = q.where(DonationLot.donor_id == donor_id)
    return db.session.scalar(q) or 0


def donor_summary(donor_id: int) -> dict:
    """A donor's totals per kind (pledged, received, picked up, left) and households benefited."""
    per_kind = {k: {"pledged": 0, "received": 0, "picked_up": 0, "left": 0} for k in KINDS}
    pledged = db.session.execute(
        select(DonationLine.kind, func.sum(DonationLine.quantity))
        .join(Donation, Donation.id == DonationLine.donation_id)
        .where(Donation.donor_id == donor_id, Donation.status != "cancelled")
        .group_by(DonationLine.kind)).all()
    for kind, n in pledged:
        per_kind[kind]["pledged"] = int(n or 0)
    lots = db.session.execute(
        select(DonationLot.kind, func.sum(DonationLot.quantity_in), func.sum(DonationLot.quantity_left))
        .where(DonationLot.donor_id == donor_id).group_by(DonationLot.kind)).all()
    for kind, q_in, q_left in lots:
        per_kind[kind].update(received=int(q_in or 0), left=int(q_left or 0),
                              picked_up=int(q_in or 0) - int(q_left or 0))
    donations = db.session.scalar(select(func.count(Donation.id)).where(Donation.donor_id == donor_id)) or 0
    return {"donations": donations, "per_kind": per_kind,
            "households": households_benefited(donor_id=donor_id)}


def describe(donation: Donation) -> dict:
    """A donation as plain values with its traceability figures (API and pages)."""
    figures = line_figures(donation)
    lines = []
    for line in donation.lines:
        fig = figures.get(line.id, {"received": 0, "picked_up": 0, "left": 0})
        lines.append({"id": line.id, "kind": line.kind, "description": line.description, "size": line.size,
                      "season": line.season, "condition": line.condition, "quantity": line.quantity,
                      "estimated_value_fen": line.estimated_value_fen,
                      "received_value_fen": line.received_value_fen,
                      "quantity_received": line.quantity_received, "quantity_rejected": line.quantity_rejected,
                      "reject_reason": line.reject_reason, "receive_note": line.receive_note,
                      "picked_up": fig["picked_up"], "left": fig["left"]})
    return {
        "id": donation.id, "status": donation.status,
        "donor": {"id": donation.donor.id, "name": donation.donor.name, "kind": donation.donor.kind},
        "shop": donation.shop.code, "shop_name": donation.shop.name,
        "expected_date": donation.expected_date.isoformat() if donation.expected_date else None,
        "note": donation.note, "created_at": donation.created_at.isoformat(),
        "received_on": donation.received_on.isoformat() if donation.received_on else None,
        "certificate_no": donation.certificate_no,
        "households": households_benefited(donation_id=donation.id) if donation.status == "received" else 0,
        "lines": lines,
    }
