"""Donors, donations and their lines, donation-corner lots, pickups, limits and tallies.

Stock lives per lot (one lot per received donation line) so every pickup line names the lot,
the donation and the donor it came from. Pickups, their lines and returns are append-only
records; a lot's `quantity_left` always equals `quantity_in` minus the pickup lines drawn from it
plus the pieces returned to it, and `pickup_tally` always equals the pickup lines less the
returns, summed per recipient, kind and period of the pickup.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import UTCDateTime, utcnow
from app.core.money import prorate_fen
from app.extensions import db

KINDS = ("quilt", "clothing", "shoes", "other")
CONDITIONS = ("new", "good")
SEASONS = ("spring_autumn", "summer", "winter", "all")
DONOR_KINDS = ("enterprise", "individual")
STATUSES = ("pledged", "received", "cancelled")
LIMIT_PERIODS = ("year", "month")


def _in(column: str, values) -> str:
    return f"{column} IN ({','.join(repr(v) for v in values)})"


class Donor(db.Model):
    """An enterprise (爱心企业, with its 统一社会信用代码) or an individual donor."""

    __tablename__ = "donor"
    __table_args__ = (
        CheckConstraint(_in("kind", DONOR_KINDS), name="kind_known"),
        CheckConstraint("kind <> 'enterprise' OR credit_code IS NOT NULL", name="enterprise_has_code"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    name: Mapped[str] = mapped_column(String(120), index=True)
    credit_code: Mapped[str | None] = mapped_column(String(18), unique=True)
    contact_name: Mapped[str] = mapped_column(String(60), default="")
    # encrypted like recipients' phones (core.crypto.phone_columns); lists show the mask
    contact_phone_enc: Mapped[str | None] = mapped_column(String(200))
    contact_phone_hash: Mapped[str | None] = mapped_column(String(64))
    contact_phone_masked: Mapped[str | None] = mapped_column(String(30))
    address: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class DonorMember(db.Model):
    """Links a `donor` user to the one donor organisation it acts for (app_user is not changed)."""

    __tablename__ = "donor_member"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), unique=True)
    donor_id: Mapped[int] = mapped_column(ForeignKey("donor.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    donor: Mapped[Donor] = relationship(lazy="joined")


class Donation(db.Model):
    __tablename__ = "donation"
    __table_args__ = (
        CheckConstraint(_in("status", STATUSES), name="status_known"),
        CheckConstraint("status <> 'received' OR received_at IS NOT NULL", name="received_has_time"),
        Index("ix_donation_shop_status", "shop_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    donor_id: Mapped[int] = mapped_column(ForeignKey("donor.id"), index=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shop.id"))
    status: Mapped[str] = mapped_column(String(12), default="pledged")
    expected_date: Mapped[dt.date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(500), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    received_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    received_on: Mapped[dt.date | None] = mapped_column(Date)  # business date, on the certificate
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # 捐赠证明 number, e.g. JZ2026-000017: given when received with at least one item accepted
    certificate_no: Mapped[str | None] = mapped_column(String(20), unique=True)

    donor: Mapped[Donor] = relationship(lazy="joined")
    shop = relationship("Shop", lazy="joined")
    lines: Mapped[list[DonationLine]] = relationship(
        back_populates="donation", order_by="DonationLine.id", cascade="all, delete-orphan")


class DonationLine(db.Model):
    __tablename__ = "donation_line"
    __table_args__ = (
        CheckConstraint(_in("kind", KINDS), name="kind_known"),
        CheckConstraint(_in("condition", CONDITIONS), name="condition_known"),
        CheckConstraint("season IS NULL OR " + _in("season", SEASONS), name="season_known"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("estimated_value_fen IS NULL OR estimated_value_fen >= 0", name="value_not_negative"),
        CheckConstraint("quantity_received IS NULL OR quantity_received >= 0", name="received_not_negative"),
        CheckConstraint("quantity_rejected >= 0", name="rejected_not_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    donation_id: Mapped[int] = mapped_column(ForeignKey("donation.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    description: Mapped[str] = mapped_column(String(100), default="")
    size: Mapped[str] = mapped_column(String(20), default="")
    season: Mapped[str | None] = mapped_column(String(16))
    condition: Mapped[str] = mapped_column(String(8), default="good")
    quantity: Mapped[int] = mapped_column(Integer)  # pledged
    # the whole line's estimated value (not per piece), as the donor states it
    estimated_value_fen: Mapped[int | None] = mapped_column(Integer)
    quantity_received: Mapped[int | None] = mapped_column(Integer)  # accepted into the corner
    quantity_rejected: Mapped[int] = mapped_column(Integer, default=0)
    reject_reason: Mapped[str] = mapped_column(String(200), default="")
    receive_note: Mapped[str] = mapped_column(String(200), default="")

    donation: Mapped[Donation] = relationship(back_populates="lines")

    @property
    def received_value_fen(self) -> int | None:
        """The estimated value of the pieces received (the certificate states it): the donor's
        value of the line, pro rata to the pieces received — value × received ÷ registered,
        rounded half up to the fen (`prorate_fen`); pieces beyond the registered count add no
        value (the donor valued the line, not each piece). None when the donor gave no value or
        the line is not counted yet."""
        if self.estimated_value_fen is None or self.quantity_received is None:
            return None
        return prorate_fen(self.estimated_value_fen, min(self.quantity_received, self.quantity), self.quantity)


class DonationLot(db.Model):
    """Stock of one received donation line in its shop's donation corner."""

    __tablename__ = "donation_lot"
    __table_args__ = (
        CheckConstraint(_in("kind", KINDS), name="kind_known"),
        CheckConstraint("quantity_in > 0", name="in_positive"),
        CheckConstraint("quantity_left >= 0 AND quantity_left <= quantity_in", name="left_in_range"),
        Index("ix_donation_lot_fifo", "shop_id", "kind", "received_at", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("donation_line.id"), unique=True)
    donation_id: Mapped[int] = mapped_column(ForeignKey("donation.id"), index=True)
    donor_id: Mapped[int] = mapped_column(ForeignKey("donor.id"), index=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shop.id"))
    kind: Mapped[str] = mapped_column(String(12))
    description: Mapped[str] = mapped_column(String(100), default="")
    size: Mapped[str] = mapped_column(String(20), default="")
    season: Mapped[str | None] = mapped_column(String(16))
    condition: Mapped[str] = mapped_column(String(8))
    quantity_in: Mapped[int] = mapped_column(Integer)
    quantity_left: Mapped[int] = mapped_column(Integer)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    period: Mapped[str] = mapped_column(String(7), index=True)  # YYYY-MM received, business time


class PickupLimit(db.Model):
    """How many pieces of a kind one recipient may take per calendar year or month (all shops)."""

    __tablename__ = "pickup_limit"
    __table_args__ = (
        CheckConstraint(_in("kind", KINDS), name="kind_known"),
        CheckConstraint(_in("period", LIMIT_PERIODS), name="period_known"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(12), unique=True)
    quantity: Mapped[int] = mapped_column(Integer)
    period: Mapped[str] = mapped_column(String(8))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Pickup(db.Model):
    """A free pickup at a shop's donation corner (append-only)."""

    __tablename__ = "pickup"
    __table_args__ = (
        Index("ix_pickup_shop_period", "shop_id", "period"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("recipient.id"), index=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shop.id"))
    cashier_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    business_date: Mapped[dt.date] = mapped_column(Date)
    period: Mapped[str] = mapped_column(String(7))

    shop = relationship("Shop", lazy="joined")
    lines: Mapped[list[PickupLine]] = relationship(order_by="PickupLine.id", lazy="selectin")


class PickupLine(db.Model):
    """Pieces of one lot handed out in a pickup (append-only): the trace back to the donor."""

    __tablename__ = "pickup_line"
    __table_args__ = (
        CheckConstraint(_in("kind", KINDS), name="kind_known"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pickup_id: Mapped[int] = mapped_column(ForeignKey("pickup.id"), index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("donation_lot.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    quantity: Mapped[int] = mapped_column(Integer)

    lot: Mapped[DonationLot] = relationship(lazy="joined")


class PickupReturn(db.Model):
    """Pieces of a pickup brought back to the donation corner (append-only): a wrong size, a
    mistaken entry. The pieces go back to their lots and the recipient's tallies go down."""

    __tablename__ = "pickup_return"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pickup_id: Mapped[int] = mapped_column(ForeignKey("pickup.id"), index=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shop.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    reason: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    business_date: Mapped[dt.date] = mapped_column(Date)

    lines: Mapped[list[PickupReturnLine]] = relationship(order_by="PickupReturnLine.id", lazy="selectin")


class PickupReturnLine(db.Model):
    """Pieces of one pickup line returned (append-only)."""

    __tablename__ = "pickup_return_line"
    __table_args__ = (
        CheckConstraint(_in("kind", KINDS), name="kind_known"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("pickup_return.id"), index=True)
    pickup_line_id: Mapped[int] = mapped_column(ForeignKey("pickup_line.id"), index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("donation_lot.id"))
    kind: Mapped[str] = mapped_column(String(12))
    quantity: Mapped[int] = mapped_column(Integer)


class PickupTally(db.Model):
    """Pieces taken per recipient, kind and period ('Y2026' or 'M2026-03'), across all shops.

    The limit check is one conditional upsert on this row, so two tills cannot both hand out the
    last piece a recipient may take.
    """

    __tablename__ = "pickup_tally"
    __table_args__ = (
        UniqueConstraint("recipient_id", "kind", "period_key", name="uq_pickup_tally_key"),
        CheckConstraint(_in("kind", KINDS), name="kind_known"),
        CheckConstraint("quantity >= 0", name="quantity_not_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("recipient.id"))
    kind: Mapped[str] = mapped_column(String(12))
    period_key: Mapped[str] = mapped_column(String(8))
    quantity: Mapped[int] = mapped_column(Integer, default=0)


class DonationSequence(db.Model):
    """Race-free counters for certificate numbers (one row per name, e.g. 'certificate-2026')."""

    __tablename__ = "donation_sequence"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer, default=0)

