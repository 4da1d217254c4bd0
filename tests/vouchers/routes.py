"""Role x route policy of the vouchers domain (merged into tests/routes.py)."""

from tests.routes import PUBLIC, Route

STAFF = frozenset({"admin", "federation"})
TILL = frozenset({"admin", "federation", "manager", "cashier"})

POLICY = {
    ("GET", "vouchers.issuance_page"): Route(STAFF),
    ("POST", "vouchers.issue"): Route(STAFF),
    ("GET", "vouchers.sheets_pdf"): Route(STAFF),
    ("POST", "vouchers.reprint"): Route(STAFF, {"voucher_id": 999999}),
    ("POST", "vouchers.reissue"): Route(STAFF, {"voucher_id": 999999}),
    ("GET", "voucher_public.public_lookup"): Route(PUBLIC),
    ("POST", "voucher_public.public_lookup_post"): Route(PUBLIC),
    ("POST", "api_vouchers.public_balance"): Route(PUBLIC),
    ("POST", "api_vouchers.lookup_voucher"): Route(TILL),
    ("GET", "voucher_public.public_voucher"): Route(PUBLIC, {"code": "0000000000000000000000"}),
    ("GET", "api_vouchers.get_voucher"): Route(TILL, {"code": "0000000000000000000000"}),
    ("POST", "api_vouchers.create_issuance_run"): Route(STAFF),
}
