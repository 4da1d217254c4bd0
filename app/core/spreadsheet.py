"""Spreadsheet safety shared by every export (inventory catalogue, reports).

A text cell that starts with = + - @ or a tab / carriage return / line feed could be run as a
formula by Excel, WPS or LibreOffice (CSV/formula injection); it is written with a leading
apostrophe instead. Numbers are never touched: they cannot carry a formula.

Control characters are removed from every text cell (`app.core.text.printable`): openpyxl
refuses them (IllegalCharacterError), so one stored before the input boundary existed would
otherwise break an export for everyone. Every CSV and XLSX writer passes its cells through
`safe_cell` (tests/core/test_spreadsheet.py checks the writers).
"""

from __future__ import annotations

import contextlib
import csv
import io
import logging

from flask_babel import gettext as _

from app.core.errors import InvalidInput
from app.core.text import printable

log = logging.getLogger(__name__)

DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_text(value: str) -> str:
    """A text cell a spreadsheet will never run as a formula, without control characters."""
    value = printable(value)
    return "'" + value if value.startswith(DANGEROUS_START) else value


def safe_cell(value):
    """`safe_text` for strings, anything else unchanged (ints, Decimals, dates, None)."""
    return safe_text(value) if isinstance(value, str) else value


XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIME = "text/csv; charset=utf-8"


def table_bytes(header: list, rows, fmt: str) -> tuple[bytes, str]:
    """A small table as a file, every cell through `safe_cell`: CSV in UTF-8 with a BOM (Excel
    and WPS then open the Chinese correctly) or XLSX. Returns (bytes, mimetype)."""
    if fmt == "xlsx":
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet()
        ws.append([safe_cell(h) for h in header])
        for row in rows:
            ws.append([safe_cell(v) for v in row])
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue(), XLSX_MIME
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow(["" if v is None else safe_cell(v) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8"), CSV_MIME


@contextlib.contextmanager
def read_xlsx_safely(message: str, error_class: type[InvalidInput] = InvalidInput):
    """Around openpyxl reading an uploaded workbook: a workbook with XML entity declarations (a
    "billion laughs" bomb; openpyxl parses through defusedxml, a requirement) is refused with its
    own message, any other unreadable workbook with `message`. Never a 500."""
    from defusedxml import DefusedXmlException

    try:
        yield
    except DefusedXmlException:
        log.warning("XLSX upload refused: XML entity declarations")
        raise error_class(_("XLSX 文件含有 XML 实体声明（可能是恶意文件），已拒绝。"
                            "请用 Excel 或 WPS 重新另存后上传")) from None
    except InvalidInput:
        raise
    except Exception:
        log.warning("XLSX upload unreadable", exc_info=True)
        raise error_class(message) from None
