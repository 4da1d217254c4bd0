"""GET /metrics: Prometheus' text format, for the addresses of METRICS_ALLOW only.

(The sum over gunicorn's workers through PROMETHEUS_MULTIPROC_DIR is tested with a real
gunicorn in tests/core/test_no_codes_in_logs.py.)"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from prometheus_client.parser import text_string_to_metric_families

from app.core import metrics
from app.extensions import db
from app.pos.checkout import checkout
from app.vouchers import services as vouchers
from tests.conftest import make_app
from tests.inventory import factories as inv
from tests.reports.factories import shop_with_staff
from tests.vouchers import factories as vf


def scrape(client) -> dict:
    """{(sample name, sorted labels): value} of one answer of /metrics."""
    answer = client.get("/metrics")
    assert answer.status_code == 200, answer.status_code
    assert answer.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(answer.get_data(as_text=True)) for s in family.samples}


def value(samples: dict, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_requests_are_counted_by_url_rule_and_status(client):
    before = scrape(client)
    assert client.get("/healthz").status_code == 200
    assert client.get("/v/ABCDE-FGHJK-MNPQR-STVWX-Y?x=1").status_code == 303
    assert client.get("/no/such/page").status_code == 404
    after = scrape(client)

    def delta(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    total = "cishan_http_requests_total"
    assert delta(total, route="/healthz", method="GET", status="200") == 1
    assert delta(total, route="/v/<path:code>", method="GET", status="303") == 1
    assert delta(total, route="<unmatched>", method="GET", status="404") == 1
    assert delta(total, route="/metrics", method="GET", status="200") == 1  # the first scrape
    assert delta("cishan_http_request_duration_seconds_count", route="/healthz", method="GET") == 1
    assert delta("cishan_http_request_duration_seconds_bucket", route="/healthz", method="GET", le="+Inf") == 1
    text = client.get("/metrics").get_data(as_text=True)
    assert "ABCDE" not in text and "x=1" not in text and "/no/such" not in text
    for name in ("cishan_db_pool_size", "cishan_db_pool_checked_out", "cishan_checkouts_total",
                 "cishan_voucher_redemptions_total"):
        assert f"\n{name} " in text
    assert value(after, "cishan_db_pool_size") > 0


def _sale_setup():
    s = shop_with_staff("411002")
    rice = inv.product(market=3500, charity=2500, voucher_eligible=True)
    inv.stock(s.shop, rice, 10)
    voucher, _code = vf.voucher(vf.recipient(), period=f"{dt.date.today():%Y-%m}")
    db.session.commit()
    return s, rice, voucher


def test_checkouts_and_redemptions_count_when_committed(app):
    with app.app_context():
        s, rice, voucher = _sale_setup()
        checkouts, redemptions = metrics.CHECKOUTS._value.get(), metrics.REDEMPTIONS._value.get()
        key = str(uuid.uuid4())
        lines = [{"product_id": rice.id, "qty": 1}]
        code = vouchers.code_of(voucher)
        checkout(cashier=s.cashier, idempotency_key=key, lines=lines, voucher_code=code)
        assert metrics.CHECKOUTS._value.get() == checkouts  # flushed, not yet committed
        db.session.commit()
        assert (metrics.CHECKOUTS._value.get(), metrics.REDEMPTIONS._value.get()) == (checkouts + 1, redemptions + 1)
        _sale, replayed = checkout(cashier=s.cashier, idempotency_key=key, lines=lines, voucher_code=code)
        db.session.commit()
        assert replayed
        cash_only = {"lines": lines, "payments": [{"method": "cash", "amount_fen": 3500}]}
        checkout(cashier=s.cashier, idempotency_key=str(uuid.uuid4()), **cash_only)
        db.session.rollback()
        savepoint = db.session.begin_nested()  # a sale in a savepoint rolled back: not counted either
        checkout(cashier=s.cashier, idempotency_key=str(uuid.uuid4()), **cash_only)
        db.session.flush()
        savepoint.rollback()
        db.session.commit()
        cash = checkout(cashier=s.cashier, idempotency_key=str(uuid.uuid4()), **cash_only)
        db.session.commit()
        assert cash[0].id is not None
        assert (metrics.CHECKOUTS._value.get(), metrics.REDEMPTIONS._value.get()) == (checkouts + 2, redemptions + 1)


@pytest.mark.parametrize("address", ["203.0.113.9", "10.1.2.3", "::2", "not-an-address"])
def test_other_addresses_get_404(client, address):
    answer = client.get("/metrics", environ_base={"REMOTE_ADDR": address})
    assert answer.status_code == 404
    assert b"cishan_" not in answer.get_data()


def test_metrics_allow_takes_addresses_and_networks(database_url):
    app = make_app(database_url, METRICS_ALLOW="10.0.0.0/8, 192.0.2.7")
    client = app.test_client()
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "192.0.2.7"}).status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code == 404
    nets = metrics.allowed_networks("127.0.0.1,::1")
    assert metrics.is_allowed("::ffff:127.0.0.1", nets) and metrics.is_allowed("::1", nets)
    with pytest.raises(ValueError):
        metrics.allowed_networks("127.0.0.1,localhost")


def test_metrics_is_read_only(client):
    assert client.post("/metrics").status_code == 405
