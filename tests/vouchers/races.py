"""Issuance, reprint and replacement routes and the voucher commands, raced (tests/test_exactly_once.py)."""

from __future__ import annotations

import itertools
import uuid

import sqlalchemy as sa

from app.extensions import db
from tests import factories
from tests.race import Case, Prepared, Req
from tests.vouchers import factories as vf

_far = itertools.count(1)


def _n(sql: str, **params):
    return db.session.scalar(sa.text(sql), params)


def _fresh_period() -> str:
    """A month nobody has issued yet (one per case), so the effect is this run's alone."""
    n = next(_far)
    return f"{2040 + n // 12:04d}-{n % 12 + 1:02d}"


def _issued(period: str):
    return lambda: (_n("SELECT count(*) FROM voucher WHERE period = :p", p=period),
                    _n("SELECT count(*) FROM voucher_ledger l JOIN voucher v ON v.id = l.voucher_id "
                       "WHERE v.period = :p AND l.kind = 'issue'", p=period))


def _eligible() -> int:
    from app.vouchers import issuance
    from app.vouchers.services import get_programme

    vf.recipient()  # at least one
    return db.session.scalar(sa.select(sa.func.count()).select_from(issuance.eligible_query(get_programme())
                                                                     .subquery()))


def issue_page(env) -> Prepared:
    who = env.login(factories.user("federation"))
    period, n = _fresh_period(), _eligible()
    db.session.commit()
    return Prepared(Req("POST", "/vouchers/issue", form={"idempotency_key": env.form_key(), "period": period}, who=who),
                    lambda: (*_issued(period)(), _n("SELECT count(*) FROM issuance_run WHERE period = :p", p=period)),
                    (n, n, 1))


def issue_api(env) -> Prepared:
    who = env.login(factories.user("admin"))
    period, n = _fresh_period(), _eligible()
    db.session.commit()
    body = {"idempotency_key": str(uuid.uuid4()), "period": period}
    return Prepared(Req("POST", "/api/v1/issuance-runs", json=body, who=who),
                    lambda: (*_issued(period)(), _n("SELECT count(*) FROM issuance_run WHERE period = :p", p=period)),
                    (n, n, 1))


def _voucher(env):
    recipient = vf.recipient("补发测试")
    voucher, _code = vf.voucher(recipient, period="2026-12")
    return env.login(factories.user("federation")), recipient.id, voucher.id


def reprint(env) -> Prepared:
    """A reprint is an audited print: each one sent is one of its own."""
    who, _rid, vid = _voucher(env)
    db.session.commit()
    return Prepared(Req("POST", f"/vouchers/{vid}/reprint", form={"reason": "卡片污损"}, who=who),
                    lambda: _n("SELECT count(*) FROM audit_log WHERE action = 'voucher.reprint' AND target_id = :v",
                               v=str(vid)), env.workers, expect_after_retry=env.workers + 1)


def reissue(env) -> Prepared:
    who, rid, vid = _voucher(env)
    db.session.commit()
    form = {"idempotency_key": env.form_key(), "reason": "遗失"}
    return Prepared(Req("POST", f"/vouchers/{vid}/reissue", form=form, who=who),
                    lambda: (_n("SELECT count(*) FROM voucher WHERE recipient_id = :r", r=rid),
                             _n("SELECT status FROM voucher WHERE id = :v", v=vid),
                             _n("SELECT count(*) FROM voucher WHERE recipient_id = :r AND status = 'active'", r=rid)),
                    (2, "revoked", 1))


def issue_command(env) -> Prepared:
    period, n = _fresh_period(), _eligible()
    db.session.commit()
    return Prepared(Req(cli=("vouchers", "issue", "--period", period)), _issued(period), (n, n))


def expire_command(env) -> Prepared:
    """Vouchers of a month long past: N expiry runs at once expire each of them once."""
    import datetime as dt

    period = _fresh_period()
    year, month = map(int, period.split("-"))
    first = dt.date(year - 30, month, 1)
    ids = [vf.voucher(vf.recipient(), period=f"{first:%Y-%m}", valid_from=first,
                      valid_until=first + dt.timedelta(days=20))[0].id for _ in range(3)]
    db.session.commit()
    as_of = (first + dt.timedelta(days=40)).isoformat()

    def effect():
        return (sum(_n("SELECT count(*) FROM voucher WHERE id = :v AND status = 'expired'", v=v) for v in ids),
                sum(_n("SELECT count(*) FROM voucher_ledger WHERE voucher_id = :v AND kind = 'expire'", v=v)
                    for v in ids))

    return Prepared(Req(cli=("vouchers", "expire", "--as-of", as_of)), effect, (3, 3))


def _reads_only(make_req):
    """A look-up: N at once answer the same and write nothing (the voucher's ledger unchanged)."""
    def setup(env) -> Prepared:
        voucher, code = vf.voucher(vf.recipient(), period="2026-12")
        vid = voucher.id
        req = make_req(env, code)
        db.session.commit()
        return Prepared(req, lambda: (_n("SELECT count(*) FROM voucher_ledger WHERE voucher_id = :v", v=vid),
                                      _n("SELECT balance_fen FROM voucher WHERE id = :v", v=vid)), (1, 2900),
                        answers=_same_answers)
    return setup


def _same_answers(answers):
    assert all(a.status == answers[0].status for a in answers), [a.status for a in answers]
    assert answers[0].status == 200, answers[0].body


lookup = _reads_only(lambda env, code: Req("POST", "/api/v1/vouchers/lookup", json={"code": code},
                                           who=env.login(factories.user("cashier"))))
public_balance = _reads_only(lambda env, code: Req("POST", "/api/v1/vouchers/balance", json={"code": code}))
public_lookup_post = _reads_only(lambda env, code: Req("POST", "/v", form={"code": code}, who=env.anonymous()))

READS = "reads only"

CASES = {
    ("POST", "api_vouchers.lookup_voucher"): Case(lookup, READS),
    ("POST", "api_vouchers.public_balance"): Case(public_balance, READS),
    ("POST", "voucher_public.public_lookup_post"): Case(public_lookup_post, READS),
    ("POST", "vouchers.issue"): Case(issue_page, "the form's key; one voucher per recipient, programme and period "
                                                 "(unique); runs of a programme take turns on its row"),
    ("POST", "api_vouchers.create_issuance_run"): Case(issue_api, "idempotency key (replays the first run); one "
                                                                  "voucher per recipient and period (unique)"),
    ("POST", "vouchers.reprint"): Case(reprint, "writes only the audit row of a reprint: each is its own"),
    ("POST", "vouchers.reissue"): Case(reissue, "the form's key; the old voucher's row is locked and must be "
                                                "active: a second replacement is a 409"),
}

COMMANDS = {
    "vouchers issue": Case(issue_command, "one voucher per recipient, programme and period (unique); runs take "
                                          "turns on the programme's row"),
    "vouchers expire": Case(expire_command, "the due vouchers are locked FOR UPDATE; a second run finds none"),
    "vouchers sheets": Case(None, "reads (renders a PDF)"),
    "vouchers verify": Case(None, "reads only"),
}
