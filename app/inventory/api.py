"""`GET /api/v1/products` and `GET /api/v1/products/<id>` for the till and other programs."""

from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint

from app.auth.permissions import require_role
from app.core.errors import InvalidInput
from app.inventory import catalogue, scale_labels, scope, services
from app.inventory.schemas import ProductDetailQuerySchema, ProductQuerySchema, ProductSchema, ScaleLabelSchema

blp = Blueprint("api_inventory", __name__, description="商品与库存 Products and stock")
TILL_ROLES = ("admin", "federation", "manager", "cashier")


@blp.route("/products", methods=["GET"])
@require_role(*TILL_ROLES)
@blp.arguments(ProductQuerySchema, location="query")
@blp.response(200, ProductSchema(many=True))
def list_products(args):
    """Search products by exact barcode, words of the name and category.

    Both prices, voucher eligibility, the monthly limit and the stock at the user's shop (or at
    `shop` for admin and federation users; null without one).
    """
    shop = scope.shop_for(current_user, args.get("shop"))
    return services.search_products(args.get("q"), category=args.get("category"),
                                    barcode=args.get("barcode"), shop_id=shop.id if shop else None,
                                    active_only=not args["include_inactive"], limit=args["limit"],
                                    offset=args["offset"])


@blp.route("/products/catalogue", methods=["GET"])
@require_role(*TILL_ROLES)
@blp.arguments(ProductDetailQuerySchema, location="query")
def product_catalogue(args):
    """Every active product in one compact answer for the till, which searches it itself:
    `{"fields": [...], "rows": [[...], ...], "version": "..."}`, one row per product with the
    fields of `GET /products` (the category as its name), the stock at the user's shop (or at
    `shop`), and `initials`: the pinyin initials of the name (大米 -> "dm"). The answer carries
    an ETag: `If-None-Match` with it answers 304 while nothing changed."""
    shop = scope.shop_for(current_user, args.get("shop"))
    body = catalogue.till_catalogue(shop.id if shop else None)
    response = jsonify(body)
    response.set_etag(body["version"])
    response.headers["Cache-Control"] = "private, no-cache"
    return response.make_conditional(request)


@blp.route("/products/<int:product_id>", methods=["GET"])
@require_role(*TILL_ROLES)
@blp.arguments(ProductDetailQuerySchema, location="query")
@blp.response(200, ProductSchema)
def get_product(args, product_id: int):
    """One product, with the stock at the user's shop (or at `shop`)."""
    product = services.get_product(product_id)
    shop = scope.shop_for(current_user, args.get("shop"))
    if shop is not None:
        services.attach_stock([product], shop.id)
    return product


@blp.route("/scale-labels/<string:code>", methods=["GET"])
@require_role(*TILL_ROLES)
@blp.arguments(ProductDetailQuerySchema, location="query")
@blp.response(200, ScaleLabelSchema)
def read_scale_label(args, code: str):
    """What a scale label (EAN-13 starting with 2) names: the weighed product, by its PLU, and
    the weight in grams (a price label: its price ÷ the market price per 斤/kg).

    `scale_label_invalid` for a wrong check digit, `plu_unknown` for a PLU no weighed product
    has; `invalid_input` for a code that is no scale label of the configured layouts.
    """
    label = scale_labels.parse(code[:40])
    if label is None:
        raise InvalidInput(_("这不是秤签条码：%(code)s", code=code[:40]))
    shop = scope.shop_for(current_user, args.get("shop"))
    if shop is not None:
        services.attach_stock([label.product], shop.id)
    return {"code": label.code, "layout": label.layout.name, "plu": label.plu, "grams": label.grams,
            "label_price_fen": label.label_price_fen, "product": label.product}
