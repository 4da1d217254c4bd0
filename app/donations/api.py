"""/api/v1/donations, /api/v1/donations/<id>/receive, /api/v1/donations/stats, /api/v1/pickups."""

from __future__ import annotations

from flask_login import current_user
from flask_smorest import Blueprint

from app.auth.permissions import require_role
from app.core import idempotency
from app.core.db import commit_with_retry
from app.core.masking import mask_name
from app.core.timeutil import Period
from app.donations import pickups, services, stats
from app.donations.schemas import DonationIn, EligibilityArgs, ListArgs, PickupIn, ReceiveIn, StatsArgs
from app.extensions import db

blp = Blueprint("api_donations", __name__, description="爱心捐赠与免费领取 Donations and free pickups")
LOGGING = ("admin", "federation", "manager", "donor")
STAFF_FIGURES = ("admin", "federation", "manager")


def _user():
    return current_user._get_current_object()


@blp.route("/donations", methods=["POST"])
@require_role(*LOGGING)
@blp.arguments(DonationIn, location="json")
@blp.response(201)
def create_donation(body):
    """Log a donation (pledged). A donor user logs for its own organisation; staff give donor_id.
    With an `idempotency_key` the same key again answers the first donation and logs nothing new."""
    key = idempotency.key_from(body)

    def work():
        donation = services.log_donation(user=_user(), shop_code=body["shop"], donor_id=body["donor_id"],
                                         expected_date=body["expected_date"], note=body["note"], lines=body["lines"])
        return services.describe(donation)

    return commit_with_retry(db.session, lambda: idempotency.once(
        scope="donations.create", key=key, body=body, user_id=_user().id, status=201, work=work, required=False))


@blp.route("/donations", methods=["GET"])
@require_role(*LOGGING)
@blp.arguments(ListArgs, location="query")
@blp.response(200)
def list_donations(args):
    return [services.describe(d) for d in services.list_donations(user=_user(), status=args["status"])]


@blp.route("/donations/<int:donation_id>", methods=["GET"])
@require_role(*LOGGING)
@blp.response(200)
def get_donation(donation_id: int):
    """One donation with, per line, the pieces picked up and left, and households benefited."""
    return services.describe(services.get_donation(donation_id, user=_user()))


@blp.route("/donations/<int:donation_id>/receive", methods=["POST"])
@require_role("admin", "manager")
@blp.arguments(ReceiveIn, location="json")
@blp.response(200)
def receive_donation(body, donation_id: int):
    """Count a donation in: accepted pieces become stock in the shop's donation corner."""
    donation = services.receive_donation(user=_user(), donation_id=donation_id, lines=body["lines"])
    db.session.commit()
    return services.describe(donation)


@blp.route("/donations/stats", methods=["GET"])
@require_role(*STAFF_FIGURES)
@blp.arguments(StatsArgs, location="query")
@blp.response(200)
def donation_stats(args):
    """Items received and picked up per kind, shop and month, and cumulative."""
    for value in (args["period_from"], args["period_to"]):
        if value:
            Period.parse(value)
    return stats.figures(shop_ids=stats.shop_ids_for(_user()), period_from=args["period_from"],
                         period_to=args["period_to"])


@blp.route("/pickups", methods=["POST"])
@require_role(*pickups.PICKUP_ROLES)
@blp.arguments(PickupIn, location="json")
@blp.response(201)
def create_pickup(body):
    """Record a free pickup; over a limit -> limit_exceeded, more than in stock -> out_of_stock."""
    pickup = pickups.record_pickup(user=_user(), recipient_id=body["recipient_id"], lines=body["lines"],
                                   idempotency_key=body["idempotency_key"])
    db.session.commit()
    summary = pickups.pickup_summary(pickup)
    return {"id": pickup.id, "recipient_id": pickup.recipient_id, "shop": pickup.shop.code,
            "created_at": pickup.created_at.isoformat(), "business_date": pickup.business_date.isoformat(),
            "replayed": pickup.replayed, **summary}


@blp.route("/pickups/eligibility", methods=["GET"])
@require_role(*pickups.PICKUP_ROLES)
@blp.arguments(EligibilityArgs, location="query")
@blp.response(200)
def pickup_eligibility(args):
    """What a recipient may still take at the cashier's shop (per kind), and the shop's stock."""
    user = _user()
    info = pickups.eligibility(recipient_id=args["recipient_id"], shop_id=user.shop_id)
    return {"recipient": {"id": info["recipient"].id, "name_masked": mask_name(info["recipient"].name)},
            "date": info["date"].isoformat(), "kinds": info["kinds"], "items": info["items"]}
