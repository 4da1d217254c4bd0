"""Catalogue and stock-ledger services. Services flush; the caller commits once.

Public functions the till (and other domains) rely on:
`get_product`, `find_by_barcode`, `search_products`, `stock_on_hand`, `take_stock`,
`return_stock`. Every change of stock goes through `apply_move`: one statement changes the
on-hand figure (a conditional UPDATE when stock goes out, an upsert when it comes in) and the
ledger row is written in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

from flask_babel import gettext as _
from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from app.core import audit
from app.core.db import lock, unique_or
from app.core.errors import Conflict, InvalidInput, NotFound
from app.core.money import format_fen
from app.core.numbers import parse_int
from app.core.text import is_digits
from app.core.weights import SALE_UNITS, UNIT_GRAMS, format_quantity, parse_weight
from app.extensions import db
from app.inventory import barcodes, scale_labels
from app.inventory.errors import OutOfStock
from app.inventory.models import (
    MOVE_KINDS,
    Category,
    PriceChange,
    Product,
    StockLevel,
    StockMove,
)

MAX_QUANTITY = 1_000_000
MAX_MONTHLY_LIMIT = 999
MAX_MONTHLY_LIMIT_GRAMS = 100_000  # a weighed product's monthly limit: up to 100 kg
PRODUCT_FIELDS = ("barcode", "name", "category_id", "unit", "market_price_fen", "charity_price_fen",
                  "voucher_eligible", "monthly_limit", "active", "sale_unit", "unit_grams", "plu")


# --- small parsers shared by views, imports and services ----------------------------------

def parse_quantity(value, *, what=None, allow_zero: bool = False, allow_negative: bool = False) -> int:
    """An integer quantity from an int or text ('3', '３', ' 12 '); InvalidInput otherwise."""
    label = what or _("数量")
    n = parse_int(value, label=label)  # the one number boundary: "1.5" refused, never truncated
    if n < 0 and not allow_negative:
        raise InvalidInput(_("%(what)s不能为负数：%(value)s", what=label, value=value))
    if n == 0 and not allow_zero:
        raise InvalidInput(_("%(what)s不能为 0", what=label))
    if abs(n) > MAX_QUANTITY:
        raise InvalidInput(_("%(what)s过大：%(value)s", what=label, value=value))
    return n


def parse_product_quantity(product: Product, value, *, what=None, allow_zero: bool = False,
                           allow_negative: bool = False) -> int:
    """A quantity of `product` typed by a person: whole units for piece goods (parse_quantity),
    grams for weighed goods ('1.5' in its 斤 or kg, or with a unit: '750g', '2kg')."""
    if product.weighed:
        return parse_weight(value, product.unit_grams, label=what or _("重量"), allow_zero=allow_zero,
                            allow_negative=allow_negative)
    return parse_quantity(value, what=what, allow_zero=allow_zero, allow_negative=allow_negative)


def quantity_text(product: Product, quantity: int | None) -> str:
    """'3袋', or '0.75 斤' for a weighed product (quantity in grams)."""
    return format_quantity(quantity, product.unit, product.unit_grams if product.weighed else None)


# --- categories ----------------------------------------------------------------------------

def list_categories() -> list[Category]:
    return list(db.session.scalars(select(Category).order_by(Category.sort_order, Category.name)))


def get_category(category_id: int) -> Category:
    category = db.session.get(Category, category_id)
    if category is None:
        raise NotFound(_("商品分类不存在"))
    return category


def find_category(ref) -> Category | None:
    """A category by id (int or digits) or by exact name; None when there is none."""
    if isinstance(ref, Category):
        return ref
    if ref is None or str(ref).strip() == "":
        return None
    text = str(ref).strip()
    if is_digits(text):
        return db.session.get(Category, int(text))
    return db.session.scalar(select(Category).where(Category.name == text))


def create_category(*, name: str, voucher_allowed: bool = True, sort_order: int = 100) -> Category:
    name = (name or "").strip()
    if not name or len(name) > 40:
        raise InvalidInput(_("分类名称不能为空，最多 40 字"))
    if db.session.scalar(select(Category.id).where(Category.name == name)) is not None:
        raise Conflict(_("分类已存在：%(name)s", name=name))
    category = Category(name=name, voucher_allowed=bool(voucher_allowed), sort_order=int(sort_order))
    with unique_or(db.session, Conflict(_("分类已存在：%(name)s", name=name))):
        db.session.add(category)
    audit.record("inventory.category.create", target=category,
                 details={"name": name, "voucher_allowed": bool(voucher_allowed)})
    return category


# --- products ------------------------------------------------------------------------------

def get_product(product_id: int) -> Product:
    product = db.session.get(Product, product_id) if isinstance(product_id, int) else None
    if product is None:
        raise NotFound(_("商品不存在：%(id)s", id=product_id))
    return product


def find_by_barcode(barcode) -> Product:
    """The product with this barcode or internal code (scanner input is normalised first)."""
    code = barcodes.normalise(barcode)
    product = db.session.scalar(select(Product).where(Product.barcode == code)) if code else None
    if product is None:
        raise NotFound(_("没有条码为 %(code)s 的商品", code=code or "—"))
    return product


def read_scale_label(code) -> scale_labels.ScaleLabel | None:
    """The weighed product and grams a scale label names (app/inventory/scale_labels.py); None
    when `code` is no scale label; `scale_label_invalid` / `plu_unknown` for a bad one."""
    return scale_labels.parse(code)
def products_by_code(codes, *, shop_id: int | None = None) -> dict[str, Product]:
    """{code as typed: product} for the codes that name a product (normalised as a scan is; with
    `shop_id`, each product's `.stock` at that shop). Codes that name none are left out."""
    wanted = {}
    for raw in codes:
        code = barcodes.normalise(raw) if raw and str(raw).strip() else None
        if code:
            wanted[str(raw).strip()] = code
    if not wanted:
        return {}
    rows = db.session.scalars(select(Product).where(Product.barcode.in_(set(wanted.values()))))
    by_code = {p.barcode: p for p in rows}
    if shop_id is not None:
        attach_stock(list(by_code.values()), shop_id)
    return {raw: by_code[code] for raw, code in wanted.items() if code in by_code}


def _product_filter(stmt, *, q=None, category=None, barcode=None, active_only=True,
                    voucher_eligible=None):
    if barcode is not None and str(barcode).strip():
        stmt = stmt.where(Product.barcode == barcodes.normalise(barcode))
    if category is not None and str(category).strip() != "":
        cat = find_category(category)
        stmt = stmt.where(Product.category_id == (cat.id if cat else -1))
    if active_only:
        stmt = stmt.where(Product.active.is_(True))
    if voucher_eligible is not None:
        stmt = stmt.where(Product.voucher_eligible.is_(bool(voucher_eligible)))
    for term in unicodedata.normalize("NFKC", str(q or "")).split():
        stmt = stmt.where(or_(Product.name.contains(term, autoescape=True),
                              Product.barcode.startswith(term.upper(), autoescape=True)))
    return stmt


def search_products(q=None, *, category=None, barcode=None, shop_id=None, active_only=True,
                    voucher_eligible=None, limit: int = 50, offset: int = 0) -> list[Product]:
    """Products whose name contains every word of `q` (or whose code starts with it), optionally
    of one category (id or name) or with one exact barcode. With `shop_id`, each product's
    `.stock` is set to its on-hand at that shop (0 when it never had any)."""
    stmt = _product_filter(select(Product), q=q, category=category, barcode=barcode,
                           active_only=active_only, voucher_eligible=voucher_eligible)
    stmt = stmt.join(Category, Product.category_id == Category.id).order_by(
        Category.sort_order, Category.name, Product.name, Product.id)
    products = list(db.session.scalars(stmt.limit(max(1, min(int(limit), 500))).offset(max(0, offset))))
    if shop_id is not None:
        attach_stock(products, shop_id)
    return products


def count_products(q=None, *, category=None, barcode=None, active_only=True, voucher_eligible=None) -> int:
    stmt = _product_filter(select(func.count(Product.id)), q=q, category=category, barcode=barcode,
                           active_only=active_only, voucher_eligible=voucher_eligible)
    return db.session.scalar(stmt) or 0


def attach_stock(products: list[Product], shop_id: int) -> list[Product]:
    levels = stock_levels(shop_id, [p.id for p in products])
    for p in products:
        level = levels.get(p.id)
        p.stock = level[0] if level else 0
    return products


def stock_levels(shop_id: int, product_ids) -> dict[int, tuple[int, int]]:
    """{product_id: (on_hand, reorder_level)} at one shop, for the products that have a row."""
    ids = list(product_ids)
    if not ids:
        return {}
    rows = db.session.execute(select(StockLevel.product_id, StockLevel.on_hand, StockLevel.reorder_level)
                              .where(StockLevel.shop_id == shop_id, StockLevel.product_id.in_(ids)))
    return {pid: (on_hand, reorder) for pid, on_hand, reorder in rows}


def clean_product_values(values: dict, *, product: Product | None = None,
                         taken: dict | None = None) -> tuple[dict, list[tuple[str, str]]]:
    """Check the fields of a new product (all required) or of an edit (only those given).

    Returns (clean values, [(field, error in Chinese)] for every error found). Used by the forms
    and the import, so that both refuse exactly the same things. `taken` ({barcode: Product},
    preloaded by the import) saves one query per row.
    """
    errors: list[tuple[str, str]] = []
    out: dict = {}
    merged = {f: getattr(product, f) for f in PRODUCT_FIELDS} if product else {}
    merged.update({k: v for k, v in values.items() if k in PRODUCT_FIELDS})

    if "barcode" in values or product is None:
        try:
            code = barcodes.validate(merged.get("barcode"))
            other = (taken.get(code) if taken is not None
                     else db.session.scalar(select(Product).where(Product.barcode == code)))
            if other is not None and (product is None or other.id != product.id):
                errors.append(("barcode", _("条码 %(code)s 已被商品「%(name)s」使用", code=code, name=other.name)))
            out["barcode"] = code
        except InvalidInput as e:
            errors.append(("barcode", str(e.message)))
    name = unicodedata.normalize("NFKC", str(merged.get("name") or "")).strip()
    if not name:
        errors.append(("name", _("商品名称不能为空")))
    elif len(name) > 100:
        errors.append(("name", _("商品名称最多 100 字")))
    out["name"] = name
    category = find_category(merged.get("category_id"))
    if category is None:
        errors.append(("category_id", _("商品分类不存在：%(value)s", value=merged.get("category_id") or "—")))
    else:
        out["category_id"] = category.id
    unit = str(merged.get("unit") or "").strip()
    if merged.get("sale_unit") == "weight":
        unit = unit or UNIT_GRAMS.get(merged.get("unit_grams"), "斤")  # set from unit_grams below
    if not unit or len(unit) > 10:
        errors.append(("unit", _("单位不能为空，最多 10 字（如 袋、桶、瓶、kg）")))
    out["unit"] = unit
    market, charity = merged.get("market_price_fen"), merged.get("charity_price_fen")
    for key, label, fen in (("market_price_fen", _("市场价"), market), ("charity_price_fen", _("慈善价"), charity)):
        if isinstance(fen, bool) or not isinstance(fen, int):
            errors.append((key, _("%(what)s必须填写", what=label)))
        elif fen <= 0:
            errors.append((key, _("%(what)s必须大于 0", what=label)))
    if isinstance(market, int) and isinstance(charity, int) and 0 < market < charity:
        errors.append(("charity_price_fen", _("慈善价 %(charity)s 不能高于市场价 %(market)s",
                                              charity=format_fen(charity), market=format_fen(market))))
    out["market_price_fen"], out["charity_price_fen"] = market, charity
    eligible = bool(merged.get("voucher_eligible"))
    if eligible and category is not None and not category.voucher_allowed:
        errors.append(("voucher_eligible",
                       _("「%(category)s」类商品不能用购物券支付（烟酒一律不可）", category=category.name)))
    out["voucher_eligible"] = eligible
    weighed = _clean_sale_unit(merged, values, product, out, errors, taken)
    limit = merged.get("monthly_limit")
    if weighed:
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int)
                                  or not 0 < limit <= MAX_MONTHLY_LIMIT_GRAMS):
            errors.append(("monthly_limit", _("称重商品的每月限购为 1–%(max)s 克，或留空表示不限",
                                              max=MAX_MONTHLY_LIMIT_GRAMS)))
    elif limit is not None and (isinstance(limit, bool) or not isinstance(limit, int)
                                or not 0 < limit <= MAX_MONTHLY_LIMIT):
        errors.append(("monthly_limit", _("每月限购数量应为 1–%(max)s 的整数，或留空表示不限", max=MAX_MONTHLY_LIMIT)))
    out["monthly_limit"] = limit
    out["active"] = bool(merged.get("active", True))
    if product is not None and "barcode" not in values:
        out["barcode"] = product.barcode
    return out, errors


