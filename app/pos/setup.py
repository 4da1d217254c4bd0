"""Wires the till into the app."""

from __future__ import annotations


def init_app(app) -> None:
    from app.extensions import api as rest_api
    from app.pos import api, cli, models  # noqa: F401

    rest_api.register_blueprint(api.blp, url_prefix="/api/v1")
    app.cli.add_command(cli.pos_cli)
