"""The SQLite file (and its -wal/-shm) is readable by its owner only; HSTS over HTTPS."""

from __future__ import annotations

import os
import stat

import pytest
from flask_migrate import upgrade

from app.extensions import db
from tests.conftest import make_app


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.real_commits
def test_the_sqlite_database_and_its_wal_and_shm_are_created_0600(tmp_path):
    path = tmp_path / "charity.db"
    old_umask = os.umask(0o022)  # what a shell usually has: files would be 0644
    try:
        app = make_app(f"sqlite:///{path}")
        with app.app_context():
            upgrade()  # writes: the -wal and -shm files exist now
            assert (tmp_path / "charity.db-wal").exists() and (tmp_path / "charity.db-shm").exists()
            for name in ("charity.db", "charity.db-wal", "charity.db-shm"):
                assert _mode(tmp_path / name) == 0o600, name
            db.session.remove()
            db.engine.dispose()
    finally:
        os.umask(old_umask)


@pytest.mark.real_commits
def test_an_existing_readable_sqlite_file_is_made_private(tmp_path):
    path = tmp_path / "old.db"
    path.write_bytes(b"")
    os.chmod(path, 0o644)
    app = make_app(f"sqlite:///{path}")
    assert _mode(path) == 0o600
    with app.app_context():
        db.engine.dispose()


def test_hsts_only_over_https(app, client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    resp = client.get("/login", base_url="https://cishan.example.cn")
    assert resp.headers["Strict-Transport-Security"] == "max-age=31536000"


@pytest.mark.real_commits
def test_hsts_behind_the_proxy_follows_x_forwarded_proto(database_url):
    app = make_app(database_url, PROXY_FIX=True)
    c = app.test_client()
    assert "Strict-Transport-Security" not in c.get("/healthz", headers={"X-Forwarded-Proto": "http"}).headers
    resp = c.get("/healthz", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"})
    assert resp.headers["Strict-Transport-Security"] == "max-age=31536000"
    with app.app_context():
        db.engine.dispose()
