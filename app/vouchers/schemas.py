from __future__ import annotations

from marshmallow import Schema, fields, validate


class IssuanceRunIn(Schema):
    period = fields.String(required=True, validate=validate.Regexp(r"^\d{4}-\d{2}$"))
    programme = fields.String(load_default=None, validate=validate.Length(max=20))


class IssuanceRunOut(Schema):
    id = fields.Integer()
    period = fields.String()
    programme = fields.Function(lambda r: r.programme.code)
    district = fields.String(attribute="district_code", allow_none=True)
    eligible = fields.Integer()
    created = fields.Integer()
    skipped = fields.Integer()
    total_fen = fields.Integer()


class RecipientRef(Schema):
    id = fields.Integer()
    name_masked = fields.String()


class VoucherOut(Schema):
    code = fields.String()
    code_tail = fields.String()
    status = fields.String()
    face_fen = fields.Integer()
    balance_fen = fields.Integer()
    period = fields.String()
    valid_from = fields.String()
    valid_until = fields.String()
    programme = fields.String()
    recipient = fields.Nested(RecipientRef)
    category_allowed = fields.Boolean()
    limits = fields.List(fields.Dict())


class CodeIn(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=200))


class VoucherPublicOut(Schema):
    status = fields.String()
    balance_fen = fields.Integer()
    face_fen = fields.Integer()
    valid_from = fields.String()
    valid_until = fields.String()
    code_tail = fields.String()
