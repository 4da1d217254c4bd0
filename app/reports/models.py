"""Reports' own tables: shop settlements, spot-check samples and their calls, public feedback.

Everything else reports shows is read from the other domains (vouchers, till, donations).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import Shop
from app.core.db import UTCDateTime, utcnow
from app.extensions import db

OUTCOMES = ("confirmed", "not_recognised", "complaint", "unreachable")
FEEDBACK_KINDS = ("comment", "complaint")


class Settlement(db.Model):
    """What the federation owes one shop for one month of voucher sales (net of refunds).

    `draft` while the month is being checked (amounts are recomputed on every look); `paid`
    freezes the amounts and closes the shop's period: later voids of its sales post their
    voucher refunds into the shop's next open period (pos_void.settlement_period).
    """

    __tablename__ = "rpt_settlement"
    __table_args__ = (
        UniqueConstraint("shop_id", "period", name="uq_rpt_settlement_shop_period"),
        CheckConstraint("status IN ('draft','paid')", name="status_known"),
        CheckConstraint("status = 'draft' OR (paid_at IS NOT NULL AND paid_reference IS NOT NULL)",
                        name="paid_has_reference"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shop.id"))
    period: Mapped[str] = mapped_column(String(7), index=True)
    status: Mapped[str] = mapped_column(String(10), default="draft")
    sales_count: Mapped[int] = mapped_column(Integer, default=0)
    voucher_fen: Mapped[int] = mapped_column(Integer, default=0)      # voucher payments of the month's sales
    refund_fen: Mapped[int] = mapped_column(Integer, default=0)       # voucher refunds of voids counted here
    amount_fen: Mapped[int] = mapped_column(Integer, default=0)       # owed = voucher - refund
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(80))
    paid_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    paid_reference: Mapped[str | None] = mapped_column(String(80))
    paid_by: Mapped[str | None] = mapped_column(String(80))

    shop: Mapped[Shop] = relationship(lazy="joined")


class SpotCheck(db.Model):
    """A reproducible random sample of a month's redemptions and pickups for callbacks."""

    __tablename__ = "rpt_spot_check"
    __table_args__ = (CheckConstraint("requested > 0", name="requested_positive"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period: Mapped[str] = mapped_column(String(7), index=True)
    seed: Mapped[str] = mapped_column(String(40))
    mode: Mapped[str] = mapped_column(String(10))  # "size" or "percent"
    requested: Mapped[int] = mapped_column(Integer)  # a number of calls, or a percentage
    population: Mapped[int] = mapped_column(Integer)
    district_code: Mapped[str | None] = mapped_column(String(6))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(80))

    items: Mapped[list[SpotCheckItem]] = relationship(order_by="SpotCheckItem.id", back_populates="spot_check")


class SpotCheckItem(db.Model):
    __tablename__ = "rpt_spot_check_item"
    __table_args__ = (
        UniqueConstraint("spot_check_id", "kind", "ref_id", name="uq_rpt_spot_check_item_ref"),
        CheckConstraint("kind IN ('sale','pickup')", name="kind_known"),
        CheckConstraint("outcome IS NULL OR outcome IN "
                        "('confirmed','not_recognised','complaint','unreachable')", name="outcome_known"),
        CheckConstraint("satisfaction IS NULL OR (satisfaction >= 1 AND satisfaction <= 5)",
                        name="satisfaction_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    spot_check_id: Mapped[int] = mapped_column(ForeignKey("rpt_spot_check.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    ref_id: Mapped[int] = mapped_column(Integer)  # pos_sale.id or pickup.id
    shop_id: Mapped[int] = mapped_column(ForeignKey("shop.id"))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("recipient.id"))
    business_date: Mapped[dt.date | None] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(String(20))
    satisfaction: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(String(500), default="")
    called_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    called_by: Mapped[str | None] = mapped_column(String(80))

    spot_check: Mapped[SpotCheck] = relationship(back_populates="items")
    shop: Mapped[Shop] = relationship(lazy="joined")


class Feedback(db.Model):
    """A recipient's rating of a visit, left on the public page the receipt QR opens."""

    __tablename__ = "rpt_feedback"
    __table_args__ = (
        CheckConstraint("rating >= 1 AND rating <= 5", name="rating_range"),
        CheckConstraint("kind IN ('comment','complaint')", name="kind_known"),
        Index("ix_rpt_feedback_shop_at", "shop_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sale_id: Mapped[int] = mapped_column(ForeignKey("pos_sale.id"), unique=True)  # one per receipt
    shop_id: Mapped[int] = mapped_column(ForeignKey("shop.id"))
    rating: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10), default="comment")
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    answered_by: Mapped[str | None] = mapped_column(String(80))

    shop: Mapped[Shop] = relationship(lazy="joined")
