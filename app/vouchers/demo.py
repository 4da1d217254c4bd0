"""Demo: issue last month's and the current month's vouchers (idempotent). They are spent at
the demo tills by the till's demo (app/pos/demo.py), through the real checkout, so the demo
reconciles."""

from __future__ import annotations

from sqlalchemy import select

from app.core.timeutil import Period
from app.extensions import db
from app.vouchers import issuance
from app.vouchers.models import IssuanceRun


def seed(echo) -> None:
    """Last month's and this month's vouchers (last month's are spent and expired by the till's
    demo, so the reports have a finished month to reconcile and settle)."""
    current = Period.current()
    for period in (current.previous(), current):
        if db.session.scalar(select(IssuanceRun.id).where(IssuanceRun.period == str(period)).limit(1)):
            echo(f"demo: {period} vouchers already issued")
            continue
        run = issuance.issue_vouchers(period=period)
        echo(f"demo: {period} vouchers: {run.created} issued now, {run.skipped} already there")
