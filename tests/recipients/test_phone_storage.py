"""Phone numbers (recipients' and donors' contact phones) are stored like ID numbers: ciphertext,
a keyed hash and the mask screens show; the whole number only through an audited reveal. The
migration encrypts the numbers already stored in clear (on SQLite and on PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from app.core import crypto
from app.donations import donors
from app.extensions import db
from app.recipients import services
from tests import dbutil
from tests.conftest import ROOT, make_app
from tests.vouchers import factories


def _raw_row(table: str, row_id: int) -> str:
    row = db.session.execute(sa.text(f"SELECT * FROM {table} WHERE id = :i"), {"i": row_id}).mappings().one()
    return " ".join(str(v) for v in row.values())


def test_a_recipients_phone_is_stored_encrypted_and_shown_masked(app_ctx):
    r = factories.recipient("周电话", phone="13912345678")
    raw = _raw_row("recipient", r.id)
    assert "13912345678" not in raw and "2345678" not in raw
    assert r.phone_masked == "139****5678" and services.phone_of(r) == "13912345678"
    assert r.phone_hash == crypto.phone_hash("13912345678")
    none = factories.recipient("无电话")
    assert (none.phone_enc, none.phone_hash, none.phone_masked, services.phone_of(none)) == (None, None, None, "")


def test_a_donors_contact_phone_is_stored_encrypted(app, login):
    with app.app_context():
        d = donors.create_donor(kind="individual", name="李善人", contact_name="李先生",
                                contact_phone="13800002222")
        did = d.id
        raw = _raw_row("donor", did)
        assert "13800002222" not in raw and d.contact_phone_masked == "138****2222"
        assert crypto.decrypt_phone(d.contact_phone_enc) == "13800002222"
        db.session.commit()
    html = login("federation").get("/donations/donors").get_data(as_text=True)
    assert "138****2222" in html and "13800002222" not in html


def test_the_roster_compares_phones_through_their_hash(app_ctx):
    from app.recipients import roster
    from tests.recipients.factories import csv_bytes, person

    rows = [person("电话甲", phone="13700001111")]
    roster.import_roster(csv_bytes(rows), "a.csv", apply=True)
    same = roster.import_roster(csv_bytes(rows), "a.csv")
    assert (same.changed, same.unchanged) == (0, 1)
    rows[0][6] = "13700002222"
    changed = roster.import_roster(csv_bytes(rows), "a.csv", apply=True)
    assert changed.changed == 1 and changed.samples["changed"][0]["fields"] == ["电话"]
    r = services.find_by_id_number(rows[0][1])
    assert services.phone_of(r) == "13700002222" and r.phone_masked == "137****2222"


def _before_0011() -> str:
    script = ScriptDirectory.from_config(_alembic_config())
    return script.get_revision("0011").down_revision


def _alembic_config():
    from alembic.config import Config

    cfg = Config(str(ROOT / "migrations" / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    return cfg


@pytest.mark.real_commits
def test_the_migration_encrypts_the_phones_already_stored_and_the_downgrade_restores_them(tmp_path):
    url = dbutil.create_fresh_database(tmp_path)
    app = make_app(url)
    now = dt.datetime(2026, 12, 1, tzinfo=dt.UTC).replace(tzinfo=None)
    try:
        with app.app_context():
            upgrade(revision=_before_0011())
            with db.engine.begin() as conn:
                for i, phone in enumerate(("13811112222", None, "0374-5556666")):
                    conn.execute(sa.text(
                        "INSERT INTO recipient (name, id_number_enc, id_number_hash, id_masked, id_last4, category,"
                        " district_code, township, community, phone, status, created_at, updated_at) VALUES"
                        " (:n, 'x', :h, 'm', '0000', 'dibao', '411002', '', '', :p, 'active', :t, :t)"),
                        {"n": f"旧{i}", "h": f"h{i}", "p": phone, "t": now})
                conn.execute(sa.text(
                    "INSERT INTO donor (kind, name, contact_name, contact_phone, address, active, created_at)"
                    " VALUES ('individual', '旧捐赠人', '', '13933334444', '', :a, :t),"
                    " ('individual', '无电话捐赠人', '', '', '', :a, :t)"), {"a": True, "t": now})
            upgrade(revision="0011")
            with db.engine.connect() as conn:
                cols = {c["name"] for c in sa.inspect(conn).get_columns("recipient")}
                assert "phone" not in cols and {"phone_enc", "phone_hash", "phone_masked"} <= cols
                assert "contact_phone" not in {c["name"] for c in sa.inspect(conn).get_columns("donor")}
                rows = conn.execute(sa.text("SELECT name, phone_enc, phone_hash, phone_masked FROM recipient"
                                            " ORDER BY name")).all()
                dump = " ".join(str(v) for r in rows for v in r)
                assert "13811112222" not in dump and "5556666" not in dump
                got = {name: (crypto.decrypt_phone(enc), masked,
                              h == crypto.phone_hash(crypto.decrypt_phone(enc)) if enc else h)
                       for name, enc, h, masked in rows}
                assert got == {"旧0": ("13811112222", "138****2222", True), "旧1": ("", None, None),
                               "旧2": ("0374-5556666", "037****6666", True)}
                donors_ = dict(conn.execute(sa.text("SELECT name, contact_phone_enc FROM donor")).all())
                assert crypto.decrypt_phone(donors_["旧捐赠人"]) == "13933334444" and donors_["无电话捐赠人"] is None
            downgrade(revision=_before_0011())
            with db.engine.connect() as conn:
                back = dict(conn.execute(sa.text("SELECT name, phone FROM recipient")).all())
                assert back == {"旧0": "13811112222", "旧1": None, "旧2": "0374-5556666"}
                assert dict(conn.execute(sa.text("SELECT name, contact_phone FROM donor")).all()) == {
                    "旧捐赠人": "13933334444", "无电话捐赠人": ""}
            upgrade(revision="0011")
            db.session.remove()
            db.engine.dispose()
    finally:
        dbutil.drop_database(url)
