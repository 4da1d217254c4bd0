"""Item 13 of issue 11: import the valid rows, leave out the bad ones, download them to fix."""

from __future__ import annotations

import csv
import hashlib
import io
import re

import pytest
import sqlalchemy as sa

from app.core import audit
from app.extensions import db
from app.recipients import left_out, roster, services
from app.recipients.models import Recipient, RosterUpload
from tests.recipients.factories import HEADER_EN, HEADER_ZH, csv_bytes, person, xlsx_bytes


def _count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Recipient))


def _roster():
    """Five rows: 3 good, a bad ID number (line 3) and a formula in a bad row (line 5)."""
    good = [person("部分甲"), person("部分乙", category="城市低保"), person("部分丙")]
    bad_id = person("坏号", number="41100219500101123")
    bad_cat = person("@SUM(1+1)", category="临时救助")
    return [good[0], bad_id, good[1], bad_cat, good[2]], good, [bad_id, bad_cat]


def _read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM: Excel and WPS open it right
    return list(csv.reader(io.StringIO(data[3:].decode("utf-8"))))


def test_all_or_nothing_stays_the_default(app_ctx):
    rows, _good, _bad = _roster()
    before = _count()
    report = roster.import_roster(csv_bytes(rows), "r.csv", apply=True)
    assert not report.applied and _count() == before
    assert report.valid == 3 and report.can_skip_bad and [b.line for b in report.left_out] == [3, 5]


def test_skip_bad_imports_the_valid_rows_and_the_file_holds_the_others(app_ctx):
    rows, good, bad = _roster()
    before = _count()
    report = roster.import_roster(csv_bytes(rows), "名册.csv", apply=True, skip_bad=True)
    assert report.applied and (report.new, report.valid) == (3, 3) and _count() == before + 3
    for r in good:
        assert services.find_by_id_number(r[1]) is not None
    assert services.find_by_id_number(good[1][1]).category == "dibao"
    data, name, mimetype = left_out.build(report)
    assert name == "名册-未导入.csv" and mimetype.startswith("text/csv")
    table = _read_csv(data)
    assert table[0] == [*HEADER_ZH, "原因"]
    assert [r[:8] for r in table[1:]] == [bad[0], ["'" + bad[1][0], *bad[1][1:]]]  # formula-safe
    assert table[1][1] == "41100219500101123"  # the whole number, as uploaded
    assert table[1][8].startswith("第 3 行：") and "应为18位" in table[1][8]
    assert table[2][8].startswith("第 5 行：") and "临时救助" in table[2][8]
    logged = audit.search(action="recipients.import")[0]
    assert logged.details["skip_bad"] is True and logged.details["left_out"] == 2
    assert logged.details["left_out_lines"] == [3, 5] and logged.details["new"] == 3
    # the fixed file imports the rest
    table[1][1] = person("坏号")[1]
    table[2][0], table[2][2] = "改好", "农村低保"
    fixed = io.StringIO()
    csv.writer(fixed).writerows(table)
    again = roster.import_roster(fixed.getvalue().encode("utf-8-sig"), "名册-未导入.csv", apply=True)
    assert again.ok and again.new == 2 and again.ignored_headers == ["原因"]


def test_an_xlsx_upload_gets_its_left_out_rows_as_xlsx_with_english_headers(app_ctx):
    from openpyxl import load_workbook

    rows, _good, bad = _roster()
    report = roster.import_roster(xlsx_bytes(rows, header=HEADER_EN), "roster.xlsx", apply=True, skip_bad=True)
    assert report.applied and report.new == 3
    data, name, mimetype = left_out.build(report)
    assert name == "roster-未导入.xlsx" and "spreadsheetml" in mimetype
    ws = load_workbook(io.BytesIO(data)).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[0] == [*HEADER_EN, "reason"]
    assert values[1][1] == "41100219500101123" and ws.cell(2, 2).data_type == "s"  # text, not a number
    assert values[2][0] == "'" + bad[1][0] and "第 5 行" in values[2][8]


