"""Demo: issue the current month's vouchers (idempotent). They are spent at the demo tills by
the till's demo (app/pos/demo.py), through the real checkout, so the demo reconciles."""

from __future__ import annotations

from sqlalchemy import select

from app.core.timeutil import Period
from app.extensions import db
from app.vouchers import issuance
from app.vouchers.models import IssuanceRun


def seed(echo) -> None:
    period = str(Period.current())
    if db.session.scalar(select(IssuanceRun.id).where(IssuanceRun.period == period).limit(1)):
        echo(f"demo: {period} vouchers already issued")
        return
    run = issuance.issue_vouchers(period=period)
    echo(f"demo: {period} vouchers: {run.created} issued now, {run.skipped} already there")
