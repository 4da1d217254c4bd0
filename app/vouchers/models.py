"""Programmes, vouchers, the append-only voucher ledger and issuance runs.

A voucher is stored value: `balance_fen` always equals the sum of its ledger rows (signed:
issue and refund positive; redeem, expire and revoke negative) and stays within 0..face_fen.
The code itself is never stored: only its AES-GCM ciphertext (for audited reprints) and a keyed
hash (for look-up), so a copy of the database alone yields no spendable code.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import UTCDateTime, utcnow
from app.core.models import BigId
from app.extensions import db
from app.recipients.models import Recipient

STATUSES = ("active", "exhausted", "expired", "revoked")
LEDGER_KINDS = ("issue", "redeem", "refund", "expire", "revoke")
CODE_PURPOSE = "voucher_code"  # core.crypto purpose for voucher codes


class Programme(db.Model):
    """What a voucher is worth, who gets it, how long it lasts and who pays for it."""

    __tablename__ = "programme"
    __table_args__ = (
        CheckConstraint("face_fen > 0", name="face_positive"),
        CheckConstraint("grace_days >= 0 AND grace_days <= 31", name="grace_days_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    face_fen: Mapped[int] = mapped_column(Integer)
    # comma-separated recipient categories, e.g. "dibao,tekun"
    categories: Mapped[str] = mapped_column(String(60))
    grace_days: Mapped[int] = mapped_column(Integer, default=0)
    # [{"name": "许昌市慈善总会", "share_bp": 6000}, ...]; shares in basis points, summing to 10000
    funders: Mapped[list] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def category_list(self) -> list[str]:
        return [c for c in self.categories.split(",") if c]


class IssuanceRun(db.Model):
    __tablename__ = "issuance_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id"), index=True)
    period: Mapped[str] = mapped_column(String(7), index=True)
    district_code: Mapped[str | None] = mapped_column(String(6))
    user_id: Mapped[int | None] = mapped_column(Integer)
    username: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    eligible: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    total_fen: Mapped[int] = mapped_column(Integer, default=0)

    programme: Mapped[Programme] = relationship()


class Voucher(db.Model):
    __tablename__ = "voucher"
    __table_args__ = (
        # exactly one voucher per recipient, programme and period from issuance (reissue_no 0);
        # a lost card's replacement takes the next reissue_no
        UniqueConstraint("programme_id", "recipient_id", "period", "reissue_no",
                         name="uq_voucher_one_per_period"),
        CheckConstraint("status IN ('active','exhausted','expired','revoked')", name="status_known"),
        CheckConstraint("face_fen > 0", name="face_positive"),
        CheckConstraint("balance_fen >= 0 AND balance_fen <= face_fen", name="balance_within_face"),
        CheckConstraint("valid_until >= valid_from", name="validity_order"),
        CheckConstraint("reissue_no >= 0", name="reissue_no_positive"),
        Index("ix_voucher_period_status", "period", "status"),
        Index("ix_voucher_status_valid_until", "status", "valid_until"),
        # reports: a programme's vouchers of a month (or up to a month), in period order, counted
        # and joined to their recipients (for the district) without reading the table
        Index("ix_voucher_programme_period", "programme_id", "period", "reissue_no", "recipient_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id"))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("recipient.id"), index=True)
    period: Mapped[str] = mapped_column(String(7))
    reissue_no: Mapped[int] = mapped_column(Integer, default=0)
    face_fen: Mapped[int] = mapped_column(Integer)
    balance_fen: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), default="active")
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_until: Mapped[dt.date] = mapped_column(Date)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    code_enc: Mapped[str] = mapped_column(String(120))
    code_tail: Mapped[str] = mapped_column(String(4))  # the last 4 symbols, shown on receipts
    issuance_run_id: Mapped[int | None] = mapped_column(ForeignKey("issuance_run.id"), index=True)
    reissue_of_id: Mapped[int | None] = mapped_column(ForeignKey("voucher.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # revoked or expired

    programme: Mapped[Programme] = relationship()
    recipient: Mapped[Recipient] = relationship()


class VoucherLedger(db.Model):
    """Every change of a voucher's balance. The database refuses UPDATE and DELETE."""

    __tablename__ = "voucher_ledger"
    __table_args__ = (
        CheckConstraint("kind IN ('issue','redeem','refund','expire','revoke')", name="kind_known"),
        CheckConstraint("(kind IN ('issue','refund') AND amount_fen > 0) OR "
                        "(kind IN ('redeem','expire','revoke') AND amount_fen < 0)",
                        name="amount_sign"),
        CheckConstraint("balance_after_fen >= 0", name="balance_after_positive"),
        Index("ix_voucher_ledger_kind_at", "kind", "created_at"),
        Index("ix_voucher_ledger_ref", "ref_type", "ref_id"),
        # a voucher's rows (it replaces the plain voucher_id index) and, without reading the
        # table, what reports sum: kind, reissue or not, the sale or void named, the amount
        Index("ix_voucher_ledger_voucher_kind", "voucher_id", "kind", "ref_type", "ref_id", "amount_fen"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    voucher_id: Mapped[int] = mapped_column(ForeignKey("voucher.id"))
    kind: Mapped[str] = mapped_column(String(10))
    amount_fen: Mapped[int] = mapped_column(Integer)
    balance_after_fen: Mapped[int] = mapped_column(Integer)
    ref_type: Mapped[str | None] = mapped_column(String(20))
    ref_id: Mapped[str | None] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(80), default="system")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
