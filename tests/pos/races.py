"""The till's writing routes and commands, raced (tests/test_exactly_once.py runs them)."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from app.extensions import db
from app.pos import services as pos
from tests import factories
from tests.inventory import factories as inv
from tests.race import Case, Prepared, Req


def _count(table: str, where: str = "1=1", **params) -> int:
    return db.session.scalar(sa.text(f"SELECT count(*) FROM {table} WHERE {where}"), params)


class Ids:
    """Plain ids of what a setup made (the ORM objects expire at the commit)."""

    def __init__(self, **objects):
        for name, obj in objects.items():
            setattr(self, name, obj.id)


def _shop_with_cashier(env, *, shift: bool = True):
    shop = factories.shop()
    cashier = factories.user("cashier", shop=shop)
    product = inv.product(market=1290, charity=1290)
    inv.stock(shop, product, 10)
    if shift:
        pos.open_shift(cashier=cashier, float_fen=10000)
    db.session.flush()
    ids = Ids(shop=shop, cashier=cashier, product=product)
    db.session.commit()
    return ids, cashier


def _stock(shop_id, product_id):
    return db.session.scalar(sa.text("SELECT on_hand FROM inv_stock_level WHERE shop_id = :s AND product_id = :p"),
                             {"s": shop_id, "p": product_id})


def open_shift(env) -> Prepared:
    ids, cashier = _shop_with_cashier(env, shift=False)
    who = env.login(cashier)
    req = Req("POST", "/api/v1/shifts", json={"idempotency_key": str(uuid.uuid4()), "float_fen": 5000}, who=who)
    return Prepared(req, lambda: _count("pos_shift", "cashier_id = :c", c=ids.cashier), 1,
                    answers=lambda answers: _same_success(answers, 201))


def close_shift(env) -> Prepared:
    ids, cashier = _shop_with_cashier(env)
    who = env.login(cashier)
    req = Req("POST", "/api/v1/shifts/current/close", json={"idempotency_key": str(uuid.uuid4()), "counted_fen": 10000},
              who=who)
    return Prepared(req, lambda: (_count("pos_z_report", "shop_id = :s", s=ids.shop),
                                  _count("pos_shift", "cashier_id = :c AND closed_at IS NULL", c=ids.cashier)),
                    (1, 0), answers=lambda answers: _same_success(answers, 201))


def create_sale(env) -> Prepared:
    ids, cashier = _shop_with_cashier(env)
    who = env.login(cashier)
    body = {"idempotency_key": str(uuid.uuid4()), "lines": [{"product_id": ids.product, "qty": 1}],
            "payments": [{"method": "cash", "amount_fen": 2000}]}
    return Prepared(Req("POST", "/api/v1/sales", json=body, who=who),
                    lambda: (_count("pos_sale", "shop_id = :s", s=ids.shop), _stock(ids.shop, ids.product)), (1, 9),
                    answers=lambda answers: _same_success(answers, 201))


def quote_sale(env) -> Prepared:
    """Pricing a basket reads only: N quotes at once answer the same and sell nothing."""
    ids, cashier = _shop_with_cashier(env)
    who = env.login(cashier)
    body = {"lines": [{"product_id": ids.product, "qty": 2}]}

    def same_quote(answers):
        _same_success(answers, 200)
        assert all(a.body == answers[0].body for a in answers)

    return Prepared(Req("POST", "/api/v1/sales/quote", json=body, who=who),
                    lambda: (_count("pos_sale", "shop_id = :s", s=ids.shop), _stock(ids.shop, ids.product),
                             _count("audit_log")), (0, 10, _count("audit_log")), answers=same_quote)


def print_z_report(env) -> Prepared:
    """Printing a Z report writes nothing (no printer here: the answer is `mode: browser`)."""
    ids, cashier = _shop_with_cashier(env)
    report = pos.close_shift(cashier=cashier, counted_fen=10000)
    db.session.flush()
    report_id = report.id
    db.session.commit()
    who = env.login(cashier)
    audits = _count("audit_log")
    return Prepared(Req("POST", f"/api/v1/z-reports/{report_id}/print", json={}, who=who),
                    lambda: (_count("pos_z_report", "shop_id = :s", s=ids.shop), _count("audit_log")), (1, audits),
                    answers=lambda answers: _same_success(answers, 200))


def cash_sale(env, qty: int = 1):
    """A cash sale of ¥12.90 a unit at a shop with a manager: (ids with sale, shop, product; manager)."""
    from app.auth.models import Shop
    from app.pos import checkout

    ids, cashier = _shop_with_cashier(env)
    manager = factories.user("manager", shop=db.session.get(Shop, ids.shop))
    sale, _ = checkout.checkout(cashier=cashier, idempotency_key=str(uuid.uuid4()),
                                lines=[{"product_id": ids.product, "qty": qty}],
                                payments=[{"method": "cash", "amount_fen": 1290 * qty}])
    db.session.flush()
    ids.sale = sale.id
    db.session.commit()
    return ids, manager


def void_sale(env) -> Prepared:
    """The double-tapped void of issue 10: a ¥12.90 cash sale voided by N identical requests."""
    ids, manager = cash_sale(env)
    who = env.login(manager)
    body = {"idempotency_key": str(uuid.uuid4()), "reason": "顾客退货"}
    req = Req("POST", f"/api/v1/sales/{ids.sale}/void", json=body, who=who)
    return Prepared(req, lambda: (_count("pos_void", "sale_id = :s", s=ids.sale), _stock(ids.shop, ids.product)),
                    (1, 10), answers=lambda answers: _same_success(answers, 201))


def print_sale(env) -> Prepared:
    """Printing writes nothing but, for a reprint, its audit row: each reprint is one of its own."""
    ids, manager = cash_sale(env)
    who = env.login(manager)
    req = Req("POST", f"/api/v1/sales/{ids.sale}/print", json={"reprint": True}, who=who)

    def reprints():
        return _count("audit_log", "action = 'pos.receipt_reprint' AND target_id = :t", t=str(ids.sale))

    return Prepared(req, reprints, env.workers, expect_after_retry=env.workers + 1)


def register_terminal(env) -> Prepared:
    """Registering this browser as a till: each request is a registration of its own (a cookie
    for the browser that sent it, audited)."""
    from app.auth.models import Shop

    ids, _cashier = _shop_with_cashier(env, shift=False)
    pos.create_terminal(shop=db.session.get(Shop, ids.shop), code="T1")
    manager = factories.user("manager", shop=db.session.get(Shop, ids.shop))
    db.session.commit()
    who = env.login(manager)
    return Prepared(Req("POST", "/pos/terminal", form={"code": "T1"}, who=who),
                    lambda: _count("audit_log", "action = 'pos.terminal_register' AND user_id = :u", u=who.user_id),
                    env.workers, expect_after_retry=env.workers + 1)


def set_pin_form(env) -> Prepared:
    """A manager's own PIN from the page (/pos/pin), the same form sent N times at once."""
    manager = factories.user("manager", shop=factories.shop())
    db.session.commit()
    who = env.login(manager)
    form = {"idempotency_key": env.form_key(), "password": factories.PASSWORD, "pin": "2468", "pin_again": "2468"}

    def effect():
        return (_count("pos_manager_pin", "user_id = :u", u=who.user_id),
                _count("audit_log", "action = 'pos.manager_pin' AND target_id = :t", t=str(who.user_id)))

    return Prepared(Req("POST", "/pos/pin", form=form, who=who), effect, (1, 1))


