"""Display labels for the domain's codes (lazy, so they follow the request's language)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

KIND_LABELS = {
    "quilt": _l("棉被"),
    "clothing": _l("衣物"),
    "shoes": _l("鞋"),
    "other": _l("其他"),
}
CONDITION_LABELS = {"new": _l("全新"), "good": _l("完好")}
SEASON_LABELS = {
    "spring_autumn": _l("春秋"),
    "summer": _l("夏季"),
    "winter": _l("冬季"),
    "all": _l("四季"),
}
STATUS_LABELS = {"pledged": _l("已登记待送达"), "received": _l("已入库"), "cancelled": _l("已取消")}
DONOR_KIND_LABELS = {"enterprise": _l("爱心企业"), "individual": _l("个人")}
PERIOD_LABELS = {"year": _l("每自然年"), "month": _l("每月")}
# how a kind is counted in a sentence ("限领 1 条"), and a limit's period in one ("每年", "今年")
KIND_UNITS = {"quilt": _l("条"), "clothing": _l("件"), "shoes": _l("双"), "other": _l("件")}
PERIOD_EACH = {"year": _l("每年"), "month": _l("每月")}
PERIOD_THIS = {"year": _l("今年"), "month": _l("本月")}
