"""Factory functions for the donations tests. Each flushes; the test's transaction is rolled back."""

from __future__ import annotations

import datetime as dt
import itertools

from stdnum.cn import uscc

from app.core import crypto
from app.core.ids import make_resident_id
from app.core.masking import mask_id_number
from app.donations import donors as donor_services
from app.donations import services
from app.extensions import db
from app.recipients.models import ID_PURPOSE, Recipient
from tests import factories

_seq = itertools.count(1)


def credit_code(n: int | None = None) -> str:
    """A valid 统一社会信用代码 (GB 32100 check character computed by stdnum)."""
    n = next(_seq) if n is None else n
    body = f"91411000MA{n:07d}"[:17]
    return body + uscc.calc_check_digit(body)


def donor(name: str | None = None, *, kind: str = "enterprise", code: str | None = None):
    n = next(_seq)
    return donor_services.create_donor(kind=kind, name=name or f"测试爱心企业{n}",
                                       credit_code=(code or credit_code(n)) if kind == "enterprise" else None,
                                       contact_name="王经理", contact_phone="13800001111")


def donor_user(donor_obj=None, **kw):
    donor_obj = donor_obj or donor()
    user = factories.user("donor", **kw)
    donor_services.link_user(donor=donor_obj, username=user.username)
    return user


def recipient(name: str = "张三", *, district_code: str = "411002", status: str = "active"):
    n = next(_seq)
    number = make_resident_id(district_code, dt.date(1950, 1, 1) + dt.timedelta(days=n), n % 999 + 1)
    r = Recipient(name=name, id_number_enc=crypto.encrypt(number, purpose=ID_PURPOSE),
                  id_number_hash=crypto.blind_index(number, purpose=ID_PURPOSE),
                  id_masked=mask_id_number(number), id_last4=number[-4:], category="dibao",
                  district_code=district_code, status=status, community="七里店社区")
    db.session.add(r)
    db.session.flush()
    return r


def staff(role: str = "manager", shop=None):
    return factories.user(role, shop=shop)


def pledged(*, shop, donor_obj=None, lines=None, user=None):
    donor_obj = donor_obj or donor()
    user = user or factories.user("admin")
    lines = lines or [{"kind": "quilt", "description": "棉被", "quantity": 3, "estimated_value_fen": 45000}]
    return services.log_donation(user=user, shop_code=shop.code, donor_id=donor_obj.id, lines=lines)


def received(*, shop, donor_obj=None, lines=None, now=None, manager=None):
    """A donation counted in completely (every pledged piece accepted); `manager` may be an admin."""
    manager = manager or factories.user("manager", shop=shop)
    donation = pledged(shop=shop, donor_obj=donor_obj, lines=lines, user=manager)
    return services.receive_donation(
        user=manager, donation_id=donation.id, now=now,
        lines=[{"line_id": x.id, "quantity_received": x.quantity} for x in donation.lines])
