from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp


class PeriodForm(FlaskForm):
    period = StringField(_l("期间（YYYY-MM）"), validators=[DataRequired(), Regexp(r"^\d{4}-\d{2}$")])


class ReasonForm(FlaskForm):
    reason = StringField(_l("原因"), validators=[DataRequired(), Length(max=200)])


class SheetsForm(FlaskForm):
    class Meta:
        csrf = False  # a GET download

    period = StringField(_l("期间（YYYY-MM）"), validators=[DataRequired(), Regexp(r"^\d{4}-\d{2}$")])
    district = StringField(_l("区县"), validators=[Optional(), Length(max=20)])  # a code or a name
