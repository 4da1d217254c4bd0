"""Manager PINs: wrong PINs are counted (race-free), audited and lock the PIN until the manager
logs in with their password; the refusal outlives the void's rolled-back transaction."""

from __future__ import annotations

import multiprocessing as mp
import uuid

import pytest
import sqlalchemy as sa

from app.auth.models import User
from app.core.models import AuditLog
from app.extensions import db
from app.pos import pins
from app.pos.models import ManagerPin
from tests import dbutil, factories
from tests.pos.test_api import setup_shop


def _actions() -> list[str]:
    q = sa.select(AuditLog.action).where(AuditLog.action.like("pos.manager_pin%")).order_by(AuditLog.id)
    return list(db.session.scalars(q))


def _try(actor, shop_id, manager, pin):
    try:
        return pins.authorising_manager(actor, sale_shop_id=shop_id, manager_username=manager, manager_pin=pin)
    except Exception as exc:  # noqa: BLE001 - the test looks at the code
        return exc.code


def test_five_wrong_pins_lock_the_pin_and_each_is_audited(app_ctx):
    shop = factories.shop()
    cashier = factories.user("cashier", shop=shop)
    manager = factories.user("manager", shop=shop)
    pins.set_manager_pin(manager, "2468")
    codes = [_try(cashier, shop.id, manager.username, "1111") for _ in range(5)]
    assert codes == ["void_not_allowed"] * 4 + ["pin_locked"]
    assert pins.pin_state(manager) == {"set": True, "failed_attempts": 5, "locked": True}
    # locked: even the right PIN is refused now, and that attempt is audited too
    assert _try(cashier, shop.id, manager.username, "2468") == "pin_locked"
    assert _actions() == (["pos.manager_pin"] + ["pos.manager_pin_failed"] * 5 + ["pos.manager_pin_locked"]
                          + ["pos.manager_pin_failed"])
    failed = db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "pos.manager_pin_failed")
                                .order_by(AuditLog.id)).all()
    assert [f.details.get("failures") for f in failed] == [1, 2, 3, 4, 5, None]
    assert failed[-1].details["reason"] == "locked" and failed[0].target_id == str(manager.id)


def test_a_right_pin_resets_the_count(app_ctx):
    shop = factories.shop()
    cashier = factories.user("cashier", shop=shop)
    manager = factories.user("manager", shop=shop)
    pins.set_manager_pin(manager, "2468")
    for _ in range(4):
        assert _try(cashier, shop.id, manager.username, "0000") == "void_not_allowed"
    assert _try(cashier, shop.id, manager.username, "2468") == manager
    assert pins.pin_state(manager)["failed_attempts"] == 0
    for _ in range(4):  # four more wrong ones do not lock: the count started again
        assert _try(cashier, shop.id, manager.username, "0000") == "void_not_allowed"
    assert pins.pin_state(manager) == {"set": True, "failed_attempts": 4, "locked": False}


def test_unknown_or_foreign_managers_are_audited_but_count_nothing(app_ctx):
    shop = factories.shop()
    cashier = factories.user("cashier", shop=shop)
    elsewhere = factories.user("manager", shop=factories.shop())
    pins.set_manager_pin(elsewhere, "2468")
    assert _try(cashier, shop.id, "nobody-here", "1234") == "void_not_allowed"
    assert _try(cashier, shop.id, elsewhere.username, "2468") == "void_not_allowed"
    assert pins.pin_state(elsewhere)["failed_attempts"] == 0
    reasons = db.session.scalars(sa.select(AuditLog.details).where(AuditLog.action == "pos.manager_pin_failed")).all()
    assert [r["reason"] for r in reasons] == ["no_such_manager", "no_such_manager"]


def test_a_new_pin_unlocks(app_ctx):
    shop = factories.shop()
    cashier = factories.user("cashier", shop=shop)
    manager = factories.user("manager", shop=shop)
    pins.set_manager_pin(manager, "2468")
    for _ in range(5):
        _try(cashier, shop.id, manager.username, "1111")
    pins.set_manager_pin(manager, "8642")
    assert _try(cashier, shop.id, manager.username, "8642") == manager


def _void(c, sale_id, manager, pin):
    return c.post(f"/api/v1/sales/{sale_id}/void", json={"idempotency_key": str(uuid.uuid4()), "reason": "退货",
                                                          "manager": manager, "manager_pin": pin})


def _shop_with_sale(app, login):
    c, ids = setup_shop(app, login)
    assert c.post("/api/v1/shifts", json={"float_fen": 0}).status_code == 201
    sale = c.post("/api/v1/sales", json={"idempotency_key": str(uuid.uuid4()),
                                         "lines": [{"product_id": ids["product"], "qty": 1}],
                                         "payments": [{"method": "cash", "amount_fen": 2000}]}).get_json()
    with app.app_context():
        from app.auth import services as auth

        manager = factories.user("manager", shop=auth.get_shop_by_code(ids["shop"]))
        pins.set_manager_pin(manager, "2468")
        name = manager.username
        db.session.commit()
    return c, sale["id"], name


