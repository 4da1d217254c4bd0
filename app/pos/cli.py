"""`flask printer ...` (receipt printers) and `flask pos ...` (terminals, manager PINs)."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from flask_babel import gettext as _

from app.auth import services as auth
from app.core.cli import cli_command_context, fail
from app.core.errors import DomainError
from app.extensions import db
from app.pos import pins, services


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


pos_cli = AppGroup("pos", help="收银 Till")


@pos_cli.command("terminal")
@click.argument("shop_code")
@click.argument("code")
@click.option("--name", default="")
@click.option("--printer", "printer_uri", default="", help="tcp://host:9100, usb://VID:PID, serial:///dev/ttyUSB0, file:///dev/usb/lp0")
@click.option("--columns", type=int, default=32)
@click.option("--encoding", default="gb18030")
def terminal(shop_code, code, name, printer_uri, columns, encoding):
    """Register a till and its receipt printer."""
    cli_command_context()
    try:
        t = services.create_terminal(shop=auth.get_shop_by_code(shop_code), code=code, name=name,
                                     printer_uri=printer_uri, columns=columns, encoding=encoding)
        db.session.commit()
    except DomainError as e:
        fail(e)
    click.echo(f"terminal {t.code} at {shop_code}: printer {t.printer_uri or '(browser)'}, {t.printer_columns} columns")


@pos_cli.command("set-pin")
@click.argument("username")
@click.option("--pin-stdin", is_flag=True, help="Read the PIN from standard input.")
def set_pin(username, pin_stdin):
    """Set a manager's PIN for authorising voids at a cashier's till."""
    cli_command_context()
    pin = sys.stdin.readline().strip() if pin_stdin else click.prompt("PIN", hide_input=True,
                                                                       confirmation_prompt=True)
    try:
        pins.set_manager_pin(auth.get_user_by_username(username), pin)
        db.session.commit()
    except DomainError as e:
        fail(e)
    click.echo(f"PIN set for {username}")
