"""donations: returns of picked-up items (pickup_return, pickup_return_line; append-only)

Reviewed by hand. A return puts pieces back on their lots and lowers the recipient's tallies;
the pickup rows themselves never change, and the return rows cannot be updated or deleted.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 03:50:00

"""
import sqlalchemy as sa
from alembic import op

import app.core.db
from app.core.db import append_only_ddl, drop_append_only_ddl

APPEND_ONLY = ("pickup_return", "pickup_return_line")

# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('pickup_return',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pickup_id', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('created_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('business_date', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['pickup_id'], ['pickup.id'], name=op.f('fk_pickup_return_pickup_id_pickup')),
    sa.ForeignKeyConstraint(['shop_id'], ['shop.id'], name=op.f('fk_pickup_return_shop_id_shop')),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_pickup_return_user_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pickup_return'))
    )
    with op.batch_alter_table('pickup_return', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pickup_return_pickup_id'), ['pickup_id'], unique=False)

    op.create_table('pickup_return_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('return_id', sa.Integer(), nullable=False),
    sa.Column('pickup_line_id', sa.Integer(), nullable=False),
    sa.Column('lot_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('quilt','clothing','shoes','other')", name=op.f('ck_pickup_return_line_kind_known')),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_pickup_return_line_quantity_positive')),
    sa.ForeignKeyConstraint(['lot_id'], ['donation_lot.id'], name=op.f('fk_pickup_return_line_lot_id_donation_lot')),
    sa.ForeignKeyConstraint(['pickup_line_id'], ['pickup_line.id'],
                            name=op.f('fk_pickup_return_line_pickup_line_id_pickup_line')),
    sa.ForeignKeyConstraint(['return_id'], ['pickup_return.id'],
                            name=op.f('fk_pickup_return_line_return_id_pickup_return')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pickup_return_line'))
    )
    with op.batch_alter_table('pickup_return_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pickup_return_line_pickup_line_id'), ['pickup_line_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pickup_return_line_return_id'), ['return_id'], unique=False)

    dialect = op.get_bind().dialect.name
    for table in APPEND_ONLY:
        for stmt in append_only_ddl(table, dialect):
            op.execute(stmt)


def downgrade():
    dialect = op.get_bind().dialect.name
    for table in APPEND_ONLY:
        for stmt in drop_append_only_ddl(table, dialect):
            op.execute(stmt)
    with op.batch_alter_table('pickup_return_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pickup_return_line_return_id'))
        batch_op.drop_index(batch_op.f('ix_pickup_return_line_pickup_line_id'))
    op.drop_table('pickup_return_line')
    with op.batch_alter_table('pickup_return', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pickup_return_pickup_id'))
    op.drop_table('pickup_return')
