"""seed-demo for reports: idempotent, and the reconciliation page works on the demo data."""

from __future__ import annotations

from sqlalchemy import func, select

from app import DOMAINS, domain_module
from app.extensions import db
from app.reports.models import Feedback, SpotCheck, SpotCheckItem


def _seed_all():
    messages = []
    for name in DOMAINS:
        demo = domain_module(name, "demo")
        if demo is not None:
            demo.seed(messages.append)
            db.session.commit()
    return messages


def _counts():
    return [db.session.scalar(select(func.count()).select_from(m)) for m in (SpotCheck, SpotCheckItem, Feedback)]


def test_demo_is_idempotent_and_its_reconciliation_page_renders(app, login):
    with app.app_context():
        messages = _seed_all()
        first = _counts()
        assert any(m.startswith("demo:") and "spot check" in m for m in messages)
        _seed_all()
        assert _counts() == first
        # the demo's vouchers are spent through the till: the month reconciles to the fen
        from app.core.timeutil import Period
        from app.reports.reconciliation import reconcile

        result = reconcile(Period.current())
        assert result["redemptions"] >= 10 and result["refunded_fen"] > 0
        assert result["balanced"] and result["differences"] == []
        assert any(m.startswith("demo:") and "till sales" in m for m in messages)
        # last month: spent at the tills on several days, then its unspent vouchers expired
        last = reconcile(Period.current().previous())
        assert last["balanced"] and last["redemptions"] >= 10
        assert last["expired_fen"] > 0 and last["outstanding_fen"] == 0
    fed = login("federation")
    resp = fed.get("/reports/reconciliation")
    assert resp.status_code == 200
    assert 'data-balanced="yes"' in resp.text
    for url in ("/reports/dashboard", "/reports/settlements", "/reports/spot-checks", "/figures"):
        assert fed.get(url).status_code == 200, url
