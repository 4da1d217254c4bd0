"""`flask printer ...`: set up and check a terminal's receipt printer."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _

from app.core.cli import cli_command_context
from app.core.errors import DomainError


@click.group("printer")
def printer_cli():
    """Receipt printers (ESC/POS)."""


@printer_cli.command("test")
@click.argument("uri")
@click.option("--columns", type=click.Choice(["32", "48"]), default=None,
              help="32 for 58 mm paper, 48 for 80 mm paper (default: the URI's, else 32)")
@click.option("--encoding", type=click.Choice(["gbk", "gb18030"]), default=None)
@click.option("--profile", default=None, help="python-escpos printer profile, see `flask printer profiles`")
@with_appcontext
def test_print(uri, columns, encoding, profile):
    """Print a sample receipt on URI (tcp://host:9100, usb://VID:PID, serial:///dev/ttyUSB0, file:///dev/usb/lp0)."""
    from app.pos.printing import PrinterConfig, print_receipt
    from app.pos.receipts import sample_receipt

    cli_command_context()
    try:
        config = PrinterConfig.parse(uri, columns=columns, encoding=encoding, profile=profile)
        sent = print_receipt(sample_receipt(feedback_base=current_app.config["PUBLIC_BASE_URL"]), config)
    except DomainError as exc:
        raise click.ClickException(str(exc.message)) from exc
    click.echo(_("已向 %(printer)s 发送样张小票（%(bytes)d 字节，每行 %(columns)d 字，%(encoding)s 编码）",
                 printer=config.describe(), bytes=sent, columns=config.columns,
                 encoding=config.encoding.upper()))


@printer_cli.command("profiles")
def list_profiles():
    """List the python-escpos printer profiles a printer URI may name."""
    from app.pos.printing import profiles

    for name in profiles():
        click.echo(name)
