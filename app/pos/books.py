"""The till's books, per sale: its own arithmetic, its voids, refunds and stock moves.

Read-only service functions for `flask verify` (collected by app/reports/verify.py); each is
one or a few set-based statements that return only the rows that disagree, then a look-up of
those few sales' receipt numbers. Shifts, Z reports and numbering: books_shifts.py.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, literal, or_, select, union_all

from app.core.books import Check, Window, as_text, difference
from app.core.money import line_amount_sql
from app.extensions import db
from app.inventory import books as inventory_books
from app.pos.models import PAYMENT_METHODS, Payment, Sale, SaleLine, Void, VoidLine

TENDERS = tuple(m for m in PAYMENT_METHODS if m != "voucher")  # what a void hands back besides the voucher


def sale_facts(sale_ids) -> dict[int, tuple[str, int]]:
    """{sale_id: (receipt_no, shop_id)} of the few sales named by differences."""
    ids = sorted({int(i) for i in sale_ids if i is not None})
    out: dict[int, tuple[str, int]] = {}
    for start in range(0, len(ids), 500):
        out.update({sid: (rno, shop) for sid, rno, shop in db.session.execute(
            select(Sale.id, Sale.receipt_no, Sale.shop_id).where(Sale.id.in_(ids[start:start + 500])))})
    return out


def _sale_objects(facts: dict, sale_id, **more) -> dict:
    receipt_no, shop_id = facts.get(sale_id, (None, None))
    return {"shop_id": shop_id, "sale_id": sale_id, "receipt_no": receipt_no, **more}


def _of_window_sales(q, window: Window, sale_id_column):
    """Restrict a query to the rows of sales dated in the window (no join without dates)."""
    if not window.dated:
        return q
    return q.where(sale_id_column.in_(select(Sale.id).where(*window.days(Sale.business_date))))


def refunded(method: str):
    """A void's refund by one method, read from its JSON (0 when absent)."""
    return func.coalesce(Void.refunds[method].as_integer(), 0)


# --- a sale's own arithmetic ----------------------------------------------------------------

