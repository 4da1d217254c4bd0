"""The restore drill: a busy month (sales, voids, revocations, expiry, shifts, stock, donations,
a paid settlement) backed up with `flask backup`, restored with `flask restore` into a new
database, and `flask verify` and both months' `flask reconcile` give exactly the same figures.
On SQLite by default, on PostgreSQL (pg_dump / pg_restore) when TEST_DATABASE_URL is set."""

from __future__ import annotations

import json
import os
import stat

import pytest
import sqlalchemy as sa

from app.extensions import db
from tests import dbutil
from tests.conftest import make_app
from tests.reports.busy_month import build_busy_month

PERIODS = ("2026-11", "2026-12")


def _cli(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def _row_counts(app) -> dict:
    with app.app_context():
        with db.engine.connect() as conn:
            names = sorted(sa.inspect(conn).get_table_names())
            return {n: conn.scalar(sa.text(f'SELECT count(*) FROM "{n}"')) for n in names}


def _figures(app) -> dict:
    """verify's report (without the time each check took) and each month's reconciliation."""
    verified = _cli(app, "verify", "--format", "json")
    assert verified.exit_code == 0, verified.output
    report = json.loads(verified.stdout)
    for check in report["checks"]:
        check.pop("seconds")
    out = {"verify": report}
    for period in PERIODS:
        reconciled = _cli(app, "reconcile", "--period", period, "--format", "json")
        assert reconciled.exit_code == 0, reconciled.output
        out[period] = json.loads(reconciled.stdout)
    return out


@pytest.mark.real_commits
def test_restore_drill_gives_the_same_figures(fresh_app, tmp_path):
    with fresh_app.app_context():
        build_busy_month()
        db.session.commit()
    backup_file = tmp_path / "cishan.backup"
    made = _cli(fresh_app, "backup", "--out", str(backup_file))
    assert made.exit_code == 0, made.output
    assert stat.S_IMODE(os.stat(backup_file).st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("cishan.backup")] == ["cishan.backup"]
    first_bytes = backup_file.read_bytes()

    # never over an existing file
    again = _cli(fresh_app, "backup", "--out", str(backup_file))
    assert again.exit_code == 2 and "exists" in again.output
    assert backup_file.read_bytes() == first_bytes

    target_url = dbutil.create_fresh_database(tmp_path)
    target = make_app(target_url)
    try:
        restored = _cli(target, "restore", str(backup_file))
        assert restored.exit_code == 0, restored.output
        source_rows = _row_counts(fresh_app)
        assert source_rows["pos_sale"] > 0 and source_rows["audit_log"] > 0
        assert _row_counts(target) == source_rows

        source, copy = _figures(fresh_app), _figures(target)
        assert source["verify"]["ok"] and copy["verify"]["ok"]
        assert source["2026-11"]["redeemed_fen"] > 0 and source["2026-11"]["balanced"]
        assert copy.keys() == source.keys()
        for part in source:
            assert copy[part].keys() == source[part].keys()
            for key in source[part]:
                assert copy[part][key] == source[part][key], f"{part}: {key}"

        # a restore only ever goes into an empty database: the second one is refused
        second = _cli(target, "restore", str(backup_file))
        assert second.exit_code == 2 and "not empty" in second.output
        assert _row_counts(target)["pos_sale"] == source_rows["pos_sale"]
    finally:
        with target.app_context():
            db.session.remove()
            db.engine.dispose()
        dbutil.drop_database(target_url)


def test_restore_refuses_a_file_that_is_no_backup(app, tmp_path):
    bogus = tmp_path / "notes.txt"
    bogus.write_text("not a backup")
    refused = _cli(app, "restore", str(bogus))
    assert refused.exit_code == 2 and "not a backup" in refused.output
    missing = _cli(app, "restore", str(tmp_path / "nothing.backup"))
    assert missing.exit_code == 2 and "does not exist" in missing.output


def test_restore_into_a_database_that_cannot_be_opened_says_so(database_url, tmp_path):
    backup_file = tmp_path / "some.backup"
    backup_file.write_bytes(b"PGDMP" if dbutil.is_postgres() else b"SQLite format 3\x00")
    if dbutil.is_postgres():
        url = sa.engine.make_url(database_url).set(database="cs_no_such_database")
        missing = url.render_as_string(hide_password=False)
    else:
        missing = f"sqlite:///{tmp_path / 'no' / 'such' / 'folder.db'}"
    app = make_app(missing)
    refused = _cli(app, "restore", str(backup_file))
    assert refused.exit_code == 2 and "cannot open the database" in refused.output, refused.output
    with app.app_context():
        db.engine.dispose()
