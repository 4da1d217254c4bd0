from __future__ import annotations

from marshmallow import Schema, fields, validate


class LoginSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=80))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=200))


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
