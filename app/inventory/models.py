"""Catalogue (categories, products, price history) and the stock ledger per shop.

`StockMove` is the ledger (append-only: the database refuses UPDATE and DELETE); `StockLevel`
holds the on-hand figure per shop and product, kept in step with the ledger in the same
transaction (`services.apply_move`). `flask --app wsgi inventory verify` recomputes one from
the other.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import UTCDateTime, utcnow
from app.core.models import BigId
from app.extensions import db

# Ledger kinds, and the sign each one's quantity must have (+1 in, -1 out, 0 either way).
MOVE_KINDS = {
    "receive": 1,
    "sale": -1,
    "void": 1,
    "adjust": 0,
    "transfer_out": -1,
    "transfer_in": 1,
    "stocktake": 0,
}
# Adjustment reasons and the direction they allow (-1 removes stock, +1 adds, 0 either).
ADJUST_REASONS = {"damaged": -1, "expired": -1, "lost": -1, "found": 1, "other": 0}
STOCKTAKE_STATUSES = ("open", "posted", "cancelled")

_KIND_LIST = ",".join(f"'{k}'" for k in MOVE_KINDS)


class Category(db.Model):
    __tablename__ = "inv_category"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    # False for tobacco and alcohol: no product of this category may be paid with a voucher
    voucher_allowed: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=100)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Product(db.Model):
    __tablename__ = "inv_product"
    __table_args__ = (
        CheckConstraint("market_price_fen > 0", name="market_positive"),
        CheckConstraint("charity_price_fen > 0", name="charity_positive"),
        CheckConstraint("charity_price_fen <= market_price_fen", name="charity_not_above_market"),
        CheckConstraint("monthly_limit IS NULL OR monthly_limit > 0", name="limit_positive"),
        CheckConstraint("sale_unit IN ('piece','weight')", name="sale_unit_known"),
        CheckConstraint("(sale_unit = 'weight') = (unit_grams IS NOT NULL) AND "
                        "(unit_grams IS NULL OR unit_grams IN (500, 1000))", name="unit_grams_of_weight"),
        CheckConstraint("plu IS NULL OR (sale_unit = 'weight' AND plu BETWEEN 1 AND 999999)", name="plu_weighed"),
        Index("ix_inv_product_plu", "plu", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # EAN-13 / EAN-8 with a valid check digit, or an internal code (letters first) for loose goods
    barcode: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("inv_category.id"), index=True)
    unit: Mapped[str] = mapped_column(String(10))
    market_price_fen: Mapped[int] = mapped_column(Integer)
    charity_price_fen: Mapped[int] = mapped_column(Integer)
    voucher_eligible: Mapped[bool] = mapped_column(Boolean, default=False)
    # units (grams for weighed goods) per recipient per month at the charity price, city-wide;
    # None = no limit
    monthly_limit: Mapped[int | None] = mapped_column(Integer)
    # "piece": counted in whole units; "weight": stock, sales and limits in grams, prices per
    # `unit_grams` (500 = 斤, 1000 = kg), amounts by app.core.money.line_amount_fen
    sale_unit: Mapped[str] = mapped_column(String(6), default="piece", server_default="piece")
    unit_grams: Mapped[int | None] = mapped_column(Integer)
    # the scale's PLU (price look-up number) of a weighed product: its scale labels carry it
    plu: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # version tag (start of the SHA-256) of the picture in inv_product_image, None without one
    image: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    category: Mapped[Category] = relationship(lazy="joined")

    # Not a column: `search_products(..., shop_id=X)` sets it to the on-hand at shop X.
    stock = None

    @property
    def is_internal_code(self) -> bool:
        return not self.barcode.isdigit()

    @property
    def weighed(self) -> bool:
        return self.sale_unit == "weight"


class ProductImage(db.Model):
    """A product's picture, re-encoded and at most 800 px, kept in the database so that every app
    server behind the proxy can serve it."""

    __tablename__ = "inv_product_image"

    product_id: Mapped[int] = mapped_column(ForeignKey("inv_product.id"), primary_key=True)
    mimetype: Mapped[str] = mapped_column(String(40))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class PriceChange(db.Model):
    """Who changed which price, when, from what to what (append-only)."""

    __tablename__ = "inv_price_change"
    __table_args__ = (Index("ix_inv_price_change_product_at", "product_id", "at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("inv_product.id"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(Integer)
    username: Mapped[str] = mapped_column(String(80))
    source: Mapped[str] = mapped_column(String(20))  # create, edit, import
    old_market_fen: Mapped[int | None] = mapped_column(Integer)
    new_market_fen: Mapped[int] = mapped_column(Integer)
    old_charity_fen: Mapped[int | None] = mapped_column(Integer)
    new_charity_fen: Mapped[int] = mapped_column(Integer)


class StockLevel(db.Model):
    """On hand per shop and product. Never below zero (CHECK), changed only with a StockMove."""

    __tablename__ = "inv_stock_level"
    __table_args__ = (
        UniqueConstraint("shop_id", "product_id"),
        CheckConstraint("on_hand >= 0", name="on_hand_not_negative"),
        CheckConstraint("reorder_level >= 0", name="reorder_not_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shop.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("inv_product.id"), index=True)
    on_hand: Mapped[int] = mapped_column(Integer, default=0)
    reorder_level: Mapped[int] = mapped_column(Integer, default=0)

    product: Mapped[Product] = relationship()


class StockMove(db.Model):
    """The stock ledger: one row per change of a shop's stock of a product (append-only)."""

    __tablename__ = "inv_stock_move"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_KIND_LIST})", name="kind_known"),
        CheckConstraint("quantity <> 0", name="quantity_not_zero"),
        CheckConstraint("on_hand_after >= 0", name="after_not_negative"),
        Index("ix_inv_stock_move_shop_product", "shop_id", "product_id", "id"),
        Index("ix_inv_stock_move_ref", "ref_type", "ref_id"),
        Index("ix_inv_stock_move_product_at", "product_id", "at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shop.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("inv_product.id"))
    kind: Mapped[str] = mapped_column(String(16))
    quantity: Mapped[int] = mapped_column(Integer)  # signed: + in, - out
    on_hand_after: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(String(200), default="")
    ref_type: Mapped[str | None] = mapped_column(String(20))
    ref_id: Mapped[str | None] = mapped_column(String(40))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))

    product: Mapped[Product] = relationship()


