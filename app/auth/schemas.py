from __future__ import annotations

from marshmallow import Schema, fields

from app.core import schema as boundary
from app.core.schema import Secret, Text


class LoginSchema(boundary.Schema):
    username = Text(required=True, min_length=1, max_length=80)
    password = Secret(required=True, load_only=True, max_length=200)


class ShopSchema(Schema):
    code = fields.String()
    name = fields.String()
    district = fields.String(attribute="district_code")
    address = fields.String()
    hotline = fields.String()


class UserSchema(Schema):
    id = fields.Integer()
    username = fields.String()
    display_name = fields.String()
    role = fields.String()
    shop = fields.Function(lambda u: u.shop.code if u.shop else None)
    district = fields.String(attribute="district_code", allow_none=True)


class SessionSchema(Schema):
    user = fields.Nested(UserSchema)
    csrf_token = fields.String()
