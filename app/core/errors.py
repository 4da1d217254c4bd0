"""The DomainError tree. Every error a user can cause has a stable `code`.

Services raise these; one handler (app/core/handlers.py) turns them into
`{"error": {"code", "message"}}` for `/api/` and a flash message for pages.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l


class DomainError(Exception):
    code = "domain_error"
    status = 400
    default_message = _l("请求未能完成。")

    def __init__(self, message=None, *, details: dict | None = None, status: int | None = None):
        self.message = message if message is not None else self.default_message
        self.details = details or {}
        if status is not None:
            self.status = status
        super().__init__(str(self.message))

    def to_dict(self) -> dict:
        body = {"code": self.code, "message": str(self.message)}
        if self.details:
            body["details"] = self.details
        return body


class InvalidInput(DomainError):
    code = "invalid_input"
    default_message = _l("输入有误，请检查。")


class NotFound(DomainError):
    code = "not_found"
    status = 404
    default_message = _l("未找到。")


class Forbidden(DomainError):
    code = "forbidden"
    status = 403
    default_message = _l("您没有权限执行此操作。")


class Unauthenticated(DomainError):
    code = "unauthenticated"
    status = 401
    default_message = _l("请先登录。")


class Conflict(DomainError):
    code = "conflict"
    status = 409
    default_message = _l("与当前状态冲突。")


class RateLimited(DomainError):
    code = "rate_limited"
    status = 429
    default_message = _l("尝试次数过多，请稍后再试。")


class PeriodClosed(DomainError):
    code = "period_closed"
    status = 409
    default_message = _l("该期间已结账关闭。")
