"""Demo: one spot-check sample of the current month (when there is anything to sample) and a
few feedback entries on the demo's sales (when the till has any). Safe to run again.

The demo's vouchers are spent through the till (app/pos/demo.py), so its reconciliation
balances.
"""

from __future__ import annotations

from sqlalchemy import select

from app.core.timeutil import Period
from app.extensions import db
from app.pos.models import Sale
from app.reports import feedback, spotchecks
from app.reports.models import Feedback, SpotCheck

DEMO_SEED = "demo"
COMMENTS = [(5, "comment", "米面油价格实惠，店员很耐心。"), (4, "comment", "希望多进一些挂面。"),
            (2, "complaint", "排队时间有点长，希望周末多开一个收银台。")]


def seed(echo) -> None:
    period = Period.current()
    if db.session.scalar(select(SpotCheck.id).where(SpotCheck.period == str(period), SpotCheck.seed == DEMO_SEED)):
        echo(f"demo: {period} spot check already drawn")
    elif sum(len(v) for v in spotchecks.population(period).values()):
        check = spotchecks.draw(period, size=10, seed=DEMO_SEED)
        echo(f"demo: {period} spot check drawn ({len(check.items)} calls)")
    else:
        echo(f"demo: {period} has no redemptions or pickups yet, spot check skipped")
    sales = list(db.session.scalars(select(Sale).order_by(Sale.id).limit(len(COMMENTS))))
    added = 0
    for sale, (rating, kind, comment) in zip(sales, COMMENTS, strict=False):
        if db.session.scalar(select(Feedback.id).where(Feedback.sale_id == sale.id)) is None:
            feedback.submit(sale, rating=rating, kind=kind, comment=comment)
            added += 1
    echo(f"demo: {added} feedback entries added" if sales else "demo: no sales yet, feedback skipped")
