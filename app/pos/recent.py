"""The recent sales a till lists for reprint and void: a cashier's own open shift; a manager's
whole shop today (a manager voids a cashier's sale of the same shop from their own till).

Each sale comes with what the list shows (time, cashier, items, payments, the recipient's
masked name) and what a full void of what is left would hand back, per method (the void's
confirmation shows it before anything is done).
"""

from __future__ import annotations

from sqlalchemy import select

from app.auth import services as auth
from app.core.masking import mask_name
from app.extensions import db
from app.pos import checkout, services, voids
from app.pos.models import Sale
from app.recipients import services as recipients

LIMIT = 200


def _sales_for(user) -> list[Sale]:
    if user.role == "manager":
        return list(db.session.scalars(
            select(Sale).where(Sale.shop_id == user.shop_id, Sale.business_date == services.today())
            .order_by(Sale.id.desc()).limit(LIMIT)))
    return services.shift_sales(services.require_open_shift(user.id, user.shop_id), limit=LIMIT)


def recent_sales(user) -> list[dict]:
    names: dict[int, str] = {}
    out = []
    for sale in _sales_for(user):
        if sale.cashier_id not in names:
            cashier = auth.get_user(sale.cashier_id)
            names[sale.cashier_id] = cashier.label if cashier else ""
        recipient = recipients.get_recipient(sale.recipient_id) if sale.recipient_id else None
        out.append({**checkout.sale_result(sale), **voids.sale_void_summary(sale), **voids.refund_preview(sale),
                    "created_at": sale.created_at, "cashier": names[sale.cashier_id],
                    "recipient_masked": mask_name(recipient.name) if recipient else None})
    return out
