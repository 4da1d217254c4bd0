"""Role x route policy of reports (merged into tests/routes.py's POLICY)."""

from __future__ import annotations

from tests.routes import PUBLIC, Route

STAFF = frozenset({"admin", "federation"})
SHOP_STAFF = frozenset({"admin", "federation", "manager"})
MISSING = 999999

POLICY = {
    ("GET", "reports.reconciliation_page"): Route(STAFF),
    ("GET", "reports.reconciliation_export"): Route(STAFF),
    ("GET", "reports.charity_value"): Route(SHOP_STAFF),
    ("GET", "reports.charity_value_export"): Route(SHOP_STAFF),
    ("GET", "reports.dashboard"): Route(STAFF),
    ("GET", "reports.dashboard_export"): Route(STAFF),
    ("GET", "reports.settlements"): Route(SHOP_STAFF),
    ("GET", "reports.settlements_export"): Route(SHOP_STAFF),
    ("POST", "reports.prepare_settlement"): Route(STAFF),
    ("GET", "reports.settlement_detail"): Route(SHOP_STAFF, {"settlement_id": MISSING}),
    ("GET", "reports.settlement_document"): Route(SHOP_STAFF, {"settlement_id": MISSING, "fmt": "pdf"}),
    ("POST", "reports.pay_settlement"): Route(STAFF, {"settlement_id": MISSING}),
    ("GET", "reports.spot_checks"): Route(STAFF),
    ("GET", "reports.spot_checks_export"): Route(STAFF),
    ("POST", "reports.draw_spot_check"): Route(STAFF),
    ("GET", "reports.spot_check_detail"): Route(STAFF, {"check_id": MISSING}),
    ("GET", "reports.spot_check_export"): Route(STAFF, {"check_id": MISSING}),
    ("POST", "reports.reveal_phone"): Route(STAFF, {"item_id": MISSING}),
    ("POST", "reports.record_outcome"): Route(STAFF, {"item_id": MISSING}),
    ("GET", "reports.feedback_list"): Route(SHOP_STAFF),
    ("GET", "reports.feedback_export"): Route(SHOP_STAFF),
    ("POST", "reports.answer_feedback"): Route(SHOP_STAFF, {"feedback_id": MISSING}),
    ("GET", "reports_public.feedback_page"): Route(PUBLIC, {"receipt_no": "NONE-20260101-0001", "token": "x"}),
    ("POST", "reports_public.feedback_submit"): Route(PUBLIC, {"receipt_no": "NONE-20260101-0001", "token": "x"}),
    ("GET", "reports_public.feedback_without_token"): Route(PUBLIC, {"receipt_no": "NONE-20260101-0001"}),
    ("POST", "reports_public.feedback_without_token"): Route(PUBLIC, {"receipt_no": "NONE-20260101-0001"}),
    ("GET", "reports_public.public_figures"): Route(PUBLIC),
    ("GET", "reports_public.public_figures_export"): Route(PUBLIC),
    ("GET", "api_reports.get_reconciliation"): Route(STAFF, {"period": "2026-12"}),
    ("GET", "api_reports.get_differences"): Route(STAFF, {"period": "2026-12"}),
}
