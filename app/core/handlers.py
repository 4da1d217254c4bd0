"""The one error handler: JSON under /api/, a flash message or an error page elsewhere.

Every failure rolls the session back before anything is rendered:
- DomainError: its status and code;
- HTTP errors (404, 405, webargs' 422 → 400 `invalid_input`, ...);
- the database unreachable (connection refused, dropped, server shutting down; SQLite locked past
  its busy timeout): 503 `database_unavailable` with `Retry-After`, the till retries;
- a database `DataError` (a value out of range that no boundary caught): 400 `invalid_input`;
- anything else: logged with its traceback, 500 `internal_error` (JSON under /api/, the Chinese
  error page elsewhere; a bare text page if even that cannot be rendered).
"""

from __future__ import annotations

import logging
from urllib.parse import urlparse

from flask import flash, g, jsonify, make_response, redirect, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from sqlalchemy.exc import DataError, DBAPIError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from app.core.errors import DomainError

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 5
# SQLite's OperationalErrors that mean "not now" (a busy writer, a file that cannot be opened);
# the others ("no such table", syntax) are bugs and stay 500.
_SQLITE_UNAVAILABLE = ("database is locked", "database table is locked", "unable to open database",
                       "disk i/o error")

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


def _rollback() -> None:
    from app.extensions import db

    try:
        db.session.rollback()
    except Exception:
        log.warning("rollback after an error failed", exc_info=True)
        db.session.remove()


def _forget_user() -> None:
    """Render without asking the database who is logged in (it may be the thing that failed)."""
    from flask_login import AnonymousUserMixin

    if "_login_user" not in g:
        g._login_user = AnonymousUserMixin()


def _render_failure(message: str, status: int, code: str):
    if is_api_request():
        return error_response(code, message, status)
    try:
        return render_template("errors/error.html", message=message, status=status, code=code), status
    except Exception:
        log.exception("error page could not be rendered")
        return (f"<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>{status}</title>"
                f"<p>{escape(message)}</p></html>", status, {"Content-Type": "text/html; charset=utf-8"})


def is_database_unavailable(error: BaseException) -> bool:
    """A connection failure (or a busy SQLite) rather than a bug or bad data."""
    if not isinstance(error, OperationalError | InterfaceError):
        return False
    if getattr(error, "connection_invalidated", False):
        return True
    orig = getattr(error, "orig", None)
    module = type(orig).__module__ if orig is not None else ""
    if module.startswith("sqlite3"):
        text = str(orig).lower()
        return any(part in text for part in _SQLITE_UNAVAILABLE)
    return True


def handle_database_unavailable(error: DBAPIError):
    _rollback()
    _forget_user()
    log.warning("database unavailable: %s", error.orig if getattr(error, "orig", None) else error)
    response = make_response(_render_failure(_("网络或服务器暂时不可用，请稍后重试。"), 503,
                                              "database_unavailable"))
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def handle_data_error(error: DataError):
    _rollback()
    log.warning("database refused a value: %s", getattr(error, "orig", error))
    message = _("输入的数值或文字超出允许的范围，请检查。")
    if is_api_request():
        return error_response("invalid_input", message, 400)
    return _page_error(message, 400, "invalid_input")


def handle_unexpected(error: Exception):
    if isinstance(error, HTTPException):  # reached only for HTTP errors without their own handler
        return handle_http_exception(error)
    if is_database_unavailable(error):
        return handle_database_unavailable(error)
    _rollback()
    log.error("unexpected error on %s %s", request.method, request.path, exc_info=error)
    return _render_failure(_("系统出错，请重试。"), 500, "internal_error")


def register(app) -> None:
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(DataError, handle_data_error)
    app.register_error_handler(Exception, handle_unexpected)
