from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from app.auth.models import ROLES

ROLE_LABELS = {
    "admin": _l("系统管理员"),
    "federation": _l("慈善总会工作人员"),
    "manager": _l("店长"),
    "cashier": _l("收银员"),
    "donor": _l("爱心企业"),
}


class LoginForm(FlaskForm):
    username = StringField(_l("用户名"), validators=[DataRequired(), Length(max=80)])
    password = PasswordField(_l("密码"), validators=[DataRequired(), Length(max=200)])
    next = HiddenField()


class UserForm(FlaskForm):
    username = StringField(_l("用户名"), validators=[DataRequired(), Length(max=40)])
    display_name = StringField(_l("姓名/称呼"), validators=[Optional(), Length(max=80)])
    role = SelectField(_l("角色"), choices=[SelectChoice(r, ROLE_LABELS[r]) for r in ROLES])
    shop_code = SelectField(_l("门店（店长、收银员必填）"), choices=[], validate_choice=False)
    district_code = StringField(_l("限定区县代码（仅慈善总会，可空）"), validators=[Optional(), Length(max=6)])
    password = PasswordField(_l("初始密码（至少 8 位）"), validators=[DataRequired(), Length(max=200)])


class ShopForm(FlaskForm):
    code = StringField(_l("门店编码"), validators=[DataRequired(), Length(max=20)])
    name = StringField(_l("门店名称"), validators=[DataRequired(), Length(max=100)])
    district_code = StringField(_l("区县代码（如 411002）"), validators=[DataRequired(), Length(max=6)])
    address = StringField(_l("地址"), validators=[Optional(), Length(max=200)])
    hotline = StringField(_l("投诉电话"), validators=[Optional(), Length(max=40)])
