"""Fixtures: app, a database transaction rolled back after each test, clients logged in per role.

The suite runs on SQLite by default and on PostgreSQL when TEST_DATABASE_URL is set. The schema
is built by the real migrations (`flask db upgrade`), once per run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from flask_migrate import upgrade
from flask_sqlalchemy.session import Session as FsaSession

from app import create_app
from app.auth import services as auth_services
from app.config import TestConfig
from app.extensions import db as _db
from app.extensions import limiter
from tests import dbutil, factories

ROOT = Path(__file__).resolve().parent.parent
ROLES = ("admin", "federation", "manager", "cashier", "donor")


def _compile_translations() -> None:
    """make test compiles them; do it here too so a bare `pytest` works."""
    subprocess.run([sys.executable, str(ROOT / "tools" / "i18n.py"), "compile"], check=True)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = dbutil.base_url()
    if url:
        dbutil.reset_schema(url)
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


def make_app(database_url: str, **overrides):
    conf = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    conf["SQLALCHEMY_DATABASE_URI"] = database_url
    conf.update(overrides)
    return create_app(conf)


@pytest.fixture(scope="session")
def app(database_url):
    _compile_translations()
    application = make_app(database_url)
    with application.app_context():
        upgrade()
        _db.session.remove()
    yield application
    with application.app_context():
        _db.engine.dispose()


class BoundSession(FsaSession):
    """A Flask-SQLAlchemy session that always uses the test's connection."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        return self.bind


@pytest.fixture(autouse=True)
def db(request, app):
    """Each test runs inside a transaction that is rolled back; commits become savepoints.

    Tests marked `real_commits` get no wrapping (they use `fresh_app` instead).
    """
    if request.node.get_closest_marker("real_commits"):
        yield _db
        return
    # No app context stays pushed during the test: each request must get its own (and its own
    # `g`), exactly as in production. Sessions of every context are bound to this connection.
    with app.app_context():
        conn = _db.engine.connect()
    trans = conn.begin()
    original = _db.session
    _db.session = _db._make_scoped_session(
        {"bind": conn, "join_transaction_mode": "create_savepoint", "class_": BoundSession})
    limiter.reset()
    try:
        yield _db
    finally:
        _db.session = original
        if trans.is_active:
            trans.rollback()
        conn.close()


@pytest.fixture
def app_ctx(app):
    with app.app_context():
        yield app


@pytest.fixture
def fresh_app(tmp_path):
    """An app on its own new, migrated database with real commits (races, crashes, CLI)."""
    url = dbutil.create_fresh_database(tmp_path)
    application = make_app(url)
    with application.app_context():
        upgrade()
        _db.session.remove()
    application.config["FRESH_DATABASE_URL"] = url
    yield application
    with application.app_context():
        _db.session.remove()
        _db.engine.dispose()
    dbutil.drop_database(url)


class CSRFClient(FlaskClient):
    """Test client that sends the session's CSRF token on every mutating request, and a fresh
    idempotency key with every form it posts (each form the UI shows carries a new one), like the UI."""

    csrf_token: str | None = None

    def open(self, *args, **kwargs):
        method = (kwargs.get("method") or "GET").upper()
        if self.csrf_token and method in ("POST", "PUT", "PATCH", "DELETE"):
            headers = dict(kwargs.pop("headers", None) or {})
            headers.setdefault("X-CSRFToken", self.csrf_token)
            kwargs["headers"] = headers
        if method == "POST" and isinstance(kwargs.get("data"), dict) and "idempotency_key" not in kwargs["data"]:
            kwargs["data"] = {**kwargs["data"], "idempotency_key": str(uuid.uuid4())}
        return super().open(*args, **kwargs)


@pytest.fixture
def client(app):
    app.test_client_class = CSRFClient
    return app.test_client()


@pytest.fixture
def login(app):
    """`login("manager")` -> a test client logged in as a new user with that role.

    Extra keyword arguments go to the user factory (shop=, district_code=, username=...).
    The session is started through the auth service (no password hashing per test); the real
    login path has its own tests in tests/auth/.
    """

    def _login(role: str, **kwargs) -> CSRFClient:
        with app.app_context():
            given = kwargs.pop("user", None)
            if given is not None:  # possibly detached from an earlier app context: load it again
                from sqlalchemy import inspect

                from app.auth.models import User

                user = _db.session.get(User, inspect(given).identity[0])
            else:
                user = factories.user(role=role, **kwargs)
            token = auth_services.start_session(user, ip="127.0.0.1")
            username = user.username
            _db.session.commit()
        app.test_client_class = CSRFClient
        c = app.test_client()
        with c.session_transaction() as sess:
            sess["_user_id"] = token
            sess["_fresh"] = True
            sess.permanent = True
        resp = c.get("/api/v1/session")
        assert resp.status_code == 200, resp.get_data(as_text=True)
        c.csrf_token = resp.get_json()["csrf_token"]
        c.username = username
        return c

    return _login


def pytest_configure(config):
    config.addinivalue_line("markers", "real_commits: no per-test rollback; use fresh_app")
    config.addinivalue_line("markers", "postgres: needs TEST_DATABASE_URL (PostgreSQL)")
    config.addinivalue_line("markers", "browser: drives Debian's chromium with Playwright")
    os.environ.setdefault("APP_ENV", "testing")
