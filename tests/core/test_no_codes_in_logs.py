"""No log line of the app, gunicorn or the documented proxy holds a spendable voucher code.

A real run: gunicorn with deploy/gunicorn.conf.py on a free port against a fresh migrated
database (SQLite, or PostgreSQL beside TEST_DATABASE_URL's), and - when nginx is installed
(Debian's nginx-light; CI installs it) - nginx with deploy/nginx/cishan.conf in front over TLS.
Every way a code can still reach a server is exercised (an old printed /v/CODE link, the /v
page and its POST, the old ?code= form, the till's POST look-up and the old GET, the pickup
scan, a Referer naming an old link); then every log file is searched for the code in any form.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask_migrate import upgrade

from app.config import TestConfig
from app.extensions import db
from app.vouchers import codes
from tests import dbutil, factories
from tests.conftest import make_app
from tests.httpclient import Client

ROOT = Path(__file__).resolve().parent.parent.parent
SITE = ROOT / "deploy" / "nginx" / "cishan.conf"
pytestmark = pytest.mark.real_commits


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, proc: subprocess.Popen, context=None) -> None:
    for _ in range(150):
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited with {proc.returncode}")
        try:
            urllib.request.urlopen(url, timeout=1, context=context).read()  # noqa: S310 - http(s) to 127.0.0.1
            return
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


@dataclass
class Served:
    base: str
    logs: Path
    code: str
    username: str
    proc: subprocess.Popen


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """gunicorn -c deploy/gunicorn.conf.py on a fresh database with a cashier and a voucher."""
    tmp = tmp_path_factory.mktemp("logs")
    url = dbutil.create_fresh_database(tmp)
    app = make_app(url)
    with app.app_context():
        upgrade()
        from tests.vouchers import factories as vf

        shop = factories.shop()
        cashier = factories.user("cashier", shop=shop)
        period = f"{dt.date.today():%Y-%m}"
        _voucher, code = vf.voucher(vf.recipient("日志测试"), period=period)
        username = cashier.username
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    port = free_port()
    env = dict(os.environ, DATABASE_URL=url, SECRET_KEY=TestConfig.SECRET_KEY, APP_ENV="production",
               SESSION_COOKIE_SECURE="0", PROXY_FIX="1", PUBLIC_BASE_URL="https://cishan.example.cn",
               GUNICORN_WORKERS="2", GUNICORN_ACCESS_LOG=str(tmp / "gunicorn-access.log"),
               GUNICORN_ERROR_LOG=str(tmp / "gunicorn-error.log"),
               PROMETHEUS_MULTIPROC_DIR=str(tmp / "metrics"))
    env.pop("DATA_KEY", None)
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py"),
                             "-b", f"127.0.0.1:{port}", "wsgi:app"], cwd=ROOT, env=env,
                            start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz", proc)
        yield Served(f"http://127.0.0.1:{port}", tmp, code, username, proc)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        dbutil.drop_database(url)


def exercise(base: str, code: str, username: str) -> dict:
    """Every way a code may still reach the server; returns the answers that matter."""
    grouped = codes.group(code)
    out = {}
    anon = Client(base)
    out["old_link"] = anon.call("GET", f"/v/{code}")
    out["old_link_grouped"] = anon.call("GET", f"/v/{grouped.lower()}")
    out["old_form"] = anon.call("GET", f"/v?code={grouped}")
    out["page"] = anon.call("GET", "/v")
    out["balance"] = anon.call("POST", "/api/v1/vouchers/balance", json_body={"code": code})
    out["referer"] = anon.call("GET", "/static/css/app.css", headers={"Referer": f"{base}/v/{code}"})
    till = Client(base)
    status, _h, body = till.call("POST", "/api/v1/session",
                                 json_body={"username": username, "password": factories.PASSWORD})
    assert status == 200, body
    till.csrf = json.loads(body)["csrf_token"]
    out["lookup"] = till.call("POST", "/api/v1/vouchers/lookup", json_body={"code": grouped.lower()})
    out["old_get"] = till.call("GET", f"/api/v1/vouchers/{code}")
    out["old_get_grouped"] = till.call("GET", f"/api/v1/vouchers/{grouped.lower()}")
    out["scan"] = till.call("POST", "/donations/pickup/scan", form={"code": f"{base}/v#{code}"})
    out["old_scan"] = till.call("GET", f"/donations/pickup?code={code}")
    out["login_page"] = anon.call("GET", "/login")
    return out


def forms_of(code: str) -> list[str]:
    grouped = codes.group(code)
    data = code[:20]
    return [s for f in (code, grouped, data, codes.group(code)[:23]) for s in (f, f.lower())]


def assert_no_code(files: list[Path], code: str) -> str:
    text = ""
    for f in files:
        content = f.read_text(errors="replace") if f.exists() else ""
        for form in forms_of(code):
            assert form not in content, f"{f.name} holds the code ({form})"
            assert form.replace("-", "%2D") not in content
        text += content
    return text


def check_answers(out: dict, code: str):
    assert out["old_link"][0] == 303 and out["old_link"][1]["Location"].endswith(f"/v#{code}")
    assert out["old_form"][0] == 303
    assert out["page"][0] == 200 and out["referer"][0] == 200 and out["login_page"][0] == 200
    balance = json.loads(out["balance"][2])
    assert out["balance"][0] == 200 and balance["balance_fen"] == 2900 and balance["status"] == "active"
    assert out["lookup"][0] == 200 and json.loads(out["lookup"][2])["code"] == codes.group(code)
    assert out["old_get"][0] == 200 and out["old_get_grouped"][0] == 200
    assert out["scan"][0] == 302 and "recipient_id=" in out["scan"][1]["Location"]


def _metrics(base: str) -> str:
    status, _headers, body = Client(base).call("GET", "/metrics")
    assert status == 200, body
    return body.decode()


def _count(text: str, route: str, status: int) -> float:
    line = f'cishan_http_requests_total{{method="GET",route="{route}",status="{status}"}} '
    found = [ln for ln in text.splitlines() if ln.startswith(line)]
    return float(found[0].split()[-1]) if found else 0.0


def test_gunicorn_logs_hold_no_voucher_code(served):
    before = _metrics(served.base)
    out = exercise(served.base, served.code, served.username)
    after = _metrics(served.base)
    # /metrics adds up both workers' samples (PROMETHEUS_MULTIPROC_DIR), whichever one answers
    assert _count(after, "/v/<path:code>", 303) - _count(before, "/v/<path:code>", 303) == 2
    assert _count(after, "/api/v1/vouchers/<code>", 200) - _count(before, "/api/v1/vouchers/<code>", 200) == 2
    assert _count(after, "/metrics", 200) - _count(before, "/metrics", 200) == 1
    assert served.code not in after
    check_answers(out, served.code)
    assert "Strict-Transport-Security" not in out["login_page"][1]  # plain HTTP: no HSTS
    time.sleep(0.5)  # the workers write their access lines after answering
    files = [served.logs / "gunicorn-access.log", served.logs / "gunicorn-error.log"]
    text = assert_no_code(files, served.code)
    access = (served.logs / "gunicorn-access.log").read_text()
    assert access.count('"GET /v/[redacted] HTTP/1.1" 303') == 2
    assert access.count('"GET /api/v1/vouchers/[redacted] HTTP/1.1" 200') == 2
    assert '"GET /v?code=[redacted] HTTP/1.1" 303' in access
    assert '"POST /api/v1/vouchers/lookup HTTP/1.1" 200' in access
    assert '"POST /api/v1/vouchers/balance HTTP/1.1" 200' in access
    assert '"GET /static/css/app.css HTTP/1.1" 200 ' in access and '/v/[redacted]" "Python-urllib' in access
    assert "Booting worker" in text or "Listening at" in text  # the error log was written as well
    # the app's own JSON line per request (app/core/logs.py) lands in the error log, route by URL rule
    assert '"route":"/v/<path:code>","endpoint":"voucher_public.public_voucher","method":"GET","status":303' in text
    assert '"route":"/api/v1/vouchers/<code>"' in text


def _self_signed(folder: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "cishan.example.cn")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=2)).sign(key, hashes.SHA256()))
    crt, pem = folder / "cert.pem", folder / "key.pem"
    crt.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    pem.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
    return crt, pem


def render_site(site: str, replacements: list[tuple[str, str]]) -> str:
    """The documented site file with this machine's ports and paths (each must be found)."""
    for old, new in replacements:
        assert old in site, f"deploy/nginx/cishan.conf no longer has {old!r}"
        site = site.replace(old, new)
    return site


