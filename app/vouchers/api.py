"""Voucher look-ups and `POST /api/v1/issuance-runs`.

Codes travel in POST bodies, never in a URL a server or proxy would log:
`POST /api/v1/vouchers/lookup` for the till, `POST /api/v1/vouchers/balance` for the holder's
public page. `GET /api/v1/vouchers/<code>` stays for old clients (nothing of ours calls it; its
access-log lines are redacted, app/core/logredact.py)."""

from __future__ import annotations

from flask import current_app
from flask_login import current_user
from flask_smorest import Blueprint

from app.auth.permissions import district_filter, public, require_role
from app.core import idempotency
from app.core.db import commit_with_retry
from app.core.timeutil import business_today
from app.extensions import csrf, db, limiter
from app.vouchers import history, issuance, services
from app.vouchers.schemas import CodeIn, IssuanceRunIn, IssuanceRunOut, VoucherOut, VoucherPublicOut

blp = Blueprint("api_vouchers", __name__, description="购物券 Vouchers")


@blp.route("/vouchers/lookup", methods=["POST"])
@require_role("admin", "federation", "manager", "cashier")
@blp.arguments(CodeIn, location="json")
@blp.response(200, VoucherOut)
def lookup_voucher(body):
    """Status, balance, validity and the holder's limits (typed or scanned code, lenient)."""
    voucher = services.find_voucher(body["code"])
    return services.voucher_info(voucher, today=business_today())


@blp.route("/vouchers/balance", methods=["POST"])
@public
@csrf.exempt  # reads only; JSON, so a cross-site form cannot post it
@limiter.limit(lambda: current_app.config.get("VOUCHER_PAGE_LIMIT", "30 per minute"))
@blp.arguments(CodeIn, location="json")
@blp.response(200, VoucherPublicOut)
def public_balance(body):
    """The holder's public page (/v): balance, validity and the voucher's history (day, shop, amount,
    what happened), nothing personal and no staff."""
    voucher = services.find_voucher(body["code"])
    info = {**services.public_info(voucher, today=business_today()), "history": history.public_history(voucher)}
    db.session.rollback()
    return info


@blp.route("/vouchers/<code>", methods=["GET"])
@require_role("admin", "federation", "manager", "cashier")
@blp.response(200, VoucherOut)
def get_voucher(code: str):
    """Deprecated: the code in the path reaches access logs. Use POST /vouchers/lookup."""
    voucher = services.find_voucher(code)
    return services.voucher_info(voucher, today=business_today())


@blp.route("/issuance-runs", methods=["POST"])
@require_role("admin", "federation")
@blp.arguments(IssuanceRunIn, location="json")
@blp.response(201, IssuanceRunOut)
def create_issuance_run(body):
    """Issue a period's vouchers (a district-limited federation user issues for that district).
    Running it again issues nothing more; with an `idempotency_key` the same key answers the first
    run itself."""
    key = idempotency.key_from(body)

    def work():
        run = issuance.issue_vouchers(period=body["period"], programme_code=body.get("programme"),
                                      district_code=district_filter(current_user))
        return IssuanceRunOut().dump(run)

    return commit_with_retry(db.session, lambda: idempotency.once(
        scope="vouchers.issuance_run", key=key, body=body, user_id=current_user.id, status=201, work=work,
        required=False))
