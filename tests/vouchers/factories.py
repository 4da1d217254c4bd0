"""Factories for recipients and vouchers (they go through the real services and flush)."""

from __future__ import annotations

import datetime as dt
import itertools

from app.core.ids import make_resident_id
from app.recipients import services as recipients
from app.vouchers import codes, services
from app.vouchers.models import Voucher

_seq = itertools.count(1)


def id_number(district_code: str = "411002", *, birth: dt.date | None = None) -> str:
    n = next(_seq)
    birth = birth or dt.date(1940 + n % 50, 1 + n % 12, 1 + n % 28)
    return make_resident_id(district_code, birth, n % 1000)


def recipient(name: str | None = None, *, category: str = "dibao", district_code: str = "411002",
              status: str = "active", township: str = "七里店街道", community: str = "文峰社区", **kw):
    n = next(_seq)
    return recipients.create_recipient(
        name=name or f"测试{n}", id_number=kw.pop("id_number", None) or id_number(district_code),
        category=category, district_code=district_code, township=township, community=community,
        status=status, **kw)


def voucher(recipient_obj=None, *, period: str = "2026-12", face_fen: int = 2900,
            valid_from: dt.date | None = None, valid_until: dt.date | None = None) -> tuple[Voucher, str]:
    """One voucher with an `issue` ledger row, outside an issuance run; returns it and its code."""
    from app.core.timeutil import Period

    r = recipient_obj or recipient()
    p = Period.parse(period)
    code = codes.new_code()
    programme = services.get_programme()
    v = Voucher(programme_id=programme.id, recipient_id=r.id, period=period, reissue_no=0,
                face_fen=face_fen, balance_fen=face_fen, status="active",
                valid_from=valid_from or p.first_day, valid_until=valid_until or p.last_day,
                **services.code_fields(code))
    from app.extensions import db

    db.session.add(v)
    db.session.flush()
    services._ledger(v.id, "issue", face_fen, face_fen, ref_type="test", ref_id=None)
    return v, code