def test_through_the_api_the_lock_answers_423_and_a_password_login_unlocks(app, login, client):
    c, sale_id, manager = _shop_with_sale(app, login)
    answers = [_void(c, sale_id, manager, "1357") for _ in range(5)]
    assert [a.status_code for a in answers] == [403] * 4 + [423]
    locked = answers[-1].get_json()["error"]
    assert locked["code"] == "pin_locked" and "锁定" in locked["message"]
    # the void's transaction was rolled back, the refusals were kept
    with app.app_context():
        assert db.session.scalar(sa.select(ManagerPin.failed_attempts).join(User, User.id == ManagerPin.user_id)
                                 .where(User.username == manager)) == 5
        assert _actions().count("pos.manager_pin_failed") == 5
    assert _void(c, sale_id, manager, "2468").get_json()["error"]["code"] == "pin_locked"
    # the manager logs in with the password somewhere: unlocked, and audited
    assert client.post("/api/v1/session", json={"username": manager, "password": factories.PASSWORD}).status_code == 200
    with app.app_context():
        assert "pos.manager_pin_unlocked" in _actions()
    resp = _void(c, sale_id, manager, "2468")
    assert resp.status_code == 201, resp.get_json()


@pytest.mark.real_commits
def test_the_refusal_survives_the_rolled_back_void_with_real_commits(fresh_app):
    """Real commits on the database the suite runs on (SQLite or PostgreSQL): after the void
    answered 403, a new connection sees the count and the audit row, and no void."""
    from app.auth import services as auth
    from app.pos import checkout
    from app.pos import services as pos
    from tests.conftest import CSRFClient
    from tests.inventory import factories as inv

    with fresh_app.app_context():
        shop = factories.shop()
        cashier = factories.user("cashier", shop=shop)
        manager = factories.user("manager", shop=shop)
        pins.set_manager_pin(manager, "2468")
        product = inv.product("挂面 1kg", market=1200, charity=1000)
        inv.stock(shop, product, 5)
        pos.open_shift(cashier=cashier, float_fen=0)
        sale, _replayed = checkout.checkout(cashier=cashier, idempotency_key=str(uuid.uuid4()),
                                            lines=[{"product_id": product.id, "qty": 1}],
                                            payments=[{"method": "cash", "amount_fen": 1200}])
        token = auth.start_session(cashier, ip="127.0.0.1")
        sale_id, manager_name, manager_id = sale.id, manager.username, manager.id
        db.session.commit()
        db.session.remove()
    fresh_app.test_client_class = CSRFClient
    c = fresh_app.test_client()
    with c.session_transaction() as sess:
        sess["_user_id"] = token
    c.csrf_token = c.get("/api/v1/session").get_json()["csrf_token"]
    resp = _void(c, sale_id, manager_name, "1111")
    assert resp.status_code == 403 and resp.get_json()["error"]["code"] == "void_not_allowed"
    engine = sa.create_engine(fresh_app.config["FRESH_DATABASE_URL"])
    with engine.connect() as conn:
        assert conn.scalar(sa.text("SELECT failed_attempts FROM pos_manager_pin WHERE user_id = :u"),
                           {"u": manager_id}) == 1
        assert conn.scalar(sa.text("SELECT count(*) FROM audit_log WHERE action = 'pos.manager_pin_failed'")) == 1
        assert conn.scalar(sa.text("SELECT count(*) FROM pos_void")) == 0
    engine.dispose()
    assert _void(c, sale_id, manager_name, "2468").status_code == 201


# --- parallel guesses, as real processes against PostgreSQL --------------------------------

def _guesser(url, cashier_id, shop_id, manager, tries, barrier, out):
    from app.auth.models import User
    from tests.conftest import make_app

    app = make_app(url, PIN_MAX_FAILURES=20)
    codes = []
    with app.app_context():
        barrier.wait()
        for _ in range(tries):
            try:
                pins.authorising_manager(db.session.get(User, cashier_id), sale_shop_id=shop_id,
                                         manager_username=manager, manager_pin="0000")
                codes.append("ok")
            except Exception as exc:  # noqa: BLE001
                db.session.rollback()
                codes.append(getattr(exc, "code", repr(exc)))
        db.session.remove()
        db.engine.dispose()
    out.put(codes)


@pytest.mark.real_commits
@pytest.mark.postgres
def test_parallel_wrong_pins_are_all_counted_and_lock_once(fresh_app):
    if not dbutil.is_postgres():
        pytest.skip("races need PostgreSQL (TEST_DATABASE_URL)")
    url = fresh_app.config["FRESH_DATABASE_URL"]
    with fresh_app.app_context():
        shop = factories.shop()
        cashier = factories.user("cashier", shop=shop)
        manager = factories.user("manager", shop=shop)
        pins.set_manager_pin(manager, "2468")
        ids = (cashier.id, shop.id, manager.username, manager.id)
        db.session.commit()
    workers, tries = 8, 4  # 32 wrong PINs against a limit of 20
    ctx = mp.get_context("spawn")
    barrier, out = ctx.Barrier(workers), ctx.Queue()
    procs = [ctx.Process(target=_guesser, args=(url, ids[0], ids[1], ids[2], tries, barrier, out))
             for _ in range(workers)]
    for p in procs:
        p.start()
    codes = [c for _ in procs for c in out.get(timeout=120)]
    for p in procs:
        p.join(timeout=60)
    assert sorted(set(codes)) == ["pin_locked", "void_not_allowed"]
    assert codes.count("void_not_allowed") == 19  # the 20th wrong PIN locks and answers pin_locked
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        assert conn.scalar(sa.text("SELECT failed_attempts FROM pos_manager_pin WHERE user_id = :u"),
                           {"u": ids[3]}) == 20
        counts = dict(conn.execute(sa.text(
            "SELECT action, count(*) FROM audit_log WHERE action LIKE 'pos.manager_pin_%' GROUP BY action")).all())
    engine.dispose()
    assert counts == {"pos.manager_pin_failed": workers * tries, "pos.manager_pin_locked": 1}
