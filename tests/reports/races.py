"""Settlement, spot-check and feedback routes, and the reconcile and verify commands, raced
(tests/test_exactly_once.py)."""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa

from app.core.timeutil import Period, business_today
from app.extensions import db
from tests import factories
from tests.race import Case, Prepared, Req
from tests.reports.factories import sell, shop_with_staff
from tests.vouchers import factories as vf


def _n(sql: str, **params):
    return db.session.scalar(sa.text(sql), params)


def _audits(action: str, target: str):
    return lambda: _n("SELECT count(*) FROM audit_log WHERE action = :a AND target_id = :t", a=action, t=target)


def _voucher_sale(day: dt.date):
    """A voucher sale at a new shop on `day`: (shop, its federation clerk's login is made by the case)."""
    from tests.inventory import factories as inv

    s = shop_with_staff("411002")
    product = inv.product(market=1200, charity=1000, voucher_eligible=True)
    inv.stock(s.shop, product, 5)
    period = Period.of(day)
    voucher, _code = vf.voucher(vf.recipient(), period=str(period))
    sale = sell(s, voucher, [{"product_id": product.id, "qty": 1}], day=day)
    return s, sale


def _last_month() -> Period:
    return Period.of(business_today()).previous()


def prepare_settlement(env) -> Prepared:
    s, _sale = _voucher_sale(_last_month().first_day + dt.timedelta(days=3))
    shop_id, code = s.shop.id, s.shop.code
    who = env.login(factories.user("federation"))
    form = {"shop": code, "period": str(_last_month())}
    return Prepared(Req("POST", "/reports/settlements/prepare", form=form, who=who),
                    lambda: (_n("SELECT count(*) FROM rpt_settlement WHERE shop_id = :s", s=shop_id),
                             _n("SELECT count(*) FROM audit_log WHERE action = 'reports.settlement.prepare' "
                                "AND target_id IN (SELECT CAST(id AS VARCHAR) FROM rpt_settlement "
                                "WHERE shop_id = :s)", s=shop_id)), (1, 1))


def pay_settlement(env) -> Prepared:
    from app.reports import settlement

    s, _sale = _voucher_sale(_last_month().first_day + dt.timedelta(days=4))
    st = settlement.prepare(s.shop, _last_month())
    st_id, amount = st.id, st.amount_fen
    who = env.login(factories.user("federation"))
    form = {"idempotency_key": env.form_key(), "reference": "PAY-RACE-1", "expected_amount_fen": str(amount)}
    return Prepared(Req("POST", f"/reports/settlements/{st_id}/pay", form=form, who=who),
                    lambda: (_n("SELECT status FROM rpt_settlement WHERE id = :s", s=st_id),
                             _audits("reports.settlement.paid", str(st_id))()), ("paid", 1))


def _period_with_sale() -> str:
    _voucher_sale(business_today())
    return str(Period.of(business_today()))


def draw_spot_check(env) -> Prepared:
    period = _period_with_sale()
    seed = f"race-{uuid.uuid4().hex[:8]}"
    who = env.login(factories.user("federation"))
    form = {"idempotency_key": env.form_key(), "period": period, "mode": "size", "amount": "1", "seed": seed}
    return Prepared(Req("POST", "/reports/spot-checks", form=form, who=who),
                    lambda: _n("SELECT count(*) FROM rpt_spot_check WHERE seed = :s", s=seed), 1)


def _item():
    from app.reports import spotchecks

    check = spotchecks.draw(_period_with_sale(), size=1, seed=f"item-{uuid.uuid4().hex[:8]}")
    return check.items[0].id


def reveal_phone(env) -> Prepared:
    """Each reveal shows the number and is audited: N reveals are N audited views."""
    item_id = _item()
    who = env.login(factories.user("federation"))
    return Prepared(Req("POST", f"/reports/spot-checks/items/{item_id}/reveal", form={"reason": "回访"}, who=who),
                    _audits("reports.spot_check.reveal_phone", str(item_id)), env.workers,
                    expect_after_retry=env.workers + 1)


def record_outcome(env) -> Prepared:
    item_id = _item()
    who = env.login(factories.user("federation"))
    form = {"idempotency_key": env.form_key(), "outcome": "confirmed", "satisfaction": "5", "note": ""}
    return Prepared(Req("POST", f"/reports/spot-checks/items/{item_id}/outcome", form=form, who=who),
                    lambda: (_n("SELECT outcome FROM rpt_spot_check_item WHERE id = :i", i=item_id),
                             _audits("reports.spot_check.outcome", str(item_id))()), ("confirmed", 1))


def _feedback():
    from app.reports import feedback

    _s, sale = _voucher_sale(business_today())
    return sale.receipt_no, feedback.submit(sale, rating=4, comment="很好").id


def answer_feedback(env) -> Prepared:
    _receipt, fb_id = _feedback()
    who = env.login(factories.user("federation"))
    form = {"idempotency_key": env.form_key(), "answer": "已回电致谢"}
    return Prepared(Req("POST", f"/reports/feedback/{fb_id}/answer", form=form, who=who),
                    _audits("reports.feedback.answer", str(fb_id)), 1)


def _receipt():
    from app.pos.receipt_data import feedback_token

    _s, sale = _voucher_sale(business_today())
    sale_id, receipt = sale.id, sale.receipt_no
    db.session.commit()
    return sale_id, receipt, feedback_token(receipt)


def feedback_submit(env) -> Prepared:
    sale_id, receipt, token = _receipt()
    form = {"rating": "5", "kind": "comment", "comment": "谢谢"}
    return Prepared(Req("POST", f"/f/{receipt}/{token}", form=form, who=env.anonymous()),
                    lambda: _n("SELECT count(*) FROM rpt_feedback WHERE sale_id = :s", s=sale_id), 1)


def feedback_without_token(env) -> Prepared:
    """A receipt number without its token (a guess): 404 for every copy, nothing written."""
    sale_id, receipt, _token = _receipt()
    form = {"rating": "1", "kind": "complaint", "comment": "抢先评价"}
    return Prepared(Req("POST", f"/f/{receipt}", form=form, who=env.anonymous()),
                    lambda: _n("SELECT count(*) FROM rpt_feedback WHERE sale_id = :s", s=sale_id), 0,
                    answers=lambda answers: _all(answers, 404))


def _all(answers, status):
    assert all(a.status == status for a in answers), [a.status for a in answers]


FORM_KEY = "the form's idempotency key (a second copy is sent where the first went)"

CASES = {
    ("POST", "reports.prepare_settlement"): Case(prepare_settlement, "the shop's row is locked; one statement per "
                                                                     "shop and month (unique); unchanged figures "
                                                                     "are no new event"),
    ("POST", "reports.pay_settlement"): Case(pay_settlement, FORM_KEY + "; shop and settlement rows locked, then "
                                                             "UPDATE … WHERE status = 'draft'"),
    ("POST", "reports.draw_spot_check"): Case(draw_spot_check, FORM_KEY),
    ("POST", "reports.reveal_phone"): Case(reveal_phone, "an audited view: each reveal is one of its own"),
    ("POST", "reports.record_outcome"): Case(record_outcome, FORM_KEY),
    ("POST", "reports.answer_feedback"): Case(answer_feedback, FORM_KEY),
    ("POST", "reports_public.feedback_submit"): Case(feedback_submit, "one feedback per sale (unique): 409"),
    ("POST", "reports_public.feedback_without_token"): Case(feedback_without_token, "writes nothing: 404"),
}

COMMANDS = {
    "reconcile": Case(None, "reads (writes only the audit row of the report)"),
    "verify": Case(None, "reads only (one read-only snapshot)"),
}
