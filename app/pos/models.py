"""The till: terminals, shifts, sales with their lines and payments, voids, Z reports."""

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
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import Shop
from app.core.db import UTCDateTime, utcnow
from app.extensions import db

PAYMENT_METHODS = ("voucher", "cash", "wechat", "alipay", "card")


class Terminal(db.Model):
    """A till at a shop and the receipt printer attached to it."""

    __tablename__ = "pos_terminal"
    __table_args__ = (UniqueConstraint("shop_id", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shop.id"))
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(60), default="")
    # tcp://host:9100, usb://VID:PID, serial:///dev/ttyUSB0, file:///dev/usb/lp0, or "" = browser
    printer_uri: Mapped[str] = mapped_column(String(200), default="")
    printer_profile: Mapped[str] = mapped_column(String(40), default="default")
    printer_columns: Mapped[int] = mapped_column(Integer, default=32)
    printer_encoding: Mapped[str] = mapped_column(String(10), default="gb18030")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Counter(db.Model):
    """Race-free numbering per shop: receipt numbers per business day, Z report numbers."""

    __tablename__ = "pos_counter"

    shop_id: Mapped[int] = mapped_column(ForeignKey("shop.id"), primary_key=True)
    name: Mapped[str] = mapped_column(String(30), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class Shift(db.Model):
    __tablename__ = "pos_shift"
    __table_args__ = (
        # one open shift per cashier (partial unique index on both databases)
        Index("uq_pos_shift_open_cashier", "cashier_id", unique=True,
              sqlite_where=text("closed_at IS NULL"), postgresql_where=text("closed_at IS NULL")),
        CheckConstraint("float_fen >= 0", name="float_not_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shop.id"), index=True)
    terminal_id: Mapped[int | None] = mapped_column(ForeignKey("pos_terminal.id"))
    cashier_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    float_fen: Mapped[int] = mapped_column(Integer)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))


class ZReport(db.Model):
    """The numbered, immutable shift close (the database refuses UPDATE and DELETE)."""

    __tablename__ = "pos_z_report"
    __table_args__ = (UniqueConstraint("shop_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("pos_shift.id"), unique=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shop.id"))
    number: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    counted_fen: Mapped[int] = mapped_column(Integer)
    expected_cash_fen: Mapped[int] = mapped_column(Integer)
    difference_fen: Mapped[int] = mapped_column(Integer)
    totals: Mapped[dict] = mapped_column(JSON)

    shop: Mapped[Shop] = relationship()


