"""Registry and roster-import routes and commands, raced (tests/test_exactly_once.py)."""

from __future__ import annotations

import tempfile

import sqlalchemy as sa

from app.extensions import db
from tests import factories
from tests.race import Case, Prepared, Req
from tests.recipients.factories import csv_bytes, person
from tests.vouchers import factories as vf


def _n(sql: str, **params):
    return db.session.scalar(sa.text(sql), params)


def _roster():
    """A roster of two new people: (file bytes, their ID numbers)."""
    rows = [person("竞争甲"), person("竞争乙")]
    return csv_bytes(rows), [r[1] for r in rows]


def _registered(numbers):
    from app.recipients.services import id_hash

    hashes = tuple(id_hash(n) for n in numbers)
    return lambda: sum(_n("SELECT count(*) FROM recipient WHERE id_number_hash = :h", h=h) for h in hashes)


def reveal(env) -> Prepared:
    """A reveal shows the whole ID number and is audited: each of N is an audited view."""
    recipient = vf.recipient()
    rid = recipient.id
    who = env.login(factories.user("federation"))
    return Prepared(Req("POST", f"/recipients/{rid}/reveal", form={"reason": "核对身份"}, who=who),
                    lambda: _n("SELECT count(*) FROM audit_log WHERE action = 'recipient.reveal_id' AND target_id = :r",
                               r=str(rid)), env.workers, expect_after_retry=env.workers + 1)


def import_preview(env) -> Prepared:
    """A preview writes nothing to the registry (each keeps its own upload for the confirmation)."""
    data, numbers = _roster()
    who = env.login(factories.user("federation"))
    return Prepared(Req("POST", "/recipients/import", form={"sync": ""}, files={"file": (data, "roster.csv")}, who=who),
                    _registered(numbers), 0)


def import_apply(env) -> Prepared:
    """The confirmation of one preview, N times at once: one import (the upload is consumed once)."""
    from app.recipients import uploads

    data, numbers = _roster()
    user = factories.user("federation")
    token = uploads.store(data, filename="roster.csv", user_id=user.id)
    import hashlib

    form = {"token": token, "sha256": hashlib.sha256(data).hexdigest(), "sync": ""}
    who = env.login(user)
    return Prepared(Req("POST", "/recipients/import/apply", form=form, who=who),
                    lambda: (_registered(numbers)(),
                             _n("SELECT count(*) FROM audit_log WHERE action = 'recipients.import' AND user_id = :u",
                                u=who.user_id)), (2, 1))


def _with_a_bad_row():
    """Two new people and a row with a bad ID number: (file bytes, the good rows' ID numbers)."""
    rows = [person("部分竞争甲"), person("坏行", number="41100219500101123"), person("部分竞争乙")]
    return csv_bytes(rows), [rows[0][1], rows[2][1]]


def import_apply_valid(env) -> Prepared:
    """"Import the valid rows" of one preview, N times at once: one partial import (the upload
    is consumed once), one left-out file kept for its download."""
    import hashlib

    from app.recipients import uploads

    data, numbers = _with_a_bad_row()
    user = factories.user("federation")
    token = uploads.store(data, filename="roster.csv", user_id=user.id)
    form = {"token": token, "sha256": hashlib.sha256(data).hexdigest(), "sync": ""}
    who = env.login(user)
    return Prepared(Req("POST", "/recipients/import/apply-valid", form=form, who=who),
                    lambda: (_registered(numbers)(),
                             _n("SELECT count(*) FROM audit_log WHERE action = 'recipients.import' AND user_id = :u",
                                u=who.user_id),
                             _n("SELECT count(*) FROM roster_upload WHERE user_id = :u", u=who.user_id)), (2, 1, 1))


def import_left_out(env) -> Prepared:
    """A download of the left-out rows is an audited hand-out: each of N is one of its own."""
    from app.recipients import uploads

    user = factories.user("federation")
    token = uploads.store_left_out(b"\xef\xbb\xbfname,reason\n", filename="r-left-out.csv", mimetype="text/csv",
                                   rows=1, upload_sha256="0" * 64, user_id=user.id)
    who = env.login(user)
    return Prepared(Req("POST", "/recipients/import/left-out", form={"token": token}, who=who),
                    lambda: _n("SELECT count(*) FROM audit_log WHERE action = 'recipients.left_out_download' "
                               "AND user_id = :u", u=who.user_id), env.workers, expect_after_retry=env.workers + 1)


def import_command(env) -> Prepared:
    """`--skip-bad --bad-rows-out`: the valid rows once; the bad one written out by each run."""
    data, numbers = _with_a_bad_row()
    path = tempfile.NamedTemporaryFile(suffix=".csv", delete=False).name
    with open(path, "wb") as f:
        f.write(data)
    db.session.commit()
    return Prepared(Req(cli=("recipients", "import", path, "--skip-bad", "--bad-rows-out", path + ".bad.csv")),
                    _registered(numbers), 2)


def purge_uploads_command(env) -> Prepared:
    """Stale uploads deleted by N purges at once: each once, none left."""
    import datetime as dt

    from app.core.db import utcnow
    from app.recipients import uploads

    user = factories.user("federation")
    uploads.store(b"x", filename="old.csv", user_id=user.id)
    db.session.execute(sa.text("UPDATE roster_upload SET created_at = :t"),
                       {"t": utcnow() - dt.timedelta(days=2)})
    db.session.commit()
    return Prepared(Req(cli=("recipients", "purge-uploads")), lambda: _n("SELECT count(*) FROM roster_upload"), 0)


CASES = {
    ("POST", "recipients.reveal"): Case(reveal, "an audited view: each reveal is one of its own"),
    ("POST", "recipients.import_preview"): Case(import_preview, "writes nothing to the registry; each keeps an "
                                                                "encrypted upload of its own"),
    ("POST", "recipients.import_apply"): Case(import_apply, "the upload is consumed by one DELETE … RETURNING "
                                                            "(409 roster_upload_gone); imports take turns"),
    ("POST", "recipients.import_apply_valid"): Case(import_apply_valid, "as import_apply: the upload is consumed "
                                                                        "once; the left-out file is stored by "
                                                                        "the one that consumed it"),
    ("POST", "recipients.import_left_out"): Case(import_left_out, "an audited download: each is one of its own "
                                                                  "(reads the stored file, writes the audit row)"),
}

COMMANDS = {
    "recipients import": Case(import_command, "imports take turns (advisory lock); the second finds the rows "
                                              "imported and unchanged (with --skip-bad: the bad row left out "
                                              "each time, never written)"),
    "recipients purge-uploads": Case(purge_uploads_command, "one DELETE of the stale uploads"),
}
