"""`flask --app wsgi inventory verify|import|export`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from app.auth import services as auth_services
from app.core.cli import cli_command_context, fail
from app.core.errors import DomainError
from app.extensions import db
from app.inventory import catalogue_io

inventory_cli = AppGroup("inventory", help="库存 Inventory")


@inventory_cli.command("verify")
def verify():
    """Recompute on-hand from the stock ledger, and documents against their moves; exit 1 on any
    difference (part of `flask verify`)."""
    from app.core.books import describe, read_snapshot, run_checks
    from app.inventory.books import CHECKS

    read_snapshot()
    diffs = run_checks(CHECKS)
    for d in diffs:
        click.echo(f"DIFF {describe(d)}")
    if diffs:
        click.echo(f"库存与流水不一致 {len(diffs)} 处 / {len(diffs)} difference(s)", err=True)
        sys.exit(1)
    click.echo("库存与流水一致 / ledger and on-hand agree")


@inventory_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check every row, write nothing.")
@click.option("--update-only", is_flag=True, help="Refuse rows for products that do not exist yet.")
def import_(file: Path, dry_run: bool, update_only: bool):
    """Import the product catalogue from CSV or XLSX (all or nothing)."""
    cli_command_context()
    try:
        result = catalogue_io.import_catalogue(file.read_bytes(), file.name, dry_run=dry_run,
                                               update_only=update_only)
        if not dry_run:
            db.session.commit()
    except DomainError as e:
        fail(e)
    click.echo(f"{'dry run: ' if dry_run else ''}rows={result.rows} created={result.created} "
               f"updated={result.updated} unchanged={result.unchanged}")


@inventory_cli.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--shop", "shop", default=None, help="门店编码：附上该店库存和补货线")
def export(fmt: str, out: Path, shop: str | None):
    """Export the product catalogue (formula-injection safe)."""
    cli_command_context()
    try:
        shop_id = auth_services.get_shop_by_code(shop).id if shop else None
        data, _mimetype, _ext = catalogue_io.export_catalogue(fmt, shop_id=shop_id)
        db.session.commit()
    except DomainError as e:
        fail(e)
    out.write_bytes(data)
    click.echo(f"wrote {out} ({len(data)} bytes)")
