"""Wires inventory into the app: models, pages, API, CLI, menu."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.core import menu


def init_app(app) -> None:
    from app.extensions import api as rest_api
    from app.inventory import api, cli, models, scale_labels, views, views_stock

    scale_labels.active_layouts(app.config.get("SCALE_LABEL_LAYOUTS", ""))  # refuse a bad setting now
    assert models.Product
    app.register_blueprint(views.bp)
    app.register_blueprint(views_stock.bp)
    rest_api.register_blueprint(api.blp, url_prefix="/api/v1")
    app.jinja_env.filters["qty"] = quantity_filter
    app.jinja_env.filters["qty_input"] = quantity_input
    app.cli.add_command(cli.inventory_cli)
    menu.add(app, endpoint="inventory.products", label=_l("商品"), roles={"admin", "federation", "manager"},
             order=400, description=_l("商品、市场价与慈善价、条码查询、导入导出"))
    menu.add(app, endpoint="inv_stock.index", label=_l("库存"), roles={"admin", "federation", "manager"},
             order=410, description=_l("收货、调整、调拨、盘点、低库存与库存流水"))


def quantity_filter(quantity, product, unit: bool = False) -> str:
    """`{{ n|qty(product) }}`: a weighed product's grams as '0.75 斤'; a piece count as the number
    (with its unit when `unit`)."""
    from app.core.weights import format_quantity

    if quantity is None:
        return ""
    if product is not None and product.weighed:
        return format_quantity(quantity, product.unit, product.unit_grams)
    return f"{quantity} {product.unit}" if unit and product is not None else str(quantity)


def quantity_input(quantity, product) -> str:
    """The value of a quantity field: grams of a weighed product in its 斤 or kg ('12.5')."""
    from app.core.weights import format_weight

    if quantity is None:
        return ""
    if product is not None and product.weighed:
        return format_weight(quantity, product.unit_grams).split(" ")[0]
    return str(quantity)