def _clean_sale_unit(merged: dict, values: dict, product: Product | None, out: dict,
                     errors: list, taken: dict | None) -> bool:
    """sale_unit, unit_grams and plu of a product; True when it is sold by weight. A weighed
    product's unit is its weight unit (斤 or kg), its PLU is unique. The sale unit and weight
    unit of a product with stock moves or sales cannot change: its quantities are counted in
    them (make a new product instead)."""
    sale_unit = merged.get("sale_unit") or "piece"
    if sale_unit not in SALE_UNITS:
        errors.append(("sale_unit", _("销售方式只能是按件或称重")))
        return False
    weighed = sale_unit == "weight"
    unit_grams = merged.get("unit_grams") if weighed else None
    if weighed and unit_grams not in UNIT_GRAMS:
        errors.append(("unit_grams", _("称重商品按斤（500 克）或按公斤（1000 克）计价")))
    plu = merged.get("plu") if weighed else None
    if plu is not None and (isinstance(plu, bool) or not isinstance(plu, int) or not 0 < plu <= 999_999):
        errors.append(("plu", _("PLU 应为 1–999999 的整数")))
    elif plu is not None and taken is None:
        other = db.session.scalar(select(Product).where(Product.plu == plu))
        if other is not None and (product is None or other.id != product.id):
            errors.append(("plu", _("PLU %(plu)s 已被商品「%(name)s」使用", plu=plu, name=other.name)))
    if product is not None and (product.sale_unit != sale_unit or product.unit_grams != unit_grams) \
            and _has_history(product.id):
        errors.append(("sale_unit", _("「%(name)s」已有库存或销售记录，不能改变销售方式或计价单位；请新建商品",
                                      name=product.name)))
    out["sale_unit"], out["unit_grams"], out["plu"] = sale_unit, unit_grams, plu
    if weighed and unit_grams in UNIT_GRAMS:
        out["unit"] = UNIT_GRAMS[unit_grams]
    return weighed


