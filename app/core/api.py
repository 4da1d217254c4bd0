"""flask-smorest Api with the project's error format for every HTTP error."""

from __future__ import annotations

from flask import request
from flask_smorest import Api as _SmorestApi

from app.core import handlers


class Api(_SmorestApi):
    """Routes HTTP errors through the project's one handler (JSON under /api/, pages elsewhere)."""

    def handle_http_exception(self, error):
        return handlers.handle_http_exception(error)

    @staticmethod
    def is_api_request() -> bool:
        return request.path.startswith("/api/")
