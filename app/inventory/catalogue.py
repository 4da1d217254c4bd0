"""The whole catalogue for the till in one compact answer, with each name's pinyin initials.

A shop has hundreds to a few thousand products; the till keeps all of them and searches them
itself (name, pinyin initials - 大米 by "dm" -, barcode), so a search never waits for the network.
The initials are computed here, on the server, once per name (pypinyin, cached by name).
"""

from __future__ import annotations

import functools
import hashlib
import json
import unicodedata

from pypinyin import Style, lazy_pinyin
from sqlalchemy import and_, func, literal, select

from app.extensions import db
from app.inventory.models import Category, Product, StockLevel
from app.inventory.schemas import ProductSchema


@functools.lru_cache(maxsize=20_000)
def initials(name: str) -> str:
    """Lower-case pinyin initials of the Chinese characters of `name`, letters and digits as they
    are, everything else dropped: "东北大米 5kg" -> "dbdm5kg"."""
    out = []
    for part in lazy_pinyin(unicodedata.normalize("NFKC", name), style=Style.FIRST_LETTER,
                            errors=lambda chars: list(chars)):
        out.extend(ch.lower() for ch in part if ch.isascii() and ch.isalnum())
    return "".join(out)


def _columns() -> list[str]:
    """The fields of the products API that are columns of the product (new ones come along)."""
    return [f for f in ProductSchema().fields if f not in ("category", "active", "stock")
            and f in Product.__table__.columns]


def till_catalogue(shop_id: int | None) -> dict:
    """Every active product as rows of one column list (the fields of the products API, the
    category as its name, the stock at `shop_id`, plus `initials`), in the till's order (category,
    then name), read in one statement. `version` changes whenever anything in it changes (the
    answer's ETag)."""
    columns = _columns()
    stock = (func.coalesce(StockLevel.on_hand, 0) if shop_id is not None else literal(None)).label("stock")
    stmt = (select(*(getattr(Product, c) for c in columns), Category.name, stock)
            .join(Category, Product.category_id == Category.id)
            .where(Product.active.is_(True))
            .order_by(Category.sort_order, Category.name, Product.name, Product.id))
    if shop_id is not None:
        stmt = stmt.outerjoin(StockLevel, and_(StockLevel.product_id == Product.id, StockLevel.shop_id == shop_id))
    name_at = columns.index("name")
    rows = [[*row, initials(row[name_at])] for row in db.session.execute(stmt)]
    body = {"fields": [*columns, "category", "stock", "initials"], "rows": rows}
    body["version"] = hashlib.sha256(json.dumps(body, ensure_ascii=False, separators=(",", ":"))
                                     .encode()).hexdigest()[:16]
    return body
