"""The role x route policy of the till (merged into tests/routes.py)."""

from __future__ import annotations

from tests.routes import Route

TILL = frozenset({"cashier", "manager"})
READ = frozenset({"cashier", "manager", "federation", "admin"})
MISSING = 999999

POLICY = {
    ("GET", "pos.till"): Route(TILL),
    ("GET", "pos.z_report"): Route(READ, {"report_id": MISSING}),
    ("GET", "pos.terminal"): Route(frozenset({"manager"})),
    ("POST", "pos.terminal"): Route(frozenset({"manager"})),
    ("GET", "pos.pin"): Route(frozenset({"manager"})),
    ("POST", "pos.set_pin"): Route(frozenset({"manager"})),
    ("POST", "api_pos.open_shift"): Route(TILL),
    ("GET", "api_pos.current_shift"): Route(TILL),
    ("POST", "api_pos.close_shift"): Route(TILL),
    ("POST", "api_pos.create_sale"): Route(TILL),
    ("POST", "api_pos.quote_sale"): Route(TILL),
    ("GET", "api_pos.list_sales"): Route(TILL),
    ("GET", "api_pos.get_sale"): Route(READ, {"sale_id": MISSING}),
    ("POST", "api_pos.void_sale"): Route(frozenset({"cashier", "manager", "admin"}), {"sale_id": MISSING}),
    ("GET", "api_pos.recipient_limits"): Route(TILL, {"recipient_id": MISSING}),
    ("GET", "api_pos.receipt"): Route(READ, {"sale_id": MISSING}),
    ("POST", "api_pos.print_sale"): Route(TILL, {"sale_id": MISSING}),
    ("GET", "api_pos.z_report_receipt"): Route(READ, {"report_id": MISSING}),
    ("POST", "api_pos.print_z_report"): Route(TILL, {"report_id": MISSING}),
}
