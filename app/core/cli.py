"""`flask --app wsgi seed-demo`: demo data for every domain, idempotent."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from app.core import audit
from app.core.db import take_turns
from app.extensions import db


def fail(error) -> None:
    """Roll back, print a DomainError (and any per-row reasons it carries), exit with status 2."""
    import sys

    db.session.rollback()
    click.echo(f"错误 Error [{error.code}]: {error.message}", err=True)
    for row in (error.details or {}).get("rows", []):
        click.echo(f"  第 {row['row']} 行 row {row['row']}: {'；'.join(row['errors'])}", err=True)
    sys.exit(2)


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
            # two seed-demos at once take turns domain by domain (as SQLite's BEGIN IMMEDIATE makes
            # them do): the second finds each domain's demo data there and adds nothing
            take_turns(db.session, "seed-demo")
            demo.seed(click.echo)
            db.session.commit()
    from app.auth.demo import print_logins

    print_logins(click.echo)
    for name in DOMAINS:  # what a domain's demo adds to the logins (the demo manager's PIN)
        demo = domain_module(name, "demo")
        if demo is not None and hasattr(demo, "print_notes"):
            demo.print_notes(click.echo)
