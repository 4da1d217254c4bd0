"""`flask --app wsgi shops ...` and `flask --app wsgi users ...`."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from app.auth import services
from app.auth.models import ROLES
from app.core.cli import cli_command_context, fail
from app.core.errors import DomainError
from app.extensions import db

shops_cli = AppGroup("shops", help="门店 Shops")
users_cli = AppGroup("users", help="用户 Users")


@shops_cli.command("create")
@click.argument("code")
@click.argument("name")
@click.option("--district", "district", required=True, help="区县代码，如 411002")
@click.option("--address", default="")
@click.option("--hotline", default="")
def shops_create(code, name, district, address, hotline):
    """Create a shop."""
    cli_command_context()
    try:
        shop = services.create_shop(code=code, name=name, district_code=district,
                                    address=address, hotline=hotline)
        db.session.commit()
    except DomainError as e:
        fail(e)
    click.echo(f"created shop {shop.code} {shop.name} ({shop.district_code})")


@shops_cli.command("list")
def shops_list():
    """List shops."""
    for s in services.list_shops():
        click.echo(f"{s.code}\t{s.name}\t{s.district_code}\t{'active' if s.active else 'inactive'}")


@users_cli.command("create")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--shop", "shop", default=None, help="门店编码 (manager, cashier)")
@click.option("--district", "district", default=None, help="区县代码 (federation)")
@click.option("--name", "display_name", default="")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def users_create(username, role, shop, district, display_name, password_stdin):
    """Create a user; the password comes from a prompt or --password-stdin."""
    cli_command_context()
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password 密码", hide_input=True, confirmation_prompt=True)
    try:
        user = services.create_user(username=username, role=role, password=password,
                                    shop_code=shop, district_code=district,
                                    display_name=display_name)
        db.session.commit()
    except DomainError as e:
        fail(e)
    click.echo(f"created user {user.username} ({user.role})")


@users_cli.command("deactivate")
@click.argument("username")
def users_deactivate(username):
    """Deactivate a user and end all of the user's sessions."""
    cli_command_context()
    try:
        services.set_active(services.get_user_by_username(username), False)
        db.session.commit()
    except DomainError as e:
        fail(e)
    click.echo(f"deactivated {username}")


@users_cli.command("activate")
@click.argument("username")
def users_activate(username):
    """Reactivate a user."""
    cli_command_context()
    try:
        services.set_active(services.get_user_by_username(username), True)
        db.session.commit()
    except DomainError as e:
        fail(e)
    click.echo(f"activated {username}")


@users_cli.command("list")
def users_list():
    """List users."""
    for u in services.list_users():
        click.echo(f"{u.username}\t{u.role}\t{u.shop.code if u.shop else ''}\t"
                   f"{u.district_code or ''}\t{'active' if u.active else 'inactive'}")
