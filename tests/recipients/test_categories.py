"""Item 12 of issue 11: the labels civil-affairs rosters write in their category column."""

from __future__ import annotations

import pytest

from app.recipients import roster, services
from app.recipients.categories import LABELS, label_table, parse_category
from tests.recipients.factories import csv_bytes, person

EVERY_LABEL = [(label, category) for category, labels in LABELS for label in labels]


@pytest.mark.parametrize(("label", "category"), EVERY_LABEL)
def test_each_label_of_the_table_maps_to_its_category(label, category):
    assert parse_category(label) == category


@pytest.mark.parametrize(("written", "category"), [
    ("城市低保", "dibao"), ("农村低保", "dibao"), ("特困供养", "tekun"), ("分散供养", "tekun"),
    ("集中供养", "tekun"), ("低保边缘", "dibao_edge"),
    (" 农村 低保 ", "dibao"),                      # spaces
    ("特困人员(分散供养)", "tekun"),               # ASCII brackets
    ("特困人员【集中供养】", "tekun"),             # other brackets
    ("ＤＩＢＡＯ", "dibao"),                       # full-width letters
    ("Dibao_Edge", "dibao_edge"), ("dibao-edge", "dibao_edge"),
])
def test_labels_are_read_as_civil_affairs_systems_write_them(written, category):
    assert parse_category(written) == category


@pytest.mark.parametrize("written", ["", None, "临时救助", "孤儿", "低收入", "低保特困", "dibao2"])
def test_what_is_not_in_the_table_is_not_a_category(written):
    assert parse_category(written) is None


def test_a_real_civil_affairs_export_imports(app_ctx):
    labels = ["城市低保", "农村低保", "特困供养", "分散供养", "集中供养", "低保边缘", "农村特困人员",
              "城乡低保"]
    rows = [person(f"民政{i}", category=label) for i, label in enumerate(labels)]
    report = roster.import_roster(csv_bytes(rows), "民政导出.csv", apply=True)
    assert report.ok and report.new == len(labels), [b.reasons for b in report.bad]
    got = [services.find_by_id_number(r[1]).category for r in rows]
    assert got == ["dibao", "dibao", "tekun", "tekun", "tekun", "dibao_edge", "tekun", "dibao"]


def test_an_unknown_label_is_refused_with_its_row_and_reason(app_ctx):
    rows = [person("好人", category="农村低保"), person("临时", category="临时救助"), person("空类", category="")]
    report = roster.import_roster(csv_bytes(rows), "r.csv", apply=True)
    assert not report.applied and services.find_by_id_number(rows[0][1]) is None
    by_line = {b.line: "；".join(b.reasons) for b in report.bad}
    assert set(by_line) == {3, 4}
    assert "类别“临时救助”无法识别" in by_line[3] and "对照表" in by_line[3]
    assert "类别为空" in by_line[4]


def test_staff_entry_and_the_registry_filter_parse_labels_too(app, login):
    from app.extensions import db
    from tests.vouchers.factories import id_number

    with app.app_context():
        r = services.create_recipient(name="标签甲", id_number=id_number(), category="集中供养",
                                      district_code="411002")
        assert r.category == "tekun"
        with pytest.raises(Exception, match="类别不正确：五保供养对象"):
            services.create_recipient(name="标签乙", id_number=id_number(), category="五保供养对象",
                                      district_code="411002")
        db.session.commit()
    c = login("federation")
    for query in ("tekun", "特困供养", "集中供养"):
        html = c.get(f"/recipients/?category={query}").get_data(as_text=True)
        assert "标*甲" in html and '<option value="tekun" selected>' in html, query
    assert "标*甲" not in c.get("/recipients/?category=城市低保").get_data(as_text=True)


def test_the_import_page_shows_what_each_label_becomes(login):
    html = login("federation").get("/recipients/import").get_data(as_text=True)
    table = html[html.index('id="category-labels"'):]
    for row in label_table():
        for label in row["labels"]:
            assert label in table
    assert "城市低保、农村低保" in table and "分散供养、集中供养" in table
