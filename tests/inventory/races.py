"""Catalogue and stock routes and commands, raced (tests/test_exactly_once.py)."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from app.extensions import db
from tests import factories
from tests.inventory import factories as inv
from tests.race import Case, Prepared, Req


def _n(sql: str, **params):
    return db.session.scalar(sa.text(sql), params)


def _stock(shop_id: int, product_id: int):
    return lambda: (_n("SELECT on_hand FROM inv_stock_level WHERE shop_id = :s AND product_id = :p",
                       s=shop_id, p=product_id),
                    _n("SELECT count(*) FROM inv_stock_move WHERE shop_id = :s AND product_id = :p",
                       s=shop_id, p=product_id))


def _manager_with_stock(env, units: int = 10):
    shop = factories.shop()
    manager = factories.user("manager", shop=shop)
    product = inv.product(market=1500, charity=1200)
    inv.stock(shop, product, units)
    ids = (shop.id, shop.code, product.id, product.barcode)
    return env.login(manager), ids


def _form(env, **fields) -> dict:
    return {"idempotency_key": env.form_key(), **fields}


def create_product(env) -> Prepared:
    who = env.login(factories.user("admin"))
    category = inv.category()
    barcode = inv.ean13()
    form = _form(env, barcode=barcode, name="竞争测试面粉", unit="袋", category_id=str(category.id),
                 market_price="12.50", charity_price="10.00", voucher_eligible="1", active="1")
    db.session.commit()
    return Prepared(Req("POST", "/inventory/products", form=form, who=who),
                    lambda: (_n("SELECT count(*) FROM inv_product WHERE barcode = :b", b=barcode),
                             _n("SELECT count(*) FROM inv_price_change pc JOIN inv_product p ON p.id = pc.product_id "
                                "WHERE p.barcode = :b", b=barcode)), (1, 1))


def update_product(env) -> Prepared:
    """A price change sent N times at once is one price change in the history."""
    who = env.login(factories.user("admin"))
    product = inv.product(market=2000, charity=1500)
    pid = product.id
    form = _form(env, barcode=product.barcode, name=product.name, unit=product.unit,
                 category_id=str(product.category_id), market_price="21.00", charity_price="16.00",
                 voucher_eligible="1", active="1")
    db.session.commit()
    return Prepared(Req("POST", f"/inventory/products/{pid}/edit", form=form, who=who),
                    lambda: (_n("SELECT count(*) FROM inv_price_change WHERE product_id = :p", p=pid),
                             _n("SELECT market_price_fen FROM inv_product WHERE id = :p", p=pid)), (2, 2100))


def set_reorder(env) -> Prepared:
    who, (shop_id, code, pid, _b) = _manager_with_stock(env)
    db.session.commit()
    return Prepared(Req("POST", f"/inventory/products/{pid}/reorder", form={"shop": code, "reorder_level": "7"},
                        who=who),
                    lambda: (_n("SELECT reorder_level FROM inv_stock_level WHERE shop_id = :s AND product_id = :p",
                                s=shop_id, p=pid),
                             _n("SELECT count(*) FROM audit_log WHERE action = 'inventory.reorder_level' "
                                "AND target_id = :p", p=str(pid))), (7, 1))


def create_category(env) -> Prepared:
    who = env.login(factories.user("federation"))
    name = f"竞争分类{uuid.uuid4().hex[:6]}"
    db.session.commit()
    return Prepared(Req("POST", "/inventory/categories", form=_form(env, name=name, voucher_allowed="1"), who=who),
                    lambda: _n("SELECT count(*) FROM inv_category WHERE name = :n", n=name), 1)


def _catalogue_csv(category: str, barcode: str) -> bytes:
    return ("条码,名称,分类,单位,市场价,慈善价,可用购物券\n"
            f"{barcode},竞争导入挂面,{category},袋,8.00,6.50,是\n").encode()


def import_upload(env) -> Prepared:
    who = env.login(factories.user("admin"))
    category = inv.category()
    barcode = inv.ean13()
    data = _catalogue_csv(category.name, barcode)
    db.session.commit()
    return Prepared(Req("POST", "/inventory/import", form=_form(env), files={"file": (data, "products.csv")},
                        who=who),
                    lambda: _n("SELECT count(*) FROM inv_product WHERE barcode = :b", b=barcode), 1)


def receiving_create(env) -> Prepared:
    who, (shop_id, code, pid, barcode) = _manager_with_stock(env)
    db.session.commit()
    form = _form(env, shop=code, supplier="竞争供货商", received_by="张三", barcode=barcode, quantity="5",
                 unit_cost="")
    return Prepared(Req("POST", "/inventory/stock/receiving", form=form, who=who), _stock(shop_id, pid), (15, 2))


def adjust_post(env) -> Prepared:
    who, (shop_id, code, pid, barcode) = _manager_with_stock(env)
    db.session.commit()
    form = _form(env, shop=code, barcode=barcode, quantity="2", direction="out", reason="damaged", note="")
    return Prepared(Req("POST", "/inventory/stock/adjust", form=form, who=who), _stock(shop_id, pid), (8, 2))


def transfer_create(env) -> Prepared:
    who, (shop_id, code, pid, barcode) = _manager_with_stock(env)
    dest = factories.shop()
    dest_code = dest.code
    db.session.commit()
    form = _form(env, shop=code, to_shop=dest_code, barcode=barcode, quantity="3", note="")
    return Prepared(Req("POST", "/inventory/stock/transfers", form=form, who=who), _stock(shop_id, pid), (7, 2))


def _open_count(env, *, counted: int | None = None):
    from app.inventory import movements

    who, (shop_id, code, pid, _b) = _manager_with_stock(env)
    st = movements.start_stocktake(shop_id=shop_id)
    if counted is not None:
        movements.record_counts(st, {pid: counted})
    st_id = st.id
    db.session.commit()
    return who, shop_id, code, pid, st_id


def stocktake_start(env) -> Prepared:
    who, (shop_id, code, _p, _b) = _manager_with_stock(env)
    db.session.commit()
    return Prepared(Req("POST", "/inventory/stock/stocktakes", form=_form(env, shop=code, category="", note=""),
                        who=who),
                    lambda: _n("SELECT count(*) FROM inv_stocktake WHERE shop_id = :s", s=shop_id), 1)


def stocktake_counts(env) -> Prepared:
    who, _shop_id, _code, pid, st_id = _open_count(env)
    return Prepared(Req("POST", f"/inventory/stock/stocktakes/{st_id}/counts", form=_form(env, **{f"count-{pid}": "9"}),
                        who=who),
                    lambda: _n("SELECT counted FROM inv_stocktake_line WHERE stocktake_id = :t AND product_id = :p",
                               t=st_id, p=pid), 9)


def stocktake_post(env) -> Prepared:
    """Issue 10: a stocktake posted by 8 requests at once applied its adjustment 3 times."""
    who, shop_id, _code, pid, st_id = _open_count(env, counted=7)
    return Prepared(Req("POST", f"/inventory/stock/stocktakes/{st_id}/post", form=_form(env), who=who),
                    _stock(shop_id, pid), (7, 2))


def stocktake_cancel(env) -> Prepared:
    who, _shop_id, _code, _pid, st_id = _open_count(env)
    return Prepared(Req("POST", f"/inventory/stock/stocktakes/{st_id}/cancel", form=_form(env), who=who),
                    lambda: (_n("SELECT status FROM inv_stocktake WHERE id = :t", t=st_id),
                             _n("SELECT count(*) FROM audit_log WHERE action = 'inventory.stocktake.cancel' "
                                "AND target_id = :t", t=str(st_id))), ("cancelled", 1))


def import_command(env) -> Prepared:
    import tempfile

    category = inv.category()
    barcode = inv.ean13()
    path = tempfile.NamedTemporaryFile(suffix=".csv", delete=False).name
    with open(path, "wb") as f:
        f.write(_catalogue_csv(category.name, barcode))
    db.session.commit()
    return Prepared(Req(cli=("inventory", "import", path)),
                    lambda: _n("SELECT count(*) FROM inv_product WHERE barcode = :b", b=barcode), 1)


FORM_KEY = "the form's idempotency key (a second copy is sent where the first went)"
LOCKED_COUNT = "the count's row is locked, then its status checked: the second finds it closed (409)"

CASES = {
    ("POST", "inventory.create_product"): Case(create_product, FORM_KEY + "; unique barcode"),
    ("POST", "inventory.update_product"): Case(update_product, FORM_KEY + "; the product's row is locked and "
                                                               "compared, so an unchanged price records nothing"),
    ("POST", "inventory.set_reorder"): Case(set_reorder, "an upsert that changes (and audits) only a different level"),
    ("POST", "inventory.create_category"): Case(create_category, "unique name: the second is a 409"),
    ("POST", "inventory.import_upload"): Case(import_upload, FORM_KEY + "; unique barcodes"),
    ("POST", "inv_stock.receiving_create"): Case(receiving_create, FORM_KEY),
    ("POST", "inv_stock.adjust_post"): Case(adjust_post, FORM_KEY),
    ("POST", "inv_stock.transfer_create"): Case(transfer_create, FORM_KEY),
    ("POST", "inv_stock.stocktake_start"): Case(stocktake_start, "one open count per shop (unique): 409"),
    ("POST", "inv_stock.stocktake_counts"): Case(stocktake_counts, LOCKED_COUNT + "; setting a count is idempotent"),
    ("POST", "inv_stock.stocktake_post"): Case(stocktake_post, LOCKED_COUNT),
    ("POST", "inv_stock.stocktake_cancel"): Case(stocktake_cancel, LOCKED_COUNT),
}

COMMANDS = {
    "inventory import": Case(import_command, "unique barcodes: a concurrent second import fails whole (exit 2), "
                                             "a later one finds every row unchanged"),
    "inventory export": Case(None, "reads (and audits the export: each export is one of its own)"),
    "inventory verify": Case(None, "reads only"),
}
