"""Inventory errors (DomainError subclasses with stable codes)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.core.errors import DomainError, InvalidInput


class OutOfStock(DomainError):
    """A shop does not have the quantity asked for. `details`: product_id, shop_id, requested,
    on_hand."""

    code = "out_of_stock"
    status = 409
    default_message = _l("库存不足。")


class ImportFailed(InvalidInput):
    """A catalogue import with bad rows: nothing was written. `details["rows"]` lists every bad row
    as {"row": n, "errors": [...]} (row numbers as the spreadsheet shows them)."""

    default_message = _l("导入文件有错误，未写入任何数据。")