def sale_arithmetic(window: Window) -> list[dict]:
    """total = Σ lines, market total = Σ market price × qty, savings = market − total;
    Σ payments = total, paid = Σ tendered, change = paid − total, voucher_paid = its voucher
    payment row (at most one, only with a voucher) and never more than the voucher-eligible
    lines; and each line's total = price × qty."""
    name = "pos.sale_arithmetic"
    lines = _of_window_sales(select(
        SaleLine.sale_id.label("sale_id"),
        func.sum(SaleLine.line_total_fen).label("lines_fen"),
        func.sum(line_amount_sql(SaleLine.market_price_fen, SaleLine.quantity,
                                 SaleLine.unit_grams)).label("market_fen"),
        func.sum(case((SaleLine.voucher_eligible.is_(True), SaleLine.line_total_fen), else_=0)).label("eligible_fen")),
        window, SaleLine.sale_id).group_by(SaleLine.sale_id).subquery()
    is_voucher = Payment.method == "voucher"
    pays = _of_window_sales(select(
        Payment.sale_id.label("sale_id"),
        func.sum(Payment.amount_fen).label("amount_fen"),
        func.sum(Payment.tendered_fen).label("tendered_fen"),
        func.sum(case((is_voucher, Payment.amount_fen), else_=0)).label("voucher_fen"),
        func.sum(case((is_voucher, 1), else_=0)).label("voucher_rows")),
        window, Payment.sale_id).group_by(Payment.sale_id).subquery()
    lines_fen, market_fen, eligible_fen = (func.coalesce(lines.c[k], 0) for k in ("lines_fen", "market_fen",
                                                                                   "eligible_fen"))
    amount_fen, tendered_fen, voucher_fen, voucher_rows = (
        func.coalesce(pays.c[k], 0) for k in ("amount_fen", "tendered_fen", "voucher_fen", "voucher_rows"))
    allowed_rows = case((Sale.voucher_id.is_(None), 0), else_=1)
    q = (select(Sale.id, Sale.receipt_no, Sale.shop_id, Sale.total_fen, Sale.market_total_fen, Sale.savings_fen,
                Sale.paid_fen, Sale.change_fen, Sale.voucher_paid_fen, lines_fen, market_fen, eligible_fen,
                amount_fen, tendered_fen, voucher_fen, voucher_rows, allowed_rows)
         .outerjoin(lines, lines.c.sale_id == Sale.id).outerjoin(pays, pays.c.sale_id == Sale.id)
         .where(*window.days(Sale.business_date))
         .where(or_(Sale.total_fen != lines_fen, Sale.market_total_fen != market_fen,
                    Sale.savings_fen != Sale.market_total_fen - Sale.total_fen, amount_fen != Sale.total_fen,
                    Sale.paid_fen != tendered_fen, Sale.change_fen != Sale.paid_fen - Sale.total_fen,
                    Sale.voucher_paid_fen != voucher_fen, Sale.voucher_paid_fen > eligible_fen,
                    voucher_rows > allowed_rows)))
    out = []
    for (sid, rno, shop, total, market, savings, paid, change, vpaid, l_fen, m_fen, e_fen, a_fen, t_fen, v_fen,
         v_rows, allowed) in db.session.execute(q):
        obj = {"shop_id": shop, "sale_id": sid, "receipt_no": rno}
        for ok, left, right, rel in (
                (total == l_fen, ("total_fen", total), ("lines_fen", l_fen), "="),
                (market == m_fen, ("market_total_fen", market), ("lines_market_fen", m_fen), "="),
                (savings == market - total, ("savings_fen", savings), ("market_minus_total_fen", market - total), "="),
                (a_fen == total, ("payments_fen", a_fen), ("total_fen", total), "="),
                (paid == t_fen, ("paid_fen", paid), ("tendered_fen", t_fen), "="),
                (change == paid - total, ("change_fen", change), ("paid_minus_total_fen", paid - total), "="),
                (vpaid == v_fen, ("voucher_paid_fen", vpaid), ("voucher_payment_fen", v_fen), "="),
                (vpaid <= e_fen, ("voucher_paid_fen", vpaid), ("eligible_lines_fen", e_fen), "≤"),
                (v_rows <= allowed, ("voucher_payment_rows", v_rows), ("vouchers_named", allowed), "≤")):
            if not ok:
                out.append(difference(name, obj, left, right, rel))
    priced = line_amount_sql(SaleLine.price_fen, SaleLine.quantity, SaleLine.unit_grams)
    bad_lines = _of_window_sales(
        select(SaleLine.id, SaleLine.sale_id, SaleLine.product_id, SaleLine.line_total_fen, priced)
        .where(SaleLine.line_total_fen != priced), window, SaleLine.sale_id)
    rows = db.session.execute(bad_lines).all()
    facts = sale_facts(r[1] for r in rows)
    out += [difference(name, _sale_objects(facts, sid, line_id=lid, product_id=pid),
                       ("line_total_fen", lt), ("price_x_qty_fen", px))
            for lid, sid, pid, lt, px in rows]
    return out


# --- voids ----------------------------------------------------------------------------------

