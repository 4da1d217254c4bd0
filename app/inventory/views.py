"""Catalogue pages: product list and look-up, product form, categories, import and export."""

from __future__ import annotations

import io

from flask import Blueprint, Response, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.permissions import require_role
from app.core.errors import DomainError, InvalidInput
from app.core.idempotency import form_once
from app.core.money import format_fen_plain, line_amount_fen, parse_yuan
from app.core.numbers import arg_int, parse_int
from app.core.weights import JIN, KG, parse_weight
from app.extensions import db
from app.inventory import catalogue_io, images, labels, movements, scale_labels, scope, services
from app.inventory.setup import quantity_input

SALE_MODES = {"piece": None, "jin": JIN, "kg": KG}  # the form's choice -> unit_grams

bp = Blueprint("inventory", __name__, url_prefix="/inventory", template_folder="templates")

STAFF = ("admin", "federation", "manager")
TILL = ("admin", "federation", "manager", "cashier")
CATALOGUE_EDITORS = ("admin", "federation", "manager")
PAGE = 50


@bp.context_processor
def _labels():
    return {"kind_labels": labels.KIND_LABELS, "reason_labels": labels.REASON_LABELS,
            "status_labels": labels.STOCKTAKE_STATUS_LABELS, "units": labels.UNITS}


def _checked(name: str) -> bool:
    return request.form.get(name) in ("1", "on", "true", "yes")


@bp.get("/products")
@require_role(*STAFF)
def products():
    args = request.args
    shop = scope.shop_for(current_user, args.get("shop"))
    barcode = (args.get("barcode") or "").strip()
    if barcode:
        try:
            return redirect(url_for("inventory.product", product_id=services.find_by_barcode(barcode).id,
                                    shop=shop.code if shop else None))
        except DomainError:
            flash(_("没有条码为 %(code)s 的商品", code=barcode), "error")
    eligible = {"1": True, "0": False}.get(args.get("eligible", ""))
    active_only = args.get("status", "active") == "active"
    offset = max(0, args.get("offset", 0, type=arg_int))
    filters = {"q": args.get("q") or None, "category": args.get("category") or None,
               "active_only": active_only, "voucher_eligible": eligible}
    rows = services.search_products(**filters, shop_id=shop.id if shop else None, limit=PAGE, offset=offset)
    total = services.count_products(**filters)
    levels = services.stock_levels(shop.id, [p.id for p in rows]) if shop else {}
    return render_template("inventory/products.html", products=rows, total=total, offset=offset, page=PAGE,
                           shop=shop, shops=scope.visible_shops(current_user), levels=levels,
                           categories=services.list_categories())


def _product_values() -> tuple[dict, list[str]]:
    f = request.form
    values = {"barcode": f.get("barcode", ""), "name": f.get("name", ""), "unit": f.get("unit", ""),
              "category_id": f.get("category_id") or None, "voucher_eligible": _checked("voucher_eligible"),
              "active": _checked("active")}
    errors = []
    for key, label in (("market_price_fen", _("市场价")), ("charity_price_fen", _("慈善价"))):
        try:
            values[key] = parse_yuan(f.get(key.removesuffix("_fen"), ""))
        except InvalidInput as e:
            errors.append(f"{label}：{e.message}")
    how = f.get("sale_unit", "piece")  # piece, jin (weighed, priced per 斤) or kg
    values["sale_unit"] = how if how not in SALE_MODES else "piece" if how == "piece" else "weight"
    values["unit_grams"] = SALE_MODES.get(how)
    plu = (f.get("plu") or "").strip()
    limit = (f.get("monthly_limit") or "").strip()
    try:
        values["plu"] = parse_int(plu, label="PLU", minimum=1, maximum=999_999) if plu else None
        if not limit:
            values["monthly_limit"] = None
        elif values["unit_grams"]:
            values["monthly_limit"] = parse_weight(limit, values["unit_grams"], label=_("每月限购"))
        else:
            values["monthly_limit"] = services.parse_quantity(limit, what=_("每月限购"))
    except InvalidInput as e:
        errors.append(str(e.message))
    return values, errors


def _save_image(product) -> None:
    upload = request.files.get("image")
    if upload is not None and upload.filename:
        images.set_product_image(product, upload.read())
    elif _checked("remove_image") and product.image:
        images.set_product_image(product, None)


def _render_form(product=None, error=None, status=200):
    form = request.form if request.method == "POST" else None
    if form is None and product is not None:
        form = {"barcode": product.barcode, "name": product.name, "unit": product.unit,
                "category_id": str(product.category_id),
                "market_price": format_fen_plain(product.market_price_fen),
                "charity_price": format_fen_plain(product.charity_price_fen),
                "voucher_eligible": "1" if product.voucher_eligible else "",
                "monthly_limit": quantity_input(product.monthly_limit, product),
                "sale_unit": {500: "jin", 1000: "kg"}.get(product.unit_grams, "piece") if product.weighed else "piece",
                "plu": "" if product.plu is None else str(product.plu),
                "active": "1" if product.active else ""}
    return render_template("inventory/product_form.html", product=product, form=form or {"active": "1"},
                           error=error, categories=services.list_categories()), status


@bp.get("/products/new")
@require_role(*CATALOGUE_EDITORS)
def new_product():
    return _render_form()


