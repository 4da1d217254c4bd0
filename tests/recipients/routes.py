"""Role x route policy of the recipients domain (merged into tests/routes.py)."""

from tests.routes import Route

STAFF = frozenset({"admin", "federation"})
TILL = frozenset({"admin", "federation", "manager", "cashier"})

POLICY = {
    ("GET", "recipients.index"): Route(STAFF),
    ("GET", "recipients.detail"): Route(STAFF, {"recipient_id": 999999}),
    ("POST", "recipients.reveal"): Route(STAFF, {"recipient_id": 999999}),
    ("GET", "recipients.import_form"): Route(STAFF),
    ("POST", "recipients.import_preview"): Route(STAFF),
    ("POST", "recipients.import_apply"): Route(STAFF),
    ("POST", "recipients.import_apply_valid"): Route(STAFF),
    ("POST", "recipients.import_left_out"): Route(STAFF),
    ("GET", "api_recipients.search"): Route(TILL),
}
