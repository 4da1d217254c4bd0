"""Reading roster files: CSV (UTF-8 with or without BOM, or GB18030, detected) or XLSX.

Checks before anything is parsed: a size cap, the extension, the content (a CSV must be text,
an XLSX a real Office Open XML zip), and for XLSX the unpacked size and compression ratio
(a zip bomb is refused before openpyxl sees it). Rows are yielded one at a time.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _

from app.core.errors import InvalidInput
from app.core.spreadsheet import read_xlsx_safely

MAX_BYTES = 20 * 1024 * 1024
MAX_UNPACKED = 200 * 1024 * 1024
MAX_RATIO = 100
EXTENSIONS = (".csv", ".xlsx")

# column -> accepted headers (Chinese first, then English); compared without spaces, case-folded
HEADERS = {
    "name": ("姓名", "name"),
    "id_number": ("身份证号", "身份证号码", "公民身份号码", "id_number"),
    "category": ("类别", "救助类别", "category"),
    "district": ("区县", "区（县）", "district"),
    "township": ("乡镇街道", "乡镇（街道）", "township"),
    "community": ("村社区", "村（社区）", "community"),
    "phone": ("电话", "联系电话", "phone"),
    "household_size": ("家庭人口", "家庭人口数", "household_size"),
}
REQUIRED = ("name", "id_number", "category", "district")


class RosterFileError(InvalidInput):
    """The file as a whole cannot be read (nothing about single rows)."""


@dataclass
class RosterFile:
    encoding: str  # utf-8, utf-8-sig, gb18030 or xlsx
    columns: dict  # column -> index in the row
    ignored_headers: list
    header: list  # the header row as written (the left-out rows' file repeats it)
    rows: Iterator  # (line number, list of cell values)


def _limit(key: str, default: int) -> int:
    return int(current_app.config.get(key, default))


def _header_key(text) -> str:
    return "".join(str(text or "").split()).replace("\ufeff", "").casefold()


_LOOKUP = {_header_key(h): col for col, names in HEADERS.items() for h in names}


def _map_headers(header: list) -> tuple[dict, list]:
    columns, ignored = {}, []
    for i, h in enumerate(header):
        col = _LOOKUP.get(_header_key(h))
        if col and col not in columns:
            columns[col] = i
        elif _header_key(h):
            ignored.append(str(h))
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        names = "、".join(HEADERS[c][0] for c in missing)
        raise RosterFileError(_("缺少必需的列：%(cols)s（第一行应为表头：姓名、身份证号、类别、区县……）", cols=names))
    return columns, ignored


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        raise RosterFileError(_("无法识别文件编码，请另存为 UTF-8 或 GB18030 编码的 CSV")) from None


def _check_xlsx(data: bytes) -> None:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise RosterFileError(_("文件不是有效的 XLSX 工作簿")) from None
    names = set(zf.namelist())
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise RosterFileError(_("文件不是有效的 XLSX 工作簿"))
    unpacked = sum(i.file_size for i in zf.infolist())
    packed = sum(i.compress_size for i in zf.infolist()) or 1
    if unpacked > _limit("ROSTER_MAX_UNPACKED_BYTES", MAX_UNPACKED) or unpacked / packed > MAX_RATIO:
        raise RosterFileError(_("XLSX 解压后过大，已拒绝（请拆分名册或另存为 CSV）"))


def _csv_rows(text: str) -> Iterator:
    reader = csv.reader(io.StringIO(text, newline=""))
    yield from enumerate(reader, start=1)


def _xlsx_rows(data: bytes) -> Iterator:
    """Rows of the first sheet. openpyxl parses through defusedxml (a requirement), so a workbook
    with XML entity declarations (a "billion laughs" bomb) is refused, as is any unreadable one,
    with a message, while reading as well as while opening."""
    from openpyxl import load_workbook

    with read_xlsx_safely(_("无法读取 XLSX 文件，请确认文件未损坏"), RosterFileError):
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        ws = wb.worksheets[0]
        with read_xlsx_safely(_("无法读取 XLSX 文件，请确认文件未损坏"), RosterFileError):
            for line, row in enumerate(ws.iter_rows(values_only=True), start=1):
                yield line, list(row)
    finally:
        wb.close()


def open_roster(data: bytes, filename: str) -> RosterFile:
    """Check and open a roster; RosterFileError (with a Chinese message) if it cannot be read."""
    if len(data) > _limit("ROSTER_MAX_BYTES", MAX_BYTES):
        raise RosterFileError(_("文件太大（上限 %(mb)s MB）", mb=_limit("ROSTER_MAX_BYTES", MAX_BYTES) // 2**20))
    if not data.strip():
        raise RosterFileError(_("文件是空的"))
    ext = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if ext not in EXTENSIONS:
        raise RosterFileError(_("只接受 .csv 或 .xlsx 文件"))
    is_zip = data.startswith(b"PK\x03\x04")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise RosterFileError(_("这是旧版 Excel（.xls）文件，请另存为 .xlsx 或 CSV"))
    if ext == ".xlsx":
        if not is_zip:
            raise RosterFileError(_("文件扩展名是 .xlsx，但内容不是 XLSX 工作簿"))
        _check_xlsx(data)
        rows, encoding = _xlsx_rows(data), "xlsx"
    else:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise RosterFileError(_("文件是 UTF-16 编码，请另存为 UTF-8 或 GB18030 编码的 CSV"))
        if is_zip or b"\x00" in data[:65536]:
            raise RosterFileError(_("文件扩展名是 .csv，但内容不是文本"))
        text, encoding = _decode(data)
        rows = _csv_rows(text)
    for _line, header in rows:
        if any(str(c or "").strip() for c in header):
            columns, ignored = _map_headers(header)
            return RosterFile(encoding=encoding, columns=columns, ignored_headers=ignored,
                              header=list(header), rows=rows)
    raise RosterFileError(_("文件中没有表头和数据"))
