"""Roster uploads waiting for "confirm": in the database, encrypted, consumed exactly once,
deleted when stale (on each upload and by `flask recipients purge-uploads`)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import multiprocessing as mp
import re

import pytest
import sqlalchemy as sa

from app.core.db import utcnow
from app.extensions import db
from app.recipients import uploads
from app.recipients.errors import RosterUploadGone
from app.recipients.models import Recipient, RosterUpload
from tests import dbutil, factories
from tests.recipients.factories import csv_bytes, person


def _upload(user_id: int, rows, name="名册-张三.csv") -> tuple[str, str, bytes]:
    data = csv_bytes(rows)
    return uploads.store(data, filename=name, user_id=user_id), hashlib.sha256(data).hexdigest(), data


def test_an_upload_is_stored_encrypted_and_taken_out_once(app_ctx):
    user = factories.user("federation")
    rows = [person("上传甲", phone="13866667777")]
    token, sha, data = _upload(user.id, rows)
    raw = db.session.execute(sa.select(RosterUpload.payload, RosterUpload.filename_enc,
                                       RosterUpload.token_hash)).one()
    blob = bytes(raw[0])
    assert rows[0][1].encode() not in blob and b"13866667777" not in blob and "上传甲".encode() not in blob
    assert "张三" not in raw[1] and token not in raw[2]
    assert uploads.consume(token, user_id=user.id, sha256=sha) == (data, "名册-张三.csv")
    with pytest.raises(RosterUploadGone) as exc:
        uploads.consume(token, user_id=user.id, sha256=sha)
    assert exc.value.code == "roster_upload_gone" and exc.value.status == 409


def test_someone_elses_or_a_changed_upload_is_refused(app_ctx):
    user, other = factories.user("federation"), factories.user("federation")
    token, sha, _data = _upload(user.id, [person("上传乙")])
    with pytest.raises(RosterUploadGone):
        uploads.consume(token, user_id=other.id, sha256=sha)
    with pytest.raises(Exception) as exc, db.session.begin_nested():
        uploads.consume(token, user_id=user.id, sha256="0" * 64)
    assert exc.value.code == "invalid_input"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RosterUpload)) == 1  # rolled back: kept
    with pytest.raises(RosterUploadGone):
        uploads.consume("not a token!", user_id=user.id, sha256=sha)


def test_stale_uploads_are_deleted_on_upload_and_by_the_command(app, tmp_path):
    with app.app_context():
        user = factories.user("federation")
        old_token, sha, _ = _upload(user.id, [person("旧上传")])
        db.session.execute(sa.update(RosterUpload).values(created_at=utcnow() - dt.timedelta(hours=3)))
        with pytest.raises(RosterUploadGone):  # older than 2 hours: gone even before the purge
            uploads.consume(old_token, user_id=user.id, sha256=sha)
        _upload(user.id, [person("新上传")])  # each upload deletes the stale ones first
        assert db.session.scalar(sa.select(sa.func.count()).select_from(RosterUpload)) == 1
        db.session.execute(sa.update(RosterUpload).values(created_at=utcnow() - dt.timedelta(minutes=150)))
        db.session.commit()
    legacy = tmp_path / "instance"
    (legacy / "roster-uploads").mkdir(parents=True)
    (legacy / "roster-uploads" / "abc.bin").write_bytes(b"name,id_number")  # what earlier versions left
    instance_path, app.instance_path = app.instance_path, str(legacy)
    try:
        result = app.test_cli_runner().invoke(args=["recipients", "purge-uploads"])
    finally:
        app.instance_path = instance_path
    assert result.exit_code == 0 and "removed 1 stale roster uploads" in result.output
    assert "removed 1 files of instance/roster-uploads" in result.output
    assert not (legacy / "roster-uploads").exists()
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(RosterUpload)) == 0


def _preview(c, rows):
    resp = c.post("/recipients/import", data={"file": (io.BytesIO(csv_bytes(rows)), "r.csv")},
                  content_type="multipart/form-data")
    html = resp.get_data(as_text=True)
    return (re.search(r'name="token" type="hidden" value="([^"]+)"', html).group(1),
            re.search(r'name="sha256" type="hidden" value="([^"]+)"', html).group(1))


def test_a_double_tapped_confirm_imports_once_and_the_second_gets_409(app, login):
    rows = [person("双击甲"), person("双击乙")]
    c = login("admin")
    token, sha = _preview(c, rows)
    first = c.post("/recipients/import/apply", data={"token": token, "sha256": sha, "sync": ""})
    second = c.post("/recipients/import/apply", data={"token": token, "sha256": sha, "sync": ""})
    assert first.status_code == 302 and second.status_code == 409
    assert "已经导入" in second.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Recipient)
                                 .where(Recipient.name.in_(["双击甲", "双击乙"]))) == 2
        assert db.session.scalar(sa.select(sa.func.count()).select_from(RosterUpload)) == 0


# --- two confirms at once, as real processes against PostgreSQL -----------------------------

def _confirm(url, user_id, token, sha, barrier, out):
    from app.core.db import commit_with_retry
    from app.core.errors import DomainError
    from app.recipients import roster
    from tests.conftest import make_app

    app = make_app(url)
    with app.app_context():
        barrier.wait()

        def work():
            data, name = uploads.consume(token, user_id=user_id, sha256=sha)
            return roster.import_roster(data, name, apply=True).new

        try:
            out.put(("imported", commit_with_retry(db.session, work)))
        except DomainError as e:
            out.put((e.code, 0))
        db.session.remove()
        db.engine.dispose()


@pytest.mark.real_commits
@pytest.mark.postgres
def test_parallel_confirms_import_the_roster_once(fresh_app):
    if not dbutil.is_postgres():
        pytest.skip("races need PostgreSQL (TEST_DATABASE_URL)")
    url = fresh_app.config["FRESH_DATABASE_URL"]
    with fresh_app.app_context():
        user = factories.user("federation")
        token, sha, _ = _upload(user.id, [person(f"并发{i}") for i in range(30)])
        user_id = user.id
        db.session.commit()
    workers = 4
    ctx = mp.get_context("spawn")
    barrier, out = ctx.Barrier(workers), ctx.Queue()
    procs = [ctx.Process(target=_confirm, args=(url, user_id, token, sha, barrier, out)) for _ in range(workers)]
    for p in procs:
        p.start()
    results = sorted(out.get(timeout=120) for _ in procs)
    for p in procs:
        p.join(timeout=60)
    assert results == [("imported", 30)] + [("roster_upload_gone", 0)] * (workers - 1)
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        assert conn.scalar(sa.text("SELECT count(*) FROM recipient")) == 30
        assert conn.scalar(sa.text("SELECT count(*) FROM roster_upload")) == 0
    engine.dispose()
