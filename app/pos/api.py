"""Till API: shifts, sales, voids."""

from __future__ import annotations

from flask import Response
from flask_login import current_user
from flask_smorest import Blueprint

from app.auth.permissions import ensure_shop, require_role
from app.core import audit, idempotency
from app.core.db import commit_with_retry
from app.extensions import db
from app.pos import checkout, quotes, recent, services, voids, zreports
from app.pos.printing import PrinterConfig, print_receipt, send
from app.pos.receipt_data import receipt_for
from app.pos.receipts import render_escpos, render_html
from app.pos.schemas import (
    LimitOut,
    PrintIn,
    PrintOut,
    QuoteIn,
    QuoteOut,
    ReceiptArgs,
    SaleIn,
    SaleOut,
    SaleSummaryOut,
    ShiftCloseIn,
    ShiftIn,
    ShiftOut,
    VoidIn,
    VoidOut,
    ZReportOut,
    ZReportPrintArgs,
)
from app.recipients import services as recipients

blp = Blueprint("api_pos", __name__, description="收银 Till: shifts, sales, voids")
TILL = ("cashier", "manager")


def _shift_out(shift) -> dict:
    totals = services.shift_totals(shift)
    return {"id": shift.id, "shop_id": shift.shop_id, "opened_at": shift.opened_at,
            "float_fen": shift.float_fen, "closed_at": shift.closed_at, "totals": totals,
            "expected_cash_fen": services.expected_cash(shift, totals)}


@blp.route("/shifts", methods=["POST"])
@require_role(*TILL)
@blp.arguments(ShiftIn)
@blp.response(201, ShiftOut)
def open_shift(body):
    """Open a shift at this till. With an `idempotency_key` (or Idempotency-Key header) the same key
    again answers the same shift; without one a second opening is `shift_already_open`."""
    key = idempotency.key_from(body)

    def work():
        terminal_id = services.terminal_id_for(current_user.shop_id, body.get("terminal"))
        shift = services.open_shift(cashier=current_user, float_fen=body["float_fen"], terminal_id=terminal_id)
        return ShiftOut().dump(_shift_out(shift))

    return commit_with_retry(db.session, lambda: idempotency.once(
        scope="pos.shift_open", key=key, body=body, user_id=current_user.id, status=201, work=work,
        required=False))


@blp.route("/shifts/current", methods=["GET"])
@require_role(*TILL)
@blp.response(200, ShiftOut)
def current_shift():
    return _shift_out(services.require_open_shift(current_user.id, current_user.shop_id))


@blp.route("/shifts/current/close", methods=["POST"])
@require_role(*TILL)
@blp.arguments(ShiftCloseIn)
@blp.response(201, ZReportOut)
def close_shift(body):
    """Close the caller's shift with the counted cash: the numbered Z report. With an
    `idempotency_key` the same key again answers the same Z report; without one a second close is
    `no_open_shift`."""
    key = idempotency.key_from(body)

    def work():
        report = services.close_shift(cashier=current_user, counted_fen=body["counted_fen"])
        return ZReportOut().dump(zreports.z_view(report))

    return commit_with_retry(db.session, lambda: idempotency.once(
        scope="pos.shift_close", key=key, body=body, user_id=current_user.id, status=201, work=work,
        required=False))


@blp.route("/sales", methods=["POST"])
@require_role(*TILL)
@blp.arguments(SaleIn)
@blp.response(201, SaleOut)
def create_sale(body):
    def work():
        sale, _replayed = checkout.checkout(cashier=current_user, **body)
        return checkout.sale_result(sale)

    return commit_with_retry(db.session, work, retry_integrity=True)


@blp.route("/sales/quote", methods=["POST"])
@require_role(*TILL)
@blp.arguments(QuoteIn)
@blp.response(200, QuoteOut)
def quote_sale(body):
    """What `POST /sales` with this basket would charge, writing nothing: per product the units at
    charity and at market price, the totals, what the voucher pays, and the recipient's monthly
    limits of the products in the basket. Over a limit the rest is priced at market price and
    `limit_exceeded` is true; `sellable` says whether the sale with this `over_limit` would go
    through (with `refuse` it would be `limit_exceeded`)."""
    return quotes.quote_basket(**body)


@blp.route("/sales/<int:sale_id>", methods=["GET"])
@require_role("cashier", "manager", "federation", "admin")
@blp.response(200, SaleOut)
def get_sale(sale_id):
    sale = services.get_sale(sale_id)
    ensure_shop(current_user, sale.shop)
    return checkout.sale_result(sale)


@blp.route("/sales/<int:sale_id>/void", methods=["POST"])
@require_role("cashier", "manager", "admin")
@blp.arguments(VoidIn)
@blp.response(201, VoidOut)
def void_sale(body, sale_id):
    """Void the whole sale or some lines. The till sends one `idempotency_key` per void it means:
    the same key again (a double tap, a retry after a lost answer) answers the first void."""
    key = idempotency.key_from(body)
    pin = body.pop("manager_pin", None)  # a secret: not part of the stored request hash
    sale = services.get_sale(sale_id)
    ensure_shop(current_user, sale.shop)
    # the manager's PIN first, in a unit of work of its own: a refused PIN is committed (counted,
    # audited) before anything of the void, its key included, is written
    manager = voids.authorising_manager(current_user, sale_shop_id=sale.shop_id,
                                        manager_username=body.get("manager"), manager_pin=pin)

    def work():
        void = voids.void_sale(sale=services.get_sale(sale_id), actor=current_user, reason=body["reason"],
                               lines=body.get("lines"), authorised_by=manager)
        return VoidOut().dump(void)

    return commit_with_retry(db.session, lambda: idempotency.once(
        scope="pos.void", key=key, body={"sale_id": sale_id, **body}, user_id=current_user.id, status=201,
        work=work))


