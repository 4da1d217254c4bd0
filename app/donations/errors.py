"""Donation-domain errors, with the stable codes DESIGN.md lists."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.core.errors import Conflict, DomainError


class LimitExceeded(DomainError):
    code = "limit_exceeded"
    status = 409
    default_message = _l("超过领取限额。")


class OutOfStock(DomainError):
    code = "out_of_stock"
    status = 409
    default_message = _l("库存不足。")


class IdempotencyConflict(Conflict):
    code = "idempotency_conflict"
    default_message = _l("同一请求编号已用于不同的内容。")


class DonorNotLinked(DomainError):
    """A `donor` user whose account is not yet linked to a donor organisation."""

    code = "donor_not_linked"
    status = 409
    default_message = _l("您的账号尚未关联捐赠单位，请联系慈善总会。")
