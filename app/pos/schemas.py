from __future__ import annotations

from flask_babel import gettext as _
from marshmallow import Schema, fields, validate

from app.core import schema as boundary
from app.core.schema import Int, QueryInt, Secret, Text
from app.pos.errors import QuantityNotWhole


class Quantity(Int):
    """A line's count of pieces: a JSON integer 1–999. A fraction (1.5) is refused with its own
    stable code, `quantity_not_whole` (never truncated); text and booleans are `invalid_input`."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, float) and not value.is_integer():
            raise QuantityNotWhole(_("按件销售的商品数量必须是整数，不能有小数：%(qty)s", qty=value),
                                   details={"qty": value})
        return super()._deserialize(value, attr, data, **kwargs)


class SaleLineIn(boundary.Schema):
    product_id = Int(minimum=1, allow_none=True)
    barcode = Text(max_length=32, allow_none=True)  # a product's code, or a scale label (it carries the weight)
    qty = Quantity(minimum=1, maximum=999, allow_none=True, metadata={"description": "件数（按件商品，整数）"})
    grams = Int(minimum=1, maximum=100_000, allow_none=True,
                metadata={"description": "重量（克），称重商品；扫秤签时不用填"})


class PaymentIn(boundary.Schema):
    method = Text(required=True, max_length=20)
    amount_fen = Int(required=True, minimum=0)


class SaleIn(boundary.Schema):
    idempotency_key = Text(required=True, min_length=8, max_length=64)
    voucher_code = Text(allow_none=True, max_length=200)
    recipient_id = Int(minimum=1, allow_none=True)
    lines = fields.List(fields.Nested(SaleLineIn), required=True, validate=validate.Length(max=200))
    payments = fields.List(fields.Nested(PaymentIn), load_default=list, validate=validate.Length(max=10))
    over_limit = Text(load_default="refuse", max_length=10, validate=validate.OneOf(["refuse", "market"]))


class QuoteIn(boundary.Schema):
    voucher_code = Text(allow_none=True, max_length=200)
    recipient_id = Int(minimum=1, allow_none=True)
    lines = fields.List(fields.Nested(SaleLineIn), required=True, validate=validate.Length(max=200))
    over_limit = Text(load_default="refuse", max_length=10, validate=validate.OneOf(["refuse", "market"]))


class QuoteLineOut(Schema):
    product_id = fields.Integer()
    name = fields.String()
    unit = fields.String()
    qty = fields.Integer()
    charity_qty = fields.Integer(metadata={"description": "按慈善价的数量"})
    market_qty = fields.Integer(metadata={"description": "按市场价的数量（未识别救助对象，或超过本月限购）"})
    unit_grams = fields.Integer(allow_none=True, metadata={"description": "称重商品（数量为克）：500 = 斤，1000 = kg"})
    qty_text = fields.String(metadata={"description": "如 “2 袋”、“0.75 斤”"})
    charity_qty_text = fields.String()
    market_qty_text = fields.String()
    charity_price_fen = fields.Integer()
    market_price_fen = fields.Integer()
    voucher_eligible = fields.Boolean()
    line_total_fen = fields.Integer()
    market_total_fen = fields.Integer()


class QuoteLimitOut(Schema):
    product_id = fields.Integer()
    name = fields.String()
    unit = fields.String()
    limit = fields.Integer()
    used = fields.Integer()
    remaining = fields.Integer()
    requested = fields.Integer()
    over_qty = fields.Integer(metadata={"description": "超过本月慈善价限购的数量"})
    unit_grams = fields.Integer(allow_none=True)
    remaining_text = fields.String()
    over_text = fields.String()
    message = fields.String()


class QuoteOut(Schema):
    lines = fields.List(fields.Nested(QuoteLineOut))
    market_total_fen = fields.Integer()
    total_fen = fields.Integer()
    savings_fen = fields.Integer()
    voucher_pays_fen = fields.Integer()
    due_fen = fields.Integer()
    voucher_balance_fen = fields.Integer(allow_none=True)
    recipient_id = fields.Integer(allow_none=True)
    limits = fields.List(fields.Nested(QuoteLimitOut))
    limit_exceeded = fields.Boolean()
    over_limit = fields.String()
    sellable = fields.Boolean()


class SaleLineOut(Schema):
    id = fields.Integer()
    product_id = fields.Integer()
    name = fields.String()
    unit = fields.String()
    qty = fields.Integer(metadata={"description": "件数；称重商品为克"})
    unit_grams = fields.Integer(allow_none=True,
                                metadata={"description": "称重商品：价格为每多少克（500 = 斤，1000 = kg）"})
    quantity_text = fields.String(metadata={"description": "如 “2 袋”、“0.75 斤”"})
    market_price_fen = fields.Integer()
    price_fen = fields.Integer()
    charity_price = fields.Boolean()
    voucher_eligible = fields.Boolean()
    line_total_fen = fields.Integer()


class PaymentOut(Schema):
    method = fields.String()
    amount_fen = fields.Integer()
    tendered_fen = fields.Integer()


class SaleOut(Schema):
    id = fields.Integer()
    receipt_no = fields.String()
    business_date = fields.String()
    market_total_fen = fields.Integer()
    total_fen = fields.Integer()
    savings_fen = fields.Integer()
    voucher_paid_fen = fields.Integer()
    paid_fen = fields.Integer()
    change_fen = fields.Integer()
    voucher_balance_fen = fields.Integer(allow_none=True)
    recipient_id = fields.Integer(allow_none=True)
    lines = fields.List(fields.Nested(SaleLineOut))
    payments = fields.List(fields.Nested(PaymentOut))


class VoidLineIn(boundary.Schema):
    line_id = Int(required=True, minimum=1)
    qty = Int(required=True)


class VoidIn(boundary.Schema):
    # required here or as the Idempotency-Key header (checked by app.core.idempotency)
    idempotency_key = Text(load_default=None, allow_none=True, min_length=8, max_length=64)
    reason = Text(required=True, min_length=1, max_length=200)
    lines = fields.List(fields.Nested(VoidLineIn), allow_none=True, load_default=None,
                        validate=validate.Length(max=200))
    manager = Text(allow_none=True, load_default=None, max_length=80)
    manager_pin = Secret(allow_none=True, load_default=None, load_only=True, max_length=20)


class VoidOut(Schema):
    id = fields.Integer()
    sale_id = fields.Integer()
    total_fen = fields.Integer()
    voucher_refund_fen = fields.Integer()
    refunds = fields.Dict(keys=fields.String(), values=fields.Integer())
    reason = fields.String()


class ShiftIn(boundary.Schema):
    idempotency_key = Text(load_default=None, allow_none=True, min_length=8, max_length=64)
    float_fen = Int(required=True, minimum=0)
    terminal = Text(allow_none=True, load_default=None, max_length=40)


class ShiftCloseIn(boundary.Schema):
    idempotency_key = Text(load_default=None, allow_none=True, min_length=8, max_length=64)
    counted_fen = Int(required=True, minimum=0)


class ShiftOut(Schema):
    id = fields.Integer()
    shop_id = fields.Integer()
    opened_at = fields.DateTime()
    float_fen = fields.Integer()
    closed_at = fields.DateTime(allow_none=True)
    totals = fields.Dict()
    expected_cash_fen = fields.Integer()


class ZReportOut(Schema):
    id = fields.Integer()
    number = fields.Integer()
    shift_id = fields.Integer()
    created_at = fields.DateTime()
    cashier = fields.String(metadata={"description": "本班收银员"})
    opened_at = fields.DateTime(metadata={"description": "开班时间"})
    closed_at = fields.DateTime(metadata={"description": "交班时间"})
    counted_fen = fields.Integer()
    expected_cash_fen = fields.Integer()
    difference_fen = fields.Integer()
    totals = fields.Dict()


class RefundOut(Schema):
    method = fields.String(metadata={"description": "voucher（退回购物券）、cash、wechat、alipay、card"})
    amount_fen = fields.Integer()


class SaleSummaryOut(SaleOut):
    voided = fields.Dict(keys=fields.String(), values=fields.Integer())
    fully_voided = fields.Boolean()
    created_at = fields.DateTime()
    cashier = fields.String(metadata={"description": "收银员"})
    recipient_masked = fields.String(allow_none=True, metadata={"description": "救助对象姓名（脱敏）"})
    refund_total_fen = fields.Integer(metadata={"description": "作废剩余全部商品时退回的金额"})
    refund_preview = fields.List(fields.Nested(RefundOut), metadata={"description": "按付款方式的退款"})


class LimitOut(Schema):
    product_id = fields.Integer()
    name = fields.String()
    unit = fields.String()
    limit = fields.Integer()
    used = fields.Integer()
    remaining = fields.Integer()
    period = fields.String()


class ZReportPrintArgs(boundary.Schema):
    format = Text(load_default="html", max_length=10, validate=validate.OneOf(["html", "escpos"]))
    columns = QueryInt(load_default=32, validate=validate.OneOf([32, 48]))
    paper = QueryInt(load_default=58, validate=validate.OneOf([58, 80]))
    encoding = Text(load_default="gb18030", max_length=10, validate=validate.OneOf(["gbk", "gb18030"]))


class ReceiptArgs(boundary.Schema):
    format = Text(load_default="html", max_length=10, validate=validate.OneOf(["html", "escpos"]))
    columns = QueryInt(load_default=32, validate=validate.OneOf([32, 48]))
    paper = QueryInt(load_default=58, validate=validate.OneOf([58, 80]))
    encoding = Text(load_default="gb18030", max_length=10, validate=validate.OneOf(["gbk", "gb18030"]))
    reprint = fields.Boolean(load_default=False)


class PrintIn(boundary.Schema):
    reprint = fields.Boolean(load_default=False)


class PrintOut(Schema):
    mode = fields.String()
    bytes = fields.Integer()
