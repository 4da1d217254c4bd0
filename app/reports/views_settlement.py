"""Settlement pages: the month's overview per shop, the statement, PDF/XLSX, marking paid."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.auth import services as auth_services
from app.auth.permissions import require_role
from app.core import audit
from app.core.errors import InvalidInput
from app.core.idempotency import form_once
from app.core.numbers import parse_int
from app.core.timeutil import Period
from app.extensions import db
from app.reports import exports, scope, settlement, statement
from app.reports.views import bp, period_arg


def _default_period() -> Period:
    return Period.current().previous()


@bp.get("/settlements")
@require_role(*scope.SHOP_STAFF)
def settlements():
    period = period_arg(_default_period())
    rows = settlement.overview(period, scope.shops())
    totals = {k: sum(r[k] for r in rows) for k in ("sales_count", "voucher_fen", "refund_fen", "amount_fen")}
    return render_template("reports/settlements.html", rows=rows, totals=totals, period=period)


@bp.get("/settlements/export")
@require_role(*scope.SHOP_STAFF)
def settlements_export():
    period = period_arg(_default_period())
    fmt = exports.check_format(request.args.get("fmt", "csv"))
    rows = settlement.overview(period, scope.shops())
    statuses = {"draft": _("待付款"), "paid": _("已付款")}
    table = exports.Table(
        title=_("门店结算"), money={4, 5, 6},
        headers=[_("门店编码"), _("门店"), _("结算单号"), _("交易笔数"), _("购物券付款"), _("作废退回"),
                 _("应付金额"), _("状态"), _("付款凭证号")],
        rows=[[r["shop"].code, r["shop"].name, r["settlement"].number if r["settlement"] else "",
               r["sales_count"], r["voucher_fen"], r["refund_fen"], r["amount_fen"],
               statuses[r["settlement"].status] if r["settlement"] else _("未生成"),
               (r["settlement"].paid_reference or "") if r["settlement"] else ""] for r in rows])
    audit.record("reports.export", target_type="settlement", details={"period": str(period), "format": fmt})
    db.session.commit()
    return exports.response([table], fmt, f"settlements-{period}")


@bp.post("/settlements/prepare")
@require_role(*scope.STAFF)
def prepare_settlement():
    shop = auth_services.get_shop_by_code(request.form.get("shop", ""))
    scope.check_shop(shop)
    s = settlement.prepare(shop, request.form.get("period", ""))
    db.session.commit()
    return redirect(url_for("reports.settlement_detail", settlement_id=s.id))


def _scoped(settlement_id: int):
    s = settlement.get_settlement(settlement_id)
    scope.check_shop(s.shop)
    return s


@bp.get("/settlements/<int:settlement_id>")
@require_role(*scope.SHOP_STAFF)
def settlement_detail(settlement_id: int):
    s = _scoped(settlement_id)
    rows = settlement.statement_rows(s)
    amounts = statement._amounts(s)
    return render_template("reports/settlement.html", s=s, rows=rows, amounts=amounts)


@bp.get("/settlements/<int:settlement_id>/statement.<fmt>")
@require_role(*scope.SHOP_STAFF)
def settlement_document(settlement_id: int, fmt: str):
    s = _scoped(settlement_id)
    if fmt == "pdf":
        data, mimetype = statement.pdf(s), "application/pdf"
    elif fmt == "xlsx":
        data, mimetype = statement.xlsx(s), exports.XLSX_MIME
    else:
        raise InvalidInput(_("结算单格式只能是 pdf 或 xlsx"))
    db.session.commit()
    return Response(data, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{s.number}.{fmt}"', "Cache-Control": "no-store"})


@bp.post("/settlements/<int:settlement_id>/pay")
@require_role(*scope.STAFF)
@form_once
def pay_settlement(settlement_id: int):
    s = _scoped(settlement_id)
    expected_fen = parse_int(request.form.get("expected_amount_fen"), label=_("金额"), minimum=0, required=False)
    settlement.mark_paid(s.id, reference=request.form.get("reference", ""), expected_amount_fen=expected_fen)
    db.session.commit()
    flash(_("已登记付款，%(period)s 该门店结算关闭", period=s.period), "success")
    return redirect(url_for("reports.settlement_detail", settlement_id=s.id))
