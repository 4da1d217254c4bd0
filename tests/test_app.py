"""App-level checks: health, OpenAPI, error format, migrations matching the models, catalogues."""

import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app import create_app
from app.extensions import db

ROOT = Path(__file__).resolve().parent.parent


def test_healthz(client):
    resp = client.get("/healthz")
    assert resp.status_code == 200 and resp.get_json() == {"status": "ok"}


def test_openapi_is_served_and_lists_the_session_call(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["info"]["version"] == "v1"
    assert "/api/v1/session" in spec["paths"]


def test_unknown_api_route_gives_the_json_error_format(client):
    resp = client.get("/api/v1/nope")
    assert resp.status_code == 404
    assert resp.get_json() == {"error": {"code": "not_found", "message": "页面或记录不存在。"}}


@pytest.mark.real_commits
def test_migrations_match_the_models(app):
    """`flask db upgrade` built this schema; the models must describe exactly the same one."""
    with app.app_context():
        with db.engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(ctx, db.metadata)
    assert diff == [], diff


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("APP_ENV", "production")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app()


def test_every_ui_string_has_an_english_translation():
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "i18n.py"), "check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_the_suite_runs_on_the_database_ci_asked_for(app):
    """CI sets REQUIRE_POSTGRES=1 for its second run: fail loudly if that run fell back to SQLite."""
    import os

    with app.app_context():
        dialect = db.engine.dialect.name
    if os.environ.get("REQUIRE_POSTGRES") == "1":
        assert dialect == "postgresql"
    elif os.environ.get("TEST_DATABASE_URL"):
        assert dialect == "postgresql"
    else:
        assert dialect == "sqlite"
