"""Test databases: the shared one the suite runs in, and fresh throw-away ones for tests
that need real commits from several processes (races, crashes)."""

from __future__ import annotations

import os
import tempfile
import uuid
from pathlib import Path

import sqlalchemy as sa

from app.config import normalise_db_url


def base_url() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL")
    return normalise_db_url(url) if url else None


def is_postgres() -> bool:
    return (base_url() or "").startswith("postgresql")


def reset_schema(url: str) -> None:
    """Empty a PostgreSQL database (the audit triggers refuse TRUNCATE, so drop the schema)."""
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


def create_fresh_database(tmp_dir: Path | None = None) -> str:
    """A new empty database: a PostgreSQL database beside TEST_DATABASE_URL's, or a SQLite file."""
    url = base_url()
    if url and url.startswith("postgresql"):
        name = f"cs_test_{uuid.uuid4().hex[:12]}"
        admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        admin.dispose()
        return str(sa.engine.make_url(url).set(database=name).render_as_string(hide_password=False))
    folder = tmp_dir or Path(tempfile.mkdtemp(prefix="cs-test-"))
    return f"sqlite:///{folder / f'fresh-{uuid.uuid4().hex[:8]}.db'}"


def drop_database(url: str) -> None:
    u = sa.engine.make_url(url)
    if u.get_backend_name() == "postgresql":
        admin = sa.create_engine(u.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{u.database}" WITH (FORCE)')
        admin.dispose()
    elif u.database and os.path.exists(u.database):
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(u.database + suffix):
                os.remove(u.database + suffix)