def _has_history(product_id: int) -> bool:
    return db.session.scalar(select(StockMove.id).where(StockMove.product_id == product_id).limit(1)) is not None


def _raise_errors(errors: list[tuple[str, str]]) -> None:
    if errors:
        raise InvalidInput("；".join(msg for _field, msg in errors),
                           details={"fields": {f: m for f, m in reversed(errors)}})


def record_price(product: Product, *, source: str, old_market, old_charity) -> None:
    actor = audit.current_actor()
    db.session.add(PriceChange(product_id=product.id, user_id=actor.user_id, username=actor.username,
                               source=source, old_market_fen=old_market,
                               new_market_fen=product.market_price_fen, old_charity_fen=old_charity,
                               new_charity_fen=product.charity_price_fen))


def create_product(*, source: str = "create", **values) -> Product:
    clean, errors = clean_product_values(values)
    _raise_errors(errors)
    product = Product(**clean)
    with unique_or(db.session, Conflict(_("条码已存在：%(code)s", code=product.barcode))):
        db.session.add(product)
    record_price(product, source=source, old_market=None, old_charity=None)
    db.session.flush()
    audit.record("inventory.product.create", target=product,
                 details={"barcode": product.barcode, "name": product.name, "source": source})
    return product


def update_product(product: Product, *, source: str = "edit", **values) -> Product:
    """Change the given fields; a price change is kept in the price history. The product's row is
    locked first: two edits at once run one after the other, the second comparing against the
    first's prices (the same edit twice records one price change)."""
    lock(db.session, product)
    clean, errors = clean_product_values(values, product=product)
    _raise_errors(errors)
    old_market, old_charity = product.market_price_fen, product.charity_price_fen
    changed = {}
    for field, value in clean.items():
        if getattr(product, field) != value:
            changed[field] = [getattr(product, field), value]
            setattr(product, field, value)
    if not changed:
        return product
    db.session.flush()
    if "market_price_fen" in changed or "charity_price_fen" in changed:
        record_price(product, source=source, old_market=old_market, old_charity=old_charity)
        db.session.flush()
    audit.record("inventory.product.update", target=product, details={"changed": changed, "source": source})
    return product


