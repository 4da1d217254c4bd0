import datetime as dt

from sqlalchemy import func, select

from app.core import audit
from app.extensions import db
from app.recipients import services as recipients
from app.vouchers import issuance, services
from app.vouchers.models import Voucher
from tests.vouchers import factories


def count(period):
    return db.session.scalar(select(func.count()).select_from(Voucher).where(Voucher.period == period))


def test_issuance_twice_is_issuance_once(app_ctx):
    rs = [factories.recipient(category=c) for c in ("dibao", "tekun", "dibao", "dibao_edge")]
    run = issuance.issue_vouchers(period="2027-03", batch_size=2)
    assert (run.eligible, run.created, run.skipped, run.total_fen) == (3, 3, 0, 8700)
    again = issuance.issue_vouchers(period="2027-03")
    assert (again.created, again.skipped, again.total_fen) == (0, 3, 0)
    assert count("2027-03") == 3
    holders = set(db.session.scalars(select(Voucher.recipient_id).where(Voucher.period == "2027-03")))
    assert holders == {rs[0].id, rs[1].id, rs[2].id}  # 低保边缘 is not eligible
    v = db.session.scalar(select(Voucher).where(Voucher.recipient_id == rs[0].id, Voucher.period == "2027-03"))
    assert (v.valid_from, v.valid_until, v.balance_fen) == (dt.date(2027, 3, 1), dt.date(2027, 3, 31), 2900)
    assert [(r.kind, r.amount_fen) for r in services.ledger_of(v.id)] == [("issue", 2900)]
    assert audit.search(action="vouchers.issue")[0].details["created"] == 0
    assert issuance.verify() == []


def test_only_active_recipients_get_vouchers(app_ctx):
    active = factories.recipient()
    factories.recipient(status="suspended")
    factories.recipient(status="exited")
    leaving = factories.recipient()
    recipients.set_status(leaving, "suspended", reason="核查中")
    run = issuance.issue_vouchers(period="2027-04")
    assert run.created == 1
    assert list(db.session.scalars(select(Voucher.recipient_id).where(Voucher.period == "2027-04"))) == [active.id]


def test_a_district_run_issues_only_that_district(app_ctx):
    a = factories.recipient(district_code="411002")
    factories.recipient(district_code="411024")
    run = issuance.issue_vouchers(period="2027-05", district_code="411002")
    assert run.created == 1
    assert list(db.session.scalars(select(Voucher.recipient_id).where(Voucher.period == "2027-05"))) == [a.id]
    assert issuance.issue_vouchers(period="2027-05").created == 1  # the rest of the city


def test_grace_days_extend_validity(app_ctx):
    programme = services.get_programme()
    programme.grace_days = 5
    factories.recipient()
    issuance.issue_vouchers(period="2027-02")
    v = db.session.scalar(select(Voucher).where(Voucher.period == "2027-02"))
    assert v.valid_until == dt.date(2027, 3, 5)


def test_expiry_moves_remaining_balances_and_is_idempotent(app_ctx):
    a, _ = factories.voucher(period="2026-10")
    b, _ = factories.voucher(period="2026-10")
    c, _ = factories.voucher(period="2026-11")
    services.redeem(a.id, 900, today=dt.date(2026, 10, 5), ref_type="sale", ref_id=1)
    services.redeem(b.id, 2900, today=dt.date(2026, 10, 5), ref_type="sale", ref_id=2)
    out = issuance.expire_vouchers(as_of=dt.date(2026, 11, 1))
    assert (out["expired"], out["expired_fen"]) == (1, 2000)
    assert (a.status, a.balance_fen, b.status, c.status) == ("expired", 0, "exhausted", "active")
    assert issuance.expire_vouchers(as_of=dt.date(2026, 11, 1))["expired"] == 0
    assert issuance.verify() == []


def test_exit_revokes_this_periods_unspent_vouchers(app_ctx):
    r = factories.recipient()
    v, _ = factories.voucher(r, period="2026-12")
    old, _ = factories.voucher(r, period="2026-11")
    services.redeem(v.id, 500, today=dt.date(2026, 12, 3), ref_type="sale", ref_id=1)
    out = recipients.set_status(r, "exited", reason="迁出", today=dt.date(2026, 12, 10))
    assert out == {"revoked": 1, "revoked_fen": 2400}
    assert (v.status, v.balance_fen, old.status) == ("revoked", 0, "active")  # last month's: expiry's job
    assert issuance.verify() == []
