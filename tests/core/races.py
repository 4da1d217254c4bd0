"""The core's commands, raced (tests/test_exactly_once.py): backup and restore."""

from __future__ import annotations

import os
import tempfile

import sqlalchemy as sa

from app.extensions import db
from tests.race import Case, Prepared, Req


def _answers(ok: int, refused: int):
    def check(answers):
        codes = sorted(a.status for a in answers)
        assert codes == [0] * ok + [2] * refused, [(a.status, str(a.body)[-300:]) for a in answers]
    return check


def backup_command(env) -> Prepared:
    """N backups to one new name at once: one writes it, the others are refused (exit 2); the
    file is linked into place, so none is overwritten, and no partial file is left."""
    folder = tempfile.mkdtemp(prefix="cs-race-backup-")
    out = os.path.join(folder, "race.backup")
    return Prepared(Req(cli=("backup", "--out", out), stretch=False),
                    lambda: sorted(os.listdir(folder)), ["race.backup"],
                    answers=_answers(1, env.workers - 1))


def _tables_and_rows():
    names = sorted(sa.inspect(db.session.connection()).get_table_names())
    return len(names), db.session.scalar(sa.text("SELECT count(*) FROM audit_log"))


def restore_command(env) -> Prepared:
    """N restores of a good backup into the (non-empty) racing database: every one is refused,
    exit 2, and the database is unchanged."""
    from app.core import backup

    out = os.path.join(tempfile.mkdtemp(prefix="cs-race-restore-"), "good.backup")
    backup.backup(out)
    before = _tables_and_rows()
    return Prepared(Req(cli=("restore", out), stretch=False), _tables_and_rows, before,
                    answers=_answers(0, env.workers))


COMMANDS = {
    "backup": Case(backup_command, "reads only (pg_dump / SQLite's backup API); the file is written beside its "
                                   "name and linked into place, which fails when the name exists: one backup "
                                   "per name, the others exit 2"),
    "restore": Case(restore_command, "only into a database without any table: a second restore (or one into a "
                                     "live database) is refused with exit 2 and writes nothing"),
}
