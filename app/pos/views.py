"""The touchscreen till page and the printable Z report."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from app.auth.permissions import ensure_shop, require_role
from app.extensions import db
from app.pos import services, terminals, zreports

bp = Blueprint("pos", __name__, url_prefix="/pos", template_folder="templates")


def till_strings() -> dict:
    """Every text the till's script shows, translated here so the catalogue holds them all."""
    return {
        "errors": {
            "voucher_unknown": _("购物券无效：请核对券号或重新扫描"),
            "voucher_expired": _("购物券已过期，不能再使用"),
            "voucher_revoked": _("购物券已作废，不能使用"),
            "voucher_exhausted": _("购物券余额已用完"),
            "insufficient_balance": _("购物券余额不足（可能刚在别处使用过），请重新扫券"),
            "limit_exceeded": _("超过本月慈善价限购数量"),
            "out_of_stock": _("库存不足"),
            "payment_insufficient": _("付款金额不足"),
            "idempotency_conflict": _("交易编号冲突，请重新收款"),
            "no_open_shift": _("请先开班"),
            "recipient_not_eligible": _("该救助对象当前不能享受慈善价"),
            "not_found": _("没有找到"),
            "forbidden": _("没有权限"),
            "void_not_allowed": _("作废需要店长授权：请核对店长账号和授权码"),
            "pin_locked": _("店长授权码已锁定，请店长用密码登录一次即可解锁"),
            "unauthenticated": _("登录已过期，请重新登录"),
            "csrf_failed": _("页面已过期，请刷新"),
            "rate_limited": _("操作太频繁，请稍候"),
            "invalid_input": _("输入有误"),
            "network": _("网络中断，正在重试…"),
            "network_failed": _("网络不通，交易未完成。恢复网络后再按“确认收款”，不会重复收费"),
            "database_unavailable": _("网络或服务器暂时不可用，正在重试"),
            "unavailable_failed": _("网络或服务器暂时不可用，交易未完成。稍后再按“确认收款”，不会重复收费"),
            "printer_offline": _("打印失败"),
            "quantity_not_whole": _("按件销售的商品数量必须是整数，不能有小数"),
            "weight_required": _("称重商品要输入重量"),
            "scale_label_invalid": _("秤签条码不正确（校验位不对），请重新扫描或重新称重打印"),
            "plu_unknown": _("秤签上的商品编号（PLU）没有对应的称重商品，请店长在商品资料里填写 PLU"),
            "unknown": _("出错了，请重试"),
        },
        "charity": _("慈善价"),
        "market": _("市场价"),
        "saving": _("省"),
        "remove": _("删除"),
        "more": _("加一"),
        "less": _("减一"),
        "all": _("全部"),
        "balance": _("余额"),
        "limit_left": _("本月还可买"),
        "limit_reached": _("本月慈善价已买满"),
        "out_of_stock": _("缺货"),
        "sell_at_market": _("其余 %(n)s 按市场价卖"),
        "remove_over": _("拿掉 %(n)s"),
        "over_at_market": _("超出的 %(n)s 按市场价收"),
        "more_products": _("商品较多，只显示一部分：输入名称、拼音首字母（如 dm）或条码查找"),
        "no_results": _("没有找到"),
        "receipt_no": _("小票号"),
        "voucher_left": _("购物券余额"),
        "print_failed": _("打印失败"),
        "printing": _("正在打印…"),
        "printed": _("已打印"),
        "exact": _("正好"),
        "clear": _("清除"),
        "void": _("作废"),
        "reprint": _("重打"),
        "voided": _("已作废"),
        "z_report": _("交班报告"),
        "expected": _("应有现金"),
        "counted": _("实点现金"),
        "difference": _("差额"),
        "sales": _("交易笔数"),
        "scan_not_voucher": _("这不是商品条码，也不是购物券"),
        "camera_unavailable": _("本设备不能使用摄像头扫码"),
        "confirm_void": _("确认作废整单"),
        "confirm_void_amount": _("确认作废 %(amount)s"),
        "void_reason_needed": _("请填写作废原因"),
        "refund": _("退款"),
        "voucher_back": _("退回购物券"),
        "and_more": _("等 %(n)s 种"),
        "recent_shift": _("本班交易"),
        "recent_shop": _("本店今日交易"),
        "cancel": _("取消"),
        "close": _("关闭"),
        "cashier": _("收银员"),
        "shift_start": _("开班"),
        "shift_end": _("交班"),
        "sales_total": _("销售额"),
        "float": _("备用金"),
        "z_open": _("查看交班报告"),
        "cash": _("现金"), "wechat": _("微信"), "alipay": _("支付宝"), "card": _("银行卡"),
        "voucher": _("购物券"),
        "scale": {
            "whole_grams": _("重量要精确到克（斤最多 3 位小数且为双数，如 0.75、1.002）"),
            "too_heavy": _("一次最多 100 公斤"),
            "change_weight": _("改重量"),
            "backspace": _("退格"),
            "point": _("小数点"),
        },
    }


@bp.get("/")
@require_role("cashier", "manager")
def till():
    shift = services.current_shift(current_user.id)
    config = {
        "shop": {"code": current_user.shop.code, "name": current_user.shop.name},
        "cashier": current_user.label,
        "role": current_user.role,
        "shift_open": shift is not None and shift.shop_id == current_user.shop_id,
        "public_base_url": current_app.config["PUBLIC_BASE_URL"],
        "api": "/api/v1",
        "csrf_token": generate_csrf(),
    }
    return render_template("pos/till.html", config_json=config, strings=till_strings())


@bp.get("/z/<int:report_id>")
@require_role("cashier", "manager", "federation", "admin")
def z_report(report_id: int):
    report = services.get_z_report(report_id)
    ensure_shop(current_user, report.shop)
    z = zreports.z_view(report)
    return render_template("pos/z_report.html", report=report, z=z, rows=zreports.rows(z),
                           opened=zreports.when(z["opened_at"]), closed=zreports.when(z["closed_at"]))


@bp.route("/terminal", methods=["GET", "POST"])
@require_role("manager")
def terminal():
    """Register this browser as one of the shop's tills (or forget it): logins here by the shop's
    staff then come from a known device (app/pos/terminals.py)."""
    found = terminals.registered(request.cookies.get(terminals.COOKIE))
    if request.method == "POST":
        if request.form.get("action") == "forget":
            terminals.forget(terminal=found[0] if found else None)
            value, message = None, _("本机已取消收银机登记")
        else:
            registered, value = terminals.register(manager=current_user, terminal_code=request.form.get("code", ""))
            message = _("本机已登记为收银机 %(code)s", code=registered.code)
        db.session.commit()
        flash(message, "success")
        response = redirect(url_for("pos.terminal"))
        terminals.set_cookie(response, value)
        return response
    current = found[0] if found and found[0].shop_id == current_user.shop_id else None
    return render_template("pos/terminal.html", terminals=terminals.shop_terminals(current_user.shop_id),
                           current=current)