def _same_success(answers, status: int) -> None:
    """Every answer is the first answer (replayed) or a 409 with a stable code."""
    ok = [a.body for a in answers if a.status == status]
    assert ok and all(b == ok[0] for b in ok), [a.status for a in answers]
    others = [a for a in answers if a.status != status]
    assert all(a.status == 409 and a.code for a in others), [(a.status, a.body) for a in others]


def set_pin_command(env) -> Prepared:
    manager = factories.user("manager", shop=factories.shop())
    user_id, username = manager.id, manager.username
    db.session.commit()
    return Prepared(Req(cli=("pos", "set-pin", username, "--pin-stdin"), cli_input="2468\n"),
                    lambda: _count("pos_manager_pin", "user_id = :u", u=user_id), 1)


def terminal_command(env) -> Prepared:
    shop = factories.shop()
    shop_id, code = shop.id, shop.code
    db.session.commit()
    return Prepared(Req(cli=("pos", "terminal", code, "T9")),
                    lambda: _count("pos_terminal", "shop_id = :s", s=shop_id), 1)


FORM_KEY = "the form's idempotency key (a second copy is sent where the first went)"

CASES = {
    ("POST", "api_pos.open_shift"): Case(open_shift, "idempotency key; one open shift per cashier (partial "
                                                     "unique index, a second opening is shift_already_open)"),
    ("POST", "api_pos.close_shift"): Case(close_shift, "idempotency key; the open shift is locked FOR UPDATE"),
    ("POST", "api_pos.create_sale"): Case(create_sale, "idempotency key, unique on pos_sale"),
    ("POST", "api_pos.quote_sale"): Case(quote_sale, "reads only"),
    ("POST", "api_pos.void_sale"): Case(void_sale, "idempotency key; the sale row is locked before its voids "
                                                   "are read"),
    ("POST", "api_pos.print_z_report"): Case(print_z_report, "writes nothing: it prints"),
    ("POST", "api_pos.print_sale"): Case(print_sale, "writes only the audit row of a reprint: each is its own"),
    ("POST", "pos.terminal"): Case(register_terminal, "each registration is one browser's own (cookie, audit)"),
    ("POST", "pos.set_pin"): Case(set_pin_form, FORM_KEY + "; upsert of the manager's one PIN row"),
}

COMMANDS = {
    "pos set-pin": Case(set_pin_command, "upsert of the manager's one PIN row"),
    "pos terminal": Case(terminal_command, "unique (shop, code): a second is a conflict"),
    "printer test": Case(None, "prints a sample; writes nothing to the database"),
    "printer profiles": Case(None, "reads only"),
}