class ReceivingNote(db.Model):
    """A delivery note: goods received at a shop from a supplier (or a donor enterprise)."""

    __tablename__ = "inv_receiving_note"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shop.id"), index=True)
    supplier: Mapped[str] = mapped_column(String(100))
    delivery_no: Mapped[str] = mapped_column(String(40), default="")
    received_by: Mapped[str] = mapped_column(String(50))
    received_on: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(200), default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    lines: Mapped[list[ReceivingLine]] = relationship(order_by="ReceivingLine.id")


class ReceivingLine(db.Model):
    __tablename__ = "inv_receiving_line"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_cost_fen IS NULL OR unit_cost_fen >= 0", name="cost_not_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("inv_receiving_note.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("inv_product.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_cost_fen: Mapped[int | None] = mapped_column(Integer)

    product: Mapped[Product] = relationship(lazy="joined")


class Transfer(db.Model):
    """Goods sent from one shop to another: out and in are posted in one transaction."""

    __tablename__ = "inv_transfer"
    __table_args__ = (CheckConstraint("from_shop_id <> to_shop_id", name="different_shops"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    from_shop_id: Mapped[int] = mapped_column(ForeignKey("shop.id"), index=True)
    to_shop_id: Mapped[int] = mapped_column(ForeignKey("shop.id"), index=True)
    note: Mapped[str] = mapped_column(String(200), default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    lines: Mapped[list[TransferLine]] = relationship(order_by="TransferLine.id")


class TransferLine(db.Model):
    __tablename__ = "inv_transfer_line"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    transfer_id: Mapped[int] = mapped_column(ForeignKey("inv_transfer.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("inv_product.id"))
    quantity: Mapped[int] = mapped_column(Integer)

    product: Mapped[Product] = relationship(lazy="joined")


class Stocktake(db.Model):
    """A count of a shop's stock. At most one open count per shop: `open_shop_id` is the shop's
    id while the count is open and NULL afterwards, under a unique constraint."""

    __tablename__ = "inv_stocktake"
    __table_args__ = (
        CheckConstraint("status IN ('open','posted','cancelled')", name="status_known"),
        CheckConstraint("(status = 'open') = (open_shop_id IS NOT NULL)", name="open_flag"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shop.id"), index=True)
    open_shop_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("inv_category.id"))
    status: Mapped[str] = mapped_column(String(10), default="open")
    note: Mapped[str] = mapped_column(String(200), default="")
    started_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    category: Mapped[Category | None] = relationship()
    lines: Mapped[list[StocktakeLine]] = relationship(order_by="StocktakeLine.id")


class StocktakeLine(db.Model):
    """One product of a count: the expected on-hand when the count started, and what was counted
    (NULL until entered). Products with zero expected stock are on the sheet too."""

    __tablename__ = "inv_stocktake_line"
    __table_args__ = (
        UniqueConstraint("stocktake_id", "product_id"),
        CheckConstraint("counted IS NULL OR counted >= 0", name="counted_not_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    stocktake_id: Mapped[int] = mapped_column(ForeignKey("inv_stocktake.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("inv_product.id"))
    expected: Mapped[int] = mapped_column(Integer)
    counted: Mapped[int | None] = mapped_column(Integer)

    product: Mapped[Product] = relationship(lazy="joined")

    @property
    def difference(self) -> int | None:
        return None if self.counted is None else self.counted - self.expected
