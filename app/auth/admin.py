"""Administration pages: users, shops, the audit log."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from app.auth import services
from app.auth.forms import ROLE_LABELS, ShopForm, UserForm
from app.auth.permissions import require_role
from app.core import audit
from app.core.numbers import arg_int
from app.extensions import db

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")


@bp.get("/users")
@require_role("admin")
def users():
    form = UserForm()
    form.shop_code.choices = [SelectChoice("", "—")] + [
        SelectChoice(s.code, f"{s.code} {s.name}") for s in services.list_shops()]
    return render_template("auth/users.html", users=services.list_users(), form=form,
                           role_labels=ROLE_LABELS)


@bp.post("/users")
@require_role("admin")
def create_user():
    form = UserForm()
    if not form.validate():
        flash(_("请填写用户名、角色和密码"), "error")
        return redirect(url_for("admin.users"))
    user = services.create_user(username=form.username.data, role=form.role.data,
                                password=form.password.data, shop_code=form.shop_code.data or None,
                                district_code=form.district_code.data or None,
                                display_name=form.display_name.data or "")
    db.session.commit()
    flash(_("已创建用户 %(name)s", name=user.username), "success")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/active")
@require_role("admin")
def set_user_active(user_id: int):
    user = services.get_user(user_id)
    active = request.form.get("active") == "1"
    if user.id == current_user.id and not active:
        flash(_("不能停用自己的账号"), "error")
        return redirect(url_for("admin.users"))
    services.set_active(user, active)
    db.session.commit()
    flash(_("已启用 %(name)s", name=user.username) if active
          else _("已停用 %(name)s，其登录已全部失效", name=user.username), "success")
    return redirect(url_for("admin.users"))


@bp.get("/shops")
@require_role("admin", "federation")
def shops():
    return render_template("auth/shops.html", shops=services.list_shops(current_user), form=ShopForm())


@bp.post("/shops")
@require_role("admin")
def create_shop():
    form = ShopForm()
    if not form.validate():
        flash(_("请填写门店编码、名称和区县代码"), "error")
        return redirect(url_for("admin.shops"))
    shop = services.create_shop(code=form.code.data, name=form.name.data,
                                district_code=form.district_code.data,
                                address=form.address.data or "", hotline=form.hotline.data or "")
    db.session.commit()
    flash(_("已创建门店 %(code)s", code=shop.code), "success")
    return redirect(url_for("admin.shops"))


@bp.get("/audit")
@require_role("admin")
def audit_log():
    before = request.args.get("before", type=arg_int)
    rows = audit.search(action=request.args.get("action") or None,
                        username=request.args.get("username") or None,
                        target_type=request.args.get("target_type") or None,
                        before_id=before, limit=100)
    return render_template("auth/audit.html", rows=rows)