class Sale(db.Model):
    """A completed checkout. Never edited: voids are separate rows."""

    __tablename__ = "pos_sale"
    __table_args__ = (
        CheckConstraint("total_fen >= 0 AND market_total_fen >= total_fen", name="totals_sane"),
        CheckConstraint("voucher_paid_fen >= 0 AND voucher_paid_fen <= total_fen", name="voucher_within_total"),
        Index("ix_pos_sale_shop_day", "shop_id", "business_date"),
        Index("ix_pos_sale_recipient_day", "recipient_id", "business_date"),
        # reports: the sales of a span of days, per day and shop, from the index alone
        Index("ix_pos_sale_day_shop", "business_date", "shop_id", "recipient_id", "voucher_paid_fen", "id"),
        # a voucher's sales (it replaces the plain voucher_id index), with what reports count of
        # them: shop, recipient, voucher part
        Index("ix_pos_sale_voucher", "voucher_id", "shop_id", "recipient_id", "voucher_paid_fen", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    receipt_no: Mapped[str] = mapped_column(String(40), unique=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shop.id"))
    shift_id: Mapped[int] = mapped_column(ForeignKey("pos_shift.id"), index=True)
    cashier_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    business_date: Mapped[dt.date] = mapped_column(Date)
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("recipient.id"))
    voucher_id: Mapped[int | None] = mapped_column(ForeignKey("voucher.id"))
    market_total_fen: Mapped[int] = mapped_column(Integer)
    total_fen: Mapped[int] = mapped_column(Integer)
    savings_fen: Mapped[int] = mapped_column(Integer)
    voucher_paid_fen: Mapped[int] = mapped_column(Integer, default=0)
    paid_fen: Mapped[int] = mapped_column(Integer)  # everything tendered, voucher included
    change_fen: Mapped[int] = mapped_column(Integer, default=0)
    voucher_balance_after_fen: Mapped[int | None] = mapped_column(Integer)
    voucher_tail: Mapped[str | None] = mapped_column(String(4))  # printed on the receipt

    shop: Mapped[Shop] = relationship()
    lines: Mapped[list[SaleLine]] = relationship(back_populates="sale", order_by="SaleLine.id")
    payments: Mapped[list[Payment]] = relationship(back_populates="sale", order_by="Payment.id")


class SaleLine(db.Model):
    __tablename__ = "pos_sale_line"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("price_fen >= 0 AND market_price_fen >= price_fen", name="prices_sane"),
        CheckConstraint("unit_grams IS NULL OR unit_grams IN (500, 1000)", name="unit_grams_known"),
        Index("ix_pos_sale_line_product", "product_id"),
        # a sale's lines (it replaces the plain sale_id index) with what the charity-value
        # figures sum (a weighed line's amount needs its unit_grams), so they read no table row
        Index("ix_pos_sale_line_sale_charity", "sale_id", "charity_price", "quantity", "market_price_fen",
              "line_total_fen", "unit_grams"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sale_id: Mapped[int] = mapped_column(ForeignKey("pos_sale.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("inv_product.id"))
    name: Mapped[str] = mapped_column(String(100))  # as sold, so the receipt can always be explained
    unit: Mapped[str] = mapped_column(String(10), default="")
    quantity: Mapped[int] = mapped_column(Integer)  # pieces, or grams when unit_grams is set
    # weighed goods: the prices are per this many grams (500 = 斤, 1000 = kg); None for pieces
    unit_grams: Mapped[int | None] = mapped_column(Integer)
    market_price_fen: Mapped[int] = mapped_column(Integer)
    price_fen: Mapped[int] = mapped_column(Integer)
    charity_price: Mapped[bool] = mapped_column(Boolean)  # sold at the charity price
    voucher_eligible: Mapped[bool] = mapped_column(Boolean)
    line_total_fen: Mapped[int] = mapped_column(Integer)

    sale: Mapped[Sale] = relationship(back_populates="lines")


class Payment(db.Model):
    __tablename__ = "pos_payment"
    __table_args__ = (
        CheckConstraint("method IN ('voucher','cash','wechat','alipay','card')", name="method_known"),
        CheckConstraint("amount_fen >= 0", name="amount_not_negative"),
        # a sale's payments (it replaces the plain sale_id index); reports read a sale's voucher
        # payment from the index alone
        Index("ix_pos_payment_sale_method", "sale_id", "method", "amount_fen"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sale_id: Mapped[int] = mapped_column(ForeignKey("pos_sale.id"))
    method: Mapped[str] = mapped_column(String(10))
    amount_fen: Mapped[int] = mapped_column(Integer)  # what this method paid (cash: net of change)
    tendered_fen: Mapped[int] = mapped_column(Integer)  # what was handed over

    sale: Mapped[Sale] = relationship(back_populates="payments")


class Void(db.Model):
    """A void or refund of a whole sale or some of its lines, by a manager. Append-only."""

    __tablename__ = "pos_void"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sale_id: Mapped[int] = mapped_column(ForeignKey("pos_sale.id"), index=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shop.id"))
    shift_id: Mapped[int | None] = mapped_column(ForeignKey("pos_shift.id"), index=True)
    manager_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    business_date: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200))
    total_fen: Mapped[int] = mapped_column(Integer)
    voucher_refund_fen: Mapped[int] = mapped_column(Integer)
    # the rest handed back, by the sale's own methods: {"cash": 350, "wechat": 0, ...}
    refunds: Mapped[dict] = mapped_column(JSON)
    # the shop's settlement month (YYYY-MM) the voucher refund counts in: the sale's month, or,
    # when that month is already settled (paid), the shop's next open month (reports decides)
    settlement_period: Mapped[str | None] = mapped_column(String(7), index=True)

    lines: Mapped[list[VoidLine]] = relationship(order_by="VoidLine.id")


class VoidLine(db.Model):
    __tablename__ = "pos_void_line"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    void_id: Mapped[int] = mapped_column(ForeignKey("pos_void.id"), index=True)
    sale_line_id: Mapped[int] = mapped_column(ForeignKey("pos_sale_line.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    amount_fen: Mapped[int] = mapped_column(Integer)


class ManagerPin(db.Model):
    """A manager's short PIN, so a cashier can have a void authorised at the till."""

    __tablename__ = "pos_manager_pin"

    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), primary_key=True)
    pin_hash: Mapped[str] = mapped_column(String(255))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # wrong PINs in a row (app/pos/pins.py); at the limit the PIN is locked until the manager
    # logs in with their password
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
