"""Factory functions for inventory models (each flushes; the test's transaction is rolled back)."""

from __future__ import annotations

import itertools

from app.inventory import movements, services
from app.inventory.barcodes import make_ean13

_seq = itertools.count(1)


def category(name: str | None = None, *, voucher_allowed: bool = True):
    return services.create_category(name=name or f"测试分类{next(_seq)}", voucher_allowed=voucher_allowed)


def ean13() -> str:
    """A valid, unused-looking EAN-13 (prefix 692 + a counter)."""
    return make_ean13(f"692{next(_seq) + 100000:09d}")


def product(name: str | None = None, *, category=None, market: int = 3000, charity: int = 2500,
            barcode: str | None = None, **kwargs):
    cat = category or globals()["category"]()
    return services.create_product(barcode=barcode or ean13(), name=name or f"测试商品{next(_seq)}",
                                   category_id=cat.id, unit=kwargs.pop("unit", "袋"),
                                   market_price_fen=market, charity_price_fen=charity, **kwargs)


def stock(shop, product, quantity: int, *, supplier: str = "测试供货商"):
    """Receive `quantity` units of `product` at `shop`."""
    return movements.receive(shop_id=shop.id, supplier=supplier, received_by="测试收货人",
                             lines=[{"product_id": product.id, "quantity": quantity}])
