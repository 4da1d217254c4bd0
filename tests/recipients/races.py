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


def import_command(env) -> Prepared:
    data, numbers = _roster()
    path = tempfile.NamedTemporaryFile(suffix=".csv", delete=False).name
    with open(path, "wb") as f:
        f.write(data)
    db.session.commit()
    return Prepared(Req(cli=("recipients", "import", path)), _registered(numbers), 2)


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
}

COMMANDS = {
    "recipients import": Case(import_command, "imports take turns (advisory lock); the second finds the rows "
                                              "imported and unchanged"),
    "recipients purge-uploads": Case(purge_uploads_command, "one DELETE of the stale uploads"),
}
