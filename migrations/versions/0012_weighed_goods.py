"""weighed goods: products sold by weight, with a scale PLU; sale lines remember the weight unit

Reviewed by hand.
- inv_product.sale_unit ('piece' | 'weight', existing rows 'piece'), unit_grams (500 = 斤,
  1000 = kg; set exactly for weighed products), plu (the scale's price look-up number, unique,
  weighed products only). Stock, moves, receiving/transfer/stocktake lines and the monthly
  limit of a weighed product are grams; no existing row changes meaning (every product stays
  'piece').
- pos_sale_line.unit_grams: the weight unit of a weighed line as sold (quantity in grams);
  NULL for pieces, as every existing line. It joins ix_pos_sale_line_sale_charity (0008), so
  the charity-value figures, which price weighed lines with it, still read only the index.
The columns are added in place with their CHECK constraints (ALTER TABLE ... ADD COLUMN ...
CONSTRAINT ... CHECK, the same statement on PostgreSQL and SQLite), so no table is copied: the
product table is referenced from everywhere, and SQLite would otherwise rebuild it.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 11:40:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

CHARITY_INDEX = ['sale_id', 'charity_price', 'quantity', 'market_price_fen', 'line_total_fen']
PRODUCT_COLUMNS = (
    "ALTER TABLE inv_product ADD COLUMN sale_unit VARCHAR(6) DEFAULT 'piece' NOT NULL "
    "CONSTRAINT ck_inv_product_sale_unit_known CHECK (sale_unit IN ('piece','weight'))",
    "ALTER TABLE inv_product ADD COLUMN unit_grams INTEGER "
    "CONSTRAINT ck_inv_product_unit_grams_of_weight CHECK ((sale_unit = 'weight') = (unit_grams IS NOT NULL) "
    "AND (unit_grams IS NULL OR unit_grams IN (500, 1000)))",
    "ALTER TABLE inv_product ADD COLUMN plu INTEGER "
    "CONSTRAINT ck_inv_product_plu_weighed CHECK (plu IS NULL OR (sale_unit = 'weight' AND plu BETWEEN 1 AND 999999))",
)


def upgrade():
    for stmt in PRODUCT_COLUMNS:
        op.execute(stmt)
    op.create_index(op.f('ix_inv_product_plu'), 'inv_product', ['plu'], unique=True)
    op.execute("ALTER TABLE pos_sale_line ADD COLUMN unit_grams INTEGER "
               "CONSTRAINT ck_pos_sale_line_unit_grams_known CHECK (unit_grams IS NULL OR unit_grams IN (500, 1000))")
    # the charity-value figures price weighed lines with unit_grams: keep them index-only (0008)
    op.drop_index('ix_pos_sale_line_sale_charity', table_name='pos_sale_line')
    op.create_index('ix_pos_sale_line_sale_charity', 'pos_sale_line', [*CHARITY_INDEX, 'unit_grams'], unique=False)


def downgrade():
    # SQLite >= 3.35 drops a column in place with its own CHECK constraint, but not a column
    # another column's CHECK names: plu and unit_grams (which name sale_unit) go first
    op.drop_index('ix_pos_sale_line_sale_charity', table_name='pos_sale_line')
    op.create_index('ix_pos_sale_line_sale_charity', 'pos_sale_line', CHARITY_INDEX, unique=False)
    op.drop_column('pos_sale_line', 'unit_grams')
    op.drop_index(op.f('ix_inv_product_plu'), table_name='inv_product')
    op.drop_column('inv_product', 'plu')
    op.drop_column('inv_product', 'unit_grams')
    op.drop_column('inv_product', 'sale_unit')
