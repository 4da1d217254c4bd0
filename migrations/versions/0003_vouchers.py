"""vouchers: programmes, vouchers (codes encrypted + keyed hash), append-only ledger, runs

Reviewed by hand: the ledger gets the append-only triggers, and the default programme
(慈善超市购物券, 2900 fen a month for 低保 and 特困) is seeded here so every database has it.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 00:18:06.250161

"""
import datetime as dt

import sqlalchemy as sa
from alembic import op

import app.core.db
from app.core.db import append_only_ddl, drop_append_only_ddl

# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    programme = op.create_table('programme',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('face_fen', sa.Integer(), nullable=False),
    sa.Column('categories', sa.String(length=60), nullable=False),
    sa.Column('grace_days', sa.Integer(), nullable=False),
    sa.Column('funders', sa.JSON(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('face_fen > 0', name=op.f('ck_programme_face_positive')),
    sa.CheckConstraint('grace_days >= 0 AND grace_days <= 31', name=op.f('ck_programme_grace_days_range')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme')),
    sa.UniqueConstraint('code', name=op.f('uq_programme_code'))
    )
    op.create_table('issuance_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('district_code', sa.String(length=6), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('username', sa.String(length=80), nullable=False),
    sa.Column('created_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('eligible', sa.Integer(), nullable=False),
    sa.Column('created', sa.Integer(), nullable=False),
    sa.Column('skipped', sa.Integer(), nullable=False),
    sa.Column('total_fen', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_issuance_run_programme_id_programme')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_issuance_run'))
    )
    with op.batch_alter_table('issuance_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_issuance_run_period'), ['period'], unique=False)
        batch_op.create_index(batch_op.f('ix_issuance_run_programme_id'), ['programme_id'], unique=False)

    op.create_table('voucher',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('reissue_no', sa.Integer(), nullable=False),
    sa.Column('face_fen', sa.Integer(), nullable=False),
    sa.Column('balance_fen', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('code_enc', sa.String(length=120), nullable=False),
    sa.Column('code_tail', sa.String(length=4), nullable=False),
    sa.Column('issuance_run_id', sa.Integer(), nullable=True),
    sa.Column('reissue_of_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closed_at', app.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('active','exhausted','expired','revoked')", name=op.f('ck_voucher_status_known')),
    sa.CheckConstraint('balance_fen >= 0 AND balance_fen <= face_fen', name=op.f('ck_voucher_balance_within_face')),
    sa.CheckConstraint('face_fen > 0', name=op.f('ck_voucher_face_positive')),
    sa.CheckConstraint('reissue_no >= 0', name=op.f('ck_voucher_reissue_no_positive')),
    sa.CheckConstraint('valid_until >= valid_from', name=op.f('ck_voucher_validity_order')),
    sa.ForeignKeyConstraint(['issuance_run_id'], ['issuance_run.id'], name=op.f('fk_voucher_issuance_run_id_issuance_run')),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_voucher_programme_id_programme')),
    sa.ForeignKeyConstraint(['recipient_id'], ['recipient.id'], name=op.f('fk_voucher_recipient_id_recipient')),
    sa.ForeignKeyConstraint(['reissue_of_id'], ['voucher.id'], name=op.f('fk_voucher_reissue_of_id_voucher')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_voucher')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_voucher_code_hash')),
    sa.UniqueConstraint('programme_id', 'recipient_id', 'period', 'reissue_no', name='uq_voucher_one_per_period')
    )
    with op.batch_alter_table('voucher', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_voucher_issuance_run_id'), ['issuance_run_id'], unique=False)
        batch_op.create_index('ix_voucher_period_status', ['period', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_voucher_recipient_id'), ['recipient_id'], unique=False)
        batch_op.create_index('ix_voucher_status_valid_until', ['status', 'valid_until'], unique=False)

    op.create_table('voucher_ledger',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('voucher_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('amount_fen', sa.Integer(), nullable=False),
    sa.Column('balance_after_fen', sa.Integer(), nullable=False),
    sa.Column('ref_type', sa.String(length=20), nullable=True),
    sa.Column('ref_id', sa.String(length=64), nullable=True),
    sa.Column('actor', sa.String(length=80), nullable=False),
    sa.Column('created_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(kind IN ('issue','refund') AND amount_fen > 0) OR (kind IN ('redeem','expire','revoke') AND amount_fen < 0)", name=op.f('ck_voucher_ledger_amount_sign')),
    sa.CheckConstraint("kind IN ('issue','redeem','refund','expire','revoke')", name=op.f('ck_voucher_ledger_kind_known')),
    sa.CheckConstraint('balance_after_fen >= 0', name=op.f('ck_voucher_ledger_balance_after_positive')),
    sa.ForeignKeyConstraint(['voucher_id'], ['voucher.id'], name=op.f('fk_voucher_ledger_voucher_id_voucher')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_voucher_ledger'))
    )
    with op.batch_alter_table('voucher_ledger', schema=None) as batch_op:
        batch_op.create_index('ix_voucher_ledger_kind_at', ['kind', 'created_at'], unique=False)
        batch_op.create_index('ix_voucher_ledger_ref', ['ref_type', 'ref_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_voucher_ledger_voucher_id'), ['voucher_id'], unique=False)

    for stmt in append_only_ddl("voucher_ledger", op.get_bind().dialect.name):
        op.execute(stmt)

    op.bulk_insert(programme, [{
        "id": 1, "code": "CSCS", "name": "慈善超市购物券", "face_fen": 2900,
        "categories": "dibao,tekun", "grace_days": 0,
        "funders": [{"name": "许昌市慈善总会", "share_bp": 6000},
                    {"name": "爱心企业", "share_bp": 4000}],
        "active": True, "created_at": dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
    }])
    if op.get_bind().dialect.name == "postgresql":  # the explicit id must not block the sequence
        op.execute("SELECT setval(pg_get_serial_sequence('programme', 'id'), 1)")


def downgrade():
    for stmt in drop_append_only_ddl("voucher_ledger", op.get_bind().dialect.name):
        op.execute(stmt)
    with op.batch_alter_table('voucher_ledger', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_voucher_ledger_voucher_id'))
        batch_op.drop_index('ix_voucher_ledger_ref')
        batch_op.drop_index('ix_voucher_ledger_kind_at')

    op.drop_table('voucher_ledger')
    with op.batch_alter_table('voucher', schema=None) as batch_op:
        batch_op.drop_index('ix_voucher_status_valid_until')
        batch_op.drop_index(batch_op.f('ix_voucher_recipient_id'))
        batch_op.drop_index('ix_voucher_period_status')
        batch_op.drop_index(batch_op.f('ix_voucher_issuance_run_id'))

    op.drop_table('voucher')
    with op.batch_alter_table('issuance_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_issuance_run_programme_id'))
        batch_op.drop_index(batch_op.f('ix_issuance_run_period'))

    op.drop_table('issuance_run')
    op.drop_table('programme')
