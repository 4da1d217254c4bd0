from __future__ import annotations

from marshmallow import Schema, fields

from app.core import schema as boundary
from app.core.masking import mask_name
from app.core.schema import Text


class RecipientQuery(boundary.Schema):
    q = Text(load_default="", max_length=100)


class RecipientOut(Schema):
    id = fields.Integer()
    name_masked = fields.Function(lambda r: mask_name(r.name))
    id_masked = fields.String()
    category = fields.String()
    status = fields.String()
    district = fields.String(attribute="district_code")
    township = fields.String()
    community = fields.String()
