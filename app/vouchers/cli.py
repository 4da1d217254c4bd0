"""`flask --app wsgi vouchers issue|expire|verify|sheets`."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup

from app.core.cli import cli_command_context, fail
from app.core.errors import DomainError
from app.core.money import format_fen
from app.core.timeutil import parse_date
from app.extensions import db
from app.vouchers import issuance, sheets

vouchers_cli = AppGroup("vouchers", help="购物券 Vouchers")


@vouchers_cli.command("issue")
@click.option("--period", required=True, help="YYYY-MM")
@click.option("--programme", default=None, help="项目编码 (default CSCS)")
@click.option("--district", default=None, help="只发放这个区县 (区县代码)")
def issue(period, programme, district):
    """Issue the period's vouchers to every eligible active recipient (safe to run again)."""
    cli_command_context()
    try:
        run = issuance.issue_vouchers(period=period, programme_code=programme, district_code=district)
        db.session.commit()
    except DomainError as e:
        fail(e)
    click.echo(f"period {run.period}: eligible {run.eligible}, created {run.created}, "
               f"skipped {run.skipped}, total {format_fen(run.total_fen)}")


@vouchers_cli.command("expire")
@click.option("--as-of", "as_of", default=None, help="业务日期 YYYY-MM-DD (default: today, Asia/Shanghai)")
def expire(as_of):
    """Expire vouchers past their last valid day (idempotent; for cron)."""
    cli_command_context()
    try:
        out = issuance.expire_vouchers(as_of=parse_date(as_of) if as_of else None)
        db.session.commit()
    except DomainError as e:
        fail(e)
    click.echo(f"as of {out['as_of']}: expired {out['expired']} vouchers, {format_fen(out['expired_fen'])}")


@vouchers_cli.command("verify")
def verify():
    """Check every voucher against its ledger and its status, and every reissue; exit 1 on any
    difference (part of `flask verify`, which also reconciles the vouchers with the sales)."""
    from app.core.books import describe, read_snapshot, run_checks
    from app.vouchers.books import CHECKS

    read_snapshot()
    problems = run_checks(CHECKS)
    for p in problems:
        click.echo(f"DIFF {describe(p)}", err=True)
    if problems:
        click.echo(f"{len(problems)} difference(s) between the vouchers and their ledger", err=True)
        sys.exit(1)
    click.echo("ok: every voucher balance equals the sum of its ledger rows and agrees with its status")


@vouchers_cli.command("sheets")
@click.option("--period", required=True, help="YYYY-MM")
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False, writable=True))
@click.option("--district", default=None, help="区县代码")
def sheets_cmd(period, out_path, district):
    """Write A4 sheets of voucher cards (8 a page) with QR codes to a PDF."""
    cli_command_context()
    try:
        with open(out_path, "wb") as f:
            out = sheets.write_sheets(f, period=period, district_code=district,
                                      base_url=current_app.config["PUBLIC_BASE_URL"])
        db.session.commit()
    except DomainError as e:
        fail(e)
    click.echo(f"wrote {out['cards']} cards on {out['pages']} pages to {out_path}")