@bp.post("/products")
@require_role(*CATALOGUE_EDITORS)
@form_once
def create_product():
    values, errors = _product_values()
    try:
        if errors:
            raise InvalidInput("；".join(errors))
        product = services.create_product(**values)
        _save_image(product)
    except InvalidInput as e:
        db.session.rollback()
        return _render_form(error=e.message, status=400)
    db.session.commit()
    flash(_("已添加商品 %(name)s", name=product.name), "success")
    return redirect(url_for("inventory.product", product_id=product.id))


@bp.get("/products/<int:product_id>")
@require_role(*STAFF)
def product(product_id: int):
    product = services.get_product(product_id)
    shops = scope.visible_shops(current_user)
    levels = {s.id: services.stock_levels(s.id, [product.id]).get(product.id, (0, 0)) for s in shops}
    history = movements.move_history(shop_ids=scope.shop_ids(shops), product_id=product.id, limit=30)
    return render_template("inventory/product.html", product=product, shops=shops, levels=levels,
                           prices=services.price_history(product.id), moves=history,
                           shop_names={s.id: s.name for s in shops},
                           can_change={s.id for s in shops if current_user.role in scope.CHANGE_ROLES})


@bp.get("/products/<int:product_id>/scale-label")
@require_role(*STAFF)
def scale_label(product_id: int):
    """A test scale label for a weighed product (what the shop scale prints), to try the till's
    scanner or print for training: the weight typed in 斤/kg or grams, default 0.75 斤."""
    product = services.get_product(product_id)
    typed = (request.args.get("weight") or "").strip()
    error, label = None, None
    try:
        grams = parse_weight(typed or "375g", product.unit_grams or JIN)
        code = scale_labels.label_for(product, grams)
        label = {"code": code, "grams": grams, "bars": scale_labels.ean13_svg_path(code),
                 "amount_fen": line_amount_fen(product.market_price_fen, grams, product.unit_grams)}
    except InvalidInput as e:
        error = e.message
    return render_template("inventory/scale_label.html", product=product, label=label, error=error,
                           weight=typed), 200 if label else 400


@bp.get("/products/<int:product_id>/edit")
@require_role(*CATALOGUE_EDITORS)
def edit_product(product_id: int):
    return _render_form(services.get_product(product_id))


@bp.post("/products/<int:product_id>/edit")
@require_role(*CATALOGUE_EDITORS)
@form_once
def update_product(product_id: int):
    product = services.get_product(product_id)
    values, errors = _product_values()
    try:
        if errors:
            raise InvalidInput("；".join(errors))
        services.update_product(product, **values)
        _save_image(product)
    except InvalidInput as e:
        db.session.rollback()
        return _render_form(services.get_product(product_id), error=e.message, status=400)
    db.session.commit()
    flash(_("已保存 %(name)s", name=product.name), "success")
    return redirect(url_for("inventory.product", product_id=product.id))


@bp.get("/products/<int:product_id>/image")
@require_role(*TILL)
def product_image(product_id: int):
    image = images.product_image(product_id)
    resp = Response(image.data, mimetype=image.mimetype)
    resp.headers["Cache-Control"] = "private, max-age=86400"
    return resp


@bp.post("/products/<int:product_id>/reorder")
@require_role(*scope.CHANGE_ROLES)
def set_reorder(product_id: int):
    product = services.get_product(product_id)
    shop = scope.shop_for(current_user, request.form.get("shop"), required=True)
    scope.ensure_can_change(current_user, shop)
    services.set_reorder_level(shop_id=shop.id, product_id=product.id, level=request.form.get("reorder_level", ""))
    db.session.commit()
    flash(_("已设置 %(shop)s 的补货线", shop=shop.name), "success")
    return redirect(url_for("inventory.product", product_id=product.id))


@bp.get("/categories")
@require_role(*STAFF)
def categories():
    return render_template("inventory/categories.html", categories=services.list_categories())


@bp.post("/categories")
@require_role("admin", "federation")
def create_category():
    order = services.parse_quantity(request.form.get("sort_order") or "100", what=_("排序"), allow_zero=True)
    category = services.create_category(name=request.form.get("name", ""),
                                        voucher_allowed=_checked("voucher_allowed"), sort_order=order)
    db.session.commit()
    flash(_("已添加分类 %(name)s", name=category.name), "success")
    return redirect(url_for("inventory.categories"))


@bp.get("/import")
@require_role(*CATALOGUE_EDITORS)
def import_page():
    return render_template("inventory/import.html", result=None, failure=None)


@bp.post("/import")
@require_role(*CATALOGUE_EDITORS)
@form_once
def import_upload():
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return render_template("inventory/import.html", result=None,
                               failure={"message": _("请选择要导入的 CSV 或 XLSX 文件"), "rows": []}), 400
    dry_run = _checked("dry_run")
    try:
        result = catalogue_io.import_catalogue(upload.read(), upload.filename, dry_run=dry_run,
                                               update_only=_checked("update_only"))
    except InvalidInput as e:
        db.session.rollback()
        failure = {"message": e.message, "rows": (e.details or {}).get("rows", []),
                   "bad_rows": (e.details or {}).get("bad_rows")}
        return render_template("inventory/import.html", result=None, failure=failure), 400
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    return render_template("inventory/import.html", result=result, failure=None)


@bp.get("/export")
@require_role(*STAFF)
def export():
    shop = scope.shop_for(current_user, request.args.get("shop"))
    data, mimetype, ext = catalogue_io.export_catalogue(request.args.get("format", "csv"),
                                                        shop_id=shop.id if shop else None)
    db.session.commit()  # the audit row
    name = f"products-{shop.code}.{ext}" if shop else f"products.{ext}"
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name)
