"""Roster import: validate every row, show the difference to the registry, apply all or nothing.

`import_roster(data, filename, apply=False)` is the preview (and `--dry-run`); with
`apply=True` and no bad row it writes the whole difference in the caller's transaction:
new recipients (bulk insert), changed ones (bulk update), and with `sync=True` the active or
suspended recipients of the file's districts who are missing from it become `exited` (their
unspent vouchers are revoked through the exit hooks). One audit row records the batch.
Memory: rows are kept as small tuples, the registry is compared through keyed hashes in
batches; 100,000 rows stay well under a few hundred MB.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import uuid
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from app.core import audit, crypto, regions
from app.core.db import take_turns, utcnow
from app.core.errors import Conflict, InvalidInput
from app.core.ids import InvalidResidentId, parse_resident_id
from app.core.masking import mask_id_number, mask_name
from app.core.timeutil import business_today
from app.extensions import db
from app.recipients.categories import parse_category
from app.recipients.models import Recipient
from app.recipients.roster_files import open_roster
from app.recipients.services import id_fields, id_hash, notify_exit, phone_fields

PHONE = re.compile(r"^(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
FIELDS = ("name", "category", "district_code", "township", "community", "phone", "household_size")
# the registry keeps the phone encrypted: rows are compared by its keyed hash (phone_hash)
STORED = (*(f for f in FIELDS if f != "phone"), "phone_enc", "phone_hash", "phone_masked")
FIELD_LABELS = {"name": "姓名", "category": "类别", "district_code": "区县", "township": "乡镇街道",
                "community": "村社区", "phone": "电话", "household_size": "家庭人口", "status": "状态"}
SAMPLE = 200
BATCH = 1000


@dataclass
class BadRow:
    line: int
    reasons: list
    cells: list = field(default_factory=list)  # the row as written (for the left-out rows' file)


@dataclass
class RosterReport:
    filename: str
    sha256: str
    encoding: str = ""
    rows: int = 0
    bad: list = field(default_factory=list)
    valid: int = 0  # rows without an error (what "import the valid rows" would write)
    header: list = field(default_factory=list)  # the file's header row, as written
    skip_bad: bool = False  # the clerk chose to import the valid rows and leave out the bad ones
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    leaving: int = 0
    sync: bool = False
    districts: list = field(default_factory=list)
    ignored_headers: list = field(default_factory=list)
    samples: dict = field(default_factory=lambda: {"new": [], "changed": [], "leaving": []})
    applied: bool = False
    batch_id: str | None = None
    revoked: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.bad

    @property
    def can_skip_bad(self) -> bool:
        """Importing the valid rows alone is possible: some are bad, some valid, no sync (a
        synchronised import would take the people of the left-out rows for leavers)."""
        return bool(self.bad) and self.valid > 0 and not self.sync

    @property
    def left_out(self) -> list:
        """The bad rows that are rows of the file (not "the file has no data row")."""
        return [b for b in self.bad if b.line > 0]

    def as_dict(self) -> dict:
        return {"filename": self.filename, "sha256": self.sha256, "encoding": self.encoding,
                "rows": self.rows, "valid": self.valid, "skip_bad": self.skip_bad,
                "bad_rows": [{"line": b.line, "reasons": b.reasons} for b in self.bad],
                "new": self.new, "changed": self.changed, "unchanged": self.unchanged,
                "leaving": self.leaving, "sync": self.sync, "districts": self.districts,
                "applied": self.applied, "batch_id": self.batch_id, "revoked": self.revoked}


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _validate(cells: list, columns: dict, *, prefix: str, allowed_district: str | None,
              today: dt.date) -> tuple[tuple | None, list]:
    def get(col):
        i = columns.get(col)
        return cells[i] if i is not None and i < len(cells) else None

    reasons = []
    name = _text(get("name"))
    if not name:
        reasons.append(_("姓名为空"))
    elif len(name) > 50:
        reasons.append(_("姓名超过50个字"))
    raw_id = get("id_number")
    number = None
    if isinstance(raw_id, float | int) and not isinstance(raw_id, bool):
        reasons.append(_("身份证号被存成了数字（末尾几位已丢失），请把该列设为文本后重新录入"))
    else:
        try:
            number = parse_resident_id(_text(raw_id), today=today).number
        except InvalidResidentId as e:
            reasons.append(str(e.message))
    cat_text = _text(get("category"))
    category = parse_category(cat_text)
    if category is None:
        reasons.append(_("类别“%(v)s”无法识别（导入页面的对照表列出可用的写法，如 城市低保、农村低保、特困供养、"
                         "低保边缘）", v=cat_text) if cat_text else _("类别为空"))
    district_text = _text(get("district"))
    district = regions.resolve_district(district_text, prefix=prefix)
    if district is None:
        reasons.append(_("区县“%(v)s”不存在或无法确定，请填写6位区县代码", v=district_text))
    elif allowed_district and district != allowed_district:
        reasons.append(_("区县 %(v)s 不在您负责的区县（%(d)s）", v=district, d=allowed_district))
    township, community = _text(get("township")), _text(get("community"))
    if len(township) > 60 or len(community) > 60:
        reasons.append(_("乡镇街道或村社区名称超过60个字"))
    phone = re.sub(r"[\s()（）]", "", _text(get("phone")))
    if phone and not PHONE.match(phone):
        reasons.append(_("电话号码“%(v)s”格式不正确（手机11位，或区号-座机号）", v=phone))
    size_text = _text(get("household_size"))
    size = None
    if size_text:
        if not size_text.isascii() or not size_text.isdigit() or not 1 <= int(size_text) <= 20:
            reasons.append(_("家庭人口“%(v)s”应为 1–20 的整数", v=size_text))
        else:
            size = int(size_text)
    if reasons:
        return None, reasons
    return (number, name, category, district, township, community, phone or None, size), []


def _registry(hashes: list[str]) -> dict:
    t = Recipient
    out = {}
    for start in range(0, len(hashes), BATCH):
        chunk = hashes[start:start + BATCH]
        for row in db.session.execute(
                select(t.id_number_hash, t.id, t.name, t.category, t.district_code, t.township,
                       t.community, t.phone_hash, t.household_size, t.status)
                .where(t.id_number_hash.in_(chunk))):
            out[row[0]] = row[1:]
    return out


def import_roster(data: bytes, filename: str, *, apply: bool = False, sync: bool = False,
                  skip_bad: bool = False, allowed_district: str | None = None,
                  today: dt.date | None = None) -> RosterReport:
    """Validate and compare a roster; with `apply` write it: all of it when no row is bad, or
    with `skip_bad` its valid rows, leaving out the bad ones (`report.left_out`, each with its
    cells and reasons). Not with `sync`. Flushes only."""
    if skip_bad and sync:
        raise InvalidInput(_("同步导入不能跳过有错误的行（被跳过的人会被当作退出）：请改正后重新上传"))
    if apply:  # two imports take turns: the second compares against what the first wrote
        take_turns(db.session, "recipients.roster_import")
    today = today or business_today()
    report = RosterReport(filename=filename, sha256=hashlib.sha256(data).hexdigest(), sync=sync,
                          skip_bad=skip_bad)
    roster = open_roster(data, filename)
    report.encoding, report.ignored_headers = roster.encoding, roster.ignored_headers
    report.header = roster.header
    prefix = current_app.config.get("HOME_REGION_PREFIX", "")
    good: dict[str, tuple] = {}  # id hash -> (line, values)
    first: dict[str, int] = {}  # id hash -> the line of its first row
    refetch: set[int] = set()  # first rows of a duplicate: their cells are read again below
    bad: dict[int, BadRow] = {}
    for line, cells in roster.rows:
        if not any(_text(c) for c in cells):
            continue
        report.rows += 1
        values, reasons = _validate(cells, roster.columns, prefix=prefix,
                                    allowed_district=allowed_district, today=today)
        if values is not None:
            h = id_hash(values[0])
            if h in first:  # every copy is left out: which one is right is the clerk's call
                reasons = [_("身份证号与第 %(n)s 行重复", n=first[h])]
                if good.pop(h, None) is not None:
                    bad[first[h]] = BadRow(first[h], [_("身份证号与第 %(n)s 行重复", n=line)])
                    refetch.add(first[h])
            else:
                first[h] = line
                good[h] = (line, values)
        if reasons:
            bad[line] = BadRow(line, reasons, list(cells))
    first.clear()
    if refetch:  # rows are not kept in memory: read the few that turned out duplicated once more
        for line, cells in open_roster(data, filename).rows:
            if line in refetch:
                bad[line].cells = list(cells)
    report.bad = [bad[line] for line in sorted(bad)]
    report.valid = len(good)
    if report.rows == 0:
        report.bad.append(BadRow(0, [_("文件中没有数据行")]))
    report.districts = sorted({v[3] for _l, v in good.values()})
    existing = _registry(list(good))
    new_rows, changed_rows = [], []
    for h, (line, v) in good.items():
        number, name, category, district, township, community, phone, size = v
        old = existing.get(h)
        if old is None:
            new_rows.append((h, v))
            if len(report.samples["new"]) < SAMPLE:
                report.samples["new"].append({"line": line, "name": mask_name(name),
                                              "id": mask_id_number(number), "category": category,
                                              "district": district, "community": community})
            continue
        fresh = {"name": name, "category": category, "district_code": district, "township": township,
                 "community": community, "phone": phone, "household_size": size}
        before = dict(zip(FIELDS, old[1:8], strict=True))
        compared = {**fresh, "phone": crypto.phone_hash(phone)}
        diffs = [f for f in FIELDS if before[f] != compared[f]]
        if old[8] != "active":
            diffs.append("status")
        if diffs:
            changed_rows.append((old[0], fresh, old[8] != "active"))
            if len(report.samples["changed"]) < SAMPLE:
                report.samples["changed"].append({"line": line, "name": mask_name(name),
                                                  "id": mask_id_number(number),
                                                  "fields": [FIELD_LABELS[f] for f in diffs]})
        else:
            report.unchanged += 1
    report.new, report.changed = len(new_rows), len(changed_rows)
    leaving = _leaving(report.districts, set(good)) if sync and report.ok else []
    report.leaving = len(leaving)
    report.samples["leaving"] = [{"name": mask_name(n), "id": m, "district": d} for _i, n, m, d in leaving[:SAMPLE]]
    if apply and (report.ok or (skip_bad and report.can_skip_bad)):
        _apply(report, new_rows, changed_rows, [row[0] for row in leaving], today=today)
    return report


def _stored(fresh: dict) -> dict:
    """A changed row's values as the registry stores them (the phone encrypted)."""
    out = {k: v for k, v in fresh.items() if k != "phone"}
    out.update(phone_fields(fresh["phone"]))
    return out


