"""`flask --app wsgi reconcile --period YYYY-MM --format json|csv|xlsx [--out FILE]` and
`flask --app wsgi verify [--format json] [--period YYYY-MM] [--since YYYY-MM-DD]`.

Both exit 0 when everything agrees, 1 when not (the output lists the differences), 2 on bad
input.
"""

from __future__ import annotations

import json
import sys

import click
from flask.cli import with_appcontext

from app.core import audit
from app.core.cli import cli_command_context
from app.core.errors import DomainError
from app.extensions import db


@click.command("reconcile")
@click.option("--period", required=True, help="YYYY-MM")
@click.option("--format", "fmt", type=click.Choice(["json", "csv", "xlsx"]), default="json", show_default=True)
@click.option("--out", "out", type=click.Path(dir_okay=False, writable=True), default=None,
              help="file to write (default: standard output; required for xlsx)")
@click.option("--programme", default=None, help="programme code (default: the default programme)")
@with_appcontext
def reconcile_cmd(period: str, fmt: str, out: str | None, programme: str | None):
    """Reconcile a month's vouchers against the ledger and the sales."""
    from app.reports import exports, reconciliation
    from app.reports.views import reconciliation_tables

    cli_command_context()
    if fmt == "xlsx" and not out:
        raise click.UsageError("--format xlsx needs --out FILE")
    try:
        result = reconciliation.reconcile(period, programme_code=programme)
    except DomainError as e:
        click.echo(f"错误：{e.message}", err=True)
        sys.exit(2)
    if fmt == "json":
        data = json.dumps(result, ensure_ascii=False, indent=2, default=str).encode("utf-8") + b"\n"
    elif fmt == "csv":
        data = b"".join(exports.iter_csv(reconciliation_tables(result)[1]))
    else:
        data = exports.xlsx_bytes(reconciliation_tables(result))
    if out:
        with open(out, "wb") as fh:
            fh.write(data)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    audit.record("reports.reconcile", target_type="reconciliation",
                 details={"period": result["period"], "format": fmt, "balanced": result["balanced"]})
    db.session.commit()
    if not result["balanced"]:
        click.echo(f"{result['period']}: 不平衡，差异 {len(result['differences'])} 项"
                   f"（流水差额 {result['ledger_gap_fen']} 分，交易差额 {result['sales_gap_fen']} 分）", err=True)
        sys.exit(1)
    click.echo(f"{result['period']}: 平衡", err=True)


@click.command("verify")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--period", default=None,
              help="YYYY-MM: the voucher month of the voucher checks and the reconciliation (default: every month)")
@click.option("--since", default=None,
              help="YYYY-MM-DD: the till's records (sales, voids, shifts, receipts) from this business day, and "
                   "the voucher months from its month on")
@with_appcontext
def verify_cmd(fmt: str, period: str | None, since: str | None):
    """Check every ledger identity; exit 0 when all agree, 1 listing each difference, 2 on bad input."""
    from app.core.books import Window, read_snapshot
    from app.core.cli import fail
    from app.core.timeutil import Period, parse_date
    from app.reports import books, verify

    cli_command_context()
    try:
        first = parse_date(since) if since else None
        month = str(Period.parse(period)) if period else None
        if month:
            books.check_period(month)
    except DomainError as e:
        fail(e)
    read_snapshot()
    report = verify.run(Window(first=first, period=month))
    if fmt == "json":
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        for line in verify.text_lines(report):
            click.echo(line)
    sys.exit(0 if report["ok"] else 1)