def void_arithmetic(window: Window) -> list[dict]:
    """A void's total = Σ its lines = voucher refund + Σ refunds by method; each void line is
    priced as sold (amount = the line's price × qty) and belongs to the void's own sale; the void
    is booked at the sale's shop."""
    name = "pos.void_arithmetic"
    vlines = (select(VoidLine.void_id.label("void_id"), func.sum(VoidLine.amount_fen).label("lines_fen"))
              .group_by(VoidLine.void_id))
    if window.dated:
        vlines = vlines.where(VoidLine.void_id.in_(_window_voids(window)))
    vlines = vlines.subquery()
    lines_fen = func.coalesce(vlines.c.lines_fen, 0)
    refunds = sum((refunded(m) for m in TENDERS), start=literal(0))
    q = _of_window_sales(
        select(Void.id, Void.sale_id, Void.shop_id, Sale.shop_id, Void.total_fen, lines_fen,
               Void.voucher_refund_fen + refunds)
        .join(Sale, Sale.id == Void.sale_id).outerjoin(vlines, vlines.c.void_id == Void.id)
        .where(or_(Void.total_fen != lines_fen, Void.total_fen != Void.voucher_refund_fen + refunds,
                   Void.shop_id != Sale.shop_id)), window, Void.sale_id)
    rows = db.session.execute(q).all()
    # piece lines: each void line = price × qty; weighed lines (their parts are differences of
    # rounded amounts, see voids.void_amount_fen): Σ void lines of a sale line = the amount of
    # Σ their grams, checked per sale line below
    line_q = (select(VoidLine.id, VoidLine.void_id, Void.sale_id, SaleLine.id, SaleLine.sale_id,
                     VoidLine.amount_fen, SaleLine.price_fen * VoidLine.quantity)
              .join(Void, Void.id == VoidLine.void_id).join(SaleLine, SaleLine.id == VoidLine.sale_line_id)
              .where(or_(SaleLine.unit_grams.is_(None)
                         & (VoidLine.amount_fen != SaleLine.price_fen * VoidLine.quantity),
                         SaleLine.sale_id != Void.sale_id)))
    line_rows = db.session.execute(_of_window_sales(line_q, window, Void.sale_id)).all()
    weighed = (select(VoidLine.sale_line_id.label("line_id"), func.sum(VoidLine.quantity).label("grams"),
                      func.sum(VoidLine.amount_fen).label("fen"))
               .join(SaleLine, SaleLine.id == VoidLine.sale_line_id).where(SaleLine.unit_grams.is_not(None))
               .group_by(VoidLine.sale_line_id))
    if window.dated:
        weighed = weighed.where(SaleLine.sale_id.in_(select(Sale.id).where(*window.days(Sale.business_date))))
    weighed = weighed.subquery()
    expected = line_amount_sql(SaleLine.price_fen, weighed.c.grams, SaleLine.unit_grams)
    weighed_rows = db.session.execute(
        select(SaleLine.id, SaleLine.sale_id, weighed.c.fen, expected)
        .join(weighed, weighed.c.line_id == SaleLine.id).where(weighed.c.fen != expected)).all()
    facts = sale_facts([r[1] for r in rows] + [r[2] for r in line_rows] + [r[1] for r in weighed_rows])
    out = []
    for vid, sid, void_shop, sale_shop, total, l_fen, parts in rows:
        obj = _sale_objects(facts, sid, void_id=vid)
        if total != l_fen:
            out.append(difference(name, obj, ("void_total_fen", total), ("void_lines_fen", l_fen)))
        if total != parts:
            out.append(difference(name, obj, ("void_total_fen", total), ("voucher_refund_plus_refunds_fen", parts)))
        if void_shop != sale_shop:
            out.append(difference(name, obj, ("void_shop_id", void_shop), ("sale_shop_id", sale_shop)))
    for vlid, vid, sid, lid, line_sale, amount, px in line_rows:
        obj = _sale_objects(facts, sid, void_id=vid, void_line_id=vlid, line_id=lid)
        if line_sale != sid:
            out.append(difference(name, obj, ("line_of_sale", line_sale), ("void_of_sale", sid)))
        if amount != px:
            out.append(difference(name, obj, ("void_line_fen", amount), ("price_x_qty_fen", px)))
    for lid, sid, fen, want in weighed_rows:
        out.append(difference(name, _sale_objects(facts, sid, line_id=lid),
                              ("void_lines_fen", fen), ("price_x_weight_voided_fen", want)))
    return out


def _window_voids(window: Window):
    return select(Void.id).join(Sale, Sale.id == Void.sale_id).where(*window.days(Sale.business_date))


def void_quantities(window: Window) -> list[dict]:
    """Per sale line: the quantity voided (over all voids) ≤ the quantity sold."""
    voided = (select(VoidLine.sale_line_id.label("line_id"), func.sum(VoidLine.quantity).label("qty"))
              .group_by(VoidLine.sale_line_id))
    if window.dated:
        voided = voided.where(VoidLine.void_id.in_(_window_voids(window)))
    voided = voided.subquery()
    q = (select(SaleLine.id, SaleLine.sale_id, SaleLine.product_id, voided.c.qty, SaleLine.quantity)
         .join(voided, voided.c.line_id == SaleLine.id).where(voided.c.qty > SaleLine.quantity))
    rows = db.session.execute(q).all()
    facts = sale_facts(r[1] for r in rows)
    return [difference("pos.void_quantity", _sale_objects(facts, sid, line_id=lid, product_id=pid),
                       ("voided", qty), ("sold", sold), "≤")
            for lid, sid, pid, qty, sold in rows]


def void_refunds(window: Window) -> list[dict]:
    """Per sale: what its voids handed back by each method ≤ what was paid by it; the voucher
    refunds ≤ the voucher payment."""
    voids = (select(Void.sale_id.label("sale_id"),
                    *(func.sum(refunded(m)).label(m) for m in TENDERS),
                    func.sum(Void.voucher_refund_fen).label("voucher"))
             .group_by(Void.sale_id))
    voids = _of_window_sales(voids, window, Void.sale_id).subquery()
    paid = (select(Payment.sale_id.label("sale_id"),
                   *(func.sum(case((Payment.method == m, Payment.amount_fen), else_=0)).label(m)
                     for m in PAYMENT_METHODS))
            .where(Payment.sale_id.in_(select(voids.c.sale_id))).group_by(Payment.sale_id).subquery())
    over = or_(*(voids.c[m] > func.coalesce(paid.c[m], 0) for m in (*TENDERS, "voucher")))
    q = (select(voids.c.sale_id, *(voids.c[m] for m in (*TENDERS, "voucher")),
                *(func.coalesce(paid.c[m], 0) for m in (*TENDERS, "voucher")))
         .outerjoin(paid, paid.c.sale_id == voids.c.sale_id).where(over))
    rows = db.session.execute(q).all()
    facts = sale_facts(r[0] for r in rows)
    methods = (*TENDERS, "voucher")
    out = []
    for sid, *figures in rows:
        back, took = figures[:len(methods)], figures[len(methods):]
        for method, b, t in zip(methods, back, took, strict=True):
            if b > t:
                out.append(difference("pos.void_refunds", _sale_objects(facts, sid, field=method),
                                      (f"refunded_{method}_fen", b), (f"paid_{method}_fen", t), "≤"))
    return out