def price_history(product_id: int) -> list[PriceChange]:
    return list(db.session.scalars(select(PriceChange).where(PriceChange.product_id == product_id)
                                   .order_by(PriceChange.at.desc(), PriceChange.id.desc())))


def price_at(product_id: int, moment: dt.datetime) -> tuple[int, int] | None:
    """(market_fen, charity_fen) in force at `moment` (to explain a past receipt)."""
    row = db.session.execute(select(PriceChange.new_market_fen, PriceChange.new_charity_fen)
                             .where(PriceChange.product_id == product_id, PriceChange.at <= moment)
                             .order_by(PriceChange.at.desc(), PriceChange.id.desc()).limit(1)).first()
    return (row[0], row[1]) if row else None


# --- the ledger ----------------------------------------------------------------------------

def stock_on_hand(shop_id: int, product_id: int) -> int:
    value = db.session.scalar(select(StockLevel.on_hand).where(StockLevel.shop_id == shop_id,
                                                               StockLevel.product_id == product_id))
    return value or 0


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _expire_levels(shop_id: int, product_id: int) -> None:
    """Core statements bypass the identity map: make loaded StockLevel rows reload."""
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, StockLevel) and obj.shop_id == shop_id and obj.product_id == product_id:
            db.session.expire(obj)


def _upsert_level(shop_id: int, product_id: int, *, add: int = 0, reorder_level: int | None = None) -> int:
    table = StockLevel.__table__
    insert = postgresql.insert if _dialect() == "postgresql" else sqlite.insert
    stmt = insert(table).values(shop_id=shop_id, product_id=product_id, on_hand=add,
                                reorder_level=reorder_level or 0)
    values = {"on_hand": table.c.on_hand + stmt.excluded.on_hand}
    if reorder_level is not None:
        values["reorder_level"] = stmt.excluded.reorder_level
    stmt = stmt.on_conflict_do_update(index_elements=[table.c.shop_id, table.c.product_id],
                                      set_=values).returning(table.c.on_hand)
    return db.session.execute(stmt).scalar_one()


