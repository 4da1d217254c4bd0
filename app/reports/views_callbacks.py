"""Spot-check callbacks and feedback, for staff."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.auth.permissions import ensure_district, require_role
from app.core import audit
from app.core.errors import Forbidden, InvalidInput
from app.core.idempotency import form_once
from app.core.masking import mask_phone
from app.core.numbers import parse_int
from app.extensions import db
from app.reports import exports, feedback, scope, spotchecks
from app.reports.models import OUTCOMES
from app.reports.views import bp, period_arg

OUTCOME_LABELS = {"confirmed": _l("确认本人消费"), "not_recognised": _l("本人不认可"),
                  "complaint": _l("有投诉"), "unreachable": _l("未接通")}
KIND_LABELS = {"sale": _l("购物券消费"), "pickup": _l("捐赠物品领取")}
FEEDBACK_KIND_LABELS = {"comment": _l("评价"), "complaint": _l("投诉")}


def _int_or_none(text: str | None, what: str) -> int | None:
    return parse_int(text, label=what, minimum=0, required=False)


def _check(check_id: int):
    check = spotchecks.get(check_id)
    ensure_district(scope.user(), check.district_code) if check.district_code else _citywide_only()
    return check


def _citywide_only():
    if scope.district() is not None:
        raise Forbidden(_("您无权访问其他区县的数据"))


@bp.get("/spot-checks")
@require_role(*scope.STAFF)
def spot_checks():
    checks = spotchecks.list_checks(district_code=scope.district())
    return render_template("reports/spot_checks.html", checks=checks, period=period_arg(),
                           rates=spotchecks.rates(period=str(period_arg()), district_code=scope.district()),
                           outcomes=OUTCOMES, labels=OUTCOME_LABELS)


@bp.get("/spot-checks/export")
@require_role(*scope.STAFF)
def spot_checks_export():
    """The month's callback rates by outcome, and the list of samples drawn (no people in it)."""
    fmt = exports.check_format(request.args.get("fmt", "csv"))
    period = period_arg()
    r = spotchecks.rates(period=str(period), district_code=scope.district())
    outcome_rows = [[str(OUTCOME_LABELS[k]), r["counts"][k],
                     "" if r["rates_pct"][k] is None else str(r["rates_pct"][k])] for k in OUTCOMES]
    outcome_rows += [[_("待回访"), r["pending"], ""],
                     [_("平均满意度"), r["satisfaction_n"],
                      "" if r["satisfaction_mean"] is None else str(r["satisfaction_mean"])]]
    rates_table = exports.Table(title=_("%(period)s 回访结果", period=str(period)), rows=outcome_rows,
                                headers=[_("回访结果"), _("条数"), _("比例（%）或平均分")])
    checks = spotchecks.list_checks(district_code=scope.district())
    sizes = spotchecks.sample_sizes([c.id for c in checks])
    checks_table = exports.Table(
        title=_("历次抽查"),
        headers=[_("编号"), _("月份"), _("随机种子"), _("总体"), _("样本"), _("抽取人"), _("时间")],
        rows=[[c.id, c.period, c.seed, c.population, sizes.get(c.id, 0), c.created_by,
               c.created_at.isoformat(timespec="seconds")] for c in checks])
    audit.record("reports.export", target_type="spot_checks", details={"format": fmt, "period": str(period)})
    db.session.commit()
    return exports.response([rates_table, checks_table], fmt, f"spot-checks-{period}")


@bp.post("/spot-checks")
@require_role(*scope.STAFF)
@form_once
def draw_spot_check():
    mode = request.form.get("mode", "size")
    amount = _int_or_none(request.form.get("amount"), _("抽查数量或比例"))
    if amount is None:
        raise InvalidInput(_("请填写抽查数量或抽查比例（二选一）"))
    check = spotchecks.draw(request.form.get("period", ""), size=amount if mode == "size" else None,
                            percent=amount if mode == "percent" else None, seed=request.form.get("seed"),
                            district_code=scope.district())
    db.session.commit()
    return redirect(url_for("reports.spot_check_detail", check_id=check.id))


@bp.get("/spot-checks/<int:check_id>")
@require_role(*scope.STAFF)
def spot_check_detail(check_id: int):
    check = _check(check_id)
    return render_template("reports/spot_check.html", check=check, rows=spotchecks.call_list(check),
                           rates=spotchecks.rates(check.id), outcomes=OUTCOMES, labels=OUTCOME_LABELS,
                           kinds=KIND_LABELS)


