"""Staff pages: reconciliation, charity value, dashboard, and their exports."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.auth.permissions import require_role
from app.core import audit
from app.core.books import describe
from app.core.timeutil import Period
from app.donations import stats as donation_stats
from app.donations.labels import KIND_LABELS
from app.extensions import db
from app.reports import charts, exports, figures, queries, reconciliation, scope, verify
from app.vouchers import services as vouchers

bp = Blueprint("reports", __name__, url_prefix="/reports", template_folder="templates")

DIFFERENCE_KINDS = {
    "balance_vs_ledger": _l("余额与流水不符"),
    "sale_payment_vs_ledger": _l("交易付款与核销流水不符"),
    "ledger_without_sale_payment": _l("流水无对应付款"),
    "redeem_without_sale": _l("非收银台核销"),
    "void_refund_vs_ledger": _l("作废退回与流水不符"),
    "refund_without_void": _l("退回无对应作废"),
}


def period_arg(default: Period | None = None) -> Period:
    return Period.parse(request.args.get("period") or str(default or Period.current()))


def _reconcile(period: Period) -> dict:
    return reconciliation.reconcile(period, programme_code=request.args.get("programme") or None,
                                    district_code=scope.district())


@bp.get("/reconciliation")
@require_role(*scope.STAFF)
def reconciliation_page():
    period = period_arg()
    result = _reconcile(period)
    return render_template("reports/reconciliation.html", r=result, period=period,
                           programmes=vouchers.list_programmes(), kinds=DIFFERENCE_KINDS,
                           books=verify.for_user_month(period, result), undated=verify.undated_identities(),
                           describe=describe)


def reconciliation_tables(r: dict) -> list[exports.Table]:
    summary = exports.Table(
        title=_("汇总"), headers=[_("项目"), _("金额（元）或数量")], money={1},
        rows=[[_("发放张数"), str(r["issued_count"])], [_("发放金额"), r["issued_fen"]],
              [_("核销金额"), r["redeemed_fen"]], [_("退券金额"), r["refunded_fen"]],
              [_("过期金额"), r["expired_fen"]], [_("注销金额"), r["revoked_fen"]],
              [_("未使用余额"), r["outstanding_fen"]], [_("交易付款合计"), r["sales_redeemed_fen"]],
              [_("交易退券合计"), r["sales_refunded_fen"]],
              [_("是否平衡"), _("平衡") if r["balanced"] else _("不平衡")]])
    shops = exports.Table(
        title=_("按门店"), money={5, 6, 7, 8, 9},
        headers=[_("门店编码"), _("门店"), _("区县"), _("交易笔数"), _("人数"), _("核销金额"), _("退券金额"),
                 _("净额"), _("流水核销"), _("流水退券"), _("是否一致")],
        rows=[[s["shop"], s["name"], s["district"], s["sales"], s["recipients"], s["redeemed_fen"],
               s["refunded_fen"], s["net_fen"], s["ledger_redeemed_fen"], s["ledger_refunded_fen"],
               _("一致") if s["balanced"] else _("不一致")] for s in r["by_shop"]])
    districts = exports.Table(
        title=_("按区县"), money={3, 4, 5, 6, 7, 8},
        headers=[_("区县代码"), _("区县"), _("发放张数"), _("发放金额"), _("核销金额"), _("退券金额"),
                 _("过期金额"), _("注销金额"), _("未使用余额"), _("是否平衡")],
        rows=[[d["district"], d["name"], d["issued_count"], d["issued_fen"], d["redeemed_fen"],
               d["refunded_fen"], d["expired_fen"], d["revoked_fen"], d["outstanding_fen"],
               _("平衡") if d["balanced"] else _("不平衡")] for d in r["by_district"]])
    funders = exports.Table(
        title=_("按出资方"), money={2, 3, 4, 5, 6},
        headers=[_("出资方"), _("份额（万分比）"), _("发放金额"), _("净核销金额"), _("过期金额"), _("注销金额"),
                 _("未使用余额")],
        rows=[[f["funder"], f["share_bp"], f["issued_fen"], f["redeemed_net_fen"], f["expired_fen"],
               f["revoked_fen"], f["outstanding_fen"]] for f in r["by_funder"]])
    diffs = exports.Table(
        title=_("差异明细"), money={7, 8},
        headers=[_("类型"), _("说明"), _("交易ID"), _("小票号"), _("门店"), _("购物券ID"), _("作废ID"),
                 _("交易金额"), _("流水金额")],
        rows=[[d["kind"], d["explanation"], d.get("sale_id") or "", d.get("receipt_no") or "", d.get("shop") or "",
               d.get("voucher_id") or "", d.get("void_id") or "", d.get("sales_fen", 0), d.get("ledger_fen", 0)]
              for d in r["differences"]])
    return [summary, shops, districts, funders, diffs]


@bp.get("/reconciliation/export")
@require_role(*scope.STAFF)
def reconciliation_export():
    period = period_arg()
    fmt = exports.check_format(request.args.get("fmt", "xlsx"))
    r = _reconcile(period)
    tables = reconciliation_tables(r)
    wanted = request.args.get("table", "shops")
    if fmt == "csv":
        index = {"summary": 0, "shops": 1, "districts": 2, "funders": 3, "differences": 4}.get(wanted, 1)
        tables = [tables[index]]
    audit.record("reports.export", target_type="reconciliation",
                 details={"period": str(period), "format": fmt, "table": wanted})
    db.session.commit()
    return exports.response(tables, fmt, f"reconciliation-{period}")


def _charity_rows(period: Period):
    shops = {s.id: s for s in scope.shops()}
    value = queries.charity_value(period, scope.shop_ids())
    return [{"shop": shops[sid], **v} for sid, v in sorted(value.items(), key=lambda kv: shops[kv[0]].code)
            if sid in shops]


@bp.get("/charity-value")
@require_role(*scope.SHOP_STAFF)
def charity_value():
    period = period_arg()
    rows = _charity_rows(period)
    totals = {k: sum(r[k] for r in rows) for k in ("market_fen", "charity_fen", "saving_fen", "voucher_fen",
                                                  "voucher_sales")}
    return render_template("reports/charity_value.html", rows=rows, totals=totals, period=period)


@bp.get("/charity-value/export")
@require_role(*scope.SHOP_STAFF)
def charity_value_export():
    period = period_arg()
    fmt = exports.check_format(request.args.get("fmt", "csv"))
    rows = _charity_rows(period)
    table = exports.Table(
        title=_("公益价值"), money={2, 3, 4, 6},
        headers=[_("门店编码"), _("门店"), _("市场价值"), _("慈善价实付"), _("让利"), _("购物券交易笔数"),
                 _("购物券净额")],
        rows=[[r["shop"].code, r["shop"].name, r["market_fen"], r["charity_fen"], r["saving_fen"],
               r["voucher_sales"], r["voucher_fen"]] for r in rows])
    audit.record("reports.export", target_type="charity_value", details={"period": str(period), "format": fmt})
    db.session.commit()
    return exports.response([table], fmt, f"charity-value-{period}")


def _yuan(fen: int) -> str:
    return f"¥{fen // 100:,}"


YUAN = {"fmt": _yuan, "axis_fmt": charts.yuan_axis}  # whole yuan on hover, short ticks on the axis


@bp.get("/dashboard")
@require_role(*scope.STAFF)
def dashboard():
    months = figures.monthly(district_code=scope.district(), shop_ids=scope.shop_ids())
    cats = [m["period"] for m in months]
    period = Period.current()
    per_shop = _charity_rows(period)
    pickups = donation_stats.figures(shop_ids=scope.shop_ids())["by_kind"]

    pictures = [
        charts.bars(_("每月发放与核销（元）"), cats,
                    [(_("发放"), [m["issued_fen"] for m in months]),
                     (_("核销（扣除退回）"), [m["redeemed_net_fen"] for m in months])], **YUAN),
        charts.line(_("核销率"), cats, _("核销率"), [m["redemption_rate_pct"] for m in months]),
        charts.bars(_("未使用余额与过期（元）"), cats,
                    [(_("未使用余额"), [m["outstanding_fen"] for m in months]),
                     (_("过期"), [m["expired_fen"] for m in months])], **YUAN),
        charts.bars(_("慈善价让利（元）"), cats, [(_("让利"), [m["saving_fen"] for m in months])], **YUAN),
        charts.bars(_("捐赠物品领取（件，累计）"), [str(KIND_LABELS[k]) for k in pickups],
                    [(_("已领取"), [v["picked_up"] for v in pickups.values()]),
                     (_("库存"), [v["in_stock"] for v in pickups.values()])]),
        charts.bars(_("%(period)s 各门店购物券净额与让利（元）", period=str(period)),
                    [r["shop"].code for r in per_shop],
                    [(_("购物券净额"), [r["voucher_fen"] for r in per_shop]),
                     (_("让利"), [r["saving_fen"] for r in per_shop])], **YUAN),
    ]
    return render_template("reports/dashboard.html", months=months, pictures=pictures)


@bp.get("/dashboard/export")
@require_role(*scope.STAFF)
def dashboard_export():
    fmt = exports.check_format(request.args.get("fmt", "csv"))
    months = figures.monthly(district_code=scope.district(), shop_ids=scope.shop_ids())
    table = exports.Table(
        title=_("按月数据"), money={2, 3, 5, 6, 7},
        headers=[_("月份"), _("发放张数"), _("发放"), _("净核销"), _("核销率（%）"), _("未使用余额"), _("过期"),
                 _("让利"), _("棉被"), _("衣物")],
        rows=[[m["period"], m["issued_count"], m["issued_fen"], m["redeemed_net_fen"],
               "" if m["redemption_rate_pct"] is None else str(m["redemption_rate_pct"]), m["outstanding_fen"],
               m["expired_fen"], m["saving_fen"], m["quilts"], m["garments"]] for m in months])
    audit.record("reports.export", target_type="dashboard", details={"format": fmt})
    db.session.commit()
    return exports.response([table], fmt, "dashboard")
