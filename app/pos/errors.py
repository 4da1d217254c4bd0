"""Till errors, each with the stable code the till and the API rely on."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.core.errors import Conflict, DomainError, Forbidden, InvalidInput


class NoOpenShift(DomainError):
    code = "no_open_shift"
    status = 409
    default_message = _l("请先开班（输入备用金）再收款")


class ShiftAlreadyOpen(Conflict):
    code = "shift_already_open"
    default_message = _l("您已有一个未结束的班次")


class LimitExceeded(DomainError):
    code = "limit_exceeded"
    status = 409
    default_message = _l("超过本月慈善价限购数量")


class PaymentInsufficient(DomainError):
    code = "payment_insufficient"
    status = 400
    default_message = _l("付款金额不足")


class IdempotencyConflict(Conflict):
    code = "idempotency_conflict"
    default_message = _l("同一笔交易编号已用于另一笔不同的交易")


class NotEligible(InvalidInput):
    code = "recipient_not_eligible"
    default_message = _l("该救助对象当前不能享受慈善价")


class VoidNotAllowed(Forbidden):
    code = "void_not_allowed"
    default_message = _l("作废需要店长授权")


class AlreadyVoided(Conflict):
    code = "already_voided"
    default_message = _l("该交易已全部作废，不能再次作废")


class PinLocked(DomainError):
    """Too many wrong PINs in a row: locked until the manager logs in with their password."""

    code = "pin_locked"
    status = 423
    default_message = _l("店长授权码已锁定（连续输错次数过多）。请店长用自己的账号和密码登录一次即可解锁")


class QuantityNotWhole(InvalidInput):
    """A fractional quantity (1.5) of a product sold by the piece: refused, never truncated.
    `details`: product_id, qty."""

    code = "quantity_not_whole"
    default_message = _l("按件销售的商品数量必须是整数。")


class WeightRequired(InvalidInput):
    """A weighed product given as a count (`qty`) instead of its weight (`grams`), or a weight
    given for a piece product. `details`: product_id."""

    code = "weight_required"
    default_message = _l("称重商品请给出重量（克）。")