@pytest.fixture(scope="module")
def proxied(served, tmp_path_factory):
    nginx = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.path.exists(p)), None)
    if nginx is None:
        pytest.skip("nginx is not installed (apt-get install nginx-light; CI installs it)")
    tmp = tmp_path_factory.mktemp("nginx")
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp / sub).mkdir()
    crt, pem = _self_signed(tmp)
    gport = served.base.rsplit(":", 1)[1]
    http_port, https_port = free_port(), free_port()
    site = render_site(SITE.read_text(), [
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{gport};"),
        ("    listen [::]:80;\n", ""), ("    listen [::]:443 ssl http2;\n", ""),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        ("/etc/letsencrypt/live/cishan.example.cn/fullchain.pem", str(crt)),
        ("/etc/letsencrypt/live/cishan.example.cn/privkey.pem", str(pem)),
        ("/var/log/nginx/", f"{tmp}/"),
        ("/srv/cishan/static/", f"{ROOT}/static/"),
    ])
    (tmp / "cishan.conf").write_text(site)
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};" if os.geteuid() == 0 else ""
    mime = "include /etc/nginx/mime.types;" if os.path.exists("/etc/nginx/mime.types") else ""
    (tmp / "nginx.conf").write_text(f"""{user}
daemon off;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/main-error.log warn;
events {{ worker_connections 64; }}
http {{
    client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy; fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi; scgi_temp_path {tmp}/scgi;
    access_log {tmp}/main-access.log;
    {mime}
    include {tmp}/cishan.conf;
}}
""")
    check = subprocess.run([nginx, "-t", "-p", str(tmp), "-c", str(tmp / "nginx.conf")],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    proc = subprocess.Popen([nginx, "-p", str(tmp), "-c", str(tmp / "nginx.conf")], start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = Client("")
    try:
        wait_for(f"https://127.0.0.1:{https_port}/healthz", proc, context=client.context)
        yield {"base": f"https://127.0.0.1:{https_port}", "http": f"http://127.0.0.1:{http_port}", "logs": tmp}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_behind_the_documented_nginx_no_log_holds_a_voucher_code(served, proxied):
    out = exercise(proxied["base"], served.code, served.username)
    check_answers(out, served.code)
    assert out["old_link"][1]["Location"] == f"{proxied['base']}/v#{served.code}"  # nginx answered it
    assert out["login_page"][1]["Strict-Transport-Security"] == "max-age=31536000"  # HTTPS via the proxy
    assert Client(proxied["base"]).call("GET", "/metrics")[0] == 404  # never through the proxy
    plain = Client(proxied["http"]).call("GET", f"/v/{served.code}")
    assert plain[0] == 301 and plain[1]["Location"].startswith("https://")
    time.sleep(0.5)
    files = [*sorted(proxied["logs"].glob("*.log")), served.logs / "gunicorn-access.log",
             served.logs / "gunicorn-error.log"]
    assert_no_code(files, served.code)
    access = (proxied["logs"] / "cishan.access.log").read_text()
    assert access.count('"GET /v/[redacted] HTTP/1.1" 303') == 2
    assert access.count('"GET /v/[redacted] HTTP/1.1" 301') == 1
    assert access.count('"GET /api/v1/vouchers/[redacted] HTTP/1.1" 200') == 2
    assert '"GET /v?[redacted] HTTP/1.1" 303' in access
    assert '"GET /donations/pickup?[redacted] HTTP/1.1" 200' in access
    assert '"POST /api/v1/vouchers/lookup HTTP/1.1" 200' in access
    assert '"GET /static/css/app.css HTTP/1.1" 200' in access and '"[redacted]"' in access
    # nginx's request id is the one the app logs for the same request
    login_line = next(ln for ln in access.splitlines() if '"GET /login HTTP/1.1" 200' in ln)
    request_id = login_line.rsplit(" ", 1)[1]
    assert f'"request_id":"{request_id}","user_id":null,"role":null,"route":"/login"' in \
        (served.logs / "gunicorn-error.log").read_text()
