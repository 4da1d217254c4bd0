import io
import zipfile

import pytest
from sqlalchemy import func, select

from app.core import audit
from app.extensions import db
from app.recipients import roster, services
from app.recipients.models import Recipient
from app.recipients.roster_files import RosterFileError
from tests.recipients.factories import HEADER_EN, csv_bytes, person, xlsx_bytes


def n_recipients():
    return db.session.scalar(select(func.count()).select_from(Recipient))


@pytest.mark.parametrize("kind", ["utf8", "utf8-bom", "gb18030", "xlsx", "english-headers"])
def test_a_good_roster_imports_in_every_encoding(app_ctx, kind):
    rows = [person("张三"), person("李四", category="特困", district="411024"),
            person("王五", category="dibao_edge", phone="0374-5551234", size="")]
    rows[1][3] = "鄢陵县"  # a district name instead of the code
    data = {"utf8": lambda: csv_bytes(rows), "utf8-bom": lambda: csv_bytes(rows, bom=True),
            "gb18030": lambda: csv_bytes(rows, encoding="gb18030"), "xlsx": lambda: xlsx_bytes(rows),
            "english-headers": lambda: csv_bytes(rows, header=HEADER_EN)}[kind]()
    name = "roster.xlsx" if kind == "xlsx" else "roster.csv"
    before = n_recipients()
    preview = roster.import_roster(data, name)
    assert preview.ok and (preview.new, preview.changed, preview.unchanged) == (3, 0, 0)
    assert preview.encoding == {"utf8": "utf-8", "utf8-bom": "utf-8-sig", "gb18030": "gb18030",
                                "xlsx": "xlsx", "english-headers": "utf-8"}[kind]
    assert n_recipients() == before  # a preview writes nothing
    report = roster.import_roster(data, name, apply=True)
    assert report.applied and n_recipients() == before + 3
    li = services.find_by_id_number(rows[1][1])
    assert (li.name, li.category, li.district_code) == ("李四", "tekun", "411024")
    assert services.id_number_of(li) == rows[1][1] and li.id_masked == rows[1][1][:4] + "*" * 10 + rows[1][1][-4:]
    wang = services.find_by_id_number(rows[2][1])
    assert (services.phone_of(wang), wang.household_size, wang.category) == ("0374-5551234", None, "dibao_edge")
    assert wang.phone_masked == "037****1234" and "0374-5551234" not in (wang.phone_enc, wang.phone_hash)
    logged = audit.search(action="recipients.import")[0]
    assert logged.details["new"] == 3 and logged.details["sha256"] == report.sha256
    again = roster.import_roster(data, name, apply=True)
    assert (again.new, again.changed, again.unchanged) == (0, 0, 3)


def test_ten_kinds_of_bad_rows_are_each_reported_and_nothing_is_written(app_ctx):
    good = person("好人")
    dup = person("重复甲")
    bad_check = person("校验错")
    bad_check[1] = bad_check[1][:17] + ("0" if bad_check[1][17] != "0" else "1")
    rows = [
        good,                                                  # line 2: fine
        person(""),                                            # 3 empty name
        person("短号", number="41100219500101123"),            # 4 17 characters
        bad_check,                                             # 5 wrong check character
        person("生日错", number="411002195002301234"),         # 6 30 February (check char wrong too)
        person("地区错", number="999999195001011234"),         # 7 unknown region code
        person("旧证", number="411002500101123"),              # 8 old 15-digit number
        person("类别错", category="临时救助"),                  # 9 not a category of the programme
        person("区县错"),                                      # 10 unknown district
        person("电话错", phone="12345"),                        # 11 bad phone
        person("人口错", size="0"),                             # 12 bad household size
        dup, dup[:],                                           # 13, 14 duplicate ID: both left out
        person("名" * 51),                                     # 15 name too long
    ]
    rows[8][3] = "火星县"
    before = n_recipients()
    report = roster.import_roster(csv_bytes(rows), "bad.csv", apply=True)
    assert not report.ok and not report.applied and n_recipients() == before
    by_line = {b.line: "；".join(b.reasons) for b in report.bad}
    assert set(by_line) == set(range(3, 16))
    assert "姓名为空" in by_line[3]
    assert "应为18位" in by_line[4]
    assert "校验位" in by_line[5]
    assert "出生日期" in by_line[6]
    assert "地区码" in by_line[7]
    assert "15位" in by_line[8]
    assert "类别“临时救助”无法识别" in by_line[9]
    assert "区县“火星县”" in by_line[10]
    assert "电话号码" in by_line[11]
    assert "家庭人口" in by_line[12]
    assert "与第 13 行重复" in by_line[14] and "与第 14 行重复" in by_line[13]
    assert "超过50个字" in by_line[15]


