"""After any sequence of issue / redeem / refund / revoke / reissue / expire, every voucher's
balance equals the sum of its ledger rows and stays within 0..face."""

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.core.errors import DomainError
from app.extensions import db
from app.vouchers import issuance, services
from app.vouchers.models import Voucher, VoucherLedger
from tests.vouchers import factories

OPS = st.lists(
    st.one_of(
        st.tuples(st.just("redeem"), st.integers(0, 3), st.integers(1, 3000), st.integers(0, 45)),
        st.tuples(st.just("refund"), st.integers(0, 3), st.integers(1, 3000), st.integers(0, 45)),
        st.tuples(st.just("revoke"), st.integers(0, 3), st.just(0), st.integers(0, 45)),
        st.tuples(st.just("reissue"), st.integers(0, 3), st.just(0), st.integers(0, 45)),
        st.tuples(st.just("expire"), st.just(0), st.just(0), st.integers(0, 45)),
        st.tuples(st.just("issue"), st.just(0), st.just(0), st.integers(0, 45)),
    ),
    max_size=25)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS)
def test_balances_always_equal_their_ledger(app_ctx, ops):
    nested = db.session.begin_nested()
    try:
        people = [factories.recipient() for _ in range(2)]
        issuance.issue_vouchers(period="2031-01")
        start = dt.date(2031, 1, 1)
        for kind, pick, amount, day in ops:
            today = start + dt.timedelta(days=day)
            ids = list(db.session.scalars(
                select(Voucher.id).where(Voucher.recipient_id.in_([p.id for p in people]))
                .order_by(Voucher.id)))
            vid = ids[pick % len(ids)]
            step = db.session.begin_nested()
            try:
                if kind == "redeem":
                    services.redeem(vid, amount, today=today, ref_type="t", ref_id=1)
                elif kind == "refund":
                    services.refund(vid, amount, today=today, ref_type="t", ref_id=1)
                elif kind == "revoke":
                    services.revoke(vid, reason="t")
                elif kind == "reissue":
                    services.reissue(vid, reason="t")
                elif kind == "expire":
                    issuance.expire_vouchers(as_of=today)
                else:
                    issuance.issue_vouchers(period="2031-01")
                step.commit()
            except DomainError:
                step.rollback()
        sums = dict(db.session.execute(
            select(VoucherLedger.voucher_id, func.sum(VoucherLedger.amount_fen))
            .group_by(VoucherLedger.voucher_id)).all())
        for v in db.session.scalars(select(Voucher).where(Voucher.recipient_id.in_([p.id for p in people]))):
            assert sums[v.id] == v.balance_fen
            assert 0 <= v.balance_fen <= v.face_fen
            assert (v.status == "active") == (v.balance_fen > 0)
        assert issuance.verify() == []
        # each recipient still holds exactly one voucher from issuance for the period
        assert db.session.scalar(select(func.count()).where(
            Voucher.period == "2031-01", Voucher.reissue_no == 0,
            Voucher.recipient_id.in_([p.id for p in people]))) == 2
    finally:
        nested.rollback()
