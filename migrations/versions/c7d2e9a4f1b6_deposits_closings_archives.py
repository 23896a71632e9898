"""deposits, fiscal closings and archives, the shop's fiscal year end (issue 19, part 2)

Deposits (acomptes), closings and archives are insert-only: the database refuses UPDATE and
DELETE of their rows (fiscal.triggers, both dialects).

Revision ID: c7d2e9a4f1b6
Revises: a3f8c1d6e2b9
Create Date: 2026-12-06 21:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

from qualirepar.fiscal import triggers


# revision identifiers, used by Alembic.
revision = 'c7d2e9a4f1b6'
down_revision = 'a3f8c1d6e2b9'
branch_labels = None
depends_on = None

INSERT_ONLY = ('deposit', 'fiscal_closing', 'fiscal_archive')


def _shop(table):
    return sa.ForeignKeyConstraint(['shop_id'], ['shop.id'], name=op.f(f'fk_{table}_shop_id_shop'), ondelete='CASCADE')


def upgrade():
    op.create_table(
        'deposit',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('number', sa.String(length=30), nullable=False),
        sa.Column('order_id', sa.Integer(), nullable=False),
        sa.Column('quote_id', sa.Integer(), nullable=True),
        sa.Column('stage', sa.String(length=10), nullable=False),
        sa.Column('method', sa.String(length=10), nullable=False),
        sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column('reference', sa.String(length=80), nullable=True),
        sa.Column('received_on', sa.Date(), nullable=False),
        sa.Column('received_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('file_id', sa.Integer(), nullable=True),
        sa.Column('shop_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['order_id'], ['repair_order.id'], name=op.f('fk_deposit_order_id_repair_order')),
        sa.ForeignKeyConstraint(['quote_id'], ['quote.id'], name=op.f('fk_deposit_quote_id_quote')),
        sa.ForeignKeyConstraint(['received_by_id'], ['user.id'], name=op.f('fk_deposit_received_by_id_user'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['file_id'], ['stored_file.id'], name=op.f('fk_deposit_file_id_stored_file')),
        _shop('deposit'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_deposit')),
        sa.UniqueConstraint('shop_id', 'number', name=op.f('uq_deposit_shop_id_number')),
    )
    with op.batch_alter_table('deposit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deposit_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deposit_shop_id'), ['shop_id'], unique=False)

    op.create_table(
        'fiscal_settings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('year_end_month', sa.Integer(), nullable=False),
        sa.Column('year_end_day', sa.Integer(), nullable=False),
        sa.Column('shop_id', sa.Integer(), nullable=False),
        _shop('fiscal_settings'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_fiscal_settings')),
        sa.UniqueConstraint('shop_id', name=op.f('uq_fiscal_settings_shop_id')),
    )
    with op.batch_alter_table('fiscal_settings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fiscal_settings_shop_id'), ['shop_id'], unique=False)

    op.create_table(
        'fiscal_closing',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('period_start', sa.Date(), nullable=False),
        sa.Column('period_end', sa.Date(), nullable=False),
        sa.Column('entry_seq', sa.Integer(), nullable=False),
        sa.Column('first_seq', sa.Integer(), nullable=True),
        sa.Column('last_seq', sa.Integer(), nullable=True),
        sa.Column('entries', sa.Integer(), nullable=False),
        sa.Column('totals', sa.JSON(), nullable=False),
        sa.Column('grand_totals', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('shop_id', sa.Integer(), nullable=False),
        _shop('fiscal_closing'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_fiscal_closing')),
        sa.UniqueConstraint('shop_id', 'kind', 'period_end', name=op.f('uq_fiscal_closing_shop_id_kind_period_end')),
    )
    with op.batch_alter_table('fiscal_closing', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fiscal_closing_shop_id'), ['shop_id'], unique=False)
        batch_op.create_index('ix_fiscal_closing_shop_kind_start', ['shop_id', 'kind', 'period_start'], unique=False)

    op.create_table(
        'fiscal_archive',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('scope', sa.String(length=10), nullable=False),
        sa.Column('period_start', sa.Date(), nullable=False),
        sa.Column('period_end', sa.Date(), nullable=False),
        sa.Column('file_id', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('manifest_sha256', sa.String(length=64), nullable=False),
        sa.Column('entry_seq', sa.Integer(), nullable=False),
        sa.Column('first_seq', sa.Integer(), nullable=True),
        sa.Column('last_seq', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('shop_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['file_id'], ['stored_file.id'], name=op.f('fk_fiscal_archive_file_id_stored_file')),
        _shop('fiscal_archive'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_fiscal_archive')),
    )
    with op.batch_alter_table('fiscal_archive', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fiscal_archive_shop_id'), ['shop_id'], unique=False)
        batch_op.create_index('ix_fiscal_archive_shop_period', ['shop_id', 'period_start'], unique=False)

    dialect = op.get_bind().dialect.name
    for table in INSERT_ONLY:
        for statement in triggers.create_sql(dialect, table):
            op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    for table in INSERT_ONLY:
        for statement in triggers.drop_sql(dialect, table):
            op.execute(statement)
    for table, indexes in (('fiscal_archive', ('ix_fiscal_archive_shop_id', 'ix_fiscal_archive_shop_period')),
                           ('fiscal_closing', ('ix_fiscal_closing_shop_id', 'ix_fiscal_closing_shop_kind_start')),
                           ('fiscal_settings', ('ix_fiscal_settings_shop_id',)),
                           ('deposit', ('ix_deposit_order_id', 'ix_deposit_shop_id'))):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for index in indexes:
                batch_op.drop_index(index)
        op.drop_table(table)
