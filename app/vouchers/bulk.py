"""Writing a month of vouchers in bulk: the fastest way each database takes many rows.

Issuance hands over plain tuples (recipient first, then the columns of `COLUMNS` in order).
PostgreSQL: COPY into a staging table of this transaction, then one INSERT ... SELECT ... ON
CONFLICT DO NOTHING into `voucher`. SQLite: the driver's executemany of one prepared INSERT ...
ON CONFLICT DO NOTHING, with the dates already in SQLAlchemy's stored form. Either way the
unique (programme, recipient, period, reissue_no) constraint still decides, so a voucher that
exists already is skipped, never doubled.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice

from sqlalchemy.orm import Session

from app.vouchers.models import Voucher

PER_ROW = ("recipient_id", "code_enc", "code_hash", "code_tail")
SAME = ("programme_id", "period", "reissue_no", "face_fen", "balance_fen", "status", "valid_from",
        "valid_until", "issuance_run_id", "created_at")
UNIQUE = "programme_id, recipient_id, period, reissue_no"
_STAGE = "voucher_issue_stage"


def insert_vouchers(session: Session, same: dict, rows: Iterable[tuple], *, batch_size: int = 2000) -> None:
    """`same`: the columns every voucher of the run shares (SAME); `rows`: a tuple per voucher
    in the order of PER_ROW."""
    connection = session.connection()
    constants = tuple(same[name] for name in SAME)
    dialect = connection.dialect.name
    if dialect == "postgresql":
        _copy_postgresql(connection, constants, rows)
    elif dialect == "sqlite":
        _executemany_sqlite(connection, constants, rows, batch_size)
    else:  # pragma: no cover - the two databases the app supports
        raise NotImplementedError(dialect)


def _batches(rows: Iterable[tuple], size: int) -> Iterator[list[tuple]]:
    it = iter(rows)
    while batch := list(islice(it, size)):
        yield batch


def _executemany_sqlite(connection, constants: tuple, rows: Iterable[tuple], batch_size: int) -> None:
    table = Voucher.__table__
    # what SQLAlchemy itself would store (dates and UTC datetimes as text), converted once
    stored = []
    for name, value in zip(SAME, constants, strict=True):
        process = table.c[name].type.bind_processor(connection.dialect)
        stored.append(process(value) if process and value is not None else value)
    stored = tuple(stored)
    columns = PER_ROW + SAME
    sql = (f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))}) "
           f"ON CONFLICT ({UNIQUE}) DO NOTHING")
    for batch in _batches(rows, batch_size):
        connection.exec_driver_sql(sql, [row + stored for row in batch])


def _copy_postgresql(connection, constants: tuple, rows: Iterable[tuple]) -> None:
    # the staging table holds what differs per voucher; the constants join in the INSERT ... SELECT
    per_row = ", ".join(PER_ROW)
    cursor = connection.connection.driver_connection.cursor()
    try:
        cursor.execute(f"CREATE TEMPORARY TABLE {_STAGE} ON COMMIT DROP AS "
                       f"SELECT {per_row} FROM voucher WITH NO DATA")
        with cursor.copy(f"COPY {_STAGE} ({per_row}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        placeholders = ", ".join(["%s"] * len(SAME))
        cursor.execute(f"INSERT INTO voucher ({per_row}, {', '.join(SAME)}) "
                       f"SELECT {per_row}, {placeholders} FROM {_STAGE} "
                       f"ON CONFLICT ({UNIQUE}) DO NOTHING", constants)
        cursor.execute(f"DROP TABLE {_STAGE}")
    finally:
        cursor.close()
