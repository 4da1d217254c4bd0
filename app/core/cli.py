"""`flask --app wsgi seed-demo`: demo data for every domain, idempotent."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from app.core import audit
from app.extensions import db


def cli_command_context() -> None:
    """Every CLI command acts as `cli:<login>` in the audit log."""
    audit.set_actor(audit.cli_actor())


@click.command("seed-demo")
@with_appcontext
def seed_demo():
    """Load demo shops, users and data (safe to run again: nothing is duplicated)."""
    from app import DOMAINS, domain_module

    cli_command_context()
    for name in DOMAINS:
        demo = domain_module(name, "demo")
        if demo is not None:
            demo.seed(click.echo)
            db.session.commit()
    from app.auth.demo import print_logins

    print_logins(click.echo)
