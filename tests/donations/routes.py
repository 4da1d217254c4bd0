"""Role x route policy of the donations domain (merged into tests/routes.py's POLICY)."""

from __future__ import annotations

from tests.routes import Route

LOGGING = frozenset({"admin", "federation", "manager", "donor"})
DONOR_ADMIN = frozenset({"admin", "federation", "manager"})
LIMIT_ADMIN = frozenset({"admin", "federation"})
RECEIVERS = frozenset({"admin", "manager"})
TILL = frozenset({"manager", "cashier"})
MISSING = {"donation_id": 999999}

POLICY = {
    ("GET", "donations.index"): Route(LOGGING),
    ("GET", "donations.new"): Route(LOGGING),
    ("POST", "donations.create"): Route(LOGGING),
    ("GET", "donations.detail"): Route(LOGGING, MISSING),
    ("POST", "donations.receive"): Route(RECEIVERS, MISSING),
    ("POST", "donations.cancel"): Route(LOGGING, MISSING),
    ("GET", "donations.certificate_pdf"): Route(LOGGING, MISSING),
    ("GET", "donations.donor_list"): Route(DONOR_ADMIN),
    ("POST", "donations.create_donor"): Route(DONOR_ADMIN),
    ("POST", "donations.link_member"): Route(LIMIT_ADMIN, {"donor_id": 999999}),
    ("GET", "donations.limits"): Route(LIMIT_ADMIN),
    ("POST", "donations.set_limit"): Route(LIMIT_ADMIN),
    ("GET", "donations.figures"): Route(DONOR_ADMIN),
    ("GET", "donations.pickup"): Route(TILL),
    ("POST", "donations.pickup_scan"): Route(TILL),
    ("POST", "donations.confirm_pickup"): Route(TILL),
    ("POST", "donations.return_pickup"): Route(frozenset({"manager"}), {"pickup_id": 999999}),
    ("POST", "api_donations.create_donation"): Route(LOGGING),
    ("GET", "api_donations.list_donations"): Route(LOGGING),
    ("GET", "api_donations.get_donation"): Route(LOGGING, MISSING),
    ("POST", "api_donations.receive_donation"): Route(RECEIVERS, MISSING),
    ("GET", "api_donations.donation_stats"): Route(DONOR_ADMIN),
    ("POST", "api_donations.create_pickup"): Route(TILL),
    ("GET", "api_donations.pickup_eligibility"): Route(TILL),
}
