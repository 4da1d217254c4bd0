"""privacy: manager PIN lock-out, phone numbers encrypted, roster uploads in the database

Reviewed by hand.
- pos_manager_pin: failed_attempts and locked_at (wrong PINs in a row lock the PIN).

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-10 09:00:00

"""
import sqlalchemy as sa
from alembic import op

import app.core.db

# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('pos_manager_pin', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_attempts', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('locked_at', app.core.db.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('pos_manager_pin', schema=None) as batch_op:
        batch_op.drop_column('locked_at')
        batch_op.drop_column('failed_attempts')
