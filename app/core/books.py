"""The books' checks: what each domain's `books.py` declares and returns, and how a difference reads.

Every ledger identity the system relies on is checked by a domain's read-only service function
(`app/<domain>/books.py`), set-based (one or a few GROUP BY / join statements, never a loop over
sales), returning a list of differences. `app/reports/verify.py` collects them all for
`flask --app wsgi verify` and the reconciliation page.

A difference is a plain dict, the same in the JSON output and on the page:

    {"check": "pos.void_quantity",
     "objects": {"shop_id": 3, "sale_id": 12, "receipt_no": "WD01-20261103-0001", "line_id": 40},
     "figures": {"voided": 2, "sold": 1},
     "rule": "voided ≤ sold"}

`figures` holds the two figures that disagree (money in fen: names ending in `_fen`), `rule`
the relation they should have. `describe()` renders it as the one line of text the command
prints and the page shows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import String, cast, func, literal
from sqlalchemy.engine import Engine

from app.core.db import READ_SNAPSHOT
from app.core.timeutil import business_day_bounds
from app.extensions import db

DIFFERENCE_LIMIT = 1000  # differences listed per identity (the count says if there are more)

# how the text names an object, in this order (shop_id is left out when the shop code is known)
OBJECT_LABELS = (
    ("shop", "shop"), ("shop_id", "shop_id"), ("programme", "programme"), ("period", "period"),
    ("day", "day"), ("sale_id", "sale"), ("receipt_no", "receipt"), ("line_id", "line"),
    ("void_id", "void"), ("void_line_id", "void_line"), ("shift_id", "shift"), ("z_number", "Z"),
    ("voucher_id", "voucher"), ("status", "status"), ("product_id", "product"), ("ref", "ref"), ("key", "key"),
    ("document", "document"), ("settlement", "settlement"), ("lot_id", "lot"), ("pickup_id", "pickup"),
    ("pickup_line_id", "pickup_line"), ("recipient_id", "recipient"), ("kind", "kind"),
    ("period_key", "period_key"), ("counter", "counter"), ("field", "field"),
)
VIOLATED = {"=": "≠", "≤": ">", "≥": "<"}


@dataclass(frozen=True)
class Window:
    """What part of the books a run covers.

    `first`/`last`: business dates of the till's records (sales and their lines, payments, voids
    and stock moves; shifts opened, receipt numbers); None = from the beginning / to the end.
    `period`: the voucher month (YYYY-MM) of the voucher checks and the reconciliation; None =
    every month, or with `first` every month from first's on. Checks without a date (stock on
    hand, donation lots, numbering per shop, ...) always cover everything.
    """

    first: dt.date | None = None
    last: dt.date | None = None
    period: str | None = None

    @property
    def dated(self) -> bool:
        return self.first is not None or self.last is not None

    def days(self, column):
        """Conditions on a business-date column."""
        out = []
        if self.first is not None:
            out.append(column >= self.first)
        if self.last is not None:
            out.append(column <= self.last)
        return out

    def months(self, column):
        """Conditions on a voucher-month (YYYY-MM) column."""
        if self.period is not None:
            return [column == self.period]
        if self.first is not None:
            return [column >= f"{self.first:%Y-%m}"]
        return []

    def instants(self, column):
        """Conditions on a UTC timestamp column, by business day."""
        out = []
        if self.first is not None:
            out.append(column >= business_day_bounds(self.first)[0])
        if self.last is not None:
            out.append(column < business_day_bounds(self.last)[1])
        return out


@dataclass(frozen=True)
class Check:
    """One set-based pass over a domain's books and the identities it checks.

    `identities` maps each identity's name (`domain.what`) to its title (Chinese msgid,
    lazily translated); `run(window)` returns the differences of all of them. `dated` says
    whether the window's dates or month narrow it (else it always covers everything)."""

    run: Callable[[Window], list[dict]]
    identities: dict = field(default_factory=dict)
    dated: bool = True


def run_checks(checks, window: Window | None = None) -> list[dict]:
    """Every difference the checks find (what a domain's own `verify` command prints)."""
    return [d for check in checks for d in check.run(window or Window())]


def difference(check: str, objects: dict, left: tuple[str, object], right: tuple[str, object],
               relation: str = "=") -> dict:
    """One difference: `left relation right` should hold and does not."""
    return {"check": check, "objects": {k: _plain(v) for k, v in objects.items() if v is not None},
            "figures": {left[0]: _plain(left[1]), right[0]: _plain(right[1])},
            "rule": f"{left[0]} {relation} {right[0]}"}


def _plain(value):
    """JSON-ready: dates as ISO text, PostgreSQL's numeric sums as int."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value)
    return value


def describe(d: dict) -> str:
    """The difference as one line: which identity, which objects, the two figures."""
    objects = d["objects"]
    parts = [f"{label}={objects[key]}" for key, label in OBJECT_LABELS
             if key in objects and not (key == "shop_id" and "shop" in objects)]
    parts += [f"{k}={v}" for k, v in objects.items() if k not in dict(OBJECT_LABELS)]
    (a, av), (b, bv) = d["figures"].items()
    relation = d["rule"].split(" ")[1] if d.get("rule") else "="
    return f"{d['check']} {' '.join(parts)}: {a}={av} {VIOLATED.get(relation, '≠')} {b}={bv}"


def read_snapshot() -> None:
    """Run what follows in one read-only snapshot of the database, so that every check sees the
    same state while tills go on writing (a sale committed between two statements of one check
    would otherwise show as a difference): REPEATABLE READ on PostgreSQL, a deferred transaction
    in WAL mode on SQLite (which takes no write lock). For commands; a no-op when the session is
    bound to a connection already in a transaction (the tests')."""
    bind = db.session.get_bind()
    if not isinstance(bind, Engine):
        return
    db.session.rollback()
    options = {READ_SNAPSHOT: True}
    if bind.dialect.name == "postgresql":
        options["isolation_level"] = "REPEATABLE READ"
    db.session.connection(execution_options=options)


# --- small SQL helpers the checks share (the two databases spell these differently) ---------

def _dialect() -> str:
    return db.session.get_bind().dialect.name


def month_of(date_column):
    """'YYYY-MM' of a DATE column."""
    if _dialect() == "sqlite":
        return func.strftime("%Y-%m", date_column)
    return func.to_char(date_column, "YYYY-MM")


def yyyymmdd(date_column):
    """'YYYYMMDD' of a DATE column."""
    if _dialect() == "sqlite":
        return func.strftime("%Y%m%d", date_column)
    return func.to_char(date_column, "YYYYMMDD")


def all_digits(text_expression):
    """True when the text is one or more ASCII digits."""
    if _dialect() == "sqlite":
        return (func.length(text_expression) > 0) & text_expression.op("NOT GLOB")(literal("*[^0-9]*"))
    return text_expression.op("~")(literal("^[0-9]+$"))


def as_text(column):
    return cast(column, String)
