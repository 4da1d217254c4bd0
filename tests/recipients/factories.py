"""Roster files for the import tests."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools

from app.core.ids import make_resident_id

HEADER_ZH = ["姓名", "身份证号", "类别", "区县", "乡镇街道", "村社区", "电话", "家庭人口"]
HEADER_EN = ["name", "id_number", "category", "district", "township", "community", "phone", "household_size"]
_seq = itertools.count(100)


def person(name="张三", district="411002", category="低保", township="七里店街道", community="文峰社区",
           phone="13812345678", size="2", number=None):
    n = next(_seq)
    number = number or make_resident_id(district, dt.date(1940 + n % 60, 1 + n % 12, 1 + n % 28), n % 1000)
    return [name, number, category, district, township, community, phone, size]


def csv_bytes(rows, *, header=HEADER_ZH, encoding="utf-8", bom=False) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    w.writerows(rows)
    data = buf.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def xlsx_bytes(rows, *, header=HEADER_ZH) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
