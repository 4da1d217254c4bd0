"""Recipients. ID and phone numbers are stored encrypted with a keyed hash (see core.crypto)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import UTCDateTime, utcnow
from app.extensions import db
from app.recipients.categories import CATEGORIES  # noqa: F401 - the names others import from here

STATUSES = ("active", "suspended", "exited")
ID_PURPOSE = "resident_id"  # core.crypto purpose for ID numbers


class Recipient(db.Model):
    __tablename__ = "recipient"
    __table_args__ = (
        CheckConstraint("category IN ('dibao','tekun','dibao_edge')", name="category_known"),
        CheckConstraint("status IN ('active','suspended','exited')", name="status_known"),
        CheckConstraint("household_size IS NULL OR household_size > 0", name="household_positive"),
        Index("ix_recipient_area", "district_code", "township", "community"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(50), index=True)
    # AES-GCM ciphertext of the 18-character number; never shown whole except by an audited reveal
    id_number_enc: Mapped[str] = mapped_column(String(200))
    # HMAC of the number: de-duplication and exact look-up without decrypting
    id_number_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # what the mask shows anyway (4110**********1234): for lists and search by last digits
    id_masked: Mapped[str] = mapped_column(String(18))
    id_last4: Mapped[str] = mapped_column(String(4), index=True)
    category: Mapped[str] = mapped_column(String(12), index=True)
    district_code: Mapped[str] = mapped_column(String(6))
    township: Mapped[str] = mapped_column(String(60), default="")
    community: Mapped[str] = mapped_column(String(60), default="")
    # the phone number like the ID number (core.crypto.phone_columns): ciphertext, keyed hash (to
    # compare rosters), and the mask screens show; whole only through an audited reveal
    phone_enc: Mapped[str | None] = mapped_column(String(200))
    phone_hash: Mapped[str | None] = mapped_column(String(64))
    phone_masked: Mapped[str | None] = mapped_column(String(20))
    household_size: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12), default="active", index=True)
    status_since: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class RosterUpload(db.Model):
    """A roster file between its preview and its confirmation (app/recipients/uploads.py): the
    file and its name AES-GCM encrypted, bound to the user who uploaded it, taken out exactly
    once by the confirmation, deleted when older than ROSTER_UPLOAD_MAX_AGE_MINUTES. In the
    database, so every app server sees it. The rows an import left out wait here too, for their
    download (tokens of their own kind, their own encryption purpose)."""

    __tablename__ = "roster_upload"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256 of the form's token
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    filename_enc: Mapped[str] = mapped_column(Text)
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
