"""Donation, donor, limit, pickup and return routes, raced (tests/test_exactly_once.py)."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from app.extensions import db
from tests import factories
from tests.donations import factories as df
from tests.race import Case, Prepared, Req


def _n(sql: str, **params):
    return db.session.scalar(sa.text(sql), params)


def _form(env, **fields) -> dict:
    return {"idempotency_key": env.form_key(), **fields}


def _shop_manager(env):
    shop = factories.shop()
    manager = factories.user("manager", shop=shop)
    return shop, manager


def _donations_of(donor_id: int):
    return lambda: _n("SELECT count(*) FROM donation WHERE donor_id = :d", d=donor_id)


def create_form(env) -> Prepared:
    shop, manager = _shop_manager(env)
    donor = df.donor()
    donor_id, code = donor.id, shop.code
    who = env.login(manager)
    form = _form(env, shop=code, donor_id=str(donor_id), expected_date="", note="",
                 **{"line-0-kind": "quilt", "line-0-description": "新棉被", "line-0-quantity": "5", "line-0-value": ""})
    return Prepared(Req("POST", "/donations/new", form=form, who=who), _donations_of(donor_id), 1)


def create_api(env) -> Prepared:
    shop = factories.shop()
    donor = df.donor()
    user = df.donor_user(donor)
    donor_id, code = donor.id, shop.code
    who = env.login(user)
    body = {"idempotency_key": str(uuid.uuid4()), "shop": code,
            "lines": [{"kind": "clothing", "description": "冬衣", "quantity": 20}]}
    return Prepared(Req("POST", "/api/v1/donations", json=body, who=who), _donations_of(donor_id), 1,
                    answers=_all_the_same(201))


def _pledge(env):
    shop, manager = _shop_manager(env)
    donation = df.pledged(shop=shop, user=manager)
    ids = donation.id, [line.id for line in donation.lines]
    who = env.login(manager)
    return who, ids


def _lots(donation_id: int):
    return lambda: (_n("SELECT count(*) FROM donation_lot WHERE donation_id = :d", d=donation_id),
                    _n("SELECT coalesce(sum(quantity_in), 0) FROM donation_lot WHERE donation_id = :d", d=donation_id))


def receive_form(env) -> Prepared:
    who, (donation_id, lines) = _pledge(env)
    form = _form(env, **{"line-0-id": str(lines[0]), "line-0-received": "3", "line-0-rejected": "0"})
    return Prepared(Req("POST", f"/donations/{donation_id}/receive", form=form, who=who), _lots(donation_id), (1, 3))


def receive_api(env) -> Prepared:
    who, (donation_id, lines) = _pledge(env)
    body = {"lines": [{"line_id": lines[0], "quantity_received": 3}]}
    return Prepared(Req("POST", f"/api/v1/donations/{donation_id}/receive", json=body, who=who), _lots(donation_id),
                    (1, 3))


def cancel_form(env) -> Prepared:
    who, (donation_id, _lines) = _pledge(env)
    return Prepared(Req("POST", f"/donations/{donation_id}/cancel", form=_form(env, reason="企业改期"), who=who),
                    lambda: (_n("SELECT status FROM donation WHERE id = :d", d=donation_id),
                             _n("SELECT count(*) FROM audit_log WHERE action = 'donation.cancel' AND target_id = :d",
                                d=str(donation_id))), ("cancelled", 1))


def create_donor(env) -> Prepared:
    who = env.login(factories.user("federation"))
    code = df.credit_code()
    form = _form(env, kind="enterprise", name="竞争测试爱心企业", credit_code=code, contact_name="李经理",
                 contact_phone="13900002222", address="")
    return Prepared(Req("POST", "/donations/donors", form=form, who=who),
                    lambda: _n("SELECT count(*) FROM donor WHERE credit_code = :c", c=code), 1)


def link_member(env) -> Prepared:
    who = env.login(factories.user("federation"))
    donor = df.donor()
    user = factories.user("donor")
    donor_id, user_id, username = donor.id, user.id, user.username
    db.session.commit()
    return Prepared(Req("POST", f"/donations/donors/{donor_id}/members", form={"username": username}, who=who),
                    lambda: (_n("SELECT count(*) FROM donor_member WHERE user_id = :u", u=user_id),
                             _n("SELECT count(*) FROM audit_log WHERE action = 'donor.link_user' AND target_id = :d",
                                d=str(donor_id))), (1, 1))


def set_limit(env) -> Prepared:
    """The city-wide limit of `other` items (no limit yet): N settings at once insert one row."""
    who = env.login(factories.user("admin"))
    db.session.execute(sa.text("DELETE FROM pickup_limit WHERE kind = 'other'"))
    db.session.commit()
    before = _n("SELECT count(*) FROM audit_log WHERE action = 'donation.limit'")
    return Prepared(Req("POST", "/donations/limits", form={"kind": "other", "quantity": "3", "period": "month"},
                        who=who),
                    lambda: (_n("SELECT quantity FROM pickup_limit WHERE kind = 'other'"),
                             _n("SELECT count(*) FROM audit_log WHERE action = 'donation.limit'") - before), (3, 1))


def _corner(env):
    """A shop whose donation corner holds 10 garments, a cashier, a manager and a recipient."""
    shop, manager = _shop_manager(env)
    cashier = factories.user("cashier", shop=shop)
    df.received(shop=shop, manager=manager,
                lines=[{"kind": "clothing", "description": "棉衣", "quantity": 10, "estimated_value_fen": None}])
    recipient = df.recipient("竞争领取人")
    return shop.id, cashier, manager, recipient.id


def _picked(recipient_id: int):
    return lambda: (_n("SELECT count(*) FROM pickup WHERE recipient_id = :r", r=recipient_id),
                    _n("SELECT coalesce(sum(pl.quantity), 0) FROM pickup_line pl JOIN pickup p ON p.id = pl.pickup_id "
                       "WHERE p.recipient_id = :r", r=recipient_id))


def confirm_pickup(env) -> Prepared:
    _shop, cashier, _m, recipient_id = _corner(env)
    who = env.login(cashier)
    form = {"idempotency_key": uuid.uuid4().hex, "recipient_id": str(recipient_id),
            "item-0-kind": "clothing", "item-0-description": "棉衣", "item-0-size": "", "item-0-qty": "2"}
    return Prepared(Req("POST", "/donations/pickup", form=form, who=who), _picked(recipient_id), (1, 2))


def create_pickup(env) -> Prepared:
    _shop, cashier, _m, recipient_id = _corner(env)
    who = env.login(cashier)
    body = {"idempotency_key": str(uuid.uuid4()), "recipient_id": recipient_id,
            "lines": [{"kind": "clothing", "quantity": 2}]}
    return Prepared(Req("POST", "/api/v1/pickups", json=body, who=who), _picked(recipient_id), (1, 2))


def return_pickup(env) -> Prepared:
    """Give back 1 of 3 pieces: N copies of that form at once give back one piece."""
    from app.donations import pickups
    from app.recipients import services as recipients

    _shop_id, cashier, manager, recipient_id = _corner(env)
    pickup = pickups.record_pickup(user=cashier, recipient_id=recipients.get_recipient(recipient_id).id,
                                   lines=[{"kind": "clothing", "quantity": 3}], idempotency_key=uuid.uuid4().hex)
    pickup_id, line_id = pickup.id, pickup.lines[0].id
    who = env.login(manager)
    form = _form(env, reason="尺码不合适", **{f"line-{line_id}": "1"})
    return Prepared(Req("POST", f"/donations/pickups/{pickup_id}/return", form=form, who=who),
                    lambda: _n("SELECT coalesce(sum(rl.quantity), 0) FROM pickup_return_line rl "
                               "JOIN pickup_return r ON r.id = rl.return_id WHERE r.pickup_id = :p", p=pickup_id), 1)


def pickup_scan(env) -> Prepared:
    """A scanned voucher names its holder: reads only (N copies, N identical redirects)."""
    from tests.vouchers import factories as vf

    _shop, cashier, _m, recipient_id = _corner(env)
    from app.recipients import services as recipients

    _v, code = vf.voucher(recipients.get_recipient(recipient_id), period="2026-12")
    who = env.login(cashier)
    return Prepared(Req("POST", "/donations/pickup/scan", form={"code": code}, who=who), _picked(recipient_id),
                    (0, 0), answers=lambda answers: _all_redirect_to(answers, f"recipient_id={recipient_id}"))


def _all_redirect_to(answers, needle):
    assert all(a.status in (302, 303) and needle in (a.location or "") for a in answers), \
        [(a.status, a.location) for a in answers]


def _all_the_same(status: int):
    def check(answers):
        ok = [a.body for a in answers if a.status == status]
        assert ok and all(b == ok[0] for b in ok), [(a.status, a.body) for a in answers]
        assert all(a.status in (status, 409) for a in answers), [(a.status, a.body) for a in answers]
    return check


FORM_KEY = "the form's idempotency key (a second copy is sent where the first went)"
PLEDGED = "one conditional UPDATE … WHERE status = 'pledged': the second is a 409"

CASES = {
    ("POST", "donations.create"): Case(create_form, FORM_KEY),
    ("POST", "api_donations.create_donation"): Case(create_api, "idempotency key: the same key answers the first"),
    ("POST", "donations.receive"): Case(receive_form, FORM_KEY + "; " + PLEDGED),
    ("POST", "api_donations.receive_donation"): Case(receive_api, PLEDGED),
    ("POST", "donations.cancel"): Case(cancel_form, FORM_KEY + "; " + PLEDGED),
    ("POST", "donations.create_donor"): Case(create_donor, FORM_KEY + "; unique credit code"),
    ("POST", "donations.link_member"): Case(link_member, "one link per user (unique): the same link again is "
                                                         "no change, another donor a 409"),
    ("POST", "donations.set_limit"): Case(set_limit, "an upsert that changes (and audits) only a different limit"),
    ("POST", "donations.confirm_pickup"): Case(confirm_pickup, "the pickup's idempotency key (unique on pickup)"),
    ("POST", "api_donations.create_pickup"): Case(create_pickup, "the pickup's idempotency key (unique on pickup)"),
    ("POST", "donations.pickup_scan"): Case(pickup_scan, "reads only"),
    ("POST", "donations.return_pickup"): Case(return_pickup, FORM_KEY + "; the pickup row is locked before "
                                                             "what was returned is read"),
}
