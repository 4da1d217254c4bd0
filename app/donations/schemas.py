"""Request and response schemas of the donations API (ranges are checked by the services, which
answer in Chinese with a stable code)."""

from __future__ import annotations

from marshmallow import Schema, fields


class DonationLineIn(Schema):
    kind = fields.String(required=True, metadata={"description": "quilt 棉被 | clothing 衣物 | shoes 鞋 | other 其他"})
    description = fields.String(load_default="")
    size = fields.String(load_default="")
    season = fields.String(load_default=None, allow_none=True,
                           metadata={"description": "spring_autumn | summer | winter | all"})
    condition = fields.String(load_default="good", metadata={"description": "new 全新 | good 完好"})
    quantity = fields.Integer(required=True, strict=True)
    estimated_value_fen = fields.Integer(load_default=None, allow_none=True, strict=True,
                                         metadata={"description": "the whole line's value in fen"})


class DonationIn(Schema):
    idempotency_key = fields.String(load_default=None, metadata={
        "description": "8–64 letters, digits or -: the same key again answers the first donation (a retry logs "
                       "nothing new); also accepted as the Idempotency-Key header"})
    shop = fields.String(required=True, metadata={"description": "shop code"})
    donor_id = fields.Integer(load_default=None, allow_none=True, strict=True,
                              metadata={"description": "staff only; a donor user logs for its own organisation"})
    expected_date = fields.Date(load_default=None, allow_none=True)
    note = fields.String(load_default="")
    lines = fields.List(fields.Dict(), required=True)


class ReceiveLineIn(Schema):
    line_id = fields.Integer(required=True, strict=True)
    quantity_received = fields.Integer(required=True, strict=True)
    quantity_rejected = fields.Integer(load_default=0, strict=True)
    reject_reason = fields.String(load_default="")
    note = fields.String(load_default="")


class ReceiveIn(Schema):
    lines = fields.List(fields.Nested(ReceiveLineIn), required=True)


class PickupLineIn(Schema):
    kind = fields.String(required=True)
    quantity = fields.Integer(required=True, strict=True)
    description = fields.String(load_default=None, allow_none=True)
    size = fields.String(load_default=None, allow_none=True)


class PickupIn(Schema):
    idempotency_key = fields.String(required=True)
    recipient_id = fields.Integer(required=True, strict=True)
    lines = fields.List(fields.Nested(PickupLineIn), required=True)


class EligibilityArgs(Schema):
    recipient_id = fields.Integer(required=True)


class StatsArgs(Schema):
    period_from = fields.String(data_key="from", load_default=None)
    period_to = fields.String(data_key="to", load_default=None)


class ListArgs(Schema):
    status = fields.String(load_default=None)