def apply_move(*, shop_id: int, product_id: int, delta: int, kind: str, reason: str | None = None,
               note: str = "", ref_type: str | None = None, ref_id=None, user_id: int | None = None) -> int:
    """Change on-hand by `delta` and write the ledger row; return the new on-hand.

    Out (delta < 0): `UPDATE ... SET on_hand = on_hand - n WHERE ... AND on_hand >= n`, and
    OutOfStock when no row changed, so two tills can never both sell the last unit. In: an
    upsert. The product must exist (callers look it up first).
    """
    sign = MOVE_KINDS.get(kind)
    if sign is None:
        raise ValueError(f"unknown stock move kind {kind!r}")
    if isinstance(delta, bool) or not isinstance(delta, int) or delta == 0 or (sign and (delta > 0) != (sign > 0)):
        raise ValueError(f"{kind} cannot move {delta!r}")
    table = StockLevel.__table__
    if delta < 0:
        new = db.session.execute(
            update(table)
            .where(table.c.shop_id == shop_id, table.c.product_id == product_id, table.c.on_hand >= -delta)
            .values(on_hand=table.c.on_hand + delta)
            .returning(table.c.on_hand)).scalar_one_or_none()
        if new is None:
            product = db.session.get(Product, product_id)
            have = stock_on_hand(shop_id, product_id)
            raise OutOfStock(_("库存不足：%(name)s 现有 %(have)s，需要 %(need)s",
                               name=product.name if product else product_id,
                               have=quantity_text(product, have) if product else have,
                               need=quantity_text(product, -delta) if product else -delta),
                             details={"product_id": product_id, "shop_id": shop_id,
                                      "requested": -delta, "on_hand": have})
    else:
        new = _upsert_level(shop_id, product_id, add=delta)
    _expire_levels(shop_id, product_id)
    db.session.add(StockMove(shop_id=shop_id, product_id=product_id, kind=kind, quantity=delta,
                             on_hand_after=new, reason=reason, note=(note or "")[:200],
                             ref_type=ref_type, ref_id=None if ref_id is None else str(ref_id),
                             user_id=user_id))
    db.session.flush()
    return new