@bp.get("/spot-checks/<int:check_id>/export")
@require_role(*scope.STAFF)
def spot_check_export(check_id: int):
    """Masked by default; an admin may ask for the plain names and phones (audited)."""
    check = _check(check_id)
    fmt = exports.check_format(request.args.get("fmt", "csv"))
    unmasked = request.args.get("unmasked") == "1"
    if unmasked and scope.user().role != "admin":
        raise Forbidden(_("只有系统管理员可以导出未打码的名单"))
    rows = spotchecks.call_list(check)
    people = spotchecks.plain_people(check) if unmasked else {}

    def cells(r):
        item = r["item"]
        name, phone = people.get(item.recipient_id, (r["name_masked"], r["phone_masked"]))
        return [item.id, str(KIND_LABELS[item.kind]), item.shop.code, item.business_date.isoformat()
                if item.business_date else "", name, phone,
                str(OUTCOME_LABELS[item.outcome]) if item.outcome else "", item.satisfaction or "", item.note]

    table = exports.Table(title=_("抽查回访"), rows=[cells(r) for r in rows],
                          headers=[_("编号"), _("类型"), _("门店"), _("日期"), _("姓名"), _("电话"), _("回访结果"),
                                   _("满意度"), _("备注")])
    audit.record("reports.export", target=check, details={"format": fmt, "unmasked": unmasked})
    db.session.commit()
    return exports.response([table], fmt, f"spot-check-{check.id}")


@bp.post("/spot-checks/items/<int:item_id>/reveal")
@require_role(*scope.STAFF)
def reveal_phone(item_id: int):
    item = spotchecks.get_item(item_id)
    _check(item.spot_check_id)
    phone = spotchecks.reveal_phone(item, reason=request.form.get("reason", ""))
    db.session.commit()
    return render_template("reports/revealed_phone.html", item=item, phone=phone,
                           masked=mask_phone(phone))


@bp.post("/spot-checks/items/<int:item_id>/outcome")
@require_role(*scope.STAFF)
@form_once
def record_outcome(item_id: int):
    item = spotchecks.get_item(item_id)
    _check(item.spot_check_id)
    spotchecks.record_outcome(item, outcome=request.form.get("outcome", ""),
                              satisfaction=_int_or_none(request.form.get("satisfaction"), _("满意度")),
                              note=request.form.get("note", ""))
    db.session.commit()
    flash(_("回访结果已保存"), "success")
    return redirect(url_for("reports.spot_check_detail", check_id=item.spot_check_id))


@bp.get("/feedback")
@require_role(*scope.SHOP_STAFF)
def feedback_list():
    status = request.args.get("status", "all")
    items = feedback.list_feedback(shop_ids=scope.shop_ids(), status=status)
    return render_template("reports/feedback.html", items=items, status=status,
                           summary=feedback.summary(shop_ids=scope.shop_ids()), kinds=FEEDBACK_KIND_LABELS)


@bp.get("/feedback/export")
@require_role(*scope.SHOP_STAFF)
def feedback_export():
    fmt = exports.check_format(request.args.get("fmt", "csv"))
    items = feedback.list_feedback(shop_ids=scope.shop_ids(), limit=100_000)
    from app.core.views import format_business_datetime

    table = exports.Table(title=_("留言反馈"), headers=[_("编号"), _("时间"), _("门店"), _("评分"), _("类型"),
                                                     _("内容"), _("处理情况"), _("处理时间")],
                          rows=[[f.id, format_business_datetime(f.created_at), f.shop.code, f.rating,
                                 str(FEEDBACK_KIND_LABELS[f.kind]), f.comment, f.answer or "",
                                 format_business_datetime(f.answered_at)] for f in items])
    audit.record("reports.export", target_type="rpt_feedback", details={"format": fmt, "rows": len(items)})
    db.session.commit()
    return exports.response([table], fmt, "feedback")


@bp.post("/feedback/<int:feedback_id>/answer")
@require_role(*scope.SHOP_STAFF)
@form_once
def answer_feedback(feedback_id: int):
    fb = feedback.get(feedback_id)
    scope.check_shop(fb.shop)
    feedback.answer(fb, text=request.form.get("answer", ""))
    db.session.commit()
    flash(_("处理情况已保存"), "success")
    return redirect(url_for("reports.feedback_list"))
