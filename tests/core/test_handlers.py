"""Errors answer clearly (issue 10, section 3): the 500 handler rolls back, the database down is
a 503 the till retries, `next` never leaves the site, hostile uploads and tenders are refused."""

from __future__ import annotations

import io
import socket
import zipfile

import pytest
from sqlalchemy import text

from app.core.errors import InvalidInput
from app.core.redirects import is_safe_next
from app.extensions import db
from tests.conftest import make_app

# --- 500: roll back, log, answer in the project's format -----------------------------------

@pytest.fixture
def broken_app(database_url):
    app = make_app(database_url)

    @app.get("/api/v1/_boom")
    def api_boom():
        db.session.execute(text("SELECT * FROM no_such_table_here"))  # leaves the session failed

    @app.get("/_boom")
    def page_boom():
        db.session.execute(text("SELECT * FROM no_such_table_here"))

    @app.get("/_after")
    def after():
        return {"one": db.session.execute(text("SELECT 1")).scalar()}

    for name in ("api_boom", "page_boom", "after"):
        app.view_functions[name].allowed_roles = "public"
    return app


def test_an_unexpected_error_rolls_back_and_answers_in_format(broken_app, caplog):
    client = broken_app.test_client()
    resp = client.get("/api/v1/_boom")
    assert resp.status_code == 500
    assert resp.get_json()["error"]["code"] == "internal_error"
    assert "unexpected error" in caplog.text and "no_such_table_here" in caplog.text  # traceback logged
    page = client.get("/_boom")
    assert page.status_code == 500 and "出错了" in page.get_data(as_text=True)  # the Chinese page
    assert client.get("/_after").get_json() == {"one": 1}  # the session is usable again


# --- 503: the database is unreachable --------------------------------------------------------

def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the block ends: nothing listens there


@pytest.mark.real_commits
def test_database_down_is_503_with_retry_after():
    app = make_app(f"postgresql+psycopg://postgres@127.0.0.1:{_closed_port()}/nowhere?connect_timeout=2")
    client = app.test_client()
    api = client.post("/api/v1/session", json={"username": "cashier1", "password": "secret-password"})
    assert api.status_code == 503
    assert api.get_json()["error"]["code"] == "database_unavailable"
    assert int(api.headers["Retry-After"]) > 0
    sale = client.post("/api/v1/sales", json={"idempotency_key": "k" * 12, "lines": []})
    assert sale.status_code in (400, 401, 503)  # anonymous without CSRF: refused before the database
    health = client.get("/healthz")
    assert health.status_code == 503 and health.headers["Retry-After"]


@pytest.mark.real_commits
def test_a_logged_in_till_gets_503_while_the_database_is_down(fresh_app):
    """The session cookie of a real login, then the database goes away: the API answers 503."""
    from tests import factories
    from tests.conftest import CSRFClient

    with fresh_app.app_context():
        shop = factories.shop()
        factories.user("cashier", shop=shop, username="till1", password="a-long-password-1")
        db.session.commit()
    fresh_app.test_client_class = CSRFClient
    client = fresh_app.test_client()
    resp = client.post("/api/v1/session", json={"username": "till1", "password": "a-long-password-1"})
    assert resp.status_code == 200, resp.data
    client.csrf_token = resp.get_json()["csrf_token"]
    down = make_app(f"postgresql+psycopg://postgres@127.0.0.1:{_closed_port()}/nowhere?connect_timeout=2",
                    SECRET_KEY=fresh_app.config["SECRET_KEY"])
    down.test_client_class = CSRFClient
    other = down.test_client()
    cookie = client.get_cookie(fresh_app.config["SESSION_COOKIE_NAME"])
    other.set_cookie(cookie.key, cookie.value)
    other.csrf_token = client.csrf_token
    sale = other.post("/api/v1/sales", json={"idempotency_key": "k" * 12, "lines": [{"product_id": 1, "qty": 1}]})
    assert sale.status_code == 503 and sale.get_json()["error"]["code"] == "database_unavailable"
    assert sale.headers["Retry-After"]
    page = other.get("/")  # a page: the Chinese 503 page, without asking the database who is logged in
    assert page.status_code == 503 and "暂时不可用" in page.get_data(as_text=True)


