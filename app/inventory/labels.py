"""Display names of ledger kinds and adjustment reasons (Chinese msgids, translated)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

KIND_LABELS = {
    "receive": _l("收货入库"),
    "sale": _l("销售出库"),
    "void": _l("作废退回"),
    "adjust": _l("库存调整"),
    "transfer_out": _l("调拨调出"),
    "transfer_in": _l("调拨调入"),
    "stocktake": _l("盘点调整"),
}
REASON_LABELS = {
    "damaged": _l("破损"),
    "expired": _l("过期"),
    "lost": _l("丢失"),
    "found": _l("找回"),
    "other": _l("其他"),
}
STOCKTAKE_STATUS_LABELS = {"open": _l("进行中"), "posted": _l("已过账"), "cancelled": _l("已取消")}
UNITS = ("袋", "桶", "瓶", "包", "盒", "个", "块", "支", "斤", "kg", "箱", "件")
