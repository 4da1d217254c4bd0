"""Visit every registered route as every role (and anonymously) and check allow / deny."""

from __future__ import annotations

import pytest
from werkzeug.routing import BuildError

from tests.routes import PUBLIC, Route, merged_policy

ROLES = ("admin", "federation", "manager", "cashier", "donor")
SKIP_ENDPOINTS = {"static"}


def registered(app):
    out = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIP_ENDPOINTS:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            out.append((method, rule.endpoint, rule))
    return out


def test_every_route_has_a_policy(app):
    policy = merged_policy()
    missing = [(m, e) for m, e, _ in registered(app) if (m, e) not in policy]
    assert not missing, f"routes without an entry in tests/routes.py: {missing}"
    stale = [k for k in policy if k not in {(m, e) for m, e, _ in registered(app)}]
    assert not stale, f"policy entries for routes that no longer exist: {stale}"


def test_every_view_declares_its_roles(app):
    """Each view is decorated with @require_role(...) or @public, matching the policy."""
    policy = merged_policy()
    for method, endpoint, _rule in registered(app):
        view = app.view_functions[endpoint]
        declared = getattr(view, "allowed_roles", None)
        if declared is None and hasattr(view, "view_class"):  # smorest MethodView
            declared = getattr(getattr(view.view_class, method.lower()), "allowed_roles", None)
        if endpoint == "api-docs.openapi_json":
            continue
        assert declared is not None, f"{endpoint} has no @require_role/@public"
        expected = policy[(method, endpoint)].roles
        assert declared == expected, f"{method} {endpoint}: view says {declared}, policy {expected}"


def _url(app, endpoint: str, route: Route) -> str:
    with app.test_request_context():
        from flask import url_for
        try:
            return url_for(endpoint, **route.args)
        except BuildError as e:  # pragma: no cover - a policy without the needed sample args
            raise AssertionError(f"give sample args for {endpoint}: {e}") from e


def _call(client, method: str, url: str):
    kwargs = {}
    if method in ("POST", "PUT", "PATCH"):
        kwargs["json"] = {} if url.startswith("/api/") else None
        if not url.startswith("/api/"):
            kwargs = {"data": {}}
    return client.open(url, method=method, **kwargs)


def _refused_anonymously(resp, is_api: bool) -> bool:
    if resp.status_code == 400 and is_api and (resp.get_json() or {}).get("error", {}).get("code") == "csrf_failed":
        return True  # a mutating call without a session has no CSRF token: refused before the view
    if resp.status_code == 400 and not is_api and 'data-error-code="csrf_failed"' in resp.get_data(as_text=True):
        return True
    if is_api:
        return resp.status_code == 401
    return resp.status_code == 302 and "/login" in resp.headers.get("Location", "")


@pytest.mark.parametrize("who", (None, *ROLES))
def test_role_route_matrix(app, login, client, who):
    policy = merged_policy()
    failures = []
    c = client if who is None else login(who)
    for method, endpoint, _rule in registered(app):
        route = policy[(method, endpoint)]
        url = _url(app, endpoint, route)
        resp = _call(c, method, url)
        status = resp.status_code
        is_api = url.startswith("/api/")
        to_login = status == 302 and "/login" in resp.headers.get("Location", "")
        if route.roles == PUBLIC:
            ok = status not in (401, 403) and status < 500
        elif who is None:
            ok = _refused_anonymously(resp, is_api)
        elif who in route.roles:
            ok = status not in (401, 403) and status < 500 and (not to_login or route.logs_out)
            if route.logs_out:
                c = login(who)
        else:
            ok = status == 403
        if not ok:
            failures.append(f"{who or 'anonymous'} {method} {url} -> {status}")
    assert not failures, "\n".join(failures)
