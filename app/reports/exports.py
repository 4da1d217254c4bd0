"""CSV and XLSX exports of every table reports shows.

- Safe against spreadsheet formula injection: every text cell goes through
  app.core.spreadsheet.safe_text; money is written as a number (XLSX) or plain "12.50" (CSV).
- Streamed: CSV is yielded row by row; XLSX is written by openpyxl's write-only workbook (rows
  are not kept in memory) to a spooled temporary file that is then sent in chunks.
- Masked by default: tables that carry people (the spot-check call list) mask names and phones
  unless a privileged user asks for the plain values, which is audited by the caller.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from flask import Response, stream_with_context
from flask_babel import gettext as _

from app.core.errors import InvalidInput
from app.core.money import format_fen_plain
from app.core.spreadsheet import safe_cell

FORMATS = ("csv", "xlsx")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK = 64 * 1024


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: Iterable[list] | Callable[[], Iterable[list]]
    money: set[int] = field(default_factory=set)  # column indexes holding integer fen

    def iter_rows(self) -> Iterable[list]:
        return self.rows() if callable(self.rows) else self.rows


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise InvalidInput(_("导出格式只能是 csv 或 xlsx"))
    return fmt


def _cells(table: Table, row: list, *, for_xlsx: bool) -> list:
    out = []
    for i, value in enumerate(row):
        if i in table.money and isinstance(value, int) and not isinstance(value, bool):
            text = format_fen_plain(value)
            out.append(Decimal(text) if for_xlsx else text)
        else:
            out.append(safe_cell(value))
    return out


def iter_csv(table: Table) -> Iterable[bytes]:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([safe_cell(h) for h in table.headers])
    yield ("\ufeff" + buf.getvalue()).encode("utf-8")  # BOM: Excel opens UTF-8 Chinese correctly
    for row in table.iter_rows():
        buf.seek(0)
        buf.truncate()
        writer.writerow(_cells(table, row, for_xlsx=False))
        yield buf.getvalue().encode("utf-8")


def write_xlsx(tables: list[Table], fh) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)
    for table in tables:
        ws = wb.create_sheet(title=_sheet_title(table.title))
        ws.append([safe_cell(h) for h in table.headers])
        for row in table.iter_rows():
            cells = []
            for i, value in enumerate(_cells(table, row, for_xlsx=True)):
                if i in table.money and isinstance(value, Decimal):
                    cell = WriteOnlyCell(ws, value=value)
                    cell.number_format = "0.00"
                    cells.append(cell)
                else:
                    cells.append(value)
            ws.append(cells)
    wb.save(fh)


def _sheet_title(title: str) -> str:
    bad = set('[]:*?/\\')
    return "".join(c for c in title if c not in bad)[:31] or "Sheet"


def xlsx_bytes(tables: list[Table]) -> bytes:
    out = io.BytesIO()
    write_xlsx(tables, out)
    return out.getvalue()


def _iter_file(fh) -> Iterable[bytes]:
    try:
        fh.seek(0)
        while chunk := fh.read(CHUNK):
            yield chunk
    finally:
        fh.close()


def response(tables: list[Table], fmt: str, filename: str) -> Response:
    """A streamed download: the first table as CSV, or every table as a sheet of one XLSX."""
    check_format(fmt)
    headers = {"Content-Disposition": f'attachment; filename="{filename}.{fmt}"',
               "Cache-Control": "no-store"}
    if fmt == "csv":
        return Response(stream_with_context(iter_csv(tables[0])), mimetype="text/csv; charset=utf-8",
                        headers=headers)
    fh = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    write_xlsx(tables, fh)
    return Response(_iter_file(fh), mimetype=XLSX_MIME, headers=headers, direct_passthrough=True)
