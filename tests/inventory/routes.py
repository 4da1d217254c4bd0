"""The role x route policy of the inventory pages and API (merged into tests/routes.py)."""

from __future__ import annotations

from tests.routes import Route

STAFF = frozenset({"admin", "federation", "manager"})  # see the catalogue and the stock of their scope
STOCK = frozenset({"admin", "manager"})  # change stock
CATALOGUE = frozenset({"admin", "federation"})  # categories
TILL = frozenset({"admin", "federation", "manager", "cashier"})  # the products API
MISSING = 999999

POLICY = {
    ("GET", "api_inventory.list_products"): Route(TILL),
    ("GET", "api_inventory.product_catalogue"): Route(TILL),
    ("GET", "api_inventory.get_product"): Route(TILL, {"product_id": MISSING}),
    ("GET", "api_inventory.read_scale_label"): Route(TILL, {"code": "2100001003753"}),
    ("GET", "inventory.products"): Route(STAFF),
    ("GET", "inventory.new_product"): Route(STAFF),
    ("POST", "inventory.create_product"): Route(STAFF),
    ("GET", "inventory.product"): Route(STAFF, {"product_id": MISSING}),
    ("GET", "inventory.edit_product"): Route(STAFF, {"product_id": MISSING}),
    ("GET", "inventory.scale_label"): Route(STAFF, {"product_id": MISSING}),
    ("POST", "inventory.update_product"): Route(STAFF, {"product_id": MISSING}),
    ("GET", "inventory.product_image"): Route(TILL, {"product_id": MISSING}),
    ("POST", "inventory.set_reorder"): Route(STOCK, {"product_id": MISSING}),
    ("GET", "inventory.categories"): Route(STAFF),
    ("POST", "inventory.create_category"): Route(CATALOGUE),
    ("GET", "inventory.import_page"): Route(STAFF),
    ("POST", "inventory.import_upload"): Route(STAFF),
    ("GET", "inventory.export"): Route(STAFF),
    ("GET", "inv_stock.index"): Route(STAFF),
    ("GET", "inv_stock.receiving_list"): Route(STAFF),
    ("GET", "inv_stock.receiving_new"): Route(STOCK),
    ("POST", "inv_stock.receiving_create"): Route(STOCK),
    ("GET", "inv_stock.receiving_note"): Route(STAFF, {"note_id": MISSING}),
    ("GET", "inv_stock.adjust_form"): Route(STOCK),
    ("POST", "inv_stock.adjust_post"): Route(STOCK),
    ("GET", "inv_stock.transfers"): Route(STAFF),
    ("GET", "inv_stock.transfer_new"): Route(STOCK),
    ("POST", "inv_stock.transfer_create"): Route(STOCK),
    ("GET", "inv_stock.transfer"): Route(STAFF, {"transfer_id": MISSING}),
    ("GET", "inv_stock.stocktakes"): Route(STAFF),
    ("POST", "inv_stock.stocktake_start"): Route(STOCK),
    ("GET", "inv_stock.stocktake"): Route(STAFF, {"stocktake_id": MISSING}),
    ("POST", "inv_stock.stocktake_counts"): Route(STOCK, {"stocktake_id": MISSING}),
    ("POST", "inv_stock.stocktake_post"): Route(STOCK, {"stocktake_id": MISSING}),
    ("POST", "inv_stock.stocktake_cancel"): Route(STOCK, {"stocktake_id": MISSING}),
    ("GET", "inv_stock.low_stock"): Route(STAFF),
    ("GET", "inv_stock.moves"): Route(STAFF),
}
