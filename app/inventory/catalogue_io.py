"""Catalogue import and export, CSV (UTF-8 with or without BOM, or GB18030) or XLSX.

An import is all or nothing: every row is checked first with the same rules as the product form,
and one bad row (a bad EAN check digit, a charity price above the market price, an unknown
product or category...) refuses the whole file, listing every bad row with its reasons.

Exports are safe against spreadsheet formula injection: a text cell that starts with = + - @
or a control character is written with a leading apostrophe (and the import strips it again).
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from app.core import audit
from app.core.db import unique_or
from app.core.errors import Conflict, InvalidInput
from app.core.money import format_fen_plain, parse_yuan
from app.core.numbers import parse_int
from app.core.spreadsheet import read_xlsx_safely, safe_text  # shared with the reports' exports
from app.core.text import is_digits
from app.core.weights import parse_weight
from app.extensions import db
from app.inventory import barcodes, services
from app.inventory.errors import ImportFailed
from app.inventory.models import Category, Product, StockLevel

MAX_ROWS = 20_000
MAX_ERRORS_SHOWN = 200

# canonical column -> accepted headers (compared after NFKC, lower case, spaces and "(元)" removed)
COLUMNS = {
    "id": ("编号", "商品编号", "id"),
    "barcode": ("条码", "商品条码", "店内码", "barcode"),
    "name": ("名称", "商品名称", "品名", "name"),
    "category": ("分类", "类别", "商品分类", "category"),
    "unit": ("单位", "unit"),
    "market_price": ("市场价", "market_price", "marketprice"),
    "charity_price": ("慈善价", "charity_price", "charityprice"),
    "voucher_eligible": ("可用购物券", "可用券", "购物券", "voucher_eligible"),
    "monthly_limit": ("每月限购", "月限购", "monthly_limit"),
    "active": ("在售", "启用", "active"),
    "sale_unit": ("销售方式", "计量方式", "sale_unit"),
    "plu": ("plu", "秤码", "电子秤plu"),
}
REQUIRED = ("barcode", "name", "category", "unit", "market_price", "charity_price")
EXPORT_HEADERS = ("编号", "条码", "名称", "分类", "单位", "市场价", "慈善价", "可用购物券", "每月限购", "在售",
                  "销售方式", "PLU")
# 销售方式: pieces, or weighed and priced per 斤 or kg. A weighed product's quantities in the file
# (每月限购, 库存, 补货线) are in its 斤 or kg, as its 单位 says, like the product form.
SALE_MODES = {"按件": None, "件": None, "piece": None, "称重(斤)": 500, "称重斤": 500, "称重": 500, "斤": 500,
              "jin": 500, "weight": 500, "称重(公斤)": 1000, "称重(kg)": 1000, "称重公斤": 1000, "公斤": 1000,
              "kg": 1000}
SALE_MODE_TEXT = {None: "按件", 500: "称重(斤)", 1000: "称重(公斤)"}
TRUE_WORDS = {"是", "y", "yes", "true", "1", "√", "✓", "可", "可用"}
FALSE_WORDS = {"否", "n", "no", "false", "0", "×", "不可", "不可用"}


def _norm_header(text) -> str:
    t = unicodedata.normalize("NFKC", str(text or "")).strip().lower().replace(" ", "")
    for suffix in ("(元)", "(yuan)", "(¥)"):
        t = t.removesuffix(suffix)
    return t


_HEADER_MAP = {_norm_header(h): key for key, names in COLUMNS.items() for h in names}


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        # a spreadsheet's number cell; repr() is the shortest exact text ("29.9"), no arithmetic
        return str(int(value)) if value.is_integer() else repr(value)
    text = str(value).strip()
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@":
        text = text[1:]  # our own formula guard
    return text


def read_table(data: bytes, filename: str = "") -> list[tuple[int, dict[str, str]]]:
    """[(row number as the spreadsheet shows it, {column: text})], header row mapped to COLUMNS."""
    if data[:4] == b"PK\x03\x04" or filename.lower().endswith(".xlsx"):
        rows = _xlsx_rows(data)
    else:
        rows = _csv_rows(data)
    if not rows:
        raise InvalidInput(_("文件是空的"))
    header = [_HEADER_MAP.get(_norm_header(h)) for h in rows[0]]
    missing = [COLUMNS[k][0] for k in REQUIRED if k not in header]
    if missing:
        raise InvalidInput(_("缺少必需的列：%(cols)s", cols="、".join(missing)))
    if len(rows) - 1 > MAX_ROWS:
        raise InvalidInput(_("一次最多导入 %(n)s 行", n=MAX_ROWS))
    out = []
    for n, row in enumerate(rows[1:], start=2):
        values = {key: _cell_text(row[i]) if i < len(row) else "" for i, key in enumerate(header) if key}
        if any(values.values()):
            out.append((n, values))
    return out


def _csv_rows(data: bytes) -> list[list]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            raise InvalidInput(_("无法识别文件编码，请保存为 UTF-8 或 GB18030 编码的 CSV，或 XLSX")) from None
    return list(csv.reader(io.StringIO(text)))


def _xlsx_rows(data: bytes) -> list[list]:
    from openpyxl import load_workbook

    message = _("无法读取 XLSX 文件，请确认文件未损坏")
    with read_xlsx_safely(message):
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        with read_xlsx_safely(message):
            return [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    finally:
        wb.close()


def _bool(text: str, default: bool, label: str, errors: list) -> bool:
    t = text.strip().lower()
    if not t:
        return default
    if t in TRUE_WORDS:
        return True
    if t in FALSE_WORDS:
        return False
    errors.append(_("%(what)s应填 是 或 否：%(value)s", what=label, value=text))
    return default


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False
    errors: list = field(default_factory=list)


def _parse_row(values: dict, *, categories: dict, by_id: dict, by_code: dict,
               update_only: bool) -> tuple[Product | None, dict, list]:
    """(existing product or None, field values for the services, every error of the row)."""
    errors: list[str] = []
    failed: set[str] = set()  # fields whose text could not be read: no second message for them
    product = None
    if values.get("id"):
        pid = values["id"]
        product = by_id.get(int(pid)) if is_digits(pid) else None
        if product is None:
            errors.append(_("商品不存在：编号 %(id)s", id=pid))
            failed.add("id")
    code = barcodes.normalise(values.get("barcode"))
    if product is None and not values.get("id") and code:
        product = by_code.get(code)
        if product is None and update_only:
            errors.append(_("商品不存在：条码 %(code)s（只更新已有商品）", code=code))
    out: dict = {"barcode": values.get("barcode", ""), "name": values.get("name", ""),
                 "unit": values.get("unit", "")}
    cat_name = values.get("category", "").strip()
    category = categories.get(cat_name)
    if category is None:
        errors.append(_("商品分类不存在：%(value)s", value=cat_name or "—"))
        failed.add("category_id")
    else:
        out["category_id"] = category.id
    for key, label in (("market_price_fen", _("市场价")), ("charity_price_fen", _("慈善价"))):
        text = values.get(key.removesuffix("_fen"), "")
        try:
            out[key] = parse_yuan(text)
        except InvalidInput:
            errors.append(_("%(what)s格式不正确：%(value)s", what=label, value=text or "—"))
            failed.add(key)
    out["voucher_eligible"] = _bool(values.get("voucher_eligible", ""),
                                    product.voucher_eligible if product else False, _("可用购物券"), errors)
    out["active"] = _bool(values.get("active", ""), product.active if product else True, _("在售"), errors)
    unit_grams = product.unit_grams if product is not None and product.weighed else None
    mode = unicodedata.normalize("NFKC", values.get("sale_unit", "")).strip().lower().replace(" ", "")
    if mode:
        if mode not in SALE_MODES:
            errors.append(_("销售方式应填 按件、称重(斤) 或 称重(公斤)：%(value)s", value=values["sale_unit"]))
            failed.add("sale_unit")
        else:
            unit_grams = SALE_MODES[mode]
            out["sale_unit"], out["unit_grams"] = ("weight" if unit_grams else "piece"), unit_grams
    if values.get("plu", "").strip():
        try:
            out["plu"] = parse_int(values["plu"], label="PLU", minimum=1, maximum=999_999)
        except InvalidInput as e:
            errors.append(str(e.message))
            failed.add("plu")
    if "monthly_limit" in values:
        limit_text = values["monthly_limit"].strip()
        try:
            out["monthly_limit"] = (None if not limit_text
                                    else parse_weight(limit_text, unit_grams, label=_("每月限购")) if unit_grams
                                    else services.parse_quantity(limit_text, what=_("每月限购")))
        except InvalidInput as e:
            errors.append(str(e.message))
            failed.add("monthly_limit")
    cleaned: dict = {}
    if "id" not in failed:
        cleaned, more = services.clean_product_values(out, product=product, taken=by_code)
        skip = failed | ({"charity_price_fen"} if failed & {"market_price_fen"} else set())
        errors.extend(msg for fld, msg in more if fld not in skip)
    return product, cleaned, errors


def import_catalogue(data: bytes, filename: str = "", *, dry_run: bool = False,
                     update_only: bool = False) -> ImportResult:
    """Create or update products from a file; ImportFailed (nothing written) on any bad row.

    A row names its product by 编号 (id, as exported) or by its barcode; a row with a new barcode
    creates a product unless `update_only`.
    """
    rows = read_table(data, filename)
    categories = {c.name: c for c in db.session.scalars(select(Category))}
    # a real import locks the catalogue's rows: two imports (or an import and a product edit) run
    # one after the other, the second planning from what the first wrote
    q = select(Product) if dry_run else select(Product).with_for_update(of=Product)
    products = list(db.session.scalars(q))
    by_id, by_code = {p.id: p for p in products}, {p.barcode: p for p in products}
    plan, bad = [], []
    seen_codes: dict[str, int] = {}
    seen_ids: dict[int, int] = {}
    for n, values in rows:
        product, clean, errors = _parse_row(values, categories=categories, by_id=by_id, by_code=by_code,
                                            update_only=update_only)
        code = barcodes.normalise(values.get("barcode"))
        if code and code in seen_codes:
            errors.append(_("条码 %(code)s 与第 %(n)s 行重复", code=code, n=seen_codes[code]))
        seen_codes.setdefault(code, n)
        if product is not None:
            if product.id in seen_ids:
                errors.append(_("与第 %(n)s 行是同一商品", n=seen_ids[product.id]))
            seen_ids.setdefault(product.id, n)
        if errors:
            bad.append({"row": n, "errors": errors})
        else:
            plan.append((product, clean))
    result = ImportResult(rows=len(rows), dry_run=dry_run)
    if not rows:
        raise InvalidInput(_("文件中没有商品行"))
    if bad:
        raise ImportFailed(_("导入文件有 %(n)s 行错误，未写入任何数据", n=len(bad)),
                           details={"rows": bad[:MAX_ERRORS_SHOWN], "bad_rows": len(bad)})
    for product, clean in plan:
        if product is None:
            result.created += 1
        elif all(getattr(product, f) == clean[f] for f in services.PRODUCT_FIELDS):
            result.unchanged += 1
        else:
            result.updated += 1
    if dry_run:
        return result
    with db.session.begin_nested():
        _apply(plan)
    audit.record("inventory.import", target_type="inv_product",
                 details={"file": filename[:100], "rows": result.rows, "created": result.created,
                          "updated": result.updated, "unchanged": result.unchanged})
    return result


def _apply(plan: list) -> None:
    """Write rows that passed every check (the same as the product form's): new products in one
    flush, then their first prices; changed products with a price history row when a price moved.
    The import is audited once, as a whole."""
    new = []
    for product, clean in plan:
        if product is None:
            new.append(Product(**clean))
            continue
        old_market, old_charity = product.market_price_fen, product.charity_price_fen
        for name, value in clean.items():
            if getattr(product, name) != value:
                setattr(product, name, value)
        if (old_market, old_charity) != (product.market_price_fen, product.charity_price_fen):
            services.record_price(product, source="import", old_market=old_market, old_charity=old_charity)
    # a product created by an import that ran at the same moment: refused whole (409), nothing written
    with unique_or(db.session, Conflict(_("另一次导入刚刚添加了相同条码的商品，请重新导入"))):
        db.session.add_all(new)
    for product in new:
        services.record_price(product, source="import", old_market=None, old_charity=None)
    db.session.flush()


# --- export ------------------------------------------------------------------------------------

def catalogue_rows(*, shop_id: int | None = None) -> tuple[list[str], list[list]]:
    products = list(db.session.scalars(select(Product).order_by(Product.category_id, Product.name, Product.id)))
    headers = list(EXPORT_HEADERS)
    levels = {}
    if shop_id is not None:
        headers += ["库存", "补货线"]
        levels = {pid: (on_hand, reorder) for pid, on_hand, reorder in db.session.execute(
            select(StockLevel.product_id, StockLevel.on_hand, StockLevel.reorder_level)
            .where(StockLevel.shop_id == shop_id))}
    rows = []
    for p in products:
        row = [p.id, p.barcode, p.name, p.category.name, p.unit, Decimal(format_fen_plain(p.market_price_fen)),
               Decimal(format_fen_plain(p.charity_price_fen)), "是" if p.voucher_eligible else "否",
               _in_unit(p, p.monthly_limit) if p.monthly_limit is not None else "", "是" if p.active else "否",
               SALE_MODE_TEXT[p.unit_grams if p.weighed else None], p.plu if p.plu is not None else ""]
        if shop_id is not None:
            row += [_in_unit(p, q) for q in levels.get(p.id, (0, 0))]
        rows.append(row)
    return headers, rows


def _in_unit(product: Product, quantity: int):
    """A count, or a weighed product's grams in its 斤/kg as an exact number (1250 g -> 2.5)."""
    if not product.weighed:
        return quantity
    return Decimal(quantity) / Decimal(product.unit_grams)


def export_catalogue(fmt: str = "csv", *, shop_id: int | None = None) -> tuple[bytes, str, str]:
    """(file bytes, mimetype, extension). Audited."""
    if fmt not in ("csv", "xlsx"):
        raise InvalidInput(_("导出格式只能是 csv 或 xlsx"))
    headers, rows = catalogue_rows(shop_id=shop_id)
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(headers)
        for row in rows:
            writer.writerow([safe_text(v) if isinstance(v, str) else v for v in row])
        data, mimetype = buf.getvalue().encode("utf-8-sig"), "text/csv; charset=utf-8"
    else:
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.title = "商品目录"
        ws.append(headers)
        for row in rows:
            ws.append([safe_text(v) if isinstance(v, str) else v for v in row])
        for col in ("F", "G"):
            for cell in ws[col][1:]:
                cell.number_format = "0.00"
        out = io.BytesIO()
        wb.save(out)
        data = out.getvalue()
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    audit.record("inventory.export", target_type="inv_product",
                 details={"format": fmt, "rows": len(rows), "shop_id": shop_id})
    return data, mimetype, fmt
