"""Monthly issuance, expiry and the ledger check: set-based, for 100,000 recipients at a time.

Issuance is one transaction: the recipients still missing a voucher are selected in one query,
codes are made in Python (they must come from `secrets`), the vouchers are written in bulk
(`app/vouchers/bulk.py`: COPY into a staging table and one INSERT ... SELECT ... ON CONFLICT DO
NOTHING on PostgreSQL; the driver's executemany of one prepared INSERT ... ON CONFLICT DO NOTHING
on SQLite), and the `issue` ledger rows with one INSERT ... SELECT. The unique (programme,
recipient, period, reissue_no) constraint is what makes a second or concurrent run create nothing
more; a run killed half-way commits nothing.
"""

from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _
from sqlalchemy import String, cast, func, insert, literal, select, update

from app.core import audit, crypto
from app.core.db import lock, utcnow
from app.core.errors import InvalidInput
from app.core.timeutil import Period, business_today
from app.extensions import db
from app.recipients.models import Recipient
from app.vouchers import bulk, codes
from app.vouchers.models import IssuanceRun, Voucher, VoucherLedger
from app.vouchers.services import CODE_PURPOSE, get_programme

BATCH = 2000


def eligible_query(programme, *, district_code: str | None = None):
    q = select(Recipient.id).where(Recipient.status == "active",
                                   Recipient.category.in_(programme.category_list))
    if district_code:
        q = q.where(Recipient.district_code == district_code)
    return q


def issue_vouchers(*, period: str | Period, programme_code: str | None = None,
                   district_code: str | None = None, batch_size: int = BATCH) -> IssuanceRun:
    """Issue the period's vouchers to every eligible active recipient still without one."""
    period = Period.parse(str(period))
    programme = get_programme(programme_code)
    # runs of one programme take turns: a second run (a double click, a retry, the timer and a
    # clerk at once) starts when the first has committed, and finds its vouchers issued
    lock(db.session, programme)
    if not programme.active:
        raise InvalidInput(_("购物券项目已停用：%(code)s", code=programme.code))
    actor = audit.current_actor()
    now = utcnow()
    valid_from = period.first_day
    valid_until = period.last_day + dt.timedelta(days=programme.grace_days)
    run = IssuanceRun(programme_id=programme.id, period=str(period), district_code=district_code,
                      user_id=actor.user_id, username=actor.username[:80], created_at=now)
    db.session.add(run)
    db.session.flush()

    # Two index-friendly reads and a set difference in Python (100,000 ints are a few MB): an
    # anti-join is at the mercy of the planner's statistics right after a bulk insert (seen: 28 s
    # for a no-op rerun of 10,000 on PostgreSQL before autovacuum had analysed the table).
    eligible_ids = list(db.session.scalars(eligible_query(programme, district_code=district_code)))
    eligible_count = len(eligible_ids)
    have = set(db.session.scalars(
        select(Voucher.recipient_id).where(Voucher.programme_id == programme.id,
                                           Voucher.period == str(period), Voucher.reissue_no == 0)))
    missing = sorted(rid for rid in eligible_ids if rid not in have)
    del eligible_ids, have

    seal = crypto.sealer(CODE_PURPOSE)
    same = {"programme_id": programme.id, "period": str(period), "reissue_no": 0,
            "face_fen": programme.face_fen, "balance_fen": programme.face_fen, "status": "active",
            "valid_from": valid_from, "valid_until": valid_until, "issuance_run_id": run.id,
            "created_at": now}

    def rows(recipient_ids):
        for recipient_id in recipient_ids:
            code = codes.new_code()
            yield recipient_id, seal.encrypt(code), seal.index(code), code[-4:]

    bulk.insert_vouchers(db.session, same, rows(missing), batch_size=batch_size)
    del missing

    mine = select(Voucher.id, literal("issue"), Voucher.face_fen, Voucher.face_fen,
                  literal("issuance_run"), cast(literal(run.id), String), literal(actor.username[:80]),
                  literal(now, type_=VoucherLedger.__table__.c.created_at.type)
                  ).where(Voucher.issuance_run_id == run.id)
    db.session.execute(insert(VoucherLedger.__table__).from_select(
        ["voucher_id", "kind", "amount_fen", "balance_after_fen", "ref_type", "ref_id", "actor",
         "created_at"], mine))
    created = db.session.scalar(select(func.count()).where(Voucher.issuance_run_id == run.id))
    run.eligible = eligible_count
    run.created = created
    run.skipped = eligible_count - created
    run.total_fen = created * programme.face_fen
    db.session.flush()
    audit.record("vouchers.issue", target=run,
                 details={"period": str(period), "programme": programme.code,
                          "district": district_code, "eligible": eligible_count,
                          "created": created, "skipped": run.skipped, "total_fen": run.total_fen})
    return run


