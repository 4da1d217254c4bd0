"""`GET /metrics` for Prometheus: requests, latency, checkouts, voucher redemptions, the DB pool.

- `cishan_http_requests_total{route,method,status}` and
  `cishan_http_request_duration_seconds{route,method}` (a histogram): `route` is the URL rule
  (`/v/<path:code>`), `<unmatched>` for a path no rule matches: never a raw path;
- `cishan_checkouts_total`: sales committed (a replayed idempotency key adds none);
- `cishan_voucher_redemptions_total`: `redeem` rows of the voucher ledger committed;
- `cishan_db_pool_size` and `cishan_db_pool_checked_out`: the SQLAlchemy pools' configured size
  and the connections in use, summed over the live workers.

The domains say what they count (`count_commits` in their setup: pos counts sales, vouchers
redemptions); a row counts when its transaction commits, not when it is flushed.

Under gunicorn, set PROMETHEUS_MULTIPROC_DIR to an empty folder the workers may write
(deploy/gunicorn.conf.py empties it at start and marks each exited worker dead): every worker
writes its samples there and `/metrics` adds them up, whichever worker answers. Without it the
metrics are the process's own (`flask run`, tests).

Only addresses in METRICS_ALLOW (addresses or networks, comma-separated; default
127.0.0.1,::1) get an answer; anyone else gets 404, as if there were no such page. Behind nginx
with PROXY_FIX=1 the address is the client's; the documented nginx site also answers /metrics
with 404 itself.
"""

from __future__ import annotations

import ipaddress
import os

from flask import Blueprint, Response, abort, current_app, request
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from app.auth.permissions import public
from app.extensions import limiter

REGISTRY = CollectorRegistry(auto_describe=True)
REQUESTS = Counter("cishan_http_requests", "HTTP requests answered, by URL rule, method and status",
                   ("route", "method", "status"), registry=REGISTRY)
LATENCY = Histogram("cishan_http_request_duration_seconds", "Time to answer a request, by URL rule and method",
                    ("route", "method"), registry=REGISTRY,
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))
CHECKOUTS = Counter("cishan_checkouts", "Sales committed at the tills", registry=REGISTRY)
REDEMPTIONS = Counter("cishan_voucher_redemptions", "Voucher redemptions committed (redeem rows of the ledger)",
                      registry=REGISTRY)
POOL_SIZE = Gauge("cishan_db_pool_size", "Configured size of the database connection pools (all live workers)",
                  registry=REGISTRY, multiprocess_mode="livesum")
POOL_CHECKED_OUT = Gauge("cishan_db_pool_checked_out", "Database connections in use (all live workers)",
                         registry=REGISTRY, multiprocess_mode="livesum")
UNMATCHED = "<unmatched>"
# what generate_latest writes, understood by every Prometheus (2.x reads no other text version)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

bp = Blueprint("metrics", __name__)


# --- what the domains count --------------------------------------------------------------------

_COUNTED: list[tuple[type, Counter, object]] = []
_PENDING = "cishan_metrics_pending"


def count_commits(model: type, counter: Counter, where=None) -> None:
    """Add one to `counter` for each new `model` row (for which `where(row)` holds) when its
    transaction commits. Idempotent."""
    if not any(m is model and c is counter for m, c, _w in _COUNTED):
        _COUNTED.append((model, counter, where))
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_transaction_end", _after_transaction_end)


def _after_flush(session, _context) -> None:
    pending = None
    for obj in session.new:
        for model, counter, where in _COUNTED:
            if isinstance(obj, model) and (where is None or where(obj)):
                pending = session.info.setdefault(_PENDING, [])
                pending.append((obj, counter))


def _after_commit(session) -> None:
    for obj, counter in session.info.pop(_PENDING, ()):
        if inspect(obj).key is not None:  # not a row of a savepoint that was rolled back
            counter.inc()


def _after_transaction_end(session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_PENDING, None)  # rolled back: nothing of it counts


# --- requests and the pool ------------------------------------------------------------------

def observe_request(fields: dict) -> None:
    """Called with each request's log fields (app/core/logs.py)."""
    route = fields.get("route") or UNMATCHED
    REQUESTS.labels(route, fields["method"], str(fields["status"])).inc()
    if fields.get("duration_ms") is not None:
        LATENCY.labels(route, fields["method"]).observe(fields["duration_ms"] / 1000)


def _watch_pool(engine) -> None:
    pool = engine.pool
    if getattr(pool, "cishan_watched", False):
        return
    pool.cishan_watched = True
    size = getattr(pool, "size", None)
    if callable(size):
        POOL_SIZE.inc(size())
    event.listen(pool, "checkout", lambda *_a: POOL_CHECKED_OUT.inc())
    event.listen(pool, "checkin", lambda *_a: POOL_CHECKED_OUT.dec())


# --- the page --------------------------------------------------------------------------------

def allowed_networks(value: str) -> list:
    nets = []
    for part in (value or "").split(","):
        part = part.strip()
        if part:
            nets.append(ipaddress.ip_network(part, strict=False))  # ValueError: a bad setting
    return nets


def is_allowed(address: str | None, networks) -> bool:
    try:
        ip = ipaddress.ip_address((address or "").split("%")[0])
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return any(ip in net for net in networks)


def exposition() -> bytes:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(REGISTRY)


@bp.get("/metrics")
@public
@limiter.exempt
def metrics():
    """Prometheus' text format, for the addresses of METRICS_ALLOW only (404 for the others)."""
    if not is_allowed(request.remote_addr, current_app.extensions["metrics_allow"]):
        abort(404)
    return Response(exposition(), headers={"Content-Type": CONTENT_TYPE, "Cache-Control": "no-store"})


def init_app(app) -> None:
    from app.extensions import db

    app.extensions["metrics_allow"] = allowed_networks(app.config["METRICS_ALLOW"])
    app.extensions.setdefault("request_observers", []).append(observe_request)
    app.register_blueprint(bp)
    with app.app_context():
        _watch_pool(db.engine)
