"""Inventory errors (DomainError subclasses with stable codes)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.core.errors import DomainError, InvalidInput, NotFound


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


class ScaleLabelInvalid(InvalidInput):
    """A scale label (EAN-13 starting with 2) whose check digit is wrong or whose value is 0.
    `details`: code."""

    code = "scale_label_invalid"
    default_message = _l("秤签条码不正确。")


class PluUnknown(NotFound):
    """A scale label whose PLU no weighed product has. `details`: code, plu."""

    code = "plu_unknown"
    default_message = _l("没有这个 PLU 的称重商品。")
