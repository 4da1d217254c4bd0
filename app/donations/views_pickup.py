"""The pickup screen (touch friendly, also on the till): identify the recipient, see what they may
still take, choose items and quantities, confirm.

The recipient panel is filled from `recipient_id`. A scanned voucher QR is posted by the scanner
script on the page (`POST /donations/pickup/scan`: a code never travels in a URL, where access
logs would keep it) and turned into that id by `app.vouchers.services.recipient_for_code`.
"""

from __future__ import annotations

import secrets

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.permissions import require_role
from app.core.errors import DomainError
from app.core.idempotency import form_once
from app.core.masking import mask_name
from app.core.numbers import arg_int, parse_int
from app.donations import pickups, returns
from app.donations.labels import KIND_LABELS, KIND_UNITS, PERIOD_EACH, PERIOD_THIS
from app.donations.models import Pickup
from app.donations.services import MAX_LINE_QUANTITY
from app.donations.views import bp, form_rows
from app.extensions import db
from app.recipients import services as recipient_services
from app.vouchers import services as voucher_services


@bp.get("/pickup")
@require_role(*pickups.PICKUP_ROLES)
def pickup():
    user = current_user._get_current_object()
    q = (request.args.get("q") or "").strip()
    recipient_id = request.args.get("recipient_id", type=arg_int)
    matches = []
    if q and recipient_id is None:
        matches = [{"id": r.id, "name": mask_name(r.name), "community": r.community, "township": r.township,
                    "last4": r.id_last4}
                   for r in recipient_services.search(q, limit=12)]
    info = history = None
    if recipient_id is not None:
        info = pickups.eligibility(recipient_id=recipient_id, shop_id=user.shop_id)
        info["name_masked"] = mask_name(info["recipient"].name)
        history = returns.recent_pickups(recipient_id, user=user)
    return render_template("donations/pickup.html", q=q, matches=matches, info=info, history=history,
                           idempotency_key=secrets.token_hex(16),
                           limit_notes=_limit_notes(info) if info else {})


def _limit_notes(info: dict) -> dict[str, str]:
    """Per kind with a limit, the sentence the screen says when "+" can go no further because of
    it: "每人每年限领 1 条棉被，今年已领 1 条，2027-01-01 起可再领"."""
    notes = {}
    for kind, e in info["kinds"].items():
        if e["limit"] is None:
            continue
        unit = KIND_UNITS[kind]
        note = _("每人%(each)s限领 %(n)s %(unit)s%(kind)s，%(this)s已领 %(taken)s %(unit)s",
                 each=PERIOD_EACH[e["period"]], n=e["limit"], unit=unit, kind=KIND_LABELS[kind],
                 this=PERIOD_THIS[e["period"]], taken=e["taken"])
        if e["remaining"] == 0:
            note += _("，%(date)s 起可再领", date=e["next_date"])
        else:
            note += _("，这次最多再领 %(n)s %(unit)s", n=e["remaining"], unit=unit)
        notes[kind] = note
    return notes


@bp.post("/pickup/scan")
@require_role(*pickups.PICKUP_ROLES)
def pickup_scan():
    """A scanned voucher QR (or its typed code) identifies the recipient."""
    try:
        recipient_id = voucher_services.recipient_for_code((request.form.get("code") or "").strip()).id
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for("donations.pickup"))
    return redirect(url_for("donations.pickup", recipient_id=recipient_id))


@bp.post("/pickup")
@require_role(*pickups.PICKUP_ROLES)
def confirm_pickup():
    lines = []
    for row in form_rows("item", ("kind", "description", "size", "qty")):
        qty = parse_int(row.get("qty") or "0", label=_("领取数量"), minimum=0, maximum=MAX_LINE_QUANTITY)
        if qty > 0:
            lines.append({"kind": row.get("kind"), "description": row.get("description", ""),
                          "size": row.get("size", ""), "quantity": qty})
    recipient_id = request.form.get("recipient_id", "")
    result = pickups.record_pickup(user=current_user._get_current_object(), recipient_id=recipient_id,
                                   lines=lines, idempotency_key=request.form.get("idempotency_key", ""))
    db.session.commit()
    kinds = pickups.pickup_summary(result)["kinds"]
    flash(_("已登记领取：%(items)s", items="、".join(
        _("%(kind)s %(n)s 件", kind=KIND_LABELS[k], n=n) for k, n in kinds.items())), "success")
    return redirect(url_for("donations.pickup", recipient_id=result.recipient_id))


@bp.post("/pickups/<int:pickup_id>/return")
@require_role(*returns.RETURN_ROLES)
@form_once
def return_pickup(pickup_id: int):
    """A manager takes back pieces of a pickup (a wrong size, a mistaken entry)."""
    lines = []
    for key, raw in request.form.items():
        if key.startswith("line-"):
            qty = parse_int(raw.strip() or "0", label=_("退回数量"), minimum=0, maximum=MAX_LINE_QUANTITY)
            line_id = parse_int(key[5:], label=_("退回数量"), minimum=1)
            if qty:
                lines.append({"line_id": line_id, "qty": qty})
    record = returns.return_pickup(user=current_user._get_current_object(), pickup_id=pickup_id,
                                   reason=request.form.get("reason", ""), lines=lines)
    db.session.commit()
    flash(_("已登记退回 %(n)s 件，物品已回到爱心捐赠区库存", n=sum(x.quantity for x in record.lines)), "success")
    recipient_id = db.session.get(Pickup, pickup_id).recipient_id
    return redirect(url_for("donations.pickup", recipient_id=recipient_id))
