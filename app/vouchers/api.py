"""`GET /api/v1/vouchers/<code>` for the till and `POST /api/v1/issuance-runs`."""

from __future__ import annotations

from flask_login import current_user
from flask_smorest import Blueprint

from app.auth.permissions import district_filter, require_role
from app.core import idempotency
from app.core.db import commit_with_retry
from app.core.timeutil import business_today
from app.extensions import db
from app.vouchers import issuance, services
from app.vouchers.schemas import IssuanceRunIn, IssuanceRunOut, VoucherOut

blp = Blueprint("api_vouchers", __name__, description="购物券 Vouchers")


@blp.route("/vouchers/<code>", methods=["GET"])
@require_role("admin", "federation", "manager", "cashier")
@blp.response(200, VoucherOut)
def get_voucher(code: str):
    """Status, balance and validity of a voucher (typed or scanned code, lenient)."""
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
