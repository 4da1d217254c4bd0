"""Database base class, column types and engine set-up shared by every domain."""

from __future__ import annotations

import datetime as dt
import os
from contextlib import contextmanager

from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every database (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(dt.UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


READ_SNAPSHOT = "cs_read_snapshot"  # execution option: a read-only transaction on one snapshot


def configure_engine(engine: Engine, *, busy_timeout_ms: int) -> None:
    """SQLite: WAL, foreign keys, busy timeout, and every transaction starts with BEGIN IMMEDIATE.

    pysqlite's own transaction handling is switched off so that SQLAlchemy's BEGIN is the
    one that reaches SQLite; IMMEDIATE takes the write lock at the start, so two tills can never
    both read a balance and then both write it (the lock waits up to the busy timeout). A
    connection with the READ_SNAPSHOT execution option begins a plain (deferred) transaction
    instead: it only reads.
    """
    if engine.dialect.name != "sqlite":
        return
    path = engine.url.database if engine.url.database not in (None, "", ":memory:") else None
    if path:
        private_sqlite_files(path)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        if path:
            private_sqlite_files(path)
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cur.execute("PRAGMA foreign_keys = ON")
        if engine.url.database and engine.url.database != ":memory:":
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # a read-only snapshot (`flask verify`, app.core.books.read_snapshot) takes no write lock:
        # in WAL mode a deferred transaction reads one consistent state while tills go on writing
        conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get(READ_SNAPSHOT) else "BEGIN IMMEDIATE")


def private_sqlite_files(path: str) -> None:
    """The SQLite database holds encrypted data and its keyed hashes, names, sales: only its
    owner may read it. The file is created 0600 before SQLite first opens it (SQLite gives its
    -wal and -shm files the database file's mode), and an existing file, -wal or -shm that
    group or others may read is made 0600."""
    if path.startswith("file:"):
        return
    if not os.path.exists(path) and os.path.isdir(os.path.dirname(os.path.abspath(path))):
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    for name in (path, path + "-wal", path + "-shm"):
        try:
            if os.stat(name).st_mode & 0o077:
                os.chmod(name, 0o600)
        except FileNotFoundError:
            continue


# --- append-only tables -------------------------------------------------------------------

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION refuse_append_only_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'table % is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql
"""


def append_only_ddl(table: str, dialect: str) -> list[str]:
    """DDL that makes the database itself refuse UPDATE and DELETE (and TRUNCATE) on `table`.

    Used by the migrations of every ledger and log table.
    """
    if dialect == "postgresql":
        return [
            _PG_FUNCTION,
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change()",
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION refuse_append_only_change()",
        ]
    if dialect == "sqlite":
        return [
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, 'table {table} is append-only: UPDATE refused'); END",
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, 'table {table} is append-only: DELETE refused'); END",
        ]
    raise NotImplementedError(dialect)


def drop_append_only_ddl(table: str, dialect: str) -> list[str]:
    if dialect == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
                f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}"]
    return [f"DROP TRIGGER IF EXISTS {table}_no_update", f"DROP TRIGGER IF EXISTS {table}_no_delete"]


# --- retrying a unit of work ------------------------------------------------------------

RETRYABLE_PGCODES = {"40001", "40P01"}  # serialization_failure, deadlock_detected


def is_retryable(exc: BaseException) -> bool:
    orig = getattr(exc, "orig", None)
    code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    return code in RETRYABLE_PGCODES


def lock(session, obj):
    """Lock `obj`'s row until the commit (SELECT ... FOR UPDATE of that table alone, so that eager
    outer joins of the model do not get in the way) and reload it: what decides a change is then
    read after every earlier change of the row has committed. SQLite: BEGIN IMMEDIATE already
    serialises writers."""
    from sqlalchemy import inspect, select

    mapper = inspect(obj).mapper
    (pk,) = mapper.primary_key
    session.execute(select(pk).where(pk == getattr(obj, pk.key)).with_for_update())
    session.refresh(obj)
    return obj


def take_turns(session, name: str) -> None:
    """Make transactions that do `name` run one after the other, until the commit: a PostgreSQL
    advisory transaction lock on the name (SQLite: BEGIN IMMEDIATE already does). For work that
    plans from many rows at once (a roster import), where no single row decides."""
    if session.get_bind().dialect.name != "postgresql":
        return
    import zlib

    from sqlalchemy import text

    session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": zlib.crc32(name.encode())})


def is_unique_violation(exc: BaseException) -> bool:
    orig = getattr(exc, "orig", None)
    code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if code is not None:
        return code == "23505"
    return "UNIQUE constraint failed" in str(orig)


@contextmanager
def unique_or(session, error):
    """Add rows in a SAVEPOINT and flush them; when a unique constraint refuses them (a second
    request that raced this one to create the same thing: on PostgreSQL it waits for the first
    one's commit, then fails), raise `error` (a DomainError, e.g. a 409) instead of a 500. The
    transaction goes on without the refused rows."""
    from sqlalchemy.exc import IntegrityError

    try:
        with session.begin_nested():
            yield
            session.flush()
    except IntegrityError as exc:
        if not is_unique_violation(exc):
            raise
        raise error from None


def commit_with_retry(session, work, *, attempts: int = 4, retry_integrity: bool = False):
    """Run `work()` and commit; on a PostgreSQL serialization failure or deadlock, roll back and
    run it again (each attempt from scratch). Any other error rolls back and propagates.

    `retry_integrity`: also run it again once after a unique-constraint race (two requests with
    the same idempotency key): the second attempt finds the first one's row.
    """
    from sqlalchemy.exc import DBAPIError, IntegrityError

    integrity_retried = False
    for attempt in range(1, attempts + 1):
        try:
            result = work()
            session.commit()
            return result
        except IntegrityError:
            session.rollback()
            if not retry_integrity or integrity_retried:
                raise
            integrity_retried = True
        except DBAPIError as exc:
            session.rollback()
            if attempt == attempts or not is_retryable(exc):
                raise
        except BaseException:
            session.rollback()
            raise
    raise AssertionError("unreachable")