def take_stock(*, shop_id: int, product_id: int, quantity, kind: str, ref_type: str | None,
               ref_id, user_id: int | None) -> int:
    """Take `quantity` units out of a shop's stock (kind e.g. "sale"); the new on-hand.

    One conditional UPDATE; OutOfStock (code `out_of_stock`) when the shop has fewer units.
    """
    qty = parse_quantity(quantity)
    if MOVE_KINDS.get(kind, 1) > 0:
        raise InvalidInput(_("出库类型不正确：%(kind)s", kind=kind))
    get_product(product_id)
    return apply_move(shop_id=shop_id, product_id=product_id, delta=-qty, kind=kind,
                      ref_type=ref_type, ref_id=ref_id, user_id=user_id)


def return_stock(*, shop_id: int, product_id: int, quantity, kind: str, ref_type: str | None,
                 ref_id, user_id: int | None) -> int:
    """Put `quantity` units back into a shop's stock (kind e.g. "void"); the new on-hand."""
    qty = parse_quantity(quantity)
    if MOVE_KINDS.get(kind, -1) < 0:
        raise InvalidInput(_("入库类型不正确：%(kind)s", kind=kind))
    get_product(product_id)
    return apply_move(shop_id=shop_id, product_id=product_id, delta=qty, kind=kind,
                      ref_type=ref_type, ref_id=ref_id, user_id=user_id)


def set_reorder_level(*, shop_id: int, product_id: int, level) -> None:
    """Set a shop's reorder level of a product: one upsert that changes the row only when the level
    differs, so the same setting sent twice is audited once."""
    n = parse_product_quantity(get_product(product_id), level, what=_("补货线"), allow_zero=True)
    table = StockLevel.__table__
    insert = postgresql.insert if _dialect() == "postgresql" else sqlite.insert
    stmt = insert(table).values(shop_id=shop_id, product_id=product_id, on_hand=0, reorder_level=n)
    stmt = stmt.on_conflict_do_update(index_elements=[table.c.shop_id, table.c.product_id],
                                      set_={"reorder_level": stmt.excluded.reorder_level},
                                      where=table.c.reorder_level != stmt.excluded.reorder_level)
    changed = db.session.execute(stmt.returning(table.c.reorder_level)).first() is not None
    _expire_levels(shop_id, product_id)
    if changed:
        audit.record("inventory.reorder_level", target_type="inv_product", target_id=product_id,
                     details={"shop_id": shop_id, "reorder_level": n})


def limited_products() -> list[Product]:
    """Active products with a monthly per-recipient limit at charity price (for the till)."""
    return list(db.session.scalars(select(Product).where(Product.active.is_(True),
                                                         Product.monthly_limit.is_not(None))
                                   .order_by(Product.name, Product.id)))
