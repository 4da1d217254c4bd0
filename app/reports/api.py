"""GET /api/v1/reconciliation/<period> (DESIGN.md's keys) and its list of differences."""

from __future__ import annotations

from flask_smorest import Blueprint

from app.auth.permissions import require_role
from app.core import schema as boundary
from app.core.timeutil import Period
from app.reports import reconciliation, scope, verify

blp = Blueprint("api_reports", __name__, description="对账 Reconciliation")


class ReconciliationArgs(boundary.Schema):
    programme = boundary.Text(load_default=None, max_length=20)


@blp.route("/reconciliation/<period>", methods=["GET"])
@require_role(*scope.STAFF)
@blp.arguments(ReconciliationArgs, location="query")
@blp.response(200)
def get_reconciliation(args, period: str):
    """{period, issued_count, issued_fen, redeemed_fen, refunded_fen, expired_fen, revoked_fen,
    outstanding_fen, balanced, by_shop, by_district} for a month (YYYY-MM); a district-limited
    user gets its district's figures. `verify`: what `flask verify --format json` reports for the
    month (the checks a month narrows), as the user may see it."""
    result = reconciliation.reconcile(period, programme_code=args["programme"], district_code=scope.district())
    return {**reconciliation.api_view(result), "verify": verify.for_user_month(Period.parse(period), result)}


@blp.route("/reconciliation/<period>/differences", methods=["GET"])
@require_role(*scope.STAFF)
@blp.arguments(ReconciliationArgs, location="query")
@blp.response(200)
def get_differences(args, period: str):
    """Every difference behind `balanced: false`, down to the vouchers, sales and voids."""
    result = reconciliation.reconcile(period, programme_code=args["programme"], district_code=scope.district())
    return {"period": result["period"], "balanced": result["balanced"],
            "ledger_gap_fen": result["ledger_gap_fen"], "sales_gap_fen": result["sales_gap_fen"],
            "differences": result["differences"]}
