"""reports: shop settlements, spot-check samples and calls, public feedback; pos_void.settlement_period

Reviewed by hand. `pos_void.settlement_period` is the shop's settlement month a void's voucher
refund counts in (set by the void service through reports' rule). pos_void is append-only: the
column is added with a plain ALTER TABLE (no batch copy, which would drop its triggers); the
downgrade drops and restores the triggers around SQLite's table copy.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 01:16:36.577345

"""
import sqlalchemy as sa
from alembic import op

import app.core.db
from app.core.db import append_only_ddl, drop_append_only_ddl

# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rpt_spot_check',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('seed', sa.String(length=40), nullable=False),
    sa.Column('mode', sa.String(length=10), nullable=False),
    sa.Column('requested', sa.Integer(), nullable=False),
    sa.Column('population', sa.Integer(), nullable=False),
    sa.Column('district_code', sa.String(length=6), nullable=True),
    sa.Column('created_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=80), nullable=False),
    sa.CheckConstraint('requested > 0', name=op.f('ck_rpt_spot_check_requested_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rpt_spot_check'))
    )
    with op.batch_alter_table('rpt_spot_check', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rpt_spot_check_period'), ['period'], unique=False)

    op.create_table('rpt_settlement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('sales_count', sa.Integer(), nullable=False),
    sa.Column('voucher_fen', sa.Integer(), nullable=False),
    sa.Column('refund_fen', sa.Integer(), nullable=False),
    sa.Column('amount_fen', sa.Integer(), nullable=False),
    sa.Column('created_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=80), nullable=False),
    sa.Column('paid_at', app.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('paid_reference', sa.String(length=80), nullable=True),
    sa.Column('paid_by', sa.String(length=80), nullable=True),
    sa.CheckConstraint("status = 'draft' OR (paid_at IS NOT NULL AND paid_reference IS NOT NULL)", name=op.f('ck_rpt_settlement_paid_has_reference')),
    sa.CheckConstraint("status IN ('draft','paid')", name=op.f('ck_rpt_settlement_status_known')),
    sa.ForeignKeyConstraint(['shop_id'], ['shop.id'], name=op.f('fk_rpt_settlement_shop_id_shop')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rpt_settlement')),
    sa.UniqueConstraint('number', name=op.f('uq_rpt_settlement_number')),
    sa.UniqueConstraint('shop_id', 'period', name='uq_rpt_settlement_shop_period')
    )
    with op.batch_alter_table('rpt_settlement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rpt_settlement_period'), ['period'], unique=False)

    op.create_table('rpt_spot_check_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('spot_check_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('ref_id', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=False),
    sa.Column('business_date', sa.Date(), nullable=True),
    sa.Column('outcome', sa.String(length=20), nullable=True),
    sa.Column('satisfaction', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('called_at', app.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('called_by', sa.String(length=80), nullable=True),
    sa.CheckConstraint("kind IN ('sale','pickup')", name=op.f('ck_rpt_spot_check_item_kind_known')),
    sa.CheckConstraint("outcome IS NULL OR outcome IN ('confirmed','not_recognised','complaint','unreachable')", name=op.f('ck_rpt_spot_check_item_outcome_known')),
    sa.CheckConstraint('satisfaction IS NULL OR (satisfaction >= 1 AND satisfaction <= 5)', name=op.f('ck_rpt_spot_check_item_satisfaction_range')),
    sa.ForeignKeyConstraint(['recipient_id'], ['recipient.id'], name=op.f('fk_rpt_spot_check_item_recipient_id_recipient')),
    sa.ForeignKeyConstraint(['shop_id'], ['shop.id'], name=op.f('fk_rpt_spot_check_item_shop_id_shop')),
    sa.ForeignKeyConstraint(['spot_check_id'], ['rpt_spot_check.id'], name=op.f('fk_rpt_spot_check_item_spot_check_id_rpt_spot_check')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rpt_spot_check_item')),
    sa.UniqueConstraint('spot_check_id', 'kind', 'ref_id', name='uq_rpt_spot_check_item_ref')
    )
    with op.batch_alter_table('rpt_spot_check_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rpt_spot_check_item_spot_check_id'), ['spot_check_id'], unique=False)

    op.create_table('rpt_feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sale_id', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('created_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answered_at', app.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('answered_by', sa.String(length=80), nullable=True),
    sa.CheckConstraint("kind IN ('comment','complaint')", name=op.f('ck_rpt_feedback_kind_known')),
    sa.CheckConstraint('rating >= 1 AND rating <= 5', name=op.f('ck_rpt_feedback_rating_range')),
    sa.ForeignKeyConstraint(['sale_id'], ['pos_sale.id'], name=op.f('fk_rpt_feedback_sale_id_pos_sale')),
    sa.ForeignKeyConstraint(['shop_id'], ['shop.id'], name=op.f('fk_rpt_feedback_shop_id_shop')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rpt_feedback')),
    sa.UniqueConstraint('sale_id', name=op.f('uq_rpt_feedback_sale_id'))
    )
    with op.batch_alter_table('rpt_feedback', schema=None) as batch_op:
        batch_op.create_index('ix_rpt_feedback_shop_at', ['shop_id', 'created_at'], unique=False)

    op.add_column('pos_void', sa.Column('settlement_period', sa.String(length=7), nullable=True))
    op.create_index(op.f('ix_pos_void_settlement_period'), 'pos_void', ['settlement_period'], unique=False)


def downgrade():
    dialect = op.get_bind().dialect.name
    op.drop_index(op.f('ix_pos_void_settlement_period'), table_name='pos_void')
    for stmt in drop_append_only_ddl('pos_void', dialect):
        op.execute(stmt)
    with op.batch_alter_table('pos_void', schema=None) as batch_op:
        batch_op.drop_column('settlement_period')
    for stmt in append_only_ddl('pos_void', dialect):
        op.execute(stmt)

    with op.batch_alter_table('rpt_feedback', schema=None) as batch_op:
        batch_op.drop_index('ix_rpt_feedback_shop_at')

    op.drop_table('rpt_feedback')
    with op.batch_alter_table('rpt_spot_check_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rpt_spot_check_item_spot_check_id'))

    op.drop_table('rpt_spot_check_item')
    with op.batch_alter_table('rpt_settlement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rpt_settlement_period'))

    op.drop_table('rpt_settlement')
    with op.batch_alter_table('rpt_spot_check', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rpt_spot_check_period'))

    op.drop_table('rpt_spot_check')
