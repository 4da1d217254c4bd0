"""The manager's own PIN page (`/pos/pin`): set or change the 4–8 digit PIN a cashier's till
asks for to authorise a void. On the till's blueprint (app/pos/views.py)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.permissions import require_role
from app.core.errors import InvalidInput
from app.core.idempotency import form_once
from app.extensions import db
from app.pos import pins
from app.pos.views import bp


def _page(error: InvalidInput | None = None, status: int = 200):
    return render_template("pos/pin.html", state=pins.pin_state(current_user), error=error,
                           error_field=(error.details or {}).get("field") if error else None), status


@bp.get("/pin")
@require_role("manager")
def pin():
    return _page()


@bp.post("/pin")
@require_role("manager")
@form_once
def set_pin():
    user = current_user._get_current_object()
    f = request.form
    try:
        was_set = pins.pin_state(user)["set"]
        pins.change_own_pin(user, password=f.get("password", ""), pin=f.get("pin", ""),
                            pin_again=f.get("pin_again", ""))
    except InvalidInput as e:
        db.session.rollback()  # the form's key too: the page comes back with a new one
        pins.record_pin_refusal(user, (e.details or {}).get("field"))
        db.session.commit()
        return _page(e, 400)
    db.session.commit()
    flash(_("授权码已修改") if was_set else _("授权码已设置"), "success")
    return redirect(url_for("pos.pin"), 303)
