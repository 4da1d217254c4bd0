"""Request and response schemas of the donations API (ranges are checked by the services, which
answer in Chinese with a stable code)."""

from __future__ import annotations

from marshmallow import fields, validate

from app.core import schema as boundary
from app.core.schema import Int, QueryInt, Text


class DonationLineIn(boundary.Schema):
    kind = Text(required=True, max_length=20,
                metadata={"description": "quilt 棉被 | clothing 衣物 | shoes 鞋 | other 其他"})
    description = Text(load_default="", max_length=100)
    size = Text(load_default="", max_length=20)
    season = Text(load_default=None, allow_none=True, max_length=20,
                  metadata={"description": "spring_autumn | summer | winter | all"})
    condition = Text(load_default="good", max_length=10, metadata={"description": "new 全新 | good 完好"})
    quantity = Int(required=True)
    estimated_value_fen = Int(load_default=None, allow_none=True,
                              metadata={"description": "the whole line's value in fen"})


class DonationIn(boundary.Schema):
    idempotency_key = Text(load_default=None, allow_none=True, min_length=8, max_length=64, metadata={
        "description": "the same key again answers the first donation (a retry logs nothing new); also "
                       "accepted as the Idempotency-Key header"})
    shop = Text(required=True, max_length=20, metadata={"description": "shop code"})
    donor_id = Int(load_default=None, allow_none=True, minimum=1,
                   metadata={"description": "staff only; a donor user logs for its own organisation"})
    expected_date = fields.Date(load_default=None, allow_none=True)
    note = Text(load_default="", max_length=500, multiline=True)
    lines = fields.List(fields.Nested(DonationLineIn), required=True, validate=validate.Length(max=50))


class ReceiveLineIn(boundary.Schema):
    line_id = Int(required=True, minimum=1)
    quantity_received = Int(required=True)
    quantity_rejected = Int(load_default=0)
    reject_reason = Text(load_default="", max_length=200)
    note = Text(load_default="", max_length=200)


class ReceiveIn(boundary.Schema):
    lines = fields.List(fields.Nested(ReceiveLineIn), required=True, validate=validate.Length(max=50))


class PickupLineIn(boundary.Schema):
    kind = Text(required=True, max_length=20)
    quantity = Int(required=True)
    description = Text(load_default=None, allow_none=True, max_length=100)
    size = Text(load_default=None, allow_none=True, max_length=20)


class PickupIn(boundary.Schema):
    idempotency_key = Text(required=True, max_length=64)
    recipient_id = Int(required=True, minimum=1)
    lines = fields.List(fields.Nested(PickupLineIn), required=True, validate=validate.Length(max=50))


class EligibilityArgs(boundary.Schema):
    recipient_id = QueryInt(required=True, minimum=1)


class StatsArgs(boundary.Schema):
    period_from = Text(data_key="from", load_default=None, max_length=7)
    period_to = Text(data_key="to", load_default=None, max_length=7)


class ListArgs(boundary.Schema):
    status = Text(load_default=None, max_length=20)
