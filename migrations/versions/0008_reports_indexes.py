"""reports: indexes for the monthly reconciliation and the dashboard at city size

Reviewed by hand. Only indexes, no table is rebuilt (voucher_ledger and pos_payment keep their
append-only triggers):

- `voucher (programme_id, period, reissue_no, recipient_id, id)`: a programme's vouchers of a
  month, or of every month up to one, in period order (the dashboard's one pass GROUP BY period
  streams in this order), with what the reports count and the recipient for the district;
  `id` last so that PostgreSQL answers from the index alone (SQLite's rowid is there anyway);
- `voucher_ledger (voucher_id, kind, ref_type, ref_id, amount_fen)` replaces the plain
  `voucher_id` index: everything the reports read of a voucher's rows is in the index;
- `pos_payment (sale_id, method, amount_fen)` replaces the plain `sale_id` index: a sale's
  voucher payment is read from the index alone;
- `pos_sale (business_date, shop_id, recipient_id, voucher_paid_fen, id)`: the sales of a span
  of days grouped per day and shop, from the index;
- `pos_sale (voucher_id, shop_id, recipient_id, voucher_paid_fen, id)` replaces the plain
  `voucher_id` index: a month's vouchers' sales counted per shop and recipient from the index;
- `pos_sale_line (sale_id, charity_price, quantity, market_price_fen, line_total_fen)` replaces
  the plain `sale_id` index: the charity-value sums read the index, not the table.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 03:30:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_voucher_programme_period', 'voucher',
                    ['programme_id', 'period', 'reissue_no', 'recipient_id', 'id'], unique=False)
    op.create_index('ix_voucher_ledger_voucher_kind', 'voucher_ledger',
                    ['voucher_id', 'kind', 'ref_type', 'ref_id', 'amount_fen'], unique=False)
    op.drop_index('ix_voucher_ledger_voucher_id', table_name='voucher_ledger')
    op.create_index('ix_pos_payment_sale_method', 'pos_payment', ['sale_id', 'method', 'amount_fen'], unique=False)
    op.drop_index('ix_pos_payment_sale_id', table_name='pos_payment')
    op.create_index('ix_pos_sale_day_shop', 'pos_sale',
                    ['business_date', 'shop_id', 'recipient_id', 'voucher_paid_fen', 'id'], unique=False)
    op.create_index('ix_pos_sale_voucher', 'pos_sale',
                    ['voucher_id', 'shop_id', 'recipient_id', 'voucher_paid_fen', 'id'], unique=False)
    op.drop_index('ix_pos_sale_voucher_id', table_name='pos_sale')
    op.create_index('ix_pos_sale_line_sale_charity', 'pos_sale_line',
                    ['sale_id', 'charity_price', 'quantity', 'market_price_fen', 'line_total_fen'], unique=False)
    op.drop_index('ix_pos_sale_line_sale_id', table_name='pos_sale_line')


def downgrade():
    op.create_index('ix_pos_sale_line_sale_id', 'pos_sale_line', ['sale_id'], unique=False)
    op.drop_index('ix_pos_sale_line_sale_charity', table_name='pos_sale_line')
    op.create_index('ix_pos_sale_voucher_id', 'pos_sale', ['voucher_id'], unique=False)
    op.drop_index('ix_pos_sale_voucher', table_name='pos_sale')
    op.drop_index('ix_pos_sale_day_shop', table_name='pos_sale')
    op.create_index('ix_pos_payment_sale_id', 'pos_payment', ['sale_id'], unique=False)
    op.drop_index('ix_pos_payment_sale_method', table_name='pos_payment')
    op.create_index('ix_voucher_ledger_voucher_id', 'voucher_ledger', ['voucher_id'], unique=False)
    op.drop_index('ix_voucher_ledger_voucher_kind', table_name='voucher_ledger')
    op.drop_index('ix_voucher_programme_period', table_name='voucher')