@blp.route("/sales", methods=["GET"])
@require_role(*TILL)
@blp.response(200, SaleSummaryOut(many=True))
def list_sales():
    """The sales of the caller's open shift (a manager: of the whole shop today), newest first,
    for reprint and void at the till: with the time, the cashier, the recipient's masked name
    and what a void of what is left would refund per method."""
    return recent.recent_sales(current_user)


@blp.route("/recipients/<int:recipient_id>/limits", methods=["GET"])
@require_role(*TILL)
@blp.response(200, LimitOut(many=True))
def recipient_limits(recipient_id):
    """What a recipient may still buy at charity price this month (after a name look-up)."""
    recipients.get_recipient(recipient_id)
    return checkout.remaining_limits(recipient_id)


@blp.route("/sales/<int:sale_id>/receipt", methods=["GET"])
@require_role("cashier", "manager", "federation", "admin")
@blp.arguments(ReceiptArgs, location="query")
def receipt(args, sale_id):
    """The receipt as HTML for 58/80 mm paper, or with `format=escpos` the printer's bytes
    (for WebUSB/Web Serial printing from the till, or a print agent)."""
    sale = services.get_sale(sale_id)
    ensure_shop(current_user, sale.shop)
    data = receipt_for(sale, reprint=args["reprint"])
    if args["reprint"]:
        audit.record("pos.receipt_reprint", target=sale, details={"format": args["format"]})
        db.session.commit()
    if args["format"] == "escpos":
        body = render_escpos(data, columns=args["columns"], encoding=args["encoding"])
        return Response(body, mimetype="application/octet-stream",
                        headers={"Content-Disposition": f'inline; filename="{sale.receipt_no}.bin"'})
    return Response(render_html(data, paper_mm=args["paper"]), mimetype="text/html")


@blp.route("/sales/<int:sale_id>/print", methods=["POST"])
@require_role(*TILL)
@blp.arguments(PrintIn)
@blp.response(200, PrintOut)
def print_sale(body, sale_id):
    """Print on the till's network/USB/serial printer; `mode: browser` when it has none (the till
    then opens the HTML receipt). A printer that does not answer is `printer_offline`; the sale
    is recorded either way."""
    sale = services.get_sale(sale_id)
    ensure_shop(current_user, sale.shop)
    terminal = services.terminal_for_user(current_user)
    if body["reprint"]:
        audit.record("pos.receipt_reprint", target=sale, details={"format": "printer"})
        db.session.commit()
    if terminal is None or not terminal.printer_uri:
        return {"mode": "browser"}
    config = PrinterConfig.parse(terminal.printer_uri, profile=terminal.printer_profile,
                                 columns=terminal.printer_columns, encoding=terminal.printer_encoding)
    sent = print_receipt(receipt_for(sale, reprint=body["reprint"]), config)
    return {"mode": "printer", "bytes": sent}


def _z_report(report_id: int) -> dict:
    report = services.get_z_report(report_id)
    ensure_shop(current_user, report.shop)
    return zreports.z_view(report)


@blp.route("/z-reports/<int:report_id>/receipt", methods=["GET"])
@require_role("cashier", "manager", "federation", "admin")
@blp.arguments(ZReportPrintArgs, location="query")
def z_report_receipt(args, report_id):
    """The Z report as HTML for 58/80 mm paper, or with `format=escpos` the printer's bytes: the
    cashier, the shift's start and end, sales, money by method, the cash counted and the difference."""
    z = _z_report(report_id)
    if args["format"] == "escpos":
        body = zreports.render_escpos(z, columns=args["columns"], encoding=args["encoding"])
        return Response(body, mimetype="application/octet-stream",
                        headers={"Content-Disposition": f'inline; filename="Z{z["number"]:04d}.bin"'})
    return Response(zreports.render_html(z, paper_mm=args["paper"]), mimetype="text/html")


@blp.route("/z-reports/<int:report_id>/print", methods=["POST"])
@require_role(*TILL)
@blp.response(200, PrintOut)
def print_z_report(report_id):
    """Print the Z report on the till's printer (the caller's, else the one the shift ran on);
    `mode: browser` when it has none (the till then
    opens the HTML page). Writes nothing."""
    z = _z_report(report_id)
    terminal = services.terminal_for_user(current_user) or zreports.terminal_of(z)
    if terminal is None or not terminal.printer_uri:
        return {"mode": "browser"}
    config = PrinterConfig.parse(terminal.printer_uri, profile=terminal.printer_profile,
                                 columns=terminal.printer_columns, encoding=terminal.printer_encoding)
    data = zreports.render_escpos(z, columns=config.columns, encoding=config.encoding, profile=config.profile)
    return {"mode": "printer", "bytes": send(data, config)}
