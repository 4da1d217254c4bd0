"""privacy: manager PIN lock-out, phone numbers encrypted, roster uploads in the database

Reviewed by hand.
- pos_manager_pin: failed_attempts and locked_at (wrong PINs in a row lock the PIN).
- recipient.phone and donor.contact_phone, stored in clear until now, become ciphertext + keyed
  hash + mask (app.core.crypto.phone_columns, the keys derived from DATA_KEY/SECRET_KEY: run it
  with the app's configuration, as `flask db upgrade` does). Existing rows are encrypted here,
  then the clear columns are dropped (SQLite >= 3.35 drops a column in place; neither column
  has an index or a constraint). The downgrade decrypts them back.
- roster_upload: a roster file waiting for its confirmation, encrypted, consumed once, deleted
  when stale (it replaces the files of ROSTER_UPLOAD_DIR; uploads waiting there when this runs
  are simply uploaded again).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-10 09:00:00

"""
import sqlalchemy as sa
from alembic import op

import app.core.db
from app.core import crypto

# (table, clear column, prefix of the new columns, width of the mask, clear column's width and default)
PHONES = (("recipient", "phone", "phone", 20, 20, None), ("donor", "contact_phone", "contact_phone", 30, 30, ""))

# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('pos_manager_pin', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_attempts', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('locked_at', app.core.db.UTCDateTime(timezone=True), nullable=True))

    conn = op.get_bind()
    for table, clear, prefix, mask_width, _w, _d in PHONES:
        op.add_column(table, sa.Column(f'{prefix}_enc', sa.String(length=200), nullable=True))
        op.add_column(table, sa.Column(f'{prefix}_hash', sa.String(length=64), nullable=True))
        op.add_column(table, sa.Column(f'{prefix}_masked', sa.String(length=mask_width), nullable=True))
        t = sa.table(table, sa.column('id', sa.Integer), sa.column(clear, sa.String),
                     *(sa.column(f'{prefix}_{k}', sa.String) for k in ('enc', 'hash', 'masked')))
        rows = conn.execute(sa.select(t.c.id, t.c[clear]).where(t.c[clear].is_not(None), t.c[clear] != '')).all()
        stmt = (sa.update(t).where(t.c.id == sa.bindparam('b_id'))
                .values({f'{prefix}_{k}': sa.bindparam(f'b_{k}') for k in ('enc', 'hash', 'masked')}))
        for start in range(0, len(rows), 1000):
            conn.execute(stmt, [{'b_id': rid, **{f'b_{k.rsplit("_", 1)[1]}': v
                                                 for k, v in crypto.phone_columns(phone, prefix=prefix).items()}}
                                for rid, phone in rows[start:start + 1000]])
        op.drop_column(table, clear)  # not in a batch: SQLite drops it in place, the table is not copied

    op.create_table('roster_upload',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('filename_enc', sa.Text(), nullable=False),
    sa.Column('payload', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_roster_upload_user_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roster_upload')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_roster_upload_token_hash'))
    )
    with op.batch_alter_table('roster_upload', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roster_upload_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_roster_upload_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('roster_upload', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roster_upload_user_id'))
        batch_op.drop_index(batch_op.f('ix_roster_upload_created_at'))
    op.drop_table('roster_upload')

    conn = op.get_bind()
    for table, clear, prefix, _m, width, default in PHONES:
        op.add_column(table, sa.Column(clear, sa.String(length=width), nullable=default is None,
                                       server_default=default))
        t = sa.table(table, sa.column('id', sa.Integer), sa.column(clear, sa.String),
                     sa.column(f'{prefix}_enc', sa.String))
        rows = conn.execute(sa.select(t.c.id, t.c[f'{prefix}_enc']).where(t.c[f'{prefix}_enc'].is_not(None))).all()
        stmt = sa.update(t).where(t.c.id == sa.bindparam('b_id')).values({clear: sa.bindparam('b_clear')})
        for start in range(0, len(rows), 1000):
            conn.execute(stmt, [{'b_id': rid, 'b_clear': crypto.decrypt_phone(enc)}
                                for rid, enc in rows[start:start + 1000]])
        for k in ('masked', 'hash', 'enc'):
            op.drop_column(table, f'{prefix}_{k}')
    with op.batch_alter_table('pos_manager_pin', schema=None) as batch_op:
        batch_op.drop_column('locked_at')
        batch_op.drop_column('failed_attempts')
