"""The role x route policy: every registered route must be listed here (or in a domain's
`tests/<domain>/routes.py`, merged below), with the roles that may use it.

`PUBLIC` routes answer everyone. For routes with path arguments give sample values; a sample
that does not exist is fine (allowed roles then get 404, which is still "not refused").
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field

PUBLIC = "public"
ALL = frozenset({"admin", "federation", "manager", "cashier", "donor"})


@dataclass(frozen=True)
class Route:
    roles: frozenset | str
    args: dict = field(default_factory=dict)
    logs_out: bool = False  # success is a redirect to the login page


POLICY: dict[tuple[str, str], Route] = {
    ("GET", "core.home"): Route(ALL),
    ("GET", "core.set_language"): Route(PUBLIC, {"code": "en"}),
    ("GET", "core.healthz"): Route(PUBLIC),
    # answers only the addresses of METRICS_ALLOW (the test client is 127.0.0.1), 404 to others
    ("GET", "metrics.metrics"): Route(PUBLIC),
    ("GET", "core.favicon"): Route(PUBLIC),
    ("GET", "auth.login"): Route(PUBLIC),
    ("POST", "auth.login"): Route(PUBLIC),
    ("POST", "auth.logout"): Route(ALL, logs_out=True),
    ("GET", "admin.users"): Route(frozenset({"admin"})),
    ("POST", "admin.create_user"): Route(frozenset({"admin"})),
    ("POST", "admin.set_user_active"): Route(frozenset({"admin"}), {"user_id": 999999}),
    ("GET", "admin.shops"): Route(frozenset({"admin", "federation"})),
    ("POST", "admin.create_shop"): Route(frozenset({"admin"})),
    ("GET", "admin.audit_log"): Route(frozenset({"admin"})),
    ("POST", "api_auth.create_session"): Route(PUBLIC),
    ("GET", "api_auth.get_session"): Route(ALL),
    ("DELETE", "api_auth.delete_session"): Route(ALL, logs_out=True),
    ("GET", "api_auth.shops"): Route(ALL),
    ("GET", "api-docs.openapi_json"): Route(PUBLIC),
}


def merged_policy() -> dict[tuple[str, str], Route]:
    """POLICY plus every `tests/<domain>/routes.py` module's POLICY."""
    import tests

    out = dict(POLICY)
    for mod in pkgutil.iter_modules(tests.__path__):
        if mod.ispkg:
            try:
                domain = importlib.import_module(f"tests.{mod.name}.routes")
            except ModuleNotFoundError:
                continue
            out.update(domain.POLICY)
    return out
