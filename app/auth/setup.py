"""Wires auth into the app."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.core import menu


def init_app(app) -> None:
    from app.auth import admin, api, cli, models, services, views
    from app.extensions import api as rest_api
    from app.extensions import login_manager

    login_manager.user_loader(services.load_session)
    login_manager.login_message = _l("请先登录。")
    login_manager.login_message_category = "info"
    assert models.User
    app.register_blueprint(views.bp)
    app.register_blueprint(admin.bp)
    rest_api.register_blueprint(api.blp, url_prefix="/api/v1")
    app.cli.add_command(cli.shops_cli)
    app.cli.add_command(cli.users_cli)
    menu.add(app, endpoint="admin.users", label=_l("用户管理"), roles={"admin"}, order=900,
             description=_l("创建账号、分配角色和门店、停用账号"))
    menu.add(app, endpoint="admin.shops", label=_l("门店"), roles={"admin", "federation"}, order=910,
             description=_l("门店、所在区县和投诉电话"))
    menu.add(app, endpoint="admin.audit_log", label=_l("审计日志"), roles={"admin"}, order=920,
             description=_l("谁在何时做了什么：查看、导入、导出、核销、作废"))
