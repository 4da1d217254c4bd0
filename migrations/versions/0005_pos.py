"""pos: terminals, counters, shifts, Z reports, sales with lines and payments, voids, manager PINs

Reviewed by hand. The Z report, voids and void lines are append-only (the database refuses UPDATE
and DELETE); one open shift per cashier is a partial unique index on both databases.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 00:52:04.349095

"""
import sqlalchemy as sa
from alembic import op

import app.core.db
from app.core.db import append_only_ddl, drop_append_only_ddl

# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('pos_counter',
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=30), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['shop_id'], ['shop.id'], name=op.f('fk_pos_counter_shop_id_shop')),
    sa.PrimaryKeyConstraint('shop_id', 'name', name=op.f('pk_pos_counter'))
    )
    op.create_table('pos_terminal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('printer_uri', sa.String(length=200), nullable=False),
    sa.Column('printer_profile', sa.String(length=40), nullable=False),
    sa.Column('printer_columns', sa.Integer(), nullable=False),
    sa.Column('printer_encoding', sa.String(length=10), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['shop_id'], ['shop.id'], name=op.f('fk_pos_terminal_shop_id_shop')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pos_terminal')),
    sa.UniqueConstraint('shop_id', 'code', name=op.f('uq_pos_terminal_shop_id_code'))
    )
    op.create_table('pos_manager_pin',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('pin_hash', sa.String(length=255), nullable=False),
    sa.Column('updated_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_pos_manager_pin_user_id_app_user')),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_pos_manager_pin'))
    )
    op.create_table('pos_shift',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('terminal_id', sa.Integer(), nullable=True),
    sa.Column('cashier_id', sa.Integer(), nullable=False),
    sa.Column('opened_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('float_fen', sa.Integer(), nullable=False),
    sa.Column('closed_at', app.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('float_fen >= 0', name=op.f('ck_pos_shift_float_not_negative')),
    sa.ForeignKeyConstraint(['cashier_id'], ['app_user.id'], name=op.f('fk_pos_shift_cashier_id_app_user')),
    sa.ForeignKeyConstraint(['closed_by_id'], ['app_user.id'], name=op.f('fk_pos_shift_closed_by_id_app_user')),
    sa.ForeignKeyConstraint(['shop_id'], ['shop.id'], name=op.f('fk_pos_shift_shop_id_shop')),
    sa.ForeignKeyConstraint(['terminal_id'], ['pos_terminal.id'], name=op.f('fk_pos_shift_terminal_id_pos_terminal')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pos_shift'))
    )
    with op.batch_alter_table('pos_shift', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pos_shift_shop_id'), ['shop_id'], unique=False)
        batch_op.create_index('uq_pos_shift_open_cashier', ['cashier_id'], unique=True, sqlite_where=sa.text('closed_at IS NULL'), postgresql_where=sa.text('closed_at IS NULL'))

    op.create_table('pos_sale',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=64), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('receipt_no', sa.String(length=40), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('shift_id', sa.Integer(), nullable=False),
    sa.Column('cashier_id', sa.Integer(), nullable=False),
    sa.Column('created_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('business_date', sa.Date(), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=True),
    sa.Column('voucher_id', sa.Integer(), nullable=True),
    sa.Column('market_total_fen', sa.Integer(), nullable=False),
    sa.Column('total_fen', sa.Integer(), nullable=False),
    sa.Column('savings_fen', sa.Integer(), nullable=False),
    sa.Column('voucher_paid_fen', sa.Integer(), nullable=False),
    sa.Column('paid_fen', sa.Integer(), nullable=False),
    sa.Column('change_fen', sa.Integer(), nullable=False),
    sa.Column('voucher_balance_after_fen', sa.Integer(), nullable=True),
    sa.Column('voucher_tail', sa.String(length=4), nullable=True),
    sa.CheckConstraint('total_fen >= 0 AND market_total_fen >= total_fen', name=op.f('ck_pos_sale_totals_sane')),
    sa.CheckConstraint('voucher_paid_fen >= 0 AND voucher_paid_fen <= total_fen', name=op.f('ck_pos_sale_voucher_within_total')),
    sa.ForeignKeyConstraint(['cashier_id'], ['app_user.id'], name=op.f('fk_pos_sale_cashier_id_app_user')),
    sa.ForeignKeyConstraint(['recipient_id'], ['recipient.id'], name=op.f('fk_pos_sale_recipient_id_recipient')),
    sa.ForeignKeyConstraint(['shift_id'], ['pos_shift.id'], name=op.f('fk_pos_sale_shift_id_pos_shift')),
    sa.ForeignKeyConstraint(['shop_id'], ['shop.id'], name=op.f('fk_pos_sale_shop_id_shop')),
    sa.ForeignKeyConstraint(['voucher_id'], ['voucher.id'], name=op.f('fk_pos_sale_voucher_id_voucher')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pos_sale')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_pos_sale_idempotency_key')),
    sa.UniqueConstraint('receipt_no', name=op.f('uq_pos_sale_receipt_no'))
    )
    with op.batch_alter_table('pos_sale', schema=None) as batch_op:
        batch_op.create_index('ix_pos_sale_recipient_day', ['recipient_id', 'business_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_pos_sale_shift_id'), ['shift_id'], unique=False)
        batch_op.create_index('ix_pos_sale_shop_day', ['shop_id', 'business_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_pos_sale_voucher_id'), ['voucher_id'], unique=False)

    op.create_table('pos_z_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shift_id', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('created_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('counted_fen', sa.Integer(), nullable=False),
    sa.Column('expected_cash_fen', sa.Integer(), nullable=False),
    sa.Column('difference_fen', sa.Integer(), nullable=False),
    sa.Column('totals', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['shift_id'], ['pos_shift.id'], name=op.f('fk_pos_z_report_shift_id_pos_shift')),
    sa.ForeignKeyConstraint(['shop_id'], ['shop.id'], name=op.f('fk_pos_z_report_shop_id_shop')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pos_z_report')),
    sa.UniqueConstraint('shift_id', name=op.f('uq_pos_z_report_shift_id')),
    sa.UniqueConstraint('shop_id', 'number', name=op.f('uq_pos_z_report_shop_id_number'))
    )
    op.create_table('pos_payment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sale_id', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=10), nullable=False),
    sa.Column('amount_fen', sa.Integer(), nullable=False),
    sa.Column('tendered_fen', sa.Integer(), nullable=False),
    sa.CheckConstraint("method IN ('voucher','cash','wechat','alipay','card')", name=op.f('ck_pos_payment_method_known')),
    sa.CheckConstraint('amount_fen >= 0', name=op.f('ck_pos_payment_amount_not_negative')),
    sa.ForeignKeyConstraint(['sale_id'], ['pos_sale.id'], name=op.f('fk_pos_payment_sale_id_pos_sale')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pos_payment'))
    )
    with op.batch_alter_table('pos_payment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pos_payment_sale_id'), ['sale_id'], unique=False)

    op.create_table('pos_sale_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sale_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('unit', sa.String(length=10), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('market_price_fen', sa.Integer(), nullable=False),
    sa.Column('price_fen', sa.Integer(), nullable=False),
    sa.Column('charity_price', sa.Boolean(), nullable=False),
    sa.Column('voucher_eligible', sa.Boolean(), nullable=False),
    sa.Column('line_total_fen', sa.Integer(), nullable=False),
    sa.CheckConstraint('price_fen >= 0 AND market_price_fen >= price_fen', name=op.f('ck_pos_sale_line_prices_sane')),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_pos_sale_line_quantity_positive')),
    sa.ForeignKeyConstraint(['product_id'], ['inv_product.id'], name=op.f('fk_pos_sale_line_product_id_inv_product')),
    sa.ForeignKeyConstraint(['sale_id'], ['pos_sale.id'], name=op.f('fk_pos_sale_line_sale_id_pos_sale')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pos_sale_line'))
    )
    with op.batch_alter_table('pos_sale_line', schema=None) as batch_op:
        batch_op.create_index('ix_pos_sale_line_product', ['product_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pos_sale_line_sale_id'), ['sale_id'], unique=False)

    op.create_table('pos_void',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sale_id', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('shift_id', sa.Integer(), nullable=True),
    sa.Column('manager_id', sa.Integer(), nullable=False),
    sa.Column('created_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('business_date', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('total_fen', sa.Integer(), nullable=False),
    sa.Column('voucher_refund_fen', sa.Integer(), nullable=False),
    sa.Column('refunds', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['manager_id'], ['app_user.id'], name=op.f('fk_pos_void_manager_id_app_user')),
    sa.ForeignKeyConstraint(['sale_id'], ['pos_sale.id'], name=op.f('fk_pos_void_sale_id_pos_sale')),
    sa.ForeignKeyConstraint(['shift_id'], ['pos_shift.id'], name=op.f('fk_pos_void_shift_id_pos_shift')),
    sa.ForeignKeyConstraint(['shop_id'], ['shop.id'], name=op.f('fk_pos_void_shop_id_shop')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pos_void'))
    )
    with op.batch_alter_table('pos_void', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pos_void_sale_id'), ['sale_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pos_void_shift_id'), ['shift_id'], unique=False)

    op.create_table('pos_void_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('void_id', sa.Integer(), nullable=False),
    sa.Column('sale_line_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('amount_fen', sa.Integer(), nullable=False),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_pos_void_line_quantity_positive')),
    sa.ForeignKeyConstraint(['sale_line_id'], ['pos_sale_line.id'], name=op.f('fk_pos_void_line_sale_line_id_pos_sale_line')),
    sa.ForeignKeyConstraint(['void_id'], ['pos_void.id'], name=op.f('fk_pos_void_line_void_id_pos_void')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pos_void_line'))
    )
    with op.batch_alter_table('pos_void_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pos_void_line_sale_line_id'), ['sale_line_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pos_void_line_void_id'), ['void_id'], unique=False)


    dialect = op.get_bind().dialect.name
    for table in ("pos_z_report", "pos_void", "pos_void_line"):
        for stmt in append_only_ddl(table, dialect):
            op.execute(stmt)

def downgrade():
    dialect = op.get_bind().dialect.name
    for table in ("pos_z_report", "pos_void", "pos_void_line"):
        for stmt in drop_append_only_ddl(table, dialect):
            op.execute(stmt)
    with op.batch_alter_table('pos_void_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pos_void_line_void_id'))
        batch_op.drop_index(batch_op.f('ix_pos_void_line_sale_line_id'))

    op.drop_table('pos_void_line')
    with op.batch_alter_table('pos_void', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pos_void_shift_id'))
        batch_op.drop_index(batch_op.f('ix_pos_void_sale_id'))

    op.drop_table('pos_void')
    with op.batch_alter_table('pos_sale_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pos_sale_line_sale_id'))
        batch_op.drop_index('ix_pos_sale_line_product')

    op.drop_table('pos_sale_line')
    with op.batch_alter_table('pos_payment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pos_payment_sale_id'))

    op.drop_table('pos_payment')
    op.drop_table('pos_z_report')
    with op.batch_alter_table('pos_sale', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pos_sale_voucher_id'))
        batch_op.drop_index('ix_pos_sale_shop_day')
        batch_op.drop_index(batch_op.f('ix_pos_sale_shift_id'))
        batch_op.drop_index('ix_pos_sale_recipient_day')

    op.drop_table('pos_sale')
    with op.batch_alter_table('pos_shift', schema=None) as batch_op:
        batch_op.drop_index('uq_pos_shift_open_cashier', sqlite_where=sa.text('closed_at IS NULL'), postgresql_where=sa.text('closed_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_pos_shift_shop_id'))

    op.drop_table('pos_shift')
    op.drop_table('pos_manager_pin')
    op.drop_table('pos_terminal')
    op.drop_table('pos_counter')
