"""Wires inventory into the app: models, pages, API, CLI, menu."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.core import menu


def init_app(app) -> None:
    from app.extensions import api as rest_api
    from app.inventory import api, cli, models, views, views_stock

    assert models.Product
    app.register_blueprint(views.bp)
    app.register_blueprint(views_stock.bp)
    rest_api.register_blueprint(api.blp, url_prefix="/api/v1")
    app.cli.add_command(cli.inventory_cli)
    menu.add(app, endpoint="inventory.products", label=_l("商品"), roles={"admin", "federation", "manager"},
             order=400, description=_l("商品、市场价与慈善价、条码查询、导入导出"))
    menu.add(app, endpoint="inv_stock.index", label=_l("库存"), roles={"admin", "federation", "manager"},
             order=410, description=_l("收货、调整、调拨、盘点、低库存与库存流水"))
