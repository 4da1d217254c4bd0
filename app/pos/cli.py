"""`flask --app wsgi pos ...`: terminals and manager PINs."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from app.auth import services as auth
from app.auth.cli import fail
from app.core.cli import cli_command_context
from app.core.errors import DomainError
from app.extensions import db
from app.pos import services, voids

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
        voids.set_manager_pin(auth.get_user_by_username(username), pin)
        db.session.commit()
    except DomainError as e:
        fail(e)
    click.echo(f"PIN set for {username}")
