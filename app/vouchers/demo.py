"""Demo: issue the current month's vouchers and spend a few of them (idempotent)."""

from __future__ import annotations

from sqlalchemy import select

from app.core.timeutil import Period, business_today
from app.extensions import db
from app.vouchers import issuance, services
from app.vouchers.models import IssuanceRun, Voucher


def seed(echo) -> None:
    period = str(Period.current())
    if db.session.scalar(select(IssuanceRun.id).where(IssuanceRun.period == period).limit(1)):
        echo(f"demo: {period} vouchers already issued")
        return
    run = issuance.issue_vouchers(period=period)
    if run.created:
        today = business_today()
        sample = list(db.session.scalars(select(Voucher.id).where(Voucher.issuance_run_id == run.id)
                                         .order_by(Voucher.id).limit(12)))
        for i, vid in enumerate(sample):
            services.redeem(vid, 2900 if i % 4 == 0 else 1250, today=today, ref_type="demo", ref_id=i)
    echo(f"demo: {period} vouchers: {run.created} issued now, {run.skipped} already there")
