"""Marshmallow schemas of the products API."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields

from app.core import schema as boundary
from app.core.schema import QueryInt, Text


class CategorySchema(Schema):
    id = fields.Integer()
    name = fields.String()
    voucher_allowed = fields.Boolean()


class ProductSchema(Schema):
    id = fields.Integer()
    barcode = fields.String()
    name = fields.String()
    unit = fields.String()
    category = fields.Nested(CategorySchema)
    market_price_fen = fields.Integer(metadata={"description": "市场价（分）"})
    charity_price_fen = fields.Integer(
        metadata={"description": "慈善价（分），仅在收银台识别救助对象后适用"})
    voucher_eligible = fields.Boolean(metadata={"description": "可用购物券支付（烟酒永远不可）"})
    monthly_limit = fields.Integer(
        allow_none=True, metadata={"description": "每位救助对象每月按慈善价可购数量（全市合计），空为不限"})
    active = fields.Boolean()
    stock = fields.Integer(allow_none=True, metadata={"description": "用户所在门店（或 shop 参数门店）的库存"})


class ProductQuerySchema(boundary.Schema):
    class Meta:
        unknown = EXCLUDE

    barcode = Text(max_length=40, metadata={"description": "条码或店内码，精确匹配"})
    q = Text(max_length=100, metadata={"description": "名称中的词或条码开头"})
    category = Text(max_length=40, metadata={"description": "分类编号或名称"})
    shop = Text(max_length=20, metadata={"description": "门店编码（管理员、慈善总会查看某店库存；门店用户只能是本店）"})
    include_inactive = fields.Boolean(load_default=False)
    limit = QueryInt(load_default=50, minimum=1, maximum=200)
    offset = QueryInt(load_default=0, minimum=0, maximum=1_000_000)


class ProductDetailQuerySchema(boundary.Schema):
    class Meta:
        unknown = EXCLUDE

    shop = Text(max_length=20)
