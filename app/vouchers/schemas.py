from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.core import schema as boundary
from app.core.schema import Text


class IssuanceRunIn(boundary.Schema):
    idempotency_key = Text(load_default=None, allow_none=True, min_length=8, max_length=64)
    period = Text(required=True, max_length=7, validate=validate.Regexp(r"^[0-9]{4}-[0-9]{2}$"))
    programme = Text(load_default=None, allow_none=True, max_length=20)


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


class CodeIn(boundary.Schema):
    code = Text(required=True, min_length=1, max_length=200)


class HistoryOut(Schema):
    day = fields.String(metadata={"description": "business date, YYYY-MM-DD"})
    day_text = fields.String(metadata={"description": "the day as the page prints it (2026年5月12日)"})
    kind = fields.String(metadata={"description": "issue, redeem, refund, expire or revoke"})
    what = fields.String(metadata={"description": "what happened, in plain words"})
    shop = fields.String(metadata={"description": "the shop's name, for a purchase or a refund"})
    amount_fen = fields.Integer(metadata={"description": "signed: + onto the voucher, - off it"})
    balance_after_fen = fields.Integer()


class VoucherPublicOut(Schema):
    history = fields.List(fields.Nested(HistoryOut))
    status = fields.String()
    balance_fen = fields.Integer()
    face_fen = fields.Integer()
    valid_from = fields.String()
    valid_until = fields.String()
    code_tail = fields.String()