@pytest.mark.real_commits
def test_sqlite_that_cannot_be_opened_is_503(tmp_path):
    app = make_app(f"sqlite:///{tmp_path}/no/such/dir/x.db")
    resp = app.test_client().post("/api/v1/session", json={"username": "a", "password": "b"})
    assert resp.status_code == 503 and resp.get_json()["error"]["code"] == "database_unavailable"


# --- open redirects ----------------------------------------------------------------------------

@pytest.mark.parametrize("target", ["//evil.example", "/\t/evil.example", "/%09/evil.example", "/\\evil.example",
                                    "\\\\evil.example", "https://evil.example/", " /x", "/x\r\nSet-Cookie: a=b",
                                    "/\x00/evil.example", "javascript:alert(1)", "", None, "/" + "a" * 3000])
def test_unsafe_next_is_refused(target):
    if target == "/%09/evil.example":
        return  # the raw query form: decoded by werkzeug to "/\t/..." (the next case), tested via HTTP below
    assert not is_safe_next(target)


@pytest.mark.parametrize("target", ["/", "/reports/?period=2026-11", "/inventory/products/3", "/捐赠"])
def test_safe_next_is_kept(target):
    assert is_safe_next(target)


@pytest.mark.parametrize("query", ["/%09/evil.example", "//evil.example", "/%5Cevil.example", "https:evil.example",
                                   "/%0d%0a/evil.example"])
def test_language_switch_and_login_never_redirect_off_site(client, login, query):
    resp = client.get(f"/lang/en?next={query}")
    assert resp.status_code in (302, 400)
    if resp.status_code == 302:
        assert resp.headers["Location"] in ("/", "http://localhost/") or resp.headers["Location"].startswith("/login")
    page = client.get(f"/login?next={query}")
    assert page.status_code in (200, 400)


def test_login_with_a_hostile_next_lands_at_home(app, client):
    from tests import factories

    with app.app_context():
        factories.user("manager", username="mgr-next", password="a-long-password-1")
        db.session.commit()
    html = client.get("/login").get_data(as_text=True)
    import re

    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    resp = client.post("/login?next=/%09/evil.example", data={
        "csrf_token": token, "username": "mgr-next", "password": "a-long-password-1", "next": "/\t/evil.example"})
    assert resp.status_code == 302
    assert "evil" not in resp.headers["Location"]


# --- hostile uploads ---------------------------------------------------------------------------

def _billion_laughs_xlsx() -> bytes:
    """A minimal XLSX whose sheet declares nested entities (the "billion laughs")."""
    bomb = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
            + ']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            '<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
                   'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override '
                   'PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                   'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType='
                   '"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
        z.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                   'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/'
                   'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
                   'relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.'
                   'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
                   'openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
                   '</Relationships>')
        z.writestr("xl/worksheets/sheet1.xml", bomb)
    return buf.getvalue()


def test_openpyxl_reads_through_defusedxml():
    import openpyxl

    assert openpyxl.DEFUSEDXML is True


def test_a_billion_laughs_roster_is_refused(app_ctx):
    from app.recipients.roster import import_roster

    with pytest.raises(InvalidInput) as exc:
        import_roster(_billion_laughs_xlsx(), "名册.xlsx")
    assert "XLSX" in str(exc.value.message)


def test_a_billion_laughs_catalogue_is_refused(app, login):
    admin = login("admin")
    resp = admin.post("/inventory/import", data={"file": (io.BytesIO(_billion_laughs_xlsx()), "商品.xlsx")},
                      content_type="multipart/form-data")
    assert resp.status_code in (302, 400) and resp.status_code != 500


# --- tenders ---------------------------------------------------------------------------------

def test_tenders_are_capped_as_a_whole_and_change_is_bounded(app_ctx):
    from app.pos import checkout
    from tests.pos.conftest import TODAY

    with pytest.raises(InvalidInput):
        checkout._parse_payments([{"method": "cash", "amount_fen": 9_999_999},
                                  {"method": "cash", "amount_fen": 9_999_999}])
    with pytest.raises(InvalidInput):
        checkout._parse_payments([{"method": "cash", "amount_fen": 1}] * (checkout.MAX_TENDER_LINES + 1))
    assert checkout._parse_payments([{"method": "cash", "amount_fen": 3000}, {"method": "cash", "amount_fen": 1000}]) \
        == {"cash": 4000}
    assert TODAY  # the till fixture's business day is used by the checkout test below
