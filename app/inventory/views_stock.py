"""Stock pages: overview, receiving, adjustment, transfer, stocktake, low stock, movement history.

Managers work on their own shop; admins choose a shop; federation users see (not change) the
shops of their scope.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth import services as auth_services
from app.auth.permissions import ensure_shop, require_role
from app.core.errors import DomainError, Forbidden, InvalidInput
from app.core.idempotency import form_once
from app.core.numbers import arg_int, parse_int
from app.core.text import is_digits
from app.core.timeutil import parse_date
from app.extensions import db
from app.inventory import labels, movements, scope, services

bp = Blueprint("inv_stock", __name__, url_prefix="/inventory/stock", template_folder="templates")

STAFF = ("admin", "federation", "manager")
CHANGE = scope.CHANGE_ROLES


@bp.context_processor
def _labels():
    return {"kind_labels": labels.KIND_LABELS, "reason_labels": labels.REASON_LABELS,
            "status_labels": labels.STOCKTAKE_STATUS_LABELS}


def _visible():
    shops = scope.visible_shops(current_user)
    return shops, {s.id: s for s in shops}


def _changeable_shops():
    return [s for s in scope.visible_shops(current_user) if current_user.role in CHANGE]


def _target_shop(field: str = "shop"):
    shop = scope.shop_for(current_user, request.form.get(field), required=True)
    scope.ensure_can_change(current_user, shop)
    return shop


def _lines(*, with_cost: bool = False) -> list[dict]:
    f = request.form
    codes, qtys = f.getlist("barcode"), f.getlist("quantity")
    costs = f.getlist("unit_cost") if with_cost else []
    return [{"barcode": code, "quantity": qtys[i] if i < len(qtys) else "",
             "unit_cost": costs[i] if i < len(costs) else ""} for i, code in enumerate(codes)]


def _product_choices():
    return services.search_products(limit=500)


@bp.get("/")
@require_role(*STAFF)
def index():
    shops, by_id = _visible()
    low = movements.low_stock(scope.shop_ids(shops))
    return render_template("inventory/stock_index.html", low=low[:10], low_count=len(low), shops=by_id)


# --- receiving --------------------------------------------------------------------------------

@bp.get("/receiving")
@require_role(*STAFF)
def receiving_list():
    shops, by_id = _visible()
    return render_template("inventory/receiving_list.html", shops=by_id,
                           notes=movements.list_receiving_notes(scope.shop_ids(shops)))


def _with_products(lines: list[dict]) -> list[dict]:
    """The lines of a form that comes back, each with the product its code names (`product`,
    with the stock at the form's shop) or `product_unknown`: what the page showed after each scan."""
    try:
        shop = scope.shop_for(current_user, request.form.get("shop"))
    except DomainError:
        shop = None
    found = services.products_by_code([ln["barcode"] for ln in lines], shop_id=shop.id if shop else None)
    for ln in lines:
        code = (ln.get("barcode") or "").strip()
        if code:
            ln["product"] = found.get(code)
            ln["product_unknown"] = ln["product"] is None
    return lines


def _receiving_form(error=None, status=200):
    return render_template("inventory/receiving_form.html", error=error, form=request.form,
                           lines=_with_products(_lines(with_cost=True)) if request.method == "POST" else [],
                           shops=_changeable_shops(), products=_product_choices()), status


@bp.get("/receiving/new")
@require_role(*CHANGE)
def receiving_new():
    return _receiving_form()


@bp.post("/receiving")
@require_role(*CHANGE)
@form_once
def receiving_create():
    shop = _target_shop()
    f = request.form
    try:
        received_on = parse_date(f["received_on"]) if f.get("received_on") else None
        note = movements.receive(shop_id=shop.id, supplier=f.get("supplier", ""),
                                 received_by=f.get("received_by", ""), delivery_no=f.get("delivery_no", ""),
                                 received_on=received_on, note=f.get("note", ""),
                                 lines=_lines(with_cost=True), user_id=current_user.id)
    except InvalidInput as e:
        db.session.rollback()
        return _receiving_form(e.message, 400)
    db.session.commit()
    flash(_("收货单已入库：%(n)s 行", n=len(note.lines)), "success")
    return redirect(url_for("inv_stock.receiving_note", note_id=note.id))


@bp.get("/receiving/<int:note_id>")
@require_role(*STAFF)
def receiving_note(note_id: int):
    note = movements.get_receiving_note(note_id)
    _shops, by_id = _visible()
    if note.shop_id not in by_id:
        raise Forbidden(_("您无权访问其他门店的数据"))
    return render_template("inventory/receiving_note.html", note=note, shop=by_id[note.shop_id])


# --- adjustment -------------------------------------------------------------------------------

def _adjust_form(error=None, status=200):
    return render_template("inventory/adjust.html", error=error, form=request.form,
                           shops=_changeable_shops(), products=_product_choices()), status


@bp.get("/adjust")
@require_role(*CHANGE)
def adjust_form():
    return _adjust_form()


@bp.post("/adjust")
@require_role(*CHANGE)
@form_once
def adjust_post():
    shop = _target_shop()
    f = request.form
    try:
        product = services.find_by_barcode(f.get("barcode"))
        qty = services.parse_product_quantity(product, f.get("quantity"))
        direction = -1 if f.get("direction", "out") == "out" else 1
        movements.adjust(shop_id=shop.id, product_id=product.id, quantity=direction * qty,
                         reason=f.get("reason", ""), note=f.get("note", ""), user_id=current_user.id)
    except DomainError as e:
        db.session.rollback()
        return _adjust_form(e.message, e.status)
    db.session.commit()
    flash(_("已调整 %(name)s，现有库存 %(n)s", name=product.name,
            n=services.quantity_text(product, services.stock_on_hand(shop.id, product.id))), "success")
    return redirect(url_for("inv_stock.adjust_form"))


# --- transfer ---------------------------------------------------------------------------------

@bp.get("/transfers")
@require_role(*STAFF)
def transfers():
    shops, _by_id = _visible()
    all_shops = {s.id: s for s in auth_services.list_shops()}
    return render_template("inventory/transfers.html", transfers=movements.list_transfers(scope.shop_ids(shops)),
                           shops=all_shops)


def _transfer_form(error=None, status=200):
    return render_template("inventory/transfer_form.html", error=error, form=request.form,
                           lines=_lines() if request.method == "POST" else [],
                           from_shops=_changeable_shops(), to_shops=auth_services.list_shops(),
                           products=_product_choices()), status


@bp.get("/transfers/new")
@require_role(*CHANGE)
def transfer_new():
    return _transfer_form()


@bp.post("/transfers")
@require_role(*CHANGE)
@form_once
def transfer_create():
    source = _target_shop("from_shop")
    try:
        dest = auth_services.get_shop_by_code(request.form.get("to_shop", ""))
        tr = movements.transfer(from_shop_id=source.id, to_shop_id=dest.id, lines=_lines(),
                                note=request.form.get("note", ""), user_id=current_user.id)
    except DomainError as e:
        db.session.rollback()
        return _transfer_form(e.message, e.status)
    db.session.commit()
    flash(_("调拨已完成：%(from)s → %(to)s", **{"from": source.name, "to": dest.name}), "success")
    return redirect(url_for("inv_stock.transfer", transfer_id=tr.id))


@bp.get("/transfers/<int:transfer_id>")
@require_role(*STAFF)
def transfer(transfer_id: int):
    tr = movements.get_transfer(transfer_id)
    _shops, by_id = _visible()
    if tr.from_shop_id not in by_id and tr.to_shop_id not in by_id:
        raise Forbidden(_("您无权访问其他门店的数据"))
    all_shops = {s.id: s for s in auth_services.list_shops()}
    return render_template("inventory/transfer.html", tr=tr, shops=all_shops)


# --- stocktake --------------------------------------------------------------------------------

@bp.get("/stocktakes")
@require_role(*STAFF)
def stocktakes():
    shops, by_id = _visible()
    return render_template("inventory/stocktakes.html", stocktakes=movements.list_stocktakes(scope.shop_ids(shops)),
                           shops=by_id, changeable=_changeable_shops(), categories=services.list_categories())


@bp.post("/stocktakes")
@require_role(*CHANGE)
def stocktake_start():
    shop = _target_shop()
    category = parse_int(request.form.get("category_id"), label=_("分类"), minimum=1, required=False)
    st = movements.start_stocktake(shop_id=shop.id, category_id=category,
                                   note=request.form.get("note", ""), user_id=current_user.id)
    db.session.commit()
    flash(_("盘点已开始：共 %(n)s 种商品（含账面为零的商品）", n=len(st.lines)), "success")
    return redirect(url_for("inv_stock.stocktake", stocktake_id=st.id))


def _stocktake_for(stocktake_id: int, *, change: bool = False):
    st = movements.get_stocktake(stocktake_id)
    _shops, by_id = _visible()
    if st.shop_id not in by_id:
        raise Forbidden(_("您无权访问其他门店的数据"))
    if change:
        scope.ensure_can_change(current_user, by_id[st.shop_id])
    return st, by_id[st.shop_id]


@bp.get("/stocktakes/<int:stocktake_id>")
@require_role(*STAFF)
def stocktake(stocktake_id: int):
    st, shop = _stocktake_for(stocktake_id)
    q = (request.args.get("q") or "").strip()
    lines = [ln for ln in st.lines if not q or q in ln.product.name or ln.product.barcode.startswith(q.upper())]
    differences = [ln for ln in st.lines if ln.difference]
    uncounted = sum(1 for ln in st.lines if ln.counted is None)
    moved = movements.moved_since_start(st) if st.status == "open" else set()
    return render_template("inventory/stocktake.html", st=st, shop=shop, lines=lines, q=q,
                           differences=differences, uncounted=uncounted, moved=moved,
                           can_change=current_user.role in CHANGE and st.status == "open")


@bp.post("/stocktakes/<int:stocktake_id>/counts")
@require_role(*CHANGE)
def stocktake_counts(stocktake_id: int):
    st, _shop = _stocktake_for(stocktake_id, change=True)
    counts = {key.removeprefix("count-"): value for key, value in request.form.items() if key.startswith("count-")}
    bad = [k for k in counts if not is_digits(k)]
    if bad:
        raise InvalidInput(_("盘点数据格式不正确"))
    changed = movements.record_counts(st, counts)
    db.session.commit()
    flash(_("已保存 %(n)s 项实盘数量", n=changed), "success")
    return redirect(url_for("inv_stock.stocktake", stocktake_id=st.id, q=request.form.get("q") or None))


@bp.post("/stocktakes/<int:stocktake_id>/post")
@require_role(*CHANGE)
def stocktake_post(stocktake_id: int):
    st, _shop = _stocktake_for(stocktake_id, change=True)
    n = movements.post_stocktake(st, user_id=current_user.id)
    db.session.commit()
    flash(_("盘点已过账：调整 %(n)s 项", n=n), "success")
    return redirect(url_for("inv_stock.stocktake", stocktake_id=st.id))


@bp.post("/stocktakes/<int:stocktake_id>/cancel")
@require_role(*CHANGE)
def stocktake_cancel(stocktake_id: int):
    st, _shop = _stocktake_for(stocktake_id, change=True)
    movements.cancel_stocktake(st, user_id=current_user.id)
    db.session.commit()
    flash(_("盘点已取消，库存未变动"), "info")
    return redirect(url_for("inv_stock.stocktakes"))


# --- reports ----------------------------------------------------------------------------------

@bp.get("/low")
@require_role(*STAFF)
def low_stock():
    shops, by_id = _visible()
    shop = scope.shop_for(current_user, request.args.get("shop"))
    ids = [shop.id] if shop else scope.shop_ids(shops)
    return render_template("inventory/low_stock.html", rows=movements.low_stock(ids), shops=by_id,
                           shop=shop, shop_list=shops)


@bp.get("/moves")
@require_role(*STAFF)
def moves():
    shops, by_id = _visible()
    shop = scope.shop_for(current_user, request.args.get("shop"))
    if shop is not None:
        ensure_shop(current_user, shop)
    product = None
    if request.args.get("product", type=arg_int):
        product = services.get_product(request.args.get("product", type=arg_int))
    kind = request.args.get("kind") if request.args.get("kind") in labels.KIND_LABELS else None
    rows = movements.move_history(shop_ids=[shop.id] if shop else scope.shop_ids(shops),
                                  product_id=product.id if product else None, kind=kind,
                                  before_id=request.args.get("before", type=arg_int), limit=100)
    return render_template("inventory/moves.html", rows=rows, shops=by_id, shop=shop, shop_list=shops,
                           product=product, kind=kind, shop_names={s.id: s.name for s in shops})
