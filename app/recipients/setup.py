"""Wires the recipients domain into the app."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.core import menu


def init_app(app) -> None:
    from app.extensions import api as rest_api
    from app.recipients import api, cli, models, views

    assert models.Recipient
    app.register_blueprint(views.bp)
    rest_api.register_blueprint(api.blp, url_prefix="/api/v1")
    app.cli.add_command(cli.recipients_cli)
    menu.add(app, endpoint="recipients.index", label=_l("救助对象"), roles={"admin", "federation"},
             order=100, description=_l("名册导入、查询、详情（身份证号脱敏，查看完整号码需登记原因）"))
