"""Helpers of the `flask verify` tests: run it, read what it found, and unlock an append-only
table inside the test's transaction (rolled back with it)."""

from __future__ import annotations

from sqlalchemy import text

from app.core.books import Window, describe
from app.core.db import drop_append_only_ddl
from app.extensions import db
from app.inventory import services as inventory
from app.pos.models import Sale, Void, VoidLine
from app.reports import verify


def unlock(table: str) -> None:
    """Let UPDATE through on an append-only ledger table until the test's transaction is rolled
    back (SQLite: DROP TRIGGER; PostgreSQL: ALTER TABLE ... DISABLE TRIGGER; both transactional)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only"))
        return
    for stmt in drop_append_only_ddl(table, "sqlite"):
        db.session.execute(text(stmt))


def failing(window: Window | None = None) -> dict[str, list[dict]]:
    """{identity: its differences} of every identity that disagrees."""
    db.session.flush()
    return {c["name"]: c["differences"] for c in verify.run(window)["checks"] if not c["ok"]}


def only(name: str, *also: str) -> list[dict]:
    """The differences of identity `name`, asserting that it and the identities `also` (which the
    same corruption necessarily breaks) are all that disagree."""
    found = failing()
    assert set(found) == {name, *also}, {k: [describe(d) for d in v] for k, v in found.items()}
    return found[name]


def cli(app, *args):
    """`flask --app wsgi verify ARGS` in the test's transaction."""
    db.session.flush()
    return app.test_cli_runner().invoke(args=["verify", *args])


def lines_of(result) -> list[str]:
    return [line.strip()[5:] for line in result.output.splitlines() if line.strip().startswith("DIFF ")]


def void_directly(sale: Sale, lines: dict[int, int], refunds: dict, *, manager, voucher_refund: int = 0,
                   shift_id=None) -> Void:
    """A void written with the models, bypassing the service (as a racing double tap would have),
    with its lines and stock moves."""
    by_id = {line.id: line for line in sale.lines}
    total = sum(by_id[lid].price_fen * q for lid, q in lines.items())
    v = Void(sale_id=sale.id, shop_id=sale.shop_id, shift_id=shift_id, manager_id=manager.id,
             business_date=sale.business_date, reason="重复提交", total_fen=total, voucher_refund_fen=voucher_refund,
             refunds=refunds, settlement_period=f"{sale.business_date:%Y-%m}")
    db.session.add(v)
    db.session.flush()
    for lid, q in lines.items():
        db.session.add(VoidLine(void_id=v.id, sale_line_id=lid, quantity=q, amount_fen=by_id[lid].price_fen * q))
        inventory.return_stock(shop_id=sale.shop_id, product_id=by_id[lid].product_id, quantity=q, kind="void",
                               ref_type="void", ref_id=v.id, user_id=manager.id)
    db.session.flush()
    return v
