"""Voucher errors with the stable codes of DESIGN.md (the till and the API rely on them)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.core.errors import DomainError


class VoucherError(DomainError):
    code = "voucher_error"
    status = 409


class VoucherUnknown(VoucherError):
    """The code is mistyped (check symbol) or names no voucher."""

    code = "voucher_unknown"
    status = 404
    default_message = _l("券码无效，请核对后重新输入或扫码。")


class VoucherExpired(VoucherError):
    code = "voucher_expired"
    default_message = _l("该购物券已过有效期。")


class VoucherRevoked(VoucherError):
    code = "voucher_revoked"
    default_message = _l("该购物券已注销。")


class VoucherExhausted(VoucherError):
    code = "voucher_exhausted"
    default_message = _l("该购物券余额已用完。")


class VoucherNotYetValid(VoucherError):
    """A voucher issued ahead of its month (e.g. printed at the end of the previous month)."""

    code = "voucher_not_yet_valid"
    default_message = _l("该购物券尚未到使用日期。")


class InsufficientBalance(VoucherError):
    code = "insufficient_balance"
    default_message = _l("购物券余额不足。")


class PublicBaseUrlUnusable(DomainError):
    """Sheets would print QR codes that no phone can open (PUBLIC_BASE_URL missing or local)."""

    code = "public_base_url_unusable"
    status = 409
    default_message = _l("不能打印购物券：PUBLIC_BASE_URL 未设置或指向本机（localhost、127.0.0.1），"
                         "二维码用手机扫不开。请管理员把它设置为手机能访问的地址，例如 https://cishan.example.cn。")
