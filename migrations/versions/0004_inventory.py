"""inventory: categories, products, price history, stock ledger and on-hand per shop, receiving
notes, transfers, stocktakes

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 00:18:57.883114

Reviewed by hand. The stock ledger (inv_stock_move) and the price history (inv_price_change) are
append-only at the database level (triggers refuse UPDATE and DELETE; TRUNCATE too on
PostgreSQL). CHECK constraints keep on-hand >= 0, charity price <= market price, quantities
positive; `open_shop_id` (unique, NULL once closed) allows one open stocktake per shop.
"""
import sqlalchemy as sa
from alembic import op

import app.core.db
from app.core.db import append_only_ddl, drop_append_only_ddl

APPEND_ONLY = ("inv_stock_move", "inv_price_change")

# revision identifiers, used by Alembic.
revision = '0004'
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('inv_category',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('voucher_allowed', sa.Boolean(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('created_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inv_category')),
    sa.UniqueConstraint('name', name=op.f('uq_inv_category_name'))
    )
    op.create_table('inv_product',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('barcode', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('unit', sa.String(length=10), nullable=False),
    sa.Column('market_price_fen', sa.Integer(), nullable=False),
    sa.Column('charity_price_fen', sa.Integer(), nullable=False),
    sa.Column('voucher_eligible', sa.Boolean(), nullable=False),
    sa.Column('monthly_limit', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('image', sa.String(length=80), nullable=True),
    sa.Column('created_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('charity_price_fen <= market_price_fen', name=op.f('ck_inv_product_charity_not_above_market')),
    sa.CheckConstraint('charity_price_fen > 0', name=op.f('ck_inv_product_charity_positive')),
    sa.CheckConstraint('market_price_fen > 0', name=op.f('ck_inv_product_market_positive')),
    sa.CheckConstraint('monthly_limit IS NULL OR monthly_limit > 0', name=op.f('ck_inv_product_limit_positive')),
    sa.ForeignKeyConstraint(['category_id'], ['inv_category.id'], name=op.f('fk_inv_product_category_id_inv_category')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inv_product')),
    sa.UniqueConstraint('barcode', name=op.f('uq_inv_product_barcode'))
    )
    with op.batch_alter_table('inv_product', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inv_product_category_id'), ['category_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inv_product_name'), ['name'], unique=False)

    op.create_table('inv_product_image',
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('mimetype', sa.String(length=40), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('updated_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['inv_product.id'], name=op.f('fk_inv_product_image_product_id_inv_product')),
    sa.PrimaryKeyConstraint('product_id', name=op.f('pk_inv_product_image'))
    )
    op.create_table('inv_price_change',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('username', sa.String(length=80), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('old_market_fen', sa.Integer(), nullable=True),
    sa.Column('new_market_fen', sa.Integer(), nullable=False),
    sa.Column('old_charity_fen', sa.Integer(), nullable=True),
    sa.Column('new_charity_fen', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['inv_product.id'], name=op.f('fk_inv_price_change_product_id_inv_product')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inv_price_change'))
    )
    with op.batch_alter_table('inv_price_change', schema=None) as batch_op:
        batch_op.create_index('ix_inv_price_change_product_at', ['product_id', 'at'], unique=False)

    op.create_table('inv_receiving_note',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('supplier', sa.String(length=100), nullable=False),
    sa.Column('delivery_no', sa.String(length=40), nullable=False),
    sa.Column('received_by', sa.String(length=50), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['app_user.id'], name=op.f('fk_inv_receiving_note_created_by_app_user')),
    sa.ForeignKeyConstraint(['shop_id'], ['shop.id'], name=op.f('fk_inv_receiving_note_shop_id_shop')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inv_receiving_note'))
    )
    with op.batch_alter_table('inv_receiving_note', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inv_receiving_note_shop_id'), ['shop_id'], unique=False)

    op.create_table('inv_stock_level',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('on_hand', sa.Integer(), nullable=False),
    sa.Column('reorder_level', sa.Integer(), nullable=False),
    sa.CheckConstraint('on_hand >= 0', name=op.f('ck_inv_stock_level_on_hand_not_negative')),
    sa.CheckConstraint('reorder_level >= 0', name=op.f('ck_inv_stock_level_reorder_not_negative')),
    sa.ForeignKeyConstraint(['product_id'], ['inv_product.id'], name=op.f('fk_inv_stock_level_product_id_inv_product')),
    sa.ForeignKeyConstraint(['shop_id'], ['shop.id'], name=op.f('fk_inv_stock_level_shop_id_shop')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inv_stock_level')),
    sa.UniqueConstraint('shop_id', 'product_id', name=op.f('uq_inv_stock_level_shop_id_product_id'))
    )
    with op.batch_alter_table('inv_stock_level', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inv_stock_level_product_id'), ['product_id'], unique=False)

    op.create_table('inv_stock_move',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('on_hand_after', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=16), nullable=True),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('ref_type', sa.String(length=20), nullable=True),
    sa.Column('ref_id', sa.String(length=40), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('receive','sale','void','adjust','transfer_out','transfer_in','stocktake')", name=op.f('ck_inv_stock_move_kind_known')),
    sa.CheckConstraint('on_hand_after >= 0', name=op.f('ck_inv_stock_move_after_not_negative')),
    sa.CheckConstraint('quantity <> 0', name=op.f('ck_inv_stock_move_quantity_not_zero')),
    sa.ForeignKeyConstraint(['product_id'], ['inv_product.id'], name=op.f('fk_inv_stock_move_product_id_inv_product')),
    sa.ForeignKeyConstraint(['shop_id'], ['shop.id'], name=op.f('fk_inv_stock_move_shop_id_shop')),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_inv_stock_move_user_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inv_stock_move'))
    )
    with op.batch_alter_table('inv_stock_move', schema=None) as batch_op:
        batch_op.create_index('ix_inv_stock_move_product_at', ['product_id', 'at'], unique=False)
        batch_op.create_index('ix_inv_stock_move_ref', ['ref_type', 'ref_id'], unique=False)
        batch_op.create_index('ix_inv_stock_move_shop_product', ['shop_id', 'product_id', 'id'], unique=False)

    op.create_table('inv_stocktake',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('open_shop_id', sa.Integer(), nullable=True),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('started_by', sa.Integer(), nullable=True),
    sa.Column('started_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closed_by', sa.Integer(), nullable=True),
    sa.Column('closed_at', app.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("(status = 'open') = (open_shop_id IS NOT NULL)", name=op.f('ck_inv_stocktake_open_flag')),
    sa.CheckConstraint("status IN ('open','posted','cancelled')", name=op.f('ck_inv_stocktake_status_known')),
    sa.ForeignKeyConstraint(['category_id'], ['inv_category.id'], name=op.f('fk_inv_stocktake_category_id_inv_category')),
    sa.ForeignKeyConstraint(['closed_by'], ['app_user.id'], name=op.f('fk_inv_stocktake_closed_by_app_user')),
    sa.ForeignKeyConstraint(['shop_id'], ['shop.id'], name=op.f('fk_inv_stocktake_shop_id_shop')),
    sa.ForeignKeyConstraint(['started_by'], ['app_user.id'], name=op.f('fk_inv_stocktake_started_by_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inv_stocktake')),
    sa.UniqueConstraint('open_shop_id', name=op.f('uq_inv_stocktake_open_shop_id'))
    )
    with op.batch_alter_table('inv_stocktake', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inv_stocktake_shop_id'), ['shop_id'], unique=False)

    op.create_table('inv_transfer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('from_shop_id', sa.Integer(), nullable=False),
    sa.Column('to_shop_id', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('from_shop_id <> to_shop_id', name=op.f('ck_inv_transfer_different_shops')),
    sa.ForeignKeyConstraint(['created_by'], ['app_user.id'], name=op.f('fk_inv_transfer_created_by_app_user')),
    sa.ForeignKeyConstraint(['from_shop_id'], ['shop.id'], name=op.f('fk_inv_transfer_from_shop_id_shop')),
    sa.ForeignKeyConstraint(['to_shop_id'], ['shop.id'], name=op.f('fk_inv_transfer_to_shop_id_shop')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inv_transfer'))
    )
    with op.batch_alter_table('inv_transfer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inv_transfer_from_shop_id'), ['from_shop_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inv_transfer_to_shop_id'), ['to_shop_id'], unique=False)

    op.create_table('inv_receiving_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('note_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('unit_cost_fen', sa.Integer(), nullable=True),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_inv_receiving_line_quantity_positive')),
    sa.CheckConstraint('unit_cost_fen IS NULL OR unit_cost_fen >= 0', name=op.f('ck_inv_receiving_line_cost_not_negative')),
    sa.ForeignKeyConstraint(['note_id'], ['inv_receiving_note.id'], name=op.f('fk_inv_receiving_line_note_id_inv_receiving_note')),
    sa.ForeignKeyConstraint(['product_id'], ['inv_product.id'], name=op.f('fk_inv_receiving_line_product_id_inv_product')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inv_receiving_line'))
    )
    with op.batch_alter_table('inv_receiving_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inv_receiving_line_note_id'), ['note_id'], unique=False)

    op.create_table('inv_stocktake_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('stocktake_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('expected', sa.Integer(), nullable=False),
    sa.Column('counted', sa.Integer(), nullable=True),
    sa.CheckConstraint('counted IS NULL OR counted >= 0', name=op.f('ck_inv_stocktake_line_counted_not_negative')),
    sa.ForeignKeyConstraint(['product_id'], ['inv_product.id'], name=op.f('fk_inv_stocktake_line_product_id_inv_product')),
    sa.ForeignKeyConstraint(['stocktake_id'], ['inv_stocktake.id'], name=op.f('fk_inv_stocktake_line_stocktake_id_inv_stocktake')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inv_stocktake_line')),
    sa.UniqueConstraint('stocktake_id', 'product_id', name=op.f('uq_inv_stocktake_line_stocktake_id_product_id'))
    )
    op.create_table('inv_transfer_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('transfer_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_inv_transfer_line_quantity_positive')),
    sa.ForeignKeyConstraint(['product_id'], ['inv_product.id'], name=op.f('fk_inv_transfer_line_product_id_inv_product')),
    sa.ForeignKeyConstraint(['transfer_id'], ['inv_transfer.id'], name=op.f('fk_inv_transfer_line_transfer_id_inv_transfer')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inv_transfer_line'))
    )
    with op.batch_alter_table('inv_transfer_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inv_transfer_line_transfer_id'), ['transfer_id'], unique=False)

    dialect = op.get_bind().dialect.name
    for table in APPEND_ONLY:
        for stmt in append_only_ddl(table, dialect):
            op.execute(stmt)


def downgrade():
    dialect = op.get_bind().dialect.name
    for table in APPEND_ONLY:
        for stmt in drop_append_only_ddl(table, dialect):
            op.execute(stmt)

    with op.batch_alter_table('inv_transfer_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inv_transfer_line_transfer_id'))

    op.drop_table('inv_transfer_line')
    op.drop_table('inv_stocktake_line')
    with op.batch_alter_table('inv_receiving_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inv_receiving_line_note_id'))

    op.drop_table('inv_receiving_line')
    with op.batch_alter_table('inv_transfer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inv_transfer_to_shop_id'))
        batch_op.drop_index(batch_op.f('ix_inv_transfer_from_shop_id'))

    op.drop_table('inv_transfer')
    with op.batch_alter_table('inv_stocktake', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inv_stocktake_shop_id'))

    op.drop_table('inv_stocktake')
    with op.batch_alter_table('inv_stock_move', schema=None) as batch_op:
        batch_op.drop_index('ix_inv_stock_move_shop_product')
        batch_op.drop_index('ix_inv_stock_move_ref')
        batch_op.drop_index('ix_inv_stock_move_product_at')

    op.drop_table('inv_stock_move')
    with op.batch_alter_table('inv_stock_level', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inv_stock_level_product_id'))

    op.drop_table('inv_stock_level')
    with op.batch_alter_table('inv_receiving_note', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inv_receiving_note_shop_id'))

    op.drop_table('inv_receiving_note')
    with op.batch_alter_table('inv_price_change', schema=None) as batch_op:
        batch_op.drop_index('ix_inv_price_change_product_at')

    op.drop_table('inv_price_change')
    op.drop_table('inv_product_image')
    with op.batch_alter_table('inv_product', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inv_product_name'))
        batch_op.drop_index(batch_op.f('ix_inv_product_category_id'))

    op.drop_table('inv_product')
    op.drop_table('inv_category')
