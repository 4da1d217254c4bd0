"""The rows an import left out, as a file the clerk fixes and imports again.

Same columns as the upload (its header row as written) plus a reason column (`原因`, or
`reason` when the headers were English); CSV in UTF-8 with a BOM, or XLSX when the upload was
XLSX; every cell through `app.core.spreadsheet` (formula-safe). It holds the whole ID and phone
numbers of those rows: it is the clerk's own file coming back, so it is only ever handed out by
a POST (never in a URL) and each download is audited (`recipients.left_out_download`). Between
the import and the download it waits encrypted in the database like an upload
(app/recipients/uploads.py, `store_left_out`).
"""

from __future__ import annotations

from flask_babel import gettext as _

from app.core import audit
from app.core.spreadsheet import table_bytes
from app.recipients.roster import RosterReport


def _english(header: list) -> bool:
    text = "".join(str(h or "") for h in header)
    return bool(text) and text.isascii()


def build(report: RosterReport, *, fmt: str | None = None) -> tuple[bytes, str, str]:
    """The left-out rows of `report` as (bytes, file name, mimetype). `fmt` (csv or xlsx)
    defaults to the upload's own."""
    fmt = fmt or ("xlsx" if report.encoding == "xlsx" else "csv")
    rows = report.left_out
    width = max([len(report.header), *(len(b.cells) for b in rows)])
    header = [*report.header, *[""] * (width - len(report.header)),
              "reason" if _english(report.header) else "原因"]
    body = [[*b.cells, *[None] * (width - len(b.cells)),
             _("第 %(n)s 行：%(why)s", n=b.line, why="；".join(str(r) for r in b.reasons))] for b in rows]
    data, mimetype = table_bytes(header, body, fmt)
    stem = report.filename.rsplit(".", 1)[0] if "." in report.filename else report.filename
    return data, f"{stem}-{_('未导入')}.{fmt}", mimetype


def record_download(*, rows: int, upload_sha256: str, channel: str) -> None:
    """Audit the hand-out of a left-out rows file (it holds whole ID numbers). The upload's
    SHA-256 ties it to its import's audit row; the file name is not logged (it may hold a name)."""
    audit.record("recipients.left_out_download", target_type="recipient",
                 details={"rows": rows, "sha256": upload_sha256, "channel": channel})
