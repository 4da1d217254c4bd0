"""Two app servers on one PostgreSQL behave as one (issue 13): two gunicorn instances on their own
ports, eight tills spread over both, all racing for the same three vouchers and the last five
units of one product over HTTP. Nothing is overspent or oversold, no answer is a server error,
and `verify` agrees afterwards."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from tests.httpclient import Client

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "two-servers-pw-1"
TILLS, SALES_PER_TILL, LAST_UNITS = 8, 4, 5


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _gunicorn(app, log: Path) -> tuple[subprocess.Popen, str]:
    port = _port()
    env = dict(os.environ, DATABASE_URL=app.config["FRESH_DATABASE_URL"], SECRET_KEY=app.config["SECRET_KEY"],
               SESSION_COOKIE_SECURE="0", APP_ENV="production", PUBLIC_BASE_URL="https://cishan.example.cn")
    if app.config.get("DATA_KEY"):
        env["DATA_KEY"] = app.config["DATA_KEY"]
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    with log.open("ab") as out:  # the servers' own lines, read when something fails
        proc = subprocess.Popen([str(ROOT / ".venv" / "bin" / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}",
                                 "--log-level", "warning", "wsgi:app"], cwd=ROOT, env=env,
                                start_new_session=True, stdout=out, stderr=out)
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1).read()  # noqa: S310 (http://127.0.0.1)
            return proc, base
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    raise RuntimeError("gunicorn did not start")


class Till(threading.Thread):
    def __init__(self, base: str, username: str, product_id: int, codes: list[str], barrier):
        super().__init__()
        self.username, self.product_id, self.codes, self.barrier = username, product_id, codes, barrier
        self.client = Client(base)
        self.answers: list[tuple[int, dict]] = []
        self.problem: str | None = None

    def call(self, method, path, body=None):
        status, _headers, raw = self.client.call(method, path, json_body=body)
        return status, json.loads(raw or b"{}")

    def run(self):
        status, body = self.call("POST", "/api/v1/session", {"username": self.username, "password": PASSWORD})
        if status != 200:
            self.problem = f"{self.username} log-in: {status} {body}"
            self.barrier.abort()
            return
        self.client.csrf = body["csrf_token"]
        try:
            self.barrier.wait()
        except threading.BrokenBarrierError:
            return
        for n in range(SALES_PER_TILL):
            # the charity price is ¥10.00: the voucher pays what it still holds, cash the rest
            sale = {"idempotency_key": str(uuid.uuid4()), "voucher_code": self.codes[n % len(self.codes)],
                    "lines": [{"product_id": self.product_id, "qty": 1}],
                    "payments": [{"method": "cash", "amount_fen": 1000}]}
            self.answers.append(self.call("POST", "/api/v1/sales", sale))


@pytest.mark.real_commits
def test_two_servers_sell_the_last_units_and_the_same_vouchers_exactly(fresh_app, tmp_path):
    if not fresh_app.config["FRESH_DATABASE_URL"].startswith("postgresql"):
        pytest.skip("two app servers share one PostgreSQL (SQLite is one file on one machine)")
    from app.auth import services as auth
    from app.core.timeutil import Period, business_today
    from app.inventory import movements
    from app.inventory import services as inventory
    from app.pos import services as pos
    from tests.vouchers import factories as vf

    with fresh_app.app_context():
        shop = auth.create_shop(code="TWO01", name="双服务器门店", district_code="411002")
        users = []
        for n in range(TILLS):
            u = auth.create_user(username=f"two{n}", role="cashier", password=PASSWORD, shop_code="TWO01")
            pos.open_shift(cashier=u, float_fen=0)
            users.append(u.username)
        cat = inventory.create_category(name="米面油")
        oil = inventory.create_product(barcode="TWO-OIL", name="大豆油 5L", category_id=cat.id, unit="桶",
                                       market_price_fen=1500, charity_price_fen=1000, voucher_eligible=True)
        movements.receive(shop_id=shop.id, supplier="测试", received_by="测试",
                          lines=[{"product_id": oil.id, "quantity": LAST_UNITS}])
        month = str(Period.of(business_today()))
        codes = [vf.voucher(vf.recipient(f"两台{i}"), period=month)[1] for i in range(3)]
        oil_id, shop_id = oil.id, shop.id
        db.session.commit()

    log = tmp_path / "gunicorn.log"
    servers = [_gunicorn(fresh_app, log), _gunicorn(fresh_app, log)]
    try:
        barrier = threading.Barrier(TILLS)
        tills = [Till(servers[n % 2][1], users[n], oil_id, codes[n % 3:] + codes[:n % 3], barrier)
                 for n in range(TILLS)]
        for t in tills:
            t.start()
        for t in tills:
            t.join(180)
    finally:
        for proc, _ in servers:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)

    answers = [a for t in tills for a in t.answers]
    problems = [t.problem for t in tills if t.problem]
    assert not problems, (problems, log.read_text(errors="replace")[-3000:])
    assert len(answers) == TILLS * SALES_PER_TILL
    assert all(status < 500 for status, _ in answers), [a for a in answers if a[0] >= 500]
    sold = [body for status, body in answers if status == 201]
    refused = [body["error"]["code"] for status, body in answers if status != 201]
    assert len(sold) == LAST_UNITS, answers  # the last five units, sold once each, over both servers
    assert set(refused) <= {"out_of_stock", "insufficient_stock"}, refused

    from app.inventory.models import StockLevel
    from app.pos.models import Sale
    from app.reports import verify
    from app.vouchers.models import Voucher, VoucherLedger

    with fresh_app.app_context():
        assert db.session.scalar(select(StockLevel.on_hand).where(StockLevel.product_id == oil_id,
                                                                  StockLevel.shop_id == shop_id)) == 0
        assert db.session.scalar(select(func.count()).select_from(Sale)) == LAST_UNITS
        vouchers = db.session.scalars(select(Voucher)).all()
        redeemed = -db.session.scalar(select(func.sum(VoucherLedger.amount_fen)).where(VoucherLedger.kind == "redeem"))
        assert all(0 <= v.balance_fen <= v.face_fen for v in vouchers)
        assert sum(v.face_fen - v.balance_fen for v in vouchers) == redeemed
        assert redeemed == sum(s["voucher_paid_fen"] for s in sold)
        report = verify.run()
        assert report["ok"], [c for c in report["checks"] if not c["ok"]]
