"""An HTTP client for tests that talk to a real server (gunicorn, nginx) on 127.0.0.1: cookies,
the CSRF token as a header once known, no redirects followed, TLS without verification."""

from __future__ import annotations

import http.cookiejar
import json
import ssl
import urllib.error
import urllib.parse
import urllib.request


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Client:
    """urllib with cookies, no redirects followed, TLS without verification (self-signed)."""

    def __init__(self, base: str):
        self.base = base
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        self.context = context
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect(),
            urllib.request.HTTPSHandler(context=context))
        self.csrf = None

    def call(self, method: str, path: str, *, json_body=None, form=None, headers=None):
        data, hdrs = None, {"Accept": "application/json", **(headers or {})}
        if json_body is not None:
            data, hdrs["Content-Type"] = json.dumps(json_body).encode(), "application/json"
        elif form is not None:
            data = urllib.parse.urlencode(form).encode()
            hdrs["Content-Type"] = "application/x-www-form-urlencoded"
        if self.csrf and method != "GET":
            hdrs["X-CSRFToken"] = self.csrf
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=hdrs)  # noqa: S310
        try:
            with self.opener.open(req, timeout=30) as resp:
                return resp.status, dict(resp.headers), resp.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()
