from __future__ import annotations

from marshmallow import Schema, fields

from app.core.masking import mask_name


class RecipientQuery(Schema):
    q = fields.String(load_default="")


class RecipientOut(Schema):
    id = fields.Integer()
    name_masked = fields.Function(lambda r: mask_name(r.name))
    id_masked = fields.String()
    category = fields.String()
    status = fields.String()
    district = fields.String(attribute="district_code")
    township = fields.String()
    community = fields.String()