# --- stock moves ----------------------------------------------------------------------------

def stock_moves(window: Window) -> list[dict]:
    """Per sale (and per void) and product: the stock moves naming it equal its lines — a sale
    takes each line's quantity out of its shop's stock, a void puts its lines' back — no more,
    no fewer, in no other shop."""
    sale_lines = (select(literal("sale").label("ref_type"), as_text(SaleLine.sale_id).label("ref_id"),
                         Sale.shop_id.label("shop_id"), SaleLine.product_id.label("product_id"),
                         (-SaleLine.quantity).label("expected"), literal(0).label("actual"))
                  .join(Sale, Sale.id == SaleLine.sale_id).where(*window.days(Sale.business_date)))
    void_lines = (select(literal("void"), as_text(VoidLine.void_id), Sale.shop_id, SaleLine.product_id,
                         VoidLine.quantity, literal(0))
                  .join(Void, Void.id == VoidLine.void_id).join(Sale, Sale.id == Void.sale_id)
                  .join(SaleLine, SaleLine.id == VoidLine.sale_line_id).where(*window.days(Sale.business_date)))
    refs = None
    if window.dated:
        refs = {"sale": select(as_text(Sale.id)).where(*window.days(Sale.business_date)),
                "void": select(as_text(Void.id)).join(Sale, Sale.id == Void.sale_id)
                .where(*window.days(Sale.business_date))}
    moves = inventory_books.moves_by_reference(("sale", "void"), refs)
    u = union_all(sale_lines, void_lines, moves).subquery()
    q = (select(u.c.ref_type, u.c.ref_id, u.c.shop_id, u.c.product_id, func.sum(u.c.expected), func.sum(u.c.actual))
         .group_by(u.c.ref_type, u.c.ref_id, u.c.shop_id, u.c.product_id)
         .having(func.sum(u.c.expected) != func.sum(u.c.actual)))
    rows = db.session.execute(q).all()
    void_ids = [int(r[1]) for r in rows if r[0] == "void" and str(r[1]).isdigit()]
    void_sale = dict(db.session.execute(select(Void.id, Void.sale_id).where(Void.id.in_(void_ids))).all()) \
        if void_ids else {}
    sale_of = {(t, ref): (int(ref) if t == "sale" else void_sale.get(int(ref)))
               for t, ref, *_r in rows if str(ref).isdigit()}
    facts = sale_facts(v for v in sale_of.values() if v is not None)
    out = []
    for ref_type, ref_id, shop, product, expected, actual in rows:
        sid = sale_of.get((ref_type, ref_id))
        receipt = facts.get(sid, (None, None))[0]
        obj = {"shop_id": shop, "sale_id": sid, "receipt_no": receipt, "product_id": product}
        if ref_type == "void":
            obj["void_id"] = int(ref_id) if str(ref_id).isdigit() else ref_id
        elif sid is None:
            obj["ref"] = f"{ref_type}:{ref_id}"
        out.append(difference("pos.stock_moves", obj, ("moves_qty", actual), ("lines_qty", expected)))
    return out


CHECKS = (
    Check(sale_arithmetic,
          {"pos.sale_arithmetic": _l("交易自身的金额：合计 = 各行之和，实收 = 各付款之和，找零、购物券付款")}),
    Check(void_arithmetic, {"pos.void_arithmetic": _l("作废金额 = 作废各行之和 = 购物券退回 + 各方式退款")}),
    Check(void_quantities, {"pos.void_quantity": _l("每行作废数量不超过售出数量")}),
    Check(void_refunds, {"pos.void_refunds": _l("每种方式的退款不超过该方式所付，购物券退回不超过购物券付款")}),
    Check(stock_moves, {"pos.stock_moves": _l("交易和作废的库存流水等于其商品行")}),
)