def test_duplicates_are_all_left_out_and_sync_cannot_skip(app_ctx):
    a = person("重复")
    rows = [a, person("单独"), a[:]]
    report = roster.import_roster(csv_bytes(rows), "r.csv", apply=True, skip_bad=True)
    assert report.new == 1 and [b.line for b in report.left_out] == [2, 4]
    assert [b.cells for b in report.left_out] == [a, a]  # the first copy too, read again from the file
    assert services.find_by_id_number(a[1]) is None
    with pytest.raises(Exception, match="同步导入不能跳过") as exc:
        roster.import_roster(csv_bytes(rows), "r.csv", apply=True, skip_bad=True, sync=True)
    assert exc.value.code == "invalid_input"
    nothing_valid = roster.import_roster(csv_bytes([person("")]), "r.csv", apply=True, skip_bad=True)
    assert not nothing_valid.applied and not nothing_valid.can_skip_bad


def _preview(c, data: bytes, name: str = "r.csv"):
    resp = c.post("/recipients/import", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")
    return resp, resp.get_data(as_text=True)


def _field(html: str, form_action: str, name: str) -> str:
    form = html[html.index(f'action="{form_action}"'):]
    form = form[:form.index("</form>")]
    return re.search(rf'name="{name}" type="hidden" value="([^"]*)"', form).group(1)


def test_the_preview_offers_the_choice_and_the_download(app, login):
    rows, good, bad = _roster()
    c = login("federation")
    resp, html = _preview(c, csv_bytes(rows))
    assert resp.status_code == 422
    assert "有 2 行错误，未写入任何数据" in html and "第 3 行" in html and "第 5 行" in html
    assert "只导入正确的 3 行，跳过 2 行" in html and "不导入，改正后重新上传" in html
    assert "确认导入" not in html  # the whole file cannot be imported
    assert "含完整的身份证号" in html
    for r in rows:
        assert r[1] not in html  # no whole ID number on the page
    token = _field(html, "/recipients/import/left-out", "token")
    # the download: a POST (no ID number, not even the token, in a URL), audited, repeatable
    got = c.post("/recipients/import/left-out", data={"token": token})
    assert got.status_code == 200 and got.headers["Cache-Control"] == "no-store"
    assert "attachment" in got.headers["Content-Disposition"]
    assert [r[1] for r in _read_csv(got.data)[1:]] == [bad[0][1], bad[1][1]]
    assert c.get("/recipients/import/left-out").status_code == 405
    assert c.post("/recipients/import/left-out", data={"token": token}).status_code == 200
    other = login("federation")
    assert other.post("/recipients/import/left-out", data={"token": token}).status_code == 409
    with app.app_context():
        downloads = audit.search(action="recipients.left_out_download")
        assert len(downloads) == 2 and downloads[0].details["rows"] == 2
        assert downloads[0].details["sha256"] == hashlib.sha256(csv_bytes(rows)).hexdigest()
    # the partial import, once
    form = {"token": _field(html, "/recipients/import/apply-valid", "token"),
            "sha256": _field(html, "/recipients/import/apply-valid", "sha256"), "sync": ""}
    with app.app_context():
        before = _count()
    done = c.post("/recipients/import/apply-valid", data=form)
    page = done.get_data(as_text=True)
    assert done.status_code == 200 and "已导入 3 行正确的数据" in page and "2 行有错误，没有导入" in page
    again = c.post("/recipients/import/apply-valid", data=form)
    assert again.status_code == 409
    with app.app_context():
        assert _count() == before + 3
        assert all(services.find_by_id_number(r[1]) is not None for r in good)
    after = _field(page, "/recipients/import/left-out", "token")
    assert _read_csv(c.post("/recipients/import/left-out", data={"token": after}).data)[1][0] == bad[0][0]


def test_a_roster_that_is_all_good_or_all_bad_offers_no_partial_import(login):
    c = login("federation")
    _resp, html = _preview(c, csv_bytes([person("全好")]))
    assert "确认导入" in html and "apply-valid" not in html and "import/left-out" not in html
    resp, html = _preview(c, csv_bytes([person(""), person("", category="x")]))
    assert resp.status_code == 422 and "apply-valid" not in html and "import/left-out" in html
    with_sync = c.post("/recipients/import", data={"file": (io.BytesIO(csv_bytes(_roster()[0])), "r.csv"),
                                                   "sync": "y"}, content_type="multipart/form-data")
    html = with_sync.get_data(as_text=True)
    assert "apply-valid" not in html and "同步导入不能跳过有错误的行" in html


def test_left_out_files_are_encrypted_and_go_stale(app, app_ctx):
    import datetime as dt

    from app.core.db import utcnow
    from app.recipients import uploads
    from app.recipients.errors import RosterUploadGone
    from tests import factories

    user = factories.user("federation")
    rows, _good, bad = _roster()
    report = roster.import_roster(csv_bytes(rows), "r.csv")
    data, name, mimetype = left_out.build(report)
    token = uploads.store_left_out(data, filename=name, mimetype=mimetype, rows=2, upload_sha256=report.sha256,
                                   user_id=user.id)
    blob = bytes(db.session.scalar(sa.select(RosterUpload.payload)))
    assert bad[0][1].encode() not in blob
    with pytest.raises(RosterUploadGone):  # an upload's token never opens a left-out file, nor the reverse
        uploads.consume(token, user_id=user.id, sha256=hashlib.sha256(data).hexdigest())
    assert uploads.left_out(token, user_id=user.id)[0] == data
    db.session.execute(sa.update(RosterUpload).values(created_at=utcnow() - dt.timedelta(hours=3)))
    with pytest.raises(RosterUploadGone):
        uploads.left_out(token, user_id=user.id)
    assert uploads.purge_stale() == 1


def test_the_command_line_can_skip_bad_rows_and_write_them_out(app, tmp_path):
    rows, good, bad = _roster()
    path = tmp_path / "roster.csv"
    path.write_bytes(csv_bytes(rows))
    out = tmp_path / "bad.xlsx"
    runner = app.test_cli_runner()
    plain = runner.invoke(args=["recipients", "import", str(path), "--bad-rows-out", str(tmp_path / "b.csv")])
    assert plain.exit_code == 1 and "nothing was written" in plain.output
    assert _read_csv((tmp_path / "b.csv").read_bytes())[1][1] == bad[0][1]
    wrong = runner.invoke(args=["recipients", "import", str(path), "--bad-rows-out", str(tmp_path / "b.txt")])
    assert wrong.exit_code == 2 and ".csv 或 .xlsx" in wrong.output
    sync = runner.invoke(args=["recipients", "import", str(path), "--skip-bad", "--sync"])
    assert sync.exit_code == 2 and "同步导入不能跳过" in sync.output
    result = runner.invoke(args=["recipients", "import", str(path), "--skip-bad", "--bad-rows-out", str(out)])
    assert result.exit_code == 0, result.output
    assert "new 新增 3" in result.output and "left out 未导入 2" in result.output and "第 3 行" in result.output
    from openpyxl import load_workbook

    ws = load_workbook(out).active
    assert [c.value for c in next(ws.iter_rows())][-1] == "原因" and ws.max_row == 3
    with app.app_context():
        assert all(services.find_by_id_number(r[1]) is not None for r in good)
        assert [a.details["channel"] for a in audit.search(action="recipients.left_out_download")] == ["cli", "cli"]


def test_a_synchronised_import_from_the_page_does_synchronise(app, login):
    """Found on the way: the preview's confirm form took `sync` from the upload form just posted
    ("y"), not the "1" the confirmation looks for, so a sync chosen on the page never ran."""
    stay, leave = person("同步留"), person("同步走")
    c = login("federation")
    _resp, html = _preview(c, csv_bytes([stay, leave]))
    c.post("/recipients/import/apply", data={"token": _field(html, "/recipients/import/apply", "token"),
                                             "sha256": _field(html, "/recipients/import/apply", "sha256"),
                                             "sync": ""})
    resp = c.post("/recipients/import", data={"file": (io.BytesIO(csv_bytes([stay])), "r.csv"), "sync": "y"},
                  content_type="multipart/form-data")
    html = resp.get_data(as_text=True)
    assert _field(html, "/recipients/import/apply", "sync") == "1"
    form = {name: _field(html, "/recipients/import/apply", name) for name in ("token", "sha256", "sync")}
    assert c.post("/recipients/import/apply", data=form).status_code == 302
    with app.app_context():
        assert services.find_by_id_number(leave[1]).status == "exited"
        assert services.find_by_id_number(stay[1]).status == "active"
