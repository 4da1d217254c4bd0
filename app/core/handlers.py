"""The one error handler: JSON under /api/, a flash message or an error page elsewhere."""

from __future__ import annotations

from urllib.parse import urlparse

from flask import flash, jsonify, redirect, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.core.errors import DomainError

HTTP_CODES = {
    400: "invalid_input",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "rate_limited",
}


def _http_message(status: int) -> str:
    messages = {
        400: _("请求无效。"),
        401: _("请先登录。"),
        403: _("您没有权限执行此操作。"),
        404: _("页面或记录不存在。"),
        405: _("不支持此操作方式。"),
        409: _("与当前状态冲突。"),
        413: _("上传的文件太大。"),
        415: _("不接受此类内容。"),
        422: _("输入有误，请检查。"),
        429: _("尝试次数过多，请稍后再试。"),
    }
    return messages.get(status, _("系统出错，请重试。"))


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def error_response(code: str, message: str, status: int, details: dict | None = None):
    body = {"code": code, "message": message}
    if details:
        body["details"] = details
    return jsonify({"error": body}), status


def _safe_referrer() -> str | None:
    ref = request.referrer
    if not ref:
        return None
    parsed = urlparse(ref)
    if parsed.netloc and parsed.netloc != request.host:
        return None
    return ref


def _page_error(message: str, status: int, code: str = "error"):
    if request.method in ("POST", "PUT", "PATCH", "DELETE") and status < 500:
        target = _safe_referrer()
        if target:
            flash(message, "error")
            return redirect(target)
    return render_template("errors/error.html", message=message, status=status, code=code), status


def handle_domain_error(error: DomainError):
    from app.extensions import db

    db.session.rollback()
    if is_api_request():
        return error_response(error.code, str(error.message), error.status, error.details)
    return _page_error(str(error.message), error.status, error.code)


def handle_http_exception(error: HTTPException):
    status = error.code or 500
    if isinstance(error, CSRFError):
        code, message = "csrf_failed", _("页面已过期或缺少安全令牌，请刷新页面后重试。")
    else:
        code = HTTP_CODES.get(status, "internal_error" if status >= 500 else "error")
        message = _http_message(status)
    details = None
    data = getattr(error, "data", None)
    if isinstance(data, dict) and "messages" in data:  # webargs/marshmallow validation
        details = {"fields": data["messages"]}
        status = 400
        code = "invalid_input"
        message = _http_message(422)
    if is_api_request():
        resp, status = error_response(code, message, status, details)
        if status == 429 or status == 405:
            for header, value in (error.get_headers() or []):
                if header.lower() in ("retry-after", "allow"):
                    resp.headers[header] = value
        return resp, status
    return _page_error(message, status, code)


def register(app) -> None:
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(HTTPException, handle_http_exception)