def test_sync_exits_leavers_and_revokes_their_vouchers(app_ctx):
    from app.vouchers import issuance
    from app.vouchers.models import Voucher

    stay, leave, other_district = person("留下"), person("离开"), person("别区", district="411024")
    roster.import_roster(csv_bytes([stay, leave, other_district]), "r.csv", apply=True)
    issuance.issue_vouchers(period=str(__import__("app.core.timeutil", fromlist=["Period"]).Period.current()))
    leaver = services.find_by_id_number(leave[1])
    v = db.session.scalar(select(Voucher).where(Voucher.recipient_id == leaver.id))
    assert v.status == "active"
    changed = stay[:]
    changed[5] = "新社区"
    preview = roster.import_roster(csv_bytes([changed]), "r2.csv", sync=True)
    assert (preview.new, preview.changed, preview.unchanged, preview.leaving) == (0, 1, 0, 1)
    assert [s["fields"] for s in preview.samples["changed"]] == [["村社区"]]
    report = roster.import_roster(csv_bytes([changed]), "r2.csv", apply=True, sync=True)
    assert report.revoked == {"revoked": 1, "revoked_fen": 2900}
    db.session.refresh(leaver)
    db.session.refresh(v)
    assert leaver.status == "exited" and v.status == "revoked" and v.balance_fen == 0
    assert services.find_by_id_number(other_district[1]).status == "active"  # not in the file's districts
    assert services.find_by_id_number(stay[1]).community == "新社区"
    assert issuance.verify() == []
    # coming back onto the roster reactivates
    back = roster.import_roster(csv_bytes([changed, leave]), "r3.csv", apply=True)
    assert back.changed == 1 and services.find_by_id_number(leave[1]).status == "active"


def test_a_district_limited_user_cannot_import_other_districts(app_ctx):
    report = roster.import_roster(csv_bytes([person(district="411024")]), "r.csv", allowed_district="411002")
    assert not report.ok and "不在您负责的区县" in report.bad[0].reasons[0]


@pytest.mark.parametrize(("data", "name", "message"), [
    (b"", "r.csv", "空"),
    (b"a,b\n1,2\n", "r.txt", ".csv 或 .xlsx"),
    (b"PK\x03\x04garbage", "r.csv", "不是文本"),
    (b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "r.xlsx", "旧版 Excel"),
    (b"name,foo\n1,2\n", "r.csv", "缺少必需的列"),
    ("姓名,身份证号\n".encode("utf-16"), "r.csv", "UTF-16"),
])
def test_unreadable_files_are_refused_as_a_whole(app_ctx, data, name, message):
    with pytest.raises(RosterFileError, match=message):
        roster.import_roster(data, name)


def test_size_caps_and_zip_bombs(app, app_ctx, monkeypatch):
    monkeypatch.setitem(app.config, "ROSTER_MAX_BYTES", 1000)
    with pytest.raises(RosterFileError, match="文件太大"):
        roster.import_roster(csv_bytes([person() for _ in range(30)]), "r.csv")
    monkeypatch.setitem(app.config, "ROSTER_MAX_BYTES", 10 * 2**20)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<x/>")
        zf.writestr("xl/workbook.xml", "<x/>")
        zf.writestr("xl/worksheets/sheet1.xml", "0" * (50 * 2**20))
    with pytest.raises(RosterFileError, match="解压后过大"):
        roster.import_roster(buf.getvalue(), "bomb.xlsx")


def test_an_id_number_stored_as_an_excel_number_is_reported(app_ctx):
    row = person("数字")
    row[1] = float(row[1][:17] + "0") if row[1][17] == "X" else float(row[1])
    report = roster.import_roster(xlsx_bytes([row]), "r.xlsx")
    assert not report.ok and "存成了数字" in report.bad[0].reasons[0]