def list_runs(limit: int = 50) -> list[IssuanceRun]:
    return list(db.session.scalars(select(IssuanceRun).order_by(IssuanceRun.id.desc()).limit(limit)))


def expire_vouchers(*, as_of: dt.date | None = None, batch_size: int = BATCH) -> dict:
    """Expire every active voucher whose last valid day is before `as_of` (a business date).

    Idempotent: a second run finds nothing. The rows are locked (FOR UPDATE on PostgreSQL; the
    SQLite transaction holds the write lock from BEGIN IMMEDIATE) so no till spends a balance
    that is being expired.
    """
    as_of = as_of or business_today()
    actor = audit.current_actor().username[:80]
    now = utcnow()
    due = db.session.execute(
        select(Voucher.id, Voucher.balance_fen)
        .where(Voucher.status == "active", Voucher.valid_until < as_of)
        .order_by(Voucher.id).with_for_update()).all()
    total = 0
    for start in range(0, len(due), batch_size):
        chunk = due[start:start + batch_size]
        ids = [vid for vid, _b in chunk]
        rows = [{"voucher_id": vid, "kind": "expire", "amount_fen": -bal, "balance_after_fen": 0,
                 "ref_type": "expiry", "ref_id": as_of.isoformat(), "actor": actor, "created_at": now}
                for vid, bal in chunk if bal > 0]
        if rows:
            db.session.execute(insert(VoucherLedger.__table__), rows)
        result = db.session.execute(
            update(Voucher).where(Voucher.id.in_(ids), Voucher.status == "active")
            .values(status="expired", balance_fen=0, closed_at=now)
            .execution_options(synchronize_session=False))
        if result.rowcount != len(ids):  # cannot happen while the rows are locked
            raise RuntimeError("expiry: vouchers changed under a lock")
        total += sum(bal for _vid, bal in chunk)
    db.session.expire_all()
    if due:
        audit.record("vouchers.expire", target_type="voucher",
                     details={"as_of": as_of.isoformat(), "expired": len(due), "expired_fen": total})
    return {"as_of": as_of.isoformat(), "expired": len(due), "expired_fen": total}


def verify() -> list[dict]:
    """Vouchers whose balance differs from the sum of their ledger rows, lies outside
    0..face, or contradicts their status (the whole check is `books.disagreeing_vouchers`).
    Empty when everything agrees."""
    from app.vouchers.books import disagreeing_vouchers

    return [{k: v[k] for k in ("voucher_id", "status", "balance_fen", "face_fen", "ledger_fen")}
            for v in disagreeing_vouchers()]


def totals(period: str | None = None) -> dict:
    """Ledger sums by kind (for the issuance page and the CLI), optionally for one period."""
    q = select(VoucherLedger.kind, func.count(), func.coalesce(func.sum(VoucherLedger.amount_fen), 0))
    if period:
        q = q.join(Voucher, Voucher.id == VoucherLedger.voucher_id).where(Voucher.period == period)
    out = {k: {"count": 0, "fen": 0} for k in ("issue", "redeem", "refund", "expire", "revoke")}
    for kind, n, fen in db.session.execute(q.group_by(VoucherLedger.kind)):
        out[kind] = {"count": n, "fen": int(fen)}
    return out
