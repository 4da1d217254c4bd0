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
        allow_none=True,
        metadata={"description": "每位救助对象每月按慈善价可购数量（称重商品为克；全市合计），空为不限"})
    active = fields.Boolean()
    stock = fields.Integer(allow_none=True,
                           metadata={"description": "用户所在门店（或 shop 参数门店）的库存（称重商品为克）"})
    sale_unit = fields.String(metadata={"description": "piece 按件（整数），weight 称重（数量为克）"})
    unit_grams = fields.Integer(
        allow_none=True, metadata={"description": "称重商品的计价单位克数：500 = 斤，1000 = kg；价格为每单位"})
    plu = fields.Integer(allow_none=True, metadata={"description": "电子秤 PLU（称重商品）"})


class ScaleLabelSchema(Schema):
    code = fields.String(metadata={"description": "秤签条码（EAN-13，2 开头）"})
    layout = fields.String(metadata={"description": "条码格式（weight5、price5、weight6、price6）"})
    plu = fields.Integer()
    grams = fields.Integer(metadata={"description": "重量（克）；金额码为 金额 ÷ 市场单价 折算"})
    label_price_fen = fields.Integer(allow_none=True, metadata={"description": "金额码上的金额（分）"})
    product = fields.Nested(ProductSchema)


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
