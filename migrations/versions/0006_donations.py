"""donations: donors, donor members, donations and lines, donation-corner lots, pickups, limits

Reviewed by hand. `pickup` and `pickup_line` are append-only (the database refuses UPDATE and
DELETE); the default pickup limits are inserted here: quilts 1 per recipient per calendar year,
clothing 5 pieces per month.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 00:17:04.139233

"""
import datetime as dt

import sqlalchemy as sa
from alembic import op

import app.core.db
from app.core.db import append_only_ddl, drop_append_only_ddl

DEFAULT_LIMITS = [("quilt", 1, "year"), ("clothing", 5, "month")]
APPEND_ONLY = ("pickup", "pickup_line")


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('donation_sequence',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('last_value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_donation_sequence'))
    )
    op.create_table('donor',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('credit_code', sa.String(length=18), nullable=True),
    sa.Column('contact_name', sa.String(length=60), nullable=False),
    sa.Column('contact_phone', sa.String(length=30), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind <> 'enterprise' OR credit_code IS NOT NULL", name=op.f('ck_donor_enterprise_has_code')),
    sa.CheckConstraint("kind IN ('enterprise','individual')", name=op.f('ck_donor_kind_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_donor')),
    sa.UniqueConstraint('credit_code', name=op.f('uq_donor_credit_code'))
    )
    with op.batch_alter_table('donor', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_donor_name'), ['name'], unique=False)

    op.create_table('pickup_limit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=8), nullable=False),
    sa.Column('updated_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('quilt','clothing','shoes','other')", name=op.f('ck_pickup_limit_kind_known')),
    sa.CheckConstraint("period IN ('year','month')", name=op.f('ck_pickup_limit_period_known')),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_pickup_limit_quantity_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pickup_limit')),
    sa.UniqueConstraint('kind', name=op.f('uq_pickup_limit_kind'))
    )
    op.create_table('pickup_tally',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('period_key', sa.String(length=8), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('quilt','clothing','shoes','other')", name=op.f('ck_pickup_tally_kind_known')),
    sa.CheckConstraint('quantity >= 0', name=op.f('ck_pickup_tally_quantity_not_negative')),
    sa.ForeignKeyConstraint(['recipient_id'], ['recipient.id'], name=op.f('fk_pickup_tally_recipient_id_recipient')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pickup_tally')),
    sa.UniqueConstraint('recipient_id', 'kind', 'period_key', name='uq_pickup_tally_key')
    )
    op.create_table('donation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('donor_id', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('expected_date', sa.Date(), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('received_at', app.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('received_on', sa.Date(), nullable=True),
    sa.Column('received_by_id', sa.Integer(), nullable=True),
    sa.Column('cancelled_at', app.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('certificate_no', sa.String(length=20), nullable=True),
    sa.CheckConstraint("status <> 'received' OR received_at IS NOT NULL", name=op.f('ck_donation_received_has_time')),
    sa.CheckConstraint("status IN ('pledged','received','cancelled')", name=op.f('ck_donation_status_known')),
    sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'], name=op.f('fk_donation_created_by_id_app_user')),
    sa.ForeignKeyConstraint(['donor_id'], ['donor.id'], name=op.f('fk_donation_donor_id_donor')),
    sa.ForeignKeyConstraint(['received_by_id'], ['app_user.id'], name=op.f('fk_donation_received_by_id_app_user')),
    sa.ForeignKeyConstraint(['shop_id'], ['shop.id'], name=op.f('fk_donation_shop_id_shop')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_donation')),
    sa.UniqueConstraint('certificate_no', name=op.f('uq_donation_certificate_no'))
    )
    with op.batch_alter_table('donation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_donation_donor_id'), ['donor_id'], unique=False)
        batch_op.create_index('ix_donation_shop_status', ['shop_id', 'status'], unique=False)

    op.create_table('donor_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('donor_id', sa.Integer(), nullable=False),
    sa.Column('created_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['donor_id'], ['donor.id'], name=op.f('fk_donor_member_donor_id_donor')),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_donor_member_user_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_donor_member')),
    sa.UniqueConstraint('user_id', name=op.f('uq_donor_member_user_id'))
    )
    with op.batch_alter_table('donor_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_donor_member_donor_id'), ['donor_id'], unique=False)

    op.create_table('pickup',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=64), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('cashier_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('business_date', sa.Date(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.ForeignKeyConstraint(['cashier_id'], ['app_user.id'], name=op.f('fk_pickup_cashier_id_app_user')),
    sa.ForeignKeyConstraint(['recipient_id'], ['recipient.id'], name=op.f('fk_pickup_recipient_id_recipient')),
    sa.ForeignKeyConstraint(['shop_id'], ['shop.id'], name=op.f('fk_pickup_shop_id_shop')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pickup')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_pickup_idempotency_key'))
    )
    with op.batch_alter_table('pickup', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pickup_recipient_id'), ['recipient_id'], unique=False)
        batch_op.create_index('ix_pickup_shop_period', ['shop_id', 'period'], unique=False)

    op.create_table('donation_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('donation_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('description', sa.String(length=100), nullable=False),
    sa.Column('size', sa.String(length=20), nullable=False),
    sa.Column('season', sa.String(length=16), nullable=True),
    sa.Column('condition', sa.String(length=8), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('estimated_value_fen', sa.Integer(), nullable=True),
    sa.Column('quantity_received', sa.Integer(), nullable=True),
    sa.Column('quantity_rejected', sa.Integer(), nullable=False),
    sa.Column('reject_reason', sa.String(length=200), nullable=False),
    sa.Column('receive_note', sa.String(length=200), nullable=False),
    sa.CheckConstraint("condition IN ('new','good')", name=op.f('ck_donation_line_condition_known')),
    sa.CheckConstraint("kind IN ('quilt','clothing','shoes','other')", name=op.f('ck_donation_line_kind_known')),
    sa.CheckConstraint("season IS NULL OR season IN ('spring_autumn','summer','winter','all')", name=op.f('ck_donation_line_season_known')),
    sa.CheckConstraint('estimated_value_fen IS NULL OR estimated_value_fen >= 0', name=op.f('ck_donation_line_value_not_negative')),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_donation_line_quantity_positive')),
    sa.CheckConstraint('quantity_received IS NULL OR quantity_received >= 0', name=op.f('ck_donation_line_received_not_negative')),
    sa.CheckConstraint('quantity_rejected >= 0', name=op.f('ck_donation_line_rejected_not_negative')),
    sa.ForeignKeyConstraint(['donation_id'], ['donation.id'], name=op.f('fk_donation_line_donation_id_donation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_donation_line'))
    )
    with op.batch_alter_table('donation_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_donation_line_donation_id'), ['donation_id'], unique=False)

    op.create_table('donation_lot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('line_id', sa.Integer(), nullable=False),
    sa.Column('donation_id', sa.Integer(), nullable=False),
    sa.Column('donor_id', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('description', sa.String(length=100), nullable=False),
    sa.Column('size', sa.String(length=20), nullable=False),
    sa.Column('season', sa.String(length=16), nullable=True),
    sa.Column('condition', sa.String(length=8), nullable=False),
    sa.Column('quantity_in', sa.Integer(), nullable=False),
    sa.Column('quantity_left', sa.Integer(), nullable=False),
    sa.Column('received_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.CheckConstraint("kind IN ('quilt','clothing','shoes','other')", name=op.f('ck_donation_lot_kind_known')),
    sa.CheckConstraint('quantity_in > 0', name=op.f('ck_donation_lot_in_positive')),
    sa.CheckConstraint('quantity_left >= 0 AND quantity_left <= quantity_in', name=op.f('ck_donation_lot_left_in_range')),
    sa.ForeignKeyConstraint(['donation_id'], ['donation.id'], name=op.f('fk_donation_lot_donation_id_donation')),
    sa.ForeignKeyConstraint(['donor_id'], ['donor.id'], name=op.f('fk_donation_lot_donor_id_donor')),
    sa.ForeignKeyConstraint(['line_id'], ['donation_line.id'], name=op.f('fk_donation_lot_line_id_donation_line')),
    sa.ForeignKeyConstraint(['shop_id'], ['shop.id'], name=op.f('fk_donation_lot_shop_id_shop')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_donation_lot')),
    sa.UniqueConstraint('line_id', name=op.f('uq_donation_lot_line_id'))
    )
    with op.batch_alter_table('donation_lot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_donation_lot_donation_id'), ['donation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_donation_lot_donor_id'), ['donor_id'], unique=False)
        batch_op.create_index('ix_donation_lot_fifo', ['shop_id', 'kind', 'received_at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_donation_lot_period'), ['period'], unique=False)

    op.create_table('pickup_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pickup_id', sa.Integer(), nullable=False),
    sa.Column('lot_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('quilt','clothing','shoes','other')", name=op.f('ck_pickup_line_kind_known')),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_pickup_line_quantity_positive')),
    sa.ForeignKeyConstraint(['lot_id'], ['donation_lot.id'], name=op.f('fk_pickup_line_lot_id_donation_lot')),
    sa.ForeignKeyConstraint(['pickup_id'], ['pickup.id'], name=op.f('fk_pickup_line_pickup_id_pickup')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pickup_line'))
    )
    with op.batch_alter_table('pickup_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pickup_line_lot_id'), ['lot_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pickup_line_pickup_id'), ['pickup_id'], unique=False)

    dialect = op.get_bind().dialect.name
    for table in APPEND_ONLY:
        for stmt in append_only_ddl(table, dialect):
            op.execute(stmt)

    limits = sa.table("pickup_limit", sa.column("kind", sa.String), sa.column("quantity", sa.Integer),
                      sa.column("period", sa.String), sa.column("updated_at", app.core.db.UTCDateTime()))
    now = dt.datetime.now(dt.UTC)
    op.bulk_insert(limits, [{"kind": k, "quantity": q, "period": p, "updated_at": now}
                            for k, q, p in DEFAULT_LIMITS])


def downgrade():
    dialect = op.get_bind().dialect.name
    for table in APPEND_ONLY:
        for stmt in drop_append_only_ddl(table, dialect):
            op.execute(stmt)
    with op.batch_alter_table('pickup_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pickup_line_pickup_id'))
        batch_op.drop_index(batch_op.f('ix_pickup_line_lot_id'))

    op.drop_table('pickup_line')
    with op.batch_alter_table('donation_lot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_donation_lot_period'))
        batch_op.drop_index('ix_donation_lot_fifo')
        batch_op.drop_index(batch_op.f('ix_donation_lot_donor_id'))
        batch_op.drop_index(batch_op.f('ix_donation_lot_donation_id'))

    op.drop_table('donation_lot')
    with op.batch_alter_table('donation_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_donation_line_donation_id'))

    op.drop_table('donation_line')
    with op.batch_alter_table('pickup', schema=None) as batch_op:
        batch_op.drop_index('ix_pickup_shop_period')
        batch_op.drop_index(batch_op.f('ix_pickup_recipient_id'))

    op.drop_table('pickup')
    with op.batch_alter_table('donor_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_donor_member_donor_id'))

    op.drop_table('donor_member')
    with op.batch_alter_table('donation', schema=None) as batch_op:
        batch_op.drop_index('ix_donation_shop_status')
        batch_op.drop_index(batch_op.f('ix_donation_donor_id'))

    op.drop_table('donation')
    op.drop_table('pickup_tally')
    op.drop_table('pickup_limit')
    with op.batch_alter_table('donor', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_donor_name'))

    op.drop_table('donor')
    op.drop_table('donation_sequence')
