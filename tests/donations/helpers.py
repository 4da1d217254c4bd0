"""Counting rows, to show that a refused request wrote nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from app.core.models import AuditLog
from app.donations.models import Donation, DonationLine, DonationLot, Donor, Pickup, PickupLine, PickupTally
from app.extensions import db

TABLES = (Donor, Donation, DonationLine, DonationLot, Pickup, PickupLine, PickupTally, AuditLog)


def snapshot(app) -> dict:
    """Row counts of every donations table and the audit log, plus every lot's balance."""
    with app.app_context():
        out = {m.__tablename__: db.session.scalar(select(func.count()).select_from(m)) for m in TABLES}
        out["lots"] = sorted(db.session.execute(select(DonationLot.id, DonationLot.quantity_left)).all())
        out["tallies"] = sorted(db.session.execute(
            select(PickupTally.recipient_id, PickupTally.kind, PickupTally.period_key, PickupTally.quantity)).all())
        return out


def login_as(app, login, user_id: int):
    """A logged-in test client for an existing user (given by id: objects do not outlive a context)."""
    from app.auth import services as auth_services

    with app.app_context():
        user = auth_services.get_user(user_id)
        client = login(user.role, user=user)
        db.session.commit()  # keep the login session: this context's savepoint encloses it
        return client
