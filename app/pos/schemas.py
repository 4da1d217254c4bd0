from __future__ import annotations

from marshmallow import Schema, fields, validate


class SaleLineIn(Schema):
    product_id = fields.Integer(allow_none=True)
    barcode = fields.String(allow_none=True, validate=validate.Length(max=32))
    qty = fields.Integer(required=True)


class PaymentIn(Schema):
    method = fields.String(required=True)
    amount_fen = fields.Integer(required=True)


class SaleIn(Schema):
    idempotency_key = fields.String(required=True, validate=validate.Length(min=8, max=64))
    voucher_code = fields.String(allow_none=True, validate=validate.Length(max=200))
    recipient_id = fields.Integer(allow_none=True)
    lines = fields.List(fields.Nested(SaleLineIn), required=True)
    payments = fields.List(fields.Nested(PaymentIn), load_default=list)
    over_limit = fields.String(load_default="refuse", validate=validate.OneOf(["refuse", "market"]))


class SaleLineOut(Schema):
    id = fields.Integer()
    product_id = fields.Integer()
    name = fields.String()
    unit = fields.String()
    qty = fields.Integer()
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


class VoidLineIn(Schema):
    line_id = fields.Integer(required=True)
    qty = fields.Integer(required=True)


class VoidIn(Schema):
    # required here or as the Idempotency-Key header (checked by app.core.idempotency)
    idempotency_key = fields.String(load_default=None, validate=validate.Length(min=8, max=64))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=200))
    lines = fields.List(fields.Nested(VoidLineIn), allow_none=True, load_default=None)
    manager = fields.String(allow_none=True, load_default=None)
    manager_pin = fields.String(allow_none=True, load_default=None, load_only=True)


class VoidOut(Schema):
    id = fields.Integer()
    sale_id = fields.Integer()
    total_fen = fields.Integer()
    voucher_refund_fen = fields.Integer()
    refunds = fields.Dict(keys=fields.String(), values=fields.Integer())
    reason = fields.String()


class ShiftIn(Schema):
    idempotency_key = fields.String(load_default=None, validate=validate.Length(min=8, max=64))
    float_fen = fields.Integer(required=True)
    terminal = fields.String(allow_none=True, load_default=None)


class ShiftCloseIn(Schema):
    idempotency_key = fields.String(load_default=None, validate=validate.Length(min=8, max=64))
    counted_fen = fields.Integer(required=True)


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
    counted_fen = fields.Integer()
    expected_cash_fen = fields.Integer()
    difference_fen = fields.Integer()
    totals = fields.Dict()


class SaleSummaryOut(SaleOut):
    voided = fields.Dict(keys=fields.String(), values=fields.Integer())
    fully_voided = fields.Boolean()


class LimitOut(Schema):
    product_id = fields.Integer()
    name = fields.String()
    unit = fields.String()
    limit = fields.Integer()
    used = fields.Integer()
    remaining = fields.Integer()
    period = fields.String()


class ReceiptArgs(Schema):
    format = fields.String(load_default="html", validate=validate.OneOf(["html", "escpos"]))
    columns = fields.Integer(load_default=32, validate=validate.OneOf([32, 48]))
    paper = fields.Integer(load_default=58, validate=validate.OneOf([58, 80]))
    encoding = fields.String(load_default="gb18030", validate=validate.OneOf(["gbk", "gb18030"]))
    reprint = fields.Boolean(load_default=False)


class PrintIn(Schema):
    reprint = fields.Boolean(load_default=False)


class PrintOut(Schema):
    mode = fields.String()
    bytes = fields.Integer()
