"""recipients: the registry (ID numbers encrypted, keyed hash unique)

Reviewed by hand.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 00:12:38.400868

"""
import sqlalchemy as sa
from alembic import op

import app.core.db
from app.core.db import UTCDateTime  # noqa: F401  (autogenerate writes app.core.db.UTCDateTime)

# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('recipient',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('id_number_enc', sa.String(length=200), nullable=False),
    sa.Column('id_number_hash', sa.String(length=64), nullable=False),
    sa.Column('id_masked', sa.String(length=18), nullable=False),
    sa.Column('id_last4', sa.String(length=4), nullable=False),
    sa.Column('category', sa.String(length=12), nullable=False),
    sa.Column('district_code', sa.String(length=6), nullable=False),
    sa.Column('township', sa.String(length=60), nullable=False),
    sa.Column('community', sa.String(length=60), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('household_size', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('status_since', sa.Date(), nullable=True),
    sa.Column('created_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("category IN ('dibao','tekun','dibao_edge')", name=op.f('ck_recipient_category_known')),
    sa.CheckConstraint("status IN ('active','suspended','exited')", name=op.f('ck_recipient_status_known')),
    sa.CheckConstraint('household_size IS NULL OR household_size > 0', name=op.f('ck_recipient_household_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recipient')),
    sa.UniqueConstraint('id_number_hash', name=op.f('uq_recipient_id_number_hash'))
    )
    with op.batch_alter_table('recipient', schema=None) as batch_op:
        batch_op.create_index('ix_recipient_area', ['district_code', 'township', 'community'], unique=False)
        batch_op.create_index(batch_op.f('ix_recipient_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_recipient_id_last4'), ['id_last4'], unique=False)
        batch_op.create_index(batch_op.f('ix_recipient_name'), ['name'], unique=False)
        batch_op.create_index(batch_op.f('ix_recipient_status'), ['status'], unique=False)



def downgrade():
    with op.batch_alter_table('recipient', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recipient_status'))
        batch_op.drop_index(batch_op.f('ix_recipient_name'))
        batch_op.drop_index(batch_op.f('ix_recipient_id_last4'))
        batch_op.drop_index(batch_op.f('ix_recipient_category'))
        batch_op.drop_index('ix_recipient_area')

    op.drop_table('recipient')