def _leaving(districts: list[str], present: set[str]) -> list[tuple]:
    if not districts:
        return []
    rows = db.session.execute(
        select(Recipient.id, Recipient.name, Recipient.id_masked, Recipient.district_code,
               Recipient.id_number_hash)
        .where(Recipient.district_code.in_(districts), Recipient.status != "exited")
        .order_by(Recipient.district_code, Recipient.name, Recipient.id))
    return [(rid, name, masked, district) for rid, name, masked, district, h in rows if h not in present]


def _apply(report: RosterReport, new_rows, changed_rows, leaving_ids, *, today: dt.date) -> None:
    table = Recipient.__table__
    now = utcnow()
    try:
        for start in range(0, len(new_rows), BATCH):
            batch = []
            for _h, (number, name, category, district, township, community, phone, size) in \
                    new_rows[start:start + BATCH]:
                batch.append({"name": name, "category": category, "district_code": district,
                              "township": township, "community": community, **phone_fields(phone),
                              "household_size": size, "status": "active", "status_since": today,
                              "created_at": now, "updated_at": now, **id_fields(number)})
            db.session.execute(insert(table), batch)
        stmt = (update(table).where(table.c.id == bindparam("b_id"))
                .values(**{f: bindparam(f"b_{f}") for f in STORED}, status="active",
                        updated_at=now))
        for start in range(0, len(changed_rows), BATCH):
            db.session.execute(stmt, [{"b_id": rid, **{f"b_{k}": v for k, v in _stored(fresh).items()}}
                                      for rid, fresh, _r in changed_rows[start:start + BATCH]])
        # a recipient coming back onto the roster (suspended or exited before) is active from today
        back = [rid for rid, _f, returning in changed_rows if returning]
        for start in range(0, len(back), BATCH):
            db.session.execute(update(table).where(table.c.id.in_(back[start:start + BATCH]))
                               .values(status_since=today))
        for start in range(0, len(leaving_ids), BATCH):
            db.session.execute(update(table).where(table.c.id.in_(leaving_ids[start:start + BATCH]))
                               .values(status="exited", status_since=today, updated_at=now))
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(_("名册导入时与另一项操作冲突（可能有人同时导入），请重新导入")) from None
    db.session.expire_all()
    report.batch_id = uuid.uuid4().hex
    if leaving_ids:
        report.revoked = notify_exit(leaving_ids, today=today, reason="roster_sync")
    report.applied = True
    details = {k: v for k, v in report.as_dict().items() if k not in ("bad_rows", "applied")}
    if report.bad:  # a partial import: which rows of the file were left out (their reasons may
        details["left_out"] = len(report.left_out)  # quote a phone number: not in the log)
        details["left_out_lines"] = [b.line for b in report.left_out[:1000]]
    audit.record("recipients.import", target_type="recipient", details=details)
