"""Home page per role, language switch, health check."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, current_app, jsonify, redirect, render_template, request, session
from flask_login import current_user
from sqlalchemy import text

from app.auth.permissions import public, require_role
from app.auth.services import list_shops
from app.core import handlers
from app.core.redirects import safe_next
from app.core.timeutil import to_business
from app.extensions import db, limiter

bp = Blueprint("core", __name__, template_folder="templates")

ALL_ROLES = ("admin", "federation", "manager", "cashier", "donor")


def format_business_datetime(value, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return to_business(value).strftime(fmt) if value else ""


@bp.get("/")
@require_role(*ALL_ROLES)
def home():
    shops = list_shops(current_user)
    return render_template("core/home.html", shops=shops)


@bp.get("/lang/<code>")
@public
def set_language(code: str):
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    return redirect(safe_next(request.args.get("next")))


@bp.get("/favicon.ico")
@public
@limiter.exempt
def favicon():
    """Browsers ask for it on every first visit (a 404 each time before)."""
    data = (Path(current_app.static_folder) / "favicon.ico").read_bytes()  # 4 KB: no file left open
    return Response(data, mimetype="image/vnd.microsoft.icon", headers={"Cache-Control": "public, max-age=86400"})


@bp.get("/healthz")
@public
@limiter.exempt
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
        db.session.rollback()
    except Exception:  # noqa: BLE001 - any database failure means "not healthy"
        db.session.remove()
        return jsonify({"status": "error", "database": "unreachable"}), 503, {
            "Retry-After": str(handlers.RETRY_AFTER_SECONDS)}
    return jsonify({"status": "ok"})
