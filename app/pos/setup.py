"""Wires the till into the app.

So far: the receipt templates (app/pos/templates) and the `flask printer` commands. The till's
models, pages and API are added here by the checkout work.
"""

from __future__ import annotations

from flask import Blueprint

# Carries the domain's templates (pos/receipt.html); the till's views register their own routes.
templates = Blueprint("pos_templates", __name__, template_folder="templates")


def init_app(app) -> None:
    from app.pos import cli

    app.register_blueprint(templates)
    app.cli.add_command(cli.printer_cli)
