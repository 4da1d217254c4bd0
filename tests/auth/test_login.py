import re

import sqlalchemy as sa

from app.auth import services
from app.auth.models import AuthSession
from app.core.models import AuditLog
from app.extensions import db
from tests import factories


def _csrf_from(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def test_login_page_is_chinese_by_default(client):
    resp = client.get("/login")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "登录慈善超市系统" in html and 'lang="zh-CN"' in html
    assert "Content-Security-Policy" in resp.headers
    assert "frame-ancestors 'none'" in resp.headers["Content-Security-Policy"]
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"] == "same-origin"


def test_english_can_be_chosen(client):
    client.get("/lang/en?next=/login")
    html = client.get("/login").get_data(as_text=True)
    assert "Log in" in html and 'lang="en"' in html


def test_form_login_shows_role_home_and_sets_a_safe_cookie(app, client):
    with app.app_context():
        factories.user("manager", username="mgr1")
        db.session.commit()
    page = client.get("/login").get_data(as_text=True)
    resp = client.post("/login", data={"username": "mgr1", "password": factories.PASSWORD,
                                       "csrf_token": _csrf_from(page)})
    assert resp.status_code == 302 and resp.headers["Location"] == "/"
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    home = client.get("/").get_data(as_text=True)
    assert "店长工作台" in home


def test_wrong_password_is_refused_and_writes_no_session(app, client):
    with app.app_context():
        factories.user("cashier", username="cash1")
        db.session.commit()
        before = db.session.scalar(sa.select(sa.func.count()).select_from(AuthSession))
    resp = client.post("/api/v1/session", json={"username": "cash1", "password": "wrong-password"})
    assert resp.status_code == 401
    assert resp.get_json()["error"]["code"] == "unauthenticated"
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuthSession)) == before


def test_api_login_returns_user_and_csrf_token(app, client):
    with app.app_context():
        factories.user("federation", username="fed1")
        db.session.commit()
    resp = client.post("/api/v1/session", json={"username": "FED1", "password": factories.PASSWORD})
    body = resp.get_json()
    assert resp.status_code == 200
    assert body["user"]["username"] == "fed1" and body["user"]["role"] == "federation"
    assert body["csrf_token"]
    assert client.get("/api/v1/shops").status_code == 200


def test_mutating_call_without_csrf_token_is_refused(app, login):
    c = login("admin")
    c.csrf_token = None  # send nothing
    resp = c.delete("/api/v1/session")
    assert resp.status_code == 400
    assert resp.get_json()["error"]["code"] == "csrf_failed"
    resp = c.delete("/api/v1/session", headers={"X-CSRFToken": "forged"})
    assert resp.status_code == 400
    # the session is still alive
    assert c.get("/api/v1/shops").status_code == 200


def test_form_post_without_csrf_token_is_refused(app, login):
    c = login("admin")
    c.csrf_token = None
    resp = c.post("/admin/shops", data={"code": "ZZ01", "name": "x", "district_code": "411002"})
    assert resp.status_code == 400
    with app.app_context():
        assert db.session.scalar(sa.text("SELECT count(*) FROM shop WHERE code = 'ZZ01'")) == 0


def test_deactivated_users_existing_session_is_refused(app, login):
    c = login("cashier", username="leaving")
    assert c.get("/api/v1/shops").status_code == 200
    with app.app_context():
        services.set_active(services.get_user_by_username("leaving"), False)
        db.session.commit()
    resp = c.get("/api/v1/shops")
    assert resp.status_code == 401
    assert c.get("/").status_code == 302


def test_logout_kills_a_copied_cookie(app, login):
    c = login("manager")
    cookie = c.get_cookie("cs_session").value
    copy = app.test_client()
    copy.set_cookie("cs_session", cookie)
    assert copy.get("/api/v1/shops").status_code == 200
    assert c.delete("/api/v1/session").status_code == 204
    assert copy.get("/api/v1/shops").status_code == 401


def test_a_session_is_read_in_one_statement_and_refused_once_it_ends(app):
    """The session check runs before every request: one SELECT (issue 12), and still no cache —
    a revoked, expired or deactivated session is refused by the very next one."""
    import datetime as dt

    from app.core.db import utcnow

    with app.app_context():
        user = factories.user(role="cashier", username="counted")
        token = services.start_session(user, ip="127.0.0.1")
        user_id = user.id
        db.session.commit()
        seen = []

        def spy(conn, cursor, statement, *args):
            if not statement.startswith(("SAVEPOINT", "RELEASE")):  # the suite's nested transactions
                seen.append(statement)

        sa.event.listen(db.engine, "before_cursor_execute", spy)
        try:
            db.session.expunge_all()
            assert services.load_session(token).username == "counted"
            assert len(seen) == 1, seen
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", spy)
        row = db.session.scalar(sa.select(AuthSession).where(AuthSession.user_id == user_id))
        row.expires_at = utcnow() - dt.timedelta(seconds=1)
        db.session.commit()
        assert services.load_session(token) is None
        row.expires_at = utcnow() + dt.timedelta(hours=1)
        db.session.commit()
        assert services.load_session(token) is not None
        services.set_active(services.get_user_by_username("counted"), False)
        db.session.commit()
        assert services.load_session(token) is None
        assert services.load_session("not-a-token") is None and services.load_session(None) is None


def test_login_and_logout_are_audited(app, client):
    with app.app_context():
        factories.user("donor", username="donor9")
        db.session.commit()
    client.post("/api/v1/session", json={"username": "donor9", "password": factories.PASSWORD})
    with app.app_context():
        actions = db.session.scalars(sa.select(AuditLog.action).where(AuditLog.username == "donor9")).all()
    assert "auth.login" in actions


def test_open_redirect_after_login_is_ignored(app, client):
    with app.app_context():
        factories.user("admin", username="adm2")
        db.session.commit()
    page = client.get("/login?next=//evil.example/").get_data(as_text=True)
    resp = client.post("/login", data={"username": "adm2", "password": factories.PASSWORD,
                                       "next": "//evil.example/", "csrf_token": _csrf_from(page)})
    assert resp.headers["Location"] == "/"


def test_rate_limit_storage_can_be_redis(app, database_url):
    """With RATELIMIT_STORAGE_URI pointing at Redis, several app servers share the counters."""
    import os
    import uuid

    import pytest

    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("TEST_REDIS_URL not set (CI sets it)")
    from tests.conftest import make_app

    prefix = f"test-{uuid.uuid4().hex[:8]}"
    servers = [make_app(database_url, RATELIMIT_STORAGE_URI=url, RATELIMIT_KEY_PREFIX=prefix)
               for _ in range(2)]
    statuses = []
    for i in range(31):  # the per-address limit is 30 per 5 minutes, counted across both servers
        c = servers[i % 2].test_client()
        statuses.append(c.post("/api/v1/session", json={"username": f"ghost{i}", "password": "x"}).status_code)
    assert statuses[:30] == [401] * 30 and statuses[30] == 429
