"""`flask --app wsgi backup --out FILE` and `flask --app wsgi restore FILE`.

Backup reads only: on SQLite through the online backup API (a consistent copy while tills go on
selling), on PostgreSQL through `pg_dump -Fc` of the app's database. The file is created 0600
(it holds the encrypted ID numbers with their keyed hashes, names, sales) and never replaces an
existing file: it is written beside FILE and linked into place, which fails if FILE exists.

Restore writes into an EMPTY database only (no table at all: a new PostgreSQL database, a new
or empty SQLite file); anything else is refused with exit status 2, so a restore can never mix
two databases or overwrite live data. PostgreSQL: `pg_restore` in one transaction; SQLite: the
backup API copies the file into the app's database.

The data key (DATA_KEY) is not in the backup: keep it apart from the backup files, and restore
with the same key, or the ID numbers and voucher codes cannot be read.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from app.extensions import db

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"


class BackupError(Exception):
    """A refusal with a message for the operator (exit status 2)."""


# --- the database the app uses ----------------------------------------------------------------

def _url() -> sa.engine.URL:
    return db.engine.url


def _is_postgres(url: sa.engine.URL) -> bool:
    return url.get_backend_name() == "postgresql"


def _sqlite_path(url: sa.engine.URL) -> str:
    path = url.database
    if not path or path == ":memory:" or path.startswith("file:"):
        raise BackupError(f"backup and restore need a database file, not {path or 'memory'}")
    return path


def _pg_env(url: sa.engine.URL) -> dict:
    """libpq's environment for `url`: the password travels in PGPASSWORD, never on a command line."""
    env = dict(os.environ)
    for key, value in (("PGHOST", url.host), ("PGPORT", url.port), ("PGUSER", url.username),
                       ("PGPASSWORD", url.password), ("PGDATABASE", url.database)):
        if value is not None:
            env[key] = str(value)
    for key, value in (url.query or {}).items():  # e.g. ?sslmode=require
        if isinstance(value, str) and key.isidentifier():
            env["PG" + key.upper()] = value
    return env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} was not found: install the PostgreSQL client (apt-get install postgresql-client)")
    return found


def table_count() -> int:
    """How many tables (and views, sequences) the app's database holds outside the system schemas."""
    with db.engine.connect() as conn:
        if _is_postgres(conn.engine.url):
            return conn.scalar(sa.text(
                "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') "
                "AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'"))
        return conn.scalar(sa.text("SELECT count(*) FROM sqlite_master WHERE type IN ('table', 'view')"))


# --- backup -------------------------------------------------------------------------------

def backup(out: str) -> int:
    """Write a backup of the app's database to `out` (which must not exist); its size in bytes."""
    out = os.path.abspath(out)
    if os.path.lexists(out):
        raise BackupError(f"{out} exists: a backup never overwrites a file (choose a new name)")
    if not os.path.isdir(os.path.dirname(out)):
        raise BackupError(f"the folder of {out} does not exist")
    partial = f"{out}.partial-{os.getpid()}"
    fd = os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    try:
        url = _url()
        if _is_postgres(url):
            with os.fdopen(fd, "wb") as fh:
                fd = None
                done = subprocess.run([_tool("pg_dump"), "-Fc"],  # noqa: S603 - our arguments only
                                      stdout=fh, stderr=subprocess.PIPE, env=_pg_env(url), check=False)
            if done.returncode != 0:
                raise BackupError("pg_dump failed: " + done.stderr.decode("utf-8", "replace").strip())
        else:
            os.close(fd)
            fd = None
            source = db.engine.raw_connection()
            try:
                target = sqlite3.connect(partial)
                try:
                    source.driver_connection.backup(target)
                    # a self-contained file: not in WAL mode, nothing left in a -wal beside it
                    target.execute("PRAGMA journal_mode = DELETE")
                finally:
                    target.close()
            finally:
                source.close()
        os.link(partial, out)  # fails if `out` appeared meanwhile: never overwrite
    except FileExistsError:
        raise BackupError(f"{out} exists: a backup never overwrites a file (choose a new name)") from None
    finally:
        if fd is not None:
            os.close(fd)
        for leftover in (partial, partial + "-journal", partial + "-wal", partial + "-shm"):
            if os.path.exists(leftover):
                os.remove(leftover)
    return os.path.getsize(out)


# --- restore ------------------------------------------------------------------------------

def _kind_of(path: str) -> str:
    with open(path, "rb") as fh:
        head = fh.read(16)
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_MAGIC):
        return "postgresql"
    raise BackupError(f"{path} is not a backup of this app (neither a SQLite file nor a pg_dump -Fc archive)")


def restore(path: str) -> None:
    """Restore the backup `path` into the app's database, which must be empty."""
    if not os.path.isfile(path):
        raise BackupError(f"{path} does not exist")
    url = _url()
    kind = _kind_of(path)
    want = "postgresql" if _is_postgres(url) else "sqlite"
    if kind != want:
        raise BackupError(f"{path} is a {kind} backup; the app's database is {want}")
    try:
        tables = table_count()
    except sa.exc.OperationalError as e:
        raise BackupError(f"cannot open the database to restore into: {e.orig}".strip()) from None
    if tables:
        raise BackupError(f"the database is not empty ({tables} tables): restore only into a new, empty "
                          "database (create one, point DATABASE_URL at it, run restore again)")
    db.session.remove()
    if kind == "postgresql":
        done = subprocess.run([_tool("pg_restore"), "--no-owner", "--no-privileges",  # noqa: S603 - our arguments
                               "--single-transaction", "--exit-on-error", "--dbname", url.database,
                               os.path.abspath(path)],
                              capture_output=True, env=_pg_env(url), check=False)
        if done.returncode != 0:
            raise BackupError("pg_restore failed (nothing was restored): "
                              + done.stderr.decode("utf-8", "replace").strip())
        return
    _sqlite_path(url)
    db.engine.dispose()
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        target = db.engine.raw_connection()
        try:
            source.backup(target.driver_connection)
        finally:
            target.close()
    finally:
        source.close()
    db.engine.dispose()  # every pooled connection sees the restored file afresh


# --- the commands -------------------------------------------------------------------------

def _refuse(error: BackupError):
    click.echo(f"错误 Error: {error}", err=True)
    sys.exit(2)


@click.command("backup")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False),
              help="the backup file to create (never overwritten; created 0600)")
@with_appcontext
def backup_cmd(out: str):
    """Back up the database (SQLite: online backup API; PostgreSQL: pg_dump -Fc). Reads only."""
    try:
        size = backup(out)
    except BackupError as e:
        _refuse(e)
    click.echo(f"backup written: {os.path.abspath(out)} ({size} bytes)")


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False))
@with_appcontext
def restore_cmd(path: str):
    """Restore a backup into an EMPTY database (refused, exit 2, when the database has any table)."""
    try:
        restore(path)
    except BackupError as e:
        _refuse(e)
    click.echo(f"restored {path}: {table_count()} tables")
