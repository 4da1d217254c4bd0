"""Tests with real commits on a fresh database: a crash in the middle of issuance, concurrent
tills, the command line, and what a copy of the database file gives away."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from tests import dbutil

ROOT = Path(__file__).resolve().parents[2]
PERIOD = "2033-05"


def _seed(app, n: int, **kw) -> list[int]:
    from tests.vouchers import factories

    with app.app_context():
        ids = [factories.recipient(**kw).id for _ in range(n)]
        db.session.commit()
    return ids


def _issue_and_die(url: str, kill_after: int) -> None:
    """Child process: start issuance and SIGKILL itself once `kill_after` codes were made
    (after at least one batch of vouchers went to the database inside the transaction)."""
    from tests.conftest import make_app

    app = make_app(url)
    with app.app_context():
        from app.vouchers import codes, issuance

        real = codes.new_code
        made = {"n": 0}

        def counting():
            made["n"] += 1
            if made["n"] > kill_after:
                os.kill(os.getpid(), signal.SIGKILL)
            return real()

        codes.new_code = counting
        issuance.issue_vouchers(period=PERIOD, batch_size=200)
        db.session.commit()


def _counts(app):
    from app.vouchers.models import IssuanceRun, Voucher, VoucherLedger

    with app.app_context():
        out = (db.session.scalar(select(func.count()).select_from(Voucher).where(Voucher.period == PERIOD)),
               db.session.scalar(select(func.count()).select_from(VoucherLedger)),
               db.session.scalar(select(func.count()).select_from(IssuanceRun)))
        db.session.rollback()
    return out


@pytest.mark.real_commits
def test_issuance_killed_half_way_then_rerun_issues_exactly_once(fresh_app):
    _seed(fresh_app, 700)
    url = fresh_app.config["FRESH_DATABASE_URL"]
    ctx = multiprocessing.get_context("spawn")
    child = ctx.Process(target=_issue_and_die, args=(url, 450))
    child.start()
    child.join(120)
    assert child.exitcode == -signal.SIGKILL
    assert _counts(fresh_app) == (0, 0, 0)  # the killed transaction left nothing behind

    from app.vouchers import issuance

    with fresh_app.app_context():
        first = issuance.issue_vouchers(period=PERIOD, batch_size=200)
        db.session.commit()
        second = issuance.issue_vouchers(period=PERIOD)
        db.session.commit()
        assert (first.created, second.created, second.skipped) == (700, 0, 700)
        assert issuance.verify() == []
    assert _counts(fresh_app) == (700, 700, 2)


def _redeem(url: str, voucher_id: int, barrier, results) -> None:
    import datetime as dt

    from tests.conftest import make_app

    app = make_app(url)
    with app.app_context():
        from app.core.errors import DomainError
        from app.vouchers import services

        barrier.wait()
        try:
            balance = services.redeem(voucher_id, 1000, today=dt.date(2033, 5, 10), ref_type="race", ref_id=os.getpid())
            db.session.commit()
            results.put(("ok", balance))
        except DomainError as e:
            db.session.rollback()
            results.put((e.code, None))


@pytest.mark.real_commits
@pytest.mark.skipif(not dbutil.is_postgres(), reason="race tests need PostgreSQL (TEST_DATABASE_URL)")
def test_concurrent_tills_never_spend_a_voucher_twice(fresh_app):
    from app.vouchers import issuance, services
    from tests.vouchers import factories

    with fresh_app.app_context():
        v, _code = factories.voucher(period=PERIOD)
        vid = v.id
        db.session.commit()
    ctx = multiprocessing.get_context("spawn")
    n = 6
    barrier, results = ctx.Barrier(n), ctx.Queue()
    procs = [ctx.Process(target=_redeem, args=(fresh_app.config["FRESH_DATABASE_URL"], vid, barrier, results))
             for _ in range(n)]
    for p in procs:
        p.start()
    outcomes = sorted(results.get(timeout=120) for _ in procs)
    for p in procs:
        p.join(60)
    assert [o[0] for o in outcomes].count("ok") == 2  # 2900 fen pays for two 1000-fen purchases
    assert {o[0] for o in outcomes} == {"ok", "insufficient_balance"}
    assert sorted(b for k, b in outcomes if k == "ok") == [900, 1900]
    with fresh_app.app_context():
        assert services.get_voucher(vid).balance_fen == 900
        assert issuance.verify() == []


def _flask(fresh_app, *args, input_text=None):
    env = dict(os.environ, DATABASE_URL=fresh_app.config["FRESH_DATABASE_URL"], APP_ENV="development",
               SECRET_KEY=fresh_app.config["SECRET_KEY"], PUBLIC_BASE_URL="https://cishan.example")
    env.pop("TEST_DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, input=input_text, timeout=300)


@pytest.mark.real_commits
def test_the_command_line(fresh_app, tmp_path):
    from tests.recipients.factories import csv_bytes, person

    good = tmp_path / "roster.csv"
    rows = [person(f"命令{i}") for i in range(5)]
    good.write_bytes(csv_bytes(rows, encoding="gb18030"))
    dry = _flask(fresh_app, "recipients", "import", str(good), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "new 新增 5" in dry.stdout and "nothing was written" in dry.stdout
    done = _flask(fresh_app, "recipients", "import", str(good))
    assert done.returncode == 0 and "applied" in done.stdout, done.stderr
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([person(""), person(category="?")]))
    refused = _flask(fresh_app, "recipients", "import", str(bad))
    assert refused.returncode == 1 and "第 2 行" in refused.stderr and "第 3 行" in refused.stderr

    issued = _flask(fresh_app, "vouchers", "issue", "--period", PERIOD)
    assert issued.returncode == 0 and "created 5" in issued.stdout, issued.stderr
    assert "created 0" in _flask(fresh_app, "vouchers", "issue", "--period", PERIOD).stdout
    assert _flask(fresh_app, "vouchers", "issue", "--period", "2033-13").returncode == 2
    pdf = tmp_path / "s.pdf"
    sheets = _flask(fresh_app, "vouchers", "sheets", "--period", PERIOD, "--out", str(pdf))
    assert sheets.returncode == 0 and pdf.read_bytes().startswith(b"%PDF"), sheets.stderr
    assert _flask(fresh_app, "vouchers", "verify").returncode == 0
    expired = _flask(fresh_app, "vouchers", "expire", "--as-of", "2033-06-01")
    assert "expired 5 vouchers" in expired.stdout, expired.stderr
    assert "expired 0 vouchers" in _flask(fresh_app, "vouchers", "expire", "--as-of", "2033-06-01").stdout
    assert _flask(fresh_app, "vouchers", "verify").returncode == 0

    # a balance that disagrees with its ledger makes verify fail (the ledger itself is append-only)
    with fresh_app.app_context():
        from app.vouchers.models import Voucher

        db.session.execute(Voucher.__table__.update().where(Voucher.id == 1).values(status="active", balance_fen=5))
        db.session.commit()
    broken = _flask(fresh_app, "vouchers", "verify")
    assert broken.returncode == 1 and "voucher=1" in broken.stderr


@pytest.mark.real_commits
@pytest.mark.skipif(dbutil.is_postgres(), reason="greps the SQLite database file")
def test_the_sqlite_file_holds_no_id_number_and_no_voucher_code(fresh_app):
    from app.recipients import roster
    from app.vouchers import codes, issuance, services
    from app.vouchers.models import Voucher
    from tests.recipients.factories import csv_bytes, person

    rows = [person(f"明文{i}") for i in range(20)]
    with fresh_app.app_context():
        assert roster.import_roster(csv_bytes(rows), "r.csv", apply=True).applied
        issuance.issue_vouchers(period=PERIOD)
        db.session.commit()
        plain_codes = [services.code_of(v) for v in db.session.scalars(select(Voucher))]
        db.session.rollback()
        db.engine.dispose()  # the last connection closing checkpoints the WAL into the file
    path = Path(fresh_app.config["FRESH_DATABASE_URL"].split("///", 1)[1])
    blob = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))  # file, -wal, -shm
    assert len(plain_codes) == 20
    for number in (r[1] for r in rows):
        assert number.encode() not in blob
        assert number[:14].encode() not in blob  # not even region + birth date
    for code in plain_codes:
        for form in (code, codes.group(code), code[:12]):
            assert form.encode() not in blob
    assert "明文0".encode() in blob  # names are stored as they are: the grep itself works
